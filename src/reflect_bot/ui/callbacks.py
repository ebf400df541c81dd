"""Typed callback data: what each button says back when it is pressed.

One frozen dataclass per action, each with `encode()`; one `decode_<family>()` per family that
returns the typed value, or None for data this bot never made (stale, forged or foreign). Every
family has its own prefix, so a CallbackQueryHandler routes by `pattern(PREFIX)`. The formats are
part of the bot's contract with messages already in clinicians' chats: change them only with a
way to read the old ones.

  rf:a:<reflection>:<step>:<value>           answer a rating or choice
  rf:s:<reflection>:<step>                   skip an optional step
  rf:r:<reflection>                          carry on / resume
  rf:d:<reflection>:<program>[:<delivery>]   discard it and start a program
  rf:n:<program>                             start a program (menu, digest, follow-up offer)
  concept:<slug>                             show a concept card
  rc:<k|x>:<reflection>:<slug>               keep | remove a concept suggested for a reflection
  conceptreflect:<slug>                      reflect on a concept (pick a program for it)
  pv:f:<clinician> | pv:k                    /forget: erase everything | keep it
  pv:r:<answer> | pv:n:<answer>              an identifying answer: replace it | keep it
  jr:p:<offset> | jr:o:<reflection>          /journal: a page | one reflection
  vc:<s|e|d|n>:<job>                         a transcript: save | edit | discard | check-in note
  consent | tz:<zone>                        onboarding
  pr:<go|1h|tn|sk>:<delivery>                a prompt: start now, in an hour, tonight, skip
  plan:<yes|adj|no>                          the starter plan offer
  sch:…                                      /schedule (ui/schedule_keyboards.py)
  pf:p:<profile|-> | pf:c                    portfolio profile: choose one (- none) | list them
  pf:x:<profile|cpd>:<md|docx|csv>           export as evidence or the CPD log
  pf:k:<reflection>:<choice>                 ask a profile's choice about a reflection
  pf:o:<reflection>:<choice>:<option>        pick (or, for several, toggle) an option
  pf:d:<reflection>:<choice>                 done picking several options
  gl:f:<goal>:<weeks>                        a goal's follow-up in 1, 2 or 4 weeks (0: none)
  gl:t:<goal> | gl:n:<goal>                  a follow-up: I tried it | not yet
  gl:k|c|x:<check-in>                        after it: keep | change | close the goal
  sv:m:<reflection>                          take a reflection to supervision
  sv:g | sv:k:<s|p> | sv:l:<s|p>:<minutes>   log a supervision (s) or peer (p) session
  sl:a:<invite code>                         a supervisor accepts an invite
  sl:e:<link> | sl:s:<reflection>            end a supervision link | share a reflection
  sl:w:<shared>                              withdraw a shared reflection

Concept cards are also reached by a t.me deep link, `/start c-<slug>` (`concept_start`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from reflect_bot.domain.numbers import whole_number
from reflect_bot.ui.callback_data import fits, pack, unpack

# --------------------------------------------------------------------------- reflections

REFLECTION = "rf"


@dataclass(frozen=True)
class AnswerStep:
    reflection_id: int
    step_id: str
    value: str

    def encode(self) -> str:
        return pack(REFLECTION, "a", self.reflection_id, self.step_id, self.value)


@dataclass(frozen=True)
class SkipStep:
    reflection_id: int
    step_id: str

    def encode(self) -> str:
        return pack(REFLECTION, "s", self.reflection_id, self.step_id)


@dataclass(frozen=True)
class ResumeReflection:
    reflection_id: int

    def encode(self) -> str:
        return pack(REFLECTION, "r", self.reflection_id)


@dataclass(frozen=True)
class DiscardAndStart:
    reflection_id: int
    program_id: str
    delivery_id: int | None = None

    def encode(self) -> str:
        if self.delivery_id is not None:
            with_delivery = f"{REFLECTION}:d:{self.reflection_id}:{self.program_id}:"
            with_delivery += str(self.delivery_id)
            if fits(with_delivery):
                return with_delivery
        return pack(REFLECTION, "d", self.reflection_id, self.program_id)


@dataclass(frozen=True)
class StartProgram:
    program_id: str

    def encode(self) -> str:
        return pack(REFLECTION, "n", self.program_id)


ReflectionPress = AnswerStep | SkipStep | ResumeReflection | DiscardAndStart | StartProgram


def decode_reflection(data: str) -> ReflectionPress | None:
    parts = unpack(data, REFLECTION)
    if not parts:
        return None
    action, args = parts[0], parts[1:]
    if action == "n" and len(args) == 1 and args[0]:
        return StartProgram(args[0])
    reflection_id = whole_number(args[0]) if args else None
    if reflection_id is None:
        return None
    if action == "a" and len(args) == 3 and args[1] and args[2]:
        return AnswerStep(reflection_id, args[1], args[2])
    if action == "s" and len(args) == 2 and args[1]:
        return SkipStep(reflection_id, args[1])
    if action == "r" and len(args) == 1:
        return ResumeReflection(reflection_id)
    if action == "d" and len(args) in (2, 3) and args[1]:
        delivery_id = whole_number(args[2]) if len(args) == 3 else None
        if len(args) == 3 and delivery_id is None:
            return None
        return DiscardAndStart(reflection_id, args[1], delivery_id)
    return None


# --------------------------------------------------------------------------- portfolio

PORTFOLIO = "pf"
#: Stands for "no profile" in `ChooseProfile` (never a profile id: ids are slugs).
NO_PROFILE = "-"


@dataclass(frozen=True)
class ChooseProfile:
    profile_id: str | None  # None: no profile

    def encode(self) -> str:
        return pack(PORTFOLIO, "p", self.profile_id or NO_PROFILE)


@dataclass(frozen=True)
class ListProfiles:
    def encode(self) -> str:
        return pack(PORTFOLIO, "c")


@dataclass(frozen=True)
class ExportAs:
    target: str  # a profile id, or "cpd" for the CPD log
    format: str  # md | docx | csv

    def encode(self) -> str:
        return pack(PORTFOLIO, "x", self.target, self.format)


@dataclass(frozen=True)
class AskChoice:
    reflection_id: int
    choice_id: str

    def encode(self) -> str:
        return pack(PORTFOLIO, "k", self.reflection_id, self.choice_id)


@dataclass(frozen=True)
class PickOption:
    reflection_id: int
    choice_id: str
    option_id: str

    def encode(self) -> str:
        return pack(PORTFOLIO, "o", self.reflection_id, self.choice_id, self.option_id)


@dataclass(frozen=True)
class ChoiceDone:
    reflection_id: int
    choice_id: str

    def encode(self) -> str:
        return pack(PORTFOLIO, "d", self.reflection_id, self.choice_id)


PortfolioPress = ChooseProfile | ListProfiles | ExportAs | AskChoice | PickOption | ChoiceDone


def decode_portfolio(data: str) -> PortfolioPress | None:
    parts = unpack(data, PORTFOLIO)
    if not parts:
        return None
    action, args = parts[0], parts[1:]
    if action == "p" and len(args) == 1 and args[0]:
        return ChooseProfile(None if args[0] == NO_PROFILE else args[0])
    if action == "c" and not args:
        return ListProfiles()
    if action == "x" and len(args) == 2 and args[0] and args[1]:
        return ExportAs(args[0], args[1])
    reflection_id = whole_number(args[0]) if args else None
    if reflection_id is None or len(args) < 2 or not all(args[1:]):
        return None
    if action == "k" and len(args) == 2:
        return AskChoice(reflection_id, args[1])
    if action == "o" and len(args) == 3:
        return PickOption(reflection_id, args[1], args[2])
    if action == "d" and len(args) == 2:
        return ChoiceDone(reflection_id, args[1])
    return None


# --------------------------------------------------------------------------- concept cards

CONCEPT = "concept"
CONCEPT_REFLECT = "conceptreflect"
CONCEPT_START_PREFIX = "c-"  # https://t.me/<bot>?start=c-<slug>


@dataclass(frozen=True)
class ShowConcept:
    slug: str

    def encode(self) -> str:
        return pack(CONCEPT, self.slug)


@dataclass(frozen=True)
class ReflectOnConcept:
    slug: str

    def encode(self) -> str:
        return pack(CONCEPT_REFLECT, self.slug)


def decode_concept(data: str) -> ShowConcept | ReflectOnConcept | None:
    for prefix, kind in ((CONCEPT, ShowConcept), (CONCEPT_REFLECT, ReflectOnConcept)):
        parts = unpack(data, prefix)
        if parts is not None:
            return kind(parts[0]) if len(parts) == 1 and parts[0] else None
    return None


def concept_start(slug: str) -> str:
    """The /start payload of a concept's deep link (slugs are short: within 64 bytes)."""
    return CONCEPT_START_PREFIX + slug


