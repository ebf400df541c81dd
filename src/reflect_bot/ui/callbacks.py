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
  conceptreflect:<slug>                      reflect on a concept (pick a program for it)
  pv:f:<clinician> | pv:k                    /forget: erase everything | keep it
  pv:r:<answer> | pv:n:<answer>              an identifying answer: replace it | keep it
  jr:p:<offset> | jr:o:<reflection>          /journal: a page | one reflection
  vc:<s|e|d|n>:<job>                         a transcript: save | edit | discard | check-in note
  consent | tz:<zone>                        onboarding
  pr:<go|1h|tn|sk>:<delivery>                a prompt: start now, in an hour, tonight, skip
  plan:<yes|adj|no>                          the starter plan offer
  sch:…                                      /schedule (ui/schedule_keyboards.py)

Concept cards are also reached by a t.me deep link, `/start c-<slug>` (`concept_start`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from reflect_bot.ui.callback_data import fits, pack, unpack, whole_number

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
