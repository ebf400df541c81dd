"""The words of a reflective account, shared by every evidence format (Markdown, Word).

Plain text: each format escapes or styles it its own way. The clinician's words are never
changed; ratings and choices are spelt out as the journal spells them.
"""

from __future__ import annotations

from reflect_bot.domain.export import JournalAnswer, JournalEntry
from reflect_bot.domain.journaling import AnswerKind, ReflectionStatus
from reflect_bot.domain.portfolio import Account, Evidence
from reflect_bot.render.markdown import rating_text
from reflect_bot.ui import texts
from reflect_bot.ui.portfolio import gaps_text

__all__ = [
    "account_title",
    "answer_text",
    "lacks_line",
    "not_chosen_text",
    "question_text",
    "shape_lines",
    "time_spent",
    "title",
]


def title(evidence: Evidence) -> str:
    return texts.EVIDENCE_DOC_TITLE.format(label=evidence.profile.label)


def shape_lines(evidence: Evidence) -> tuple[str, ...]:
    """Where the headings come from and how far they were checked (DESIGN promise 10)."""
    profile, journal = evidence.profile, evidence.journal
    exported = journal.exported_at
    return (
        profile.body,
        " · ".join(
            (
                texts.EXPORT_DOC_RANGE.format(
                    start=journal.start.isoformat(), end=journal.end.isoformat()
                ),
                texts.EXPORT_DOC_ZONE.format(zone=journal.zone_name),
                texts.EXPORT_DOC_EXPORTED.format(when=f"{exported:%Y-%m-%d %H:%M}"),
            )
        ),
        texts.EVIDENCE_DOC_SHAPE.format(document=profile.document, url=profile.guidance_url),
        texts.EVIDENCE_DOC_CHECKED.format(
            checked=profile.checked.isoformat(), note=profile.checked_note
        ),
        profile.about,
    )


def account_title(account: Account, number: int) -> str:
    entry = account.entry
    return texts.EVIDENCE_DOC_ACCOUNT.format(number=number, when=_when(entry), title=_title(entry))


def _when(entry: JournalEntry) -> str:
    started = entry.started
    return f"{started:%Y-%m-%d} {texts.EXPORT_DOC_WEEKDAYS[started.weekday()]} {started:%H:%M}"


def _title(entry: JournalEntry) -> str:
    if entry.status == ReflectionStatus.INCOMPLETE.value:
        return f"{entry.program_title} ({texts.EXPORT_DOC_INCOMPLETE})"
    if entry.status == ReflectionStatus.IN_PROGRESS.value:
        return f"{entry.program_title} ({texts.EXPORT_DOC_IN_PROGRESS})"
    return entry.program_title


def time_spent(entry: JournalEntry) -> str:
    return texts.EXPORT_DOC_TIME_SPENT.format(minutes=entry.minutes)


def question_text(answer: JournalAnswer) -> str:
    return answer.question or texts.EXPORT_DOC_NO_QUESTION


def answer_text(answer: JournalAnswer) -> str:
    """The answer as shown: the words as typed, a rating with its scale, a choice's label."""
    if answer.kind == AnswerKind.RATING and answer.rating is not None:
        shown = rating_text(answer)
    elif answer.kind == AnswerKind.CHOICE and answer.choice_label:
        shown = answer.choice_label
    elif answer.text and answer.text.strip():
        shown = answer.text
    else:
        shown = texts.EXPORT_DOC_NO_TEXT
    return f"{shown} {texts.EXPORT_DOC_EDITED}" if answer.edited else shown


def not_chosen_text(evidence: Evidence, choice_id: str) -> str:
    return texts.EVIDENCE_DOC_NOT_CHOSEN.format(
        question=evidence.profile.choice(choice_id).question
    )


def lacks_line(account: Account) -> str | None:
    gaps = account.lacks
    return texts.EVIDENCE_DOC_LACKS.format(gaps=gaps_text(gaps)) if gaps else None