def concept_from_start(payload: str) -> str | None:
    """The slug a /start payload asks for, or None when it is not a concept link."""
    if not payload.startswith(CONCEPT_START_PREFIX):
        return None
    return payload.removeprefix(CONCEPT_START_PREFIX) or None


# --------------------------------------------------------------------------- suggested concepts

SUGGESTED = "rc"


@dataclass(frozen=True)
class DecideConcept:
    """Keep (or remove) a concept card suggested at the end of a reflection."""

    reflection_id: int
    slug: str
    keep: bool

    def encode(self) -> str:
        return pack(SUGGESTED, "k" if self.keep else "x", self.reflection_id, self.slug)


def decode_suggested(data: str) -> DecideConcept | None:
    parts = unpack(data, SUGGESTED)
    if not parts or len(parts) != 3 or parts[0] not in ("k", "x") or not parts[2]:
        return None
    reflection_id = whole_number(parts[1])
    if reflection_id is None:
        return None
    return DecideConcept(reflection_id, parts[2], parts[0] == "k")


# --------------------------------------------------------------------------- privacy

PRIVACY = "pv"


@dataclass(frozen=True)
class ConfirmForget:
    clinician_id: int

    def encode(self) -> str:
        return pack(PRIVACY, "f", self.clinician_id)


