"""The catalog's vocabulary: limits on identifiers, concept categories, step kinds, the roles
programs play for the code, and the check-in answers the digest reads.

A leaf module: `models` (the pydantic shapes) and `checks` (rules across entries) both use it.
"""

from enum import StrEnum

__all__ = [
    "ACTION_SECTIONS",
    "CHECKIN_RATING_STEPS",
    "CHECKIN_RUPTURE_OPTIONS",
    "CHECKIN_RUPTURE_STEP",
    "GIBBS_SECTIONS",
    "MAX_OPTION_ID_LENGTH",
    "MAX_OPTION_LABEL_LENGTH",
    "MAX_SLUG_LENGTH",
    "MAX_STEP_ID_LENGTH",
    "RATING_MAX",
    "RATING_MIN",
    "THREE_QUESTIONS_SECTIONS",
    "Answer",
    "Category",
    "CpdKind",
    "Role",
    "Section",
    "StepKind",
]

#: Slugs and program ids travel in Telegram callback data (64 bytes in all).
MAX_SLUG_LENGTH = 40
MAX_STEP_ID_LENGTH = 24
MAX_OPTION_ID_LENGTH = 16
#: Option labels become button captions; keep them short enough to read on a phone.
MAX_OPTION_LABEL_LENGTH = 64

RATING_MIN = 1
RATING_MAX = 5

#: The weekly digest and the export read these answers of the check-in (`Role.CHECKIN`).
CHECKIN_RATING_STEPS: tuple[str, ...] = ("bond", "goals", "tasks", "overall", "client_rating")
CHECKIN_RUPTURE_STEP = "rupture"
CHECKIN_RUPTURE_OPTIONS: tuple[str, ...] = ("none", "withdrawal", "confrontation", "unsure")

#: An answer: an option id (choice step), an int 1–5 (rating step) or free text.
Answer = str | int


class Section(StrEnum):
    """The part of a reflective model that a step's answer serves. Tagging every step lets any
    reflection be laid out in a model's shape (portfolio evidence), and tells which answers
    are decisions that should come back as learning goals."""

    # Gibbs' reflective cycle (Gibbs, 1988).
    DESCRIPTION = "description"
    FEELINGS = "feelings"
    EVALUATION = "evaluation"
    ANALYSIS = "analysis"
    CONCLUSION = "conclusion"
    ACTION_PLAN = "action_plan"
    # "What? So what? Now what?" (Driscoll, after Borton; Rolfe et al., 2001).
    WHAT = "what"
    SO_WHAT = "so_what"
    NOW_WHAT = "now_what"


#: A step tagged with one of these asks what the clinician will do: its answer is a decision.
ACTION_SECTIONS: frozenset[Section] = frozenset({Section.ACTION_PLAN, Section.NOW_WHAT})


#: The Gibbs stages and the three questions: a profile's headings must cover one model whole,
#: so that every tagged step of every program has a place in it.
GIBBS_SECTIONS: tuple[Section, ...] = (
    Section.DESCRIPTION,
    Section.FEELINGS,
    Section.EVALUATION,
    Section.ANALYSIS,
    Section.CONCLUSION,
    Section.ACTION_PLAN,
)
THREE_QUESTIONS_SECTIONS: tuple[Section, ...] = (Section.WHAT, Section.SO_WHAT, Section.NOW_WHAT)


class CpdKind(StrEnum):
    """What a logged CPD activity was. Reflections are logged by the bot itself; the others
    the clinician adds with /cpd."""

    REFLECTION = "reflection"
    COURSE = "course"
    READING = "reading"
    SUPERVISION = "supervision"
    PEER_CONSULTATION = "peer_consultation"


class Role(StrEnum):
    """What the code relies on a program for; each role belongs to exactly one program.

    A program's `role` in its TOML says which one it plays (most programs play none).
    """

    #: The quick post-session check-in: /checkin, the starter plan's weekday prompt, the
    #: digest's alliance ratings and rupture reports; rotation and suggestions leave it out.
    CHECKIN = "checkin"
    #: Answers a rupture the check-in reported (digest and export count repairs by it).
    REPAIR = "repair"
    #: Suggested by the digest after weeks without it.
    EMPATHY = "empathy"
    #: Suggested by the digest when the check-in's bond or overall rating dips.
    BOND = "bond"
    #: Suggested by the digest when the check-in's goals or tasks rating dips.
    COLLABORATION = "collaboration"


class Category(StrEnum):
    """How concept cards are grouped for browsing, in display order."""

    ALLIANCE = "alliance"
    EMPATHY = "empathy"
    ATTACHMENT = "attachment"
    NEUROBIOLOGY = "neurobiology"
    LENSES = "lenses"  # therapy lenses: CBT, humanistic, Rogers, transference


class StepKind(StrEnum):
    TEXT = "text"
    RATING = "rating"
    CHOICE = "choice"
