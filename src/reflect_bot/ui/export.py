"""What /export says around the document: why arguments could not be read, that nothing
matched, and the captions of the file or its parts."""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup

from reflect_bot.catalog import Catalog
from reflect_bot.domain.export import ExportProblem, ExportScope, Journal
from reflect_bot.ui import texts
from reflect_bot.ui.privacy import FlaggedAnswer, flagged_notice

_TYPED_LIMIT = 64  # characters of a bad argument quoted back


def problem_text(problem: ExportProblem, typed: str, *, today: str, catalog: Catalog) -> str:
    """Why the arguments could not be read, quoting (escaped) what was typed, with the
    concepts or programs that exist when one was missing or unknown."""
    quoted = html.escape(typed[:_TYPED_LIMIT])
    concepts = ", ".join(f"<code>{html.escape(slug)}</code>" for slug in catalog.concepts)
    programs = "\n".join(
        f"<code>{html.escape(pid)}</code> — {html.escape(program.title)}"
        for pid, program in catalog.programs.items()
    )
    match problem:
        case ExportProblem.BAD_DATE:
            return texts.EXPORT_BAD_DATE.format(typed=quoted)
        case ExportProblem.ONE_DATE:
            return texts.EXPORT_ONE_DATE.format(typed=quoted, today=today)
        case ExportProblem.REVERSED:
            first, _, second = typed.partition(" ")
            return texts.EXPORT_REVERSED.format(
                first=html.escape(second), second=html.escape(first)
            )
        case ExportProblem.MISSING_CONCEPT:
            return texts.EXPORT_MISSING_CONCEPT.format(known=concepts)
        case ExportProblem.UNKNOWN_CONCEPT:
            return texts.EXPORT_UNKNOWN_CONCEPT.format(typed=quoted, known=concepts)
        case ExportProblem.MISSING_PROGRAM:
            return texts.EXPORT_MISSING_PROGRAM.format(known=programs)
        case ExportProblem.UNKNOWN_PROGRAM:
            return texts.EXPORT_UNKNOWN_PROGRAM.format(typed=quoted, known=programs)
        case _:
            return texts.EXPORT_NOT_UNDERSTOOD.format(typed=quoted)


def empty_text(journal: Journal) -> str:
    """Nothing to export, said in the terms of what was asked."""
    request = journal.request
    label = html.escape(journal.filter_label or "")
    if request.scope is ExportScope.CONCEPT:
        return texts.EXPORT_EMPTY_CONCEPT.format(name=label)
    if request.scope is ExportScope.PROGRAM:
        return texts.EXPORT_EMPTY_PROGRAM.format(title=label)
    if request.scope is ExportScope.ALL:
        return texts.EXPORT_EMPTY_ALL
    return texts.EXPORT_EMPTY_RANGE.format(
        start=journal.start.isoformat(), end=journal.end.isoformat()
    )


def flagged_before_export(journal: Journal) -> tuple[str, InlineKeyboardMarkup] | None:
    """The answers in this export that seemed to identify a client and were kept as written,
    said before the file, with a Replace button each; None when there are none."""
    flagged = [
        FlaggedAnswer(
            answer.answer_id, entry.started.date().isoformat(), entry.program_title, answer.question
        )
        for entry, answer in journal.flagged_answers()
        if answer.answer_id is not None
    ]
    return flagged_notice(flagged, before_export=True) if flagged else None


def split_note(parts: int) -> str:
    return texts.EXPORT_SPLIT_NOTE.format(parts=parts)


def caption(journal: Journal, *, part: int, parts: int) -> str:
    """The caption of the file, or of one part of a split export."""
    start, end = journal.start.isoformat(), journal.end.isoformat()
    if parts > 1:
        return texts.EXPORT_CAPTION_PART.format(start=start, end=end, part=part, parts=parts)
    count = journal.totals.reflections
    reflections = (
        texts.EXPORT_ONE_REFLECTION if count == 1 else texts.EXPORT_REFLECTIONS.format(count=count)
    )
    return texts.EXPORT_CAPTION.format(start=start, end=end, reflections=reflections)