@dataclass(frozen=True)
class KeepEverything:
    def encode(self) -> str:
        return pack(PRIVACY, "k")


@dataclass(frozen=True)
class ReplaceAnswer:
    answer_id: int

    def encode(self) -> str:
        return pack(PRIVACY, "r", self.answer_id)


@dataclass(frozen=True)
class KeepAnswer:
    answer_id: int

    def encode(self) -> str:
        return pack(PRIVACY, "n", self.answer_id)


PrivacyPress = ConfirmForget | KeepEverything | ReplaceAnswer | KeepAnswer


def decode_privacy(data: str) -> PrivacyPress | None:
    parts = unpack(data, PRIVACY)
    if parts == ["k"]:
        return KeepEverything()
    if not parts or len(parts) != 2:
        return None
    number = whole_number(parts[1])
    if number is None:
        return None
    if parts[0] == "f":
        return ConfirmForget(number)
    if parts[0] == "r":
        return ReplaceAnswer(number)
    if parts[0] == "n":
        return KeepAnswer(number)
    return None


# --------------------------------------------------------------------------- voice notes

VOICE = "vc"


class TranscriptAction(StrEnum):
    SAVE = "s"
    EDIT = "e"
    DISCARD = "d"
    CHECKIN_NOTE = "n"  # outside a reflection: add to the latest check-in's last note


@dataclass(frozen=True)
class TranscriptPress:
    action: TranscriptAction
    job_id: int

    def encode(self) -> str:
        return pack(VOICE, self.action.value, self.job_id)


def decode_voice(data: str) -> TranscriptPress | None:
    parts = unpack(data, VOICE)
    if not parts or len(parts) != 2:
        return None
    number = whole_number(parts[1])
    actions = {action.value: action for action in TranscriptAction}
    if number is None or parts[0] not in actions:
        return None
    return TranscriptPress(actions[parts[0]], number)


# --------------------------------------------------------------------------- journal

JOURNAL = "jr"


@dataclass(frozen=True)
class JournalPage:
    offset: int

    def encode(self) -> str:
        return pack(JOURNAL, "p", self.offset)


@dataclass(frozen=True)
class OpenReflection:
    reflection_id: int

    def encode(self) -> str:
        return pack(JOURNAL, "o", self.reflection_id)


def decode_journal(data: str) -> JournalPage | OpenReflection | None:
    parts = unpack(data, JOURNAL)
    if not parts or len(parts) != 2:
        return None
    number = whole_number(parts[1])
    if number is None:
        return None
    if parts[0] == "p":
        return JournalPage(number)
    if parts[0] == "o":
        return OpenReflection(number)
    return None


# --------------------------------------------------------------------------- onboarding

CONSENT = "consent"  # the whole data: one button, nothing to carry
TIME_ZONE = "tz"


@dataclass(frozen=True)
class ChooseTimeZone:
    zone: str

    def encode(self) -> str:
        return pack(TIME_ZONE, self.zone)


def decode_time_zone(data: str) -> ChooseTimeZone | None:
    parts = unpack(data, TIME_ZONE)
    return ChooseTimeZone(parts[0]) if parts and len(parts) == 1 and parts[0] else None


# --------------------------------------------------------------------------- prompts

PROMPT = "pr"


class PromptAction(StrEnum):
    START = "go"
    SNOOZE_HOUR = "1h"
    TONIGHT = "tn"
    SKIP = "sk"


@dataclass(frozen=True)
class PromptPress:
    action: PromptAction
    delivery_id: int

    def encode(self) -> str:
        return pack(PROMPT, self.action.value, self.delivery_id)


def decode_prompt(data: str) -> PromptPress | None:
    parts = unpack(data, PROMPT)
    if not parts or len(parts) != 2 or parts[0] not in set(PromptAction):
        return None
    delivery_id = whole_number(parts[1])
    return None if delivery_id is None else PromptPress(PromptAction(parts[0]), delivery_id)


PLAN = "plan"


class PlanChoice(StrEnum):
    ACCEPT = "yes"
    ADJUST = "adj"
    DECLINE = "no"


def encode_plan(choice: PlanChoice) -> str:
    return pack(PLAN, choice.value)


def decode_plan(data: str) -> PlanChoice | None:
    parts = unpack(data, PLAN)
    if not parts or len(parts) != 1 or parts[0] not in set(PlanChoice):
        return None
    return PlanChoice(parts[0])


# --------------------------------------------------------------------------- learning goals

GOAL = "gl"


@dataclass(frozen=True)
class ChooseFollowUp:
    goal_id: int
    weeks: int  # 0: no follow-up

    def encode(self) -> str:
        return pack(GOAL, "f", self.goal_id, self.weeks)


@dataclass(frozen=True)
class AnswerFollowUp:
    goal_id: int
    tried: bool

    def encode(self) -> str:
        return pack(GOAL, "t" if self.tried else "n", self.goal_id)


class GoalDecision(StrEnum):
    KEEP = "k"
    CHANGE = "c"
    CLOSE = "x"


@dataclass(frozen=True)
class DecideGoal:
    check_in_id: int
    decision: GoalDecision

    def encode(self) -> str:
        return pack(GOAL, self.decision.value, self.check_in_id)


GoalPress = ChooseFollowUp | AnswerFollowUp | DecideGoal


def decode_goal(data: str) -> GoalPress | None:
    parts = unpack(data, GOAL)
    if not parts or len(parts) < 2:
        return None
    action, numbers = parts[0], [whole_number(part) for part in parts[1:]]
    if any(number is None for number in numbers):
        return None
    values = [number for number in numbers if number is not None]
    if action == "f" and len(values) == 2:
        return ChooseFollowUp(values[0], values[1])
    if action in ("t", "n") and len(values) == 1:
        return AnswerFollowUp(values[0], tried=action == "t")
    if action in set(GoalDecision) and len(values) == 1:
        return DecideGoal(values[0], GoalDecision(action))
    return None


# --------------------------------------------------------------------------- supervision

SUPERVISION = "sv"
_KIND_CODES = {"s": "supervision", "p": "peer"}
_CODE_OF_KIND = {kind: code for code, kind in _KIND_CODES.items()}


@dataclass(frozen=True)
class MarkForSupervision:
    reflection_id: int

    def encode(self) -> str:
        return pack(SUPERVISION, "m", self.reflection_id)


@dataclass(frozen=True)
class StartSessionLog:
    def encode(self) -> str:
        return pack(SUPERVISION, "g")


@dataclass(frozen=True)
class ChooseSessionKind:
    kind: str  # supervision | peer

    def encode(self) -> str:
        return pack(SUPERVISION, "k", _CODE_OF_KIND[self.kind])


@dataclass(frozen=True)
class LogSession:
    kind: str  # supervision | peer
    minutes: int

    def encode(self) -> str:
        return pack(SUPERVISION, "l", _CODE_OF_KIND[self.kind], self.minutes)


SupervisionPress = MarkForSupervision | StartSessionLog | ChooseSessionKind | LogSession


def decode_supervision(data: str) -> SupervisionPress | None:
    parts = unpack(data, SUPERVISION)
    if not parts:
        return None
    action, args = parts[0], parts[1:]
    if action == "g" and not args:
        return StartSessionLog()
    if action == "m" and len(args) == 1:
        number = whole_number(args[0])
        return None if number is None else MarkForSupervision(number)
    if action == "k" and len(args) == 1 and args[0] in _KIND_CODES:
        return ChooseSessionKind(_KIND_CODES[args[0]])
    if action == "l" and len(args) == 2 and args[0] in _KIND_CODES:
        minutes = whole_number(args[1])
        return None if minutes is None else LogSession(_KIND_CODES[args[0]], minutes)
    return None


# --------------------------------------------------------------------------- sharing

SHARING = "sl"


@dataclass(frozen=True)
class AcceptInvite:
    code: str  # the invite's own code: only who holds the link can accept it

    def encode(self) -> str:
        return pack(SHARING, "a", self.code)


@dataclass(frozen=True)
class EndLink:
    link_id: int

    def encode(self) -> str:
        return pack(SHARING, "e", self.link_id)


@dataclass(frozen=True)
class ShareReflection:
    reflection_id: int

    def encode(self) -> str:
        return pack(SHARING, "s", self.reflection_id)


@dataclass(frozen=True)
class WithdrawShare:
    shared_id: int

    def encode(self) -> str:
        return pack(SHARING, "w", self.shared_id)


SharingPress = AcceptInvite | EndLink | ShareReflection | WithdrawShare


def decode_sharing(data: str) -> SharingPress | None:
    parts = unpack(data, SHARING)
    if not parts or len(parts) != 2 or not parts[1]:
        return None
    action, value = parts
    if action == "a":
        return AcceptInvite(value) if value.isascii() and value.isalnum() else None
    number = whole_number(value)
    if number is None:
        return None
    if action == "e":
        return EndLink(number)
    if action == "s":
        return ShareReflection(number)
    if action == "w":
        return WithdrawShare(number)
    return None
