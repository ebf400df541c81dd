"""/export: the clinician's own journal as a Markdown document, sent to their own chat only."""

from __future__ import annotations

import asyncio
import html
import logging

from telegram import Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.ext import BaseHandler, CommandHandler, filters

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.catalog import Catalog
from reflect_bot.db.engine import transaction
from reflect_bot.db.repositories import journal as journal_repository
from reflect_bot.domain.export import (
    EXPORTED_STATUSES,
    ExportArgumentError,
    ExportProblem,
    ExportScope,
    Journal,
    build_journal,
    journal_filename,
    parse_export_args,
)
from reflect_bot.domain.timezones import resolve
from reflect_bot.render import markdown
from reflect_bot.ui import texts

log = logging.getLogger(__name__)

#: Not protected: the export exists so the clinician can save the file into their own notes
#: (Obsidian, a static site); Telegram's protect_content would block saving the document.
PROTECT_EXPORT = False
_TYPED_LIMIT = 64  # characters of a bad argument quoted back


async def export(update: Update, context: ReflectContext) -> None:
    """/export [week | <from> <to> | concept <slug> | program <id>]: sends the journal."""
    chat, user = update.effective_chat, update.effective_user
    # Only a private chat with its own user: the export can never land anywhere else.
    if chat is None or user is None or chat.type != ChatType.PRIVATE or chat.id != user.id:
        return
    clinician = await current_clinician(update, context)
    if clinician is None or clinician.id is None:
        await reply(update, context, texts.NEEDS_START)
        return
    services = services_of(context)
    zone_name = clinician.timezone or "UTC"
    zone = resolve(zone_name)
    now = services.clock.now()
    today = now.astimezone(zone).date()
    catalog = services.catalog
    if [word.casefold() for word in context.args or []] == ["help"]:
        await reply(update, context, texts.EXPORT_USAGE)
        return
    try:
        request = parse_export_args(
            context.args or [], today=today, concepts=catalog.concepts, programs=catalog.programs
        )
    except ExportArgumentError as problem:
        await reply(
            update, context, _problem_text(problem, today=today.isoformat(), catalog=catalog)
        )
        return

    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    started_from, started_before = request.utc_bounds(zone)
    async with transaction(services.sessions) as session:
        stored = await journal_repository.load_reflections(
            session,
            clinician_id=clinician.id,
            statuses=EXPORTED_STATUSES,
            started_from=started_from,
            started_before=started_before,
            program_id=request.program,
        )
    journal = build_journal(
        request,
        stored,
        catalog=catalog,
        zone_name=zone_name,
        today=today,
        exported_at=now,
        author=clinician.display_name if clinician.name_in_export else None,
    )
    if journal.is_empty:
        await reply(update, context, _empty_text(journal))
        return
    # Rendering years of reflections takes a moment; other chats keep being served meanwhile.
    documents = await asyncio.to_thread(
        markdown.render_parts,
        journal,
        max_bytes=services.settings.export_max_bytes,
        bot_username=context.bot.username,
    )
    await _send(update, context, journal, documents)


async def _send(
    update: Update, context: ReflectContext, journal: Journal, documents: list[str]
) -> None:
    chat = update.effective_chat
    assert chat is not None
    start, end, parts = journal.start.isoformat(), journal.end.isoformat(), len(documents)
    if parts > 1:
        await reply(update, context, texts.EXPORT_SPLIT_NOTE.format(parts=parts))
    for number, document in enumerate(documents, start=1):
        if parts == 1:
            count = journal.totals.reflections
            reflections = (
                texts.EXPORT_ONE_REFLECTION
                if count == 1
                else texts.EXPORT_REFLECTIONS.format(count=count)
            )
            caption = texts.EXPORT_CAPTION.format(start=start, end=end, reflections=reflections)
        else:
            caption = texts.EXPORT_CAPTION_PART.format(
                start=start, end=end, part=number, parts=parts
            )
        await context.bot.send_document(
            chat.id,
            document=document.encode("utf-8"),
            filename=journal_filename(journal.start, journal.end, part=number, parts=parts),
            caption=caption,
            parse_mode=ParseMode.HTML,
            protect_content=PROTECT_EXPORT,
        )
    # Counts only: what the clinician wrote never reaches a log line.
    log.info("export sent: %d reflection(s) in %d file(s)", journal.totals.reflections, parts)


def _problem_text(problem: ExportArgumentError, *, today: str, catalog: Catalog) -> str:
    typed = html.escape(problem.typed[:_TYPED_LIMIT])
    concepts = ", ".join(f"<code>{html.escape(slug)}</code>" for slug in catalog.concepts)
    programs = "\n".join(
        f"<code>{html.escape(pid)}</code> — {html.escape(program.title)}"
        for pid, program in catalog.programs.items()
    )
    match problem.problem:
        case ExportProblem.BAD_DATE:
            return texts.EXPORT_BAD_DATE.format(typed=typed)
        case ExportProblem.ONE_DATE:
            return texts.EXPORT_ONE_DATE.format(typed=typed, today=today)
        case ExportProblem.REVERSED:
            first, _, second = problem.typed.partition(" ")
            return texts.EXPORT_REVERSED.format(
                first=html.escape(second), second=html.escape(first)
            )
        case ExportProblem.MISSING_CONCEPT:
            return texts.EXPORT_MISSING_CONCEPT.format(known=concepts)
        case ExportProblem.UNKNOWN_CONCEPT:
            return texts.EXPORT_UNKNOWN_CONCEPT.format(typed=typed, known=concepts)
        case ExportProblem.MISSING_PROGRAM:
            return texts.EXPORT_MISSING_PROGRAM.format(known=programs)
        case ExportProblem.UNKNOWN_PROGRAM:
            return texts.EXPORT_UNKNOWN_PROGRAM.format(typed=typed, known=programs)
        case _:
            return texts.EXPORT_NOT_UNDERSTOOD.format(typed=typed)


def _empty_text(journal: Journal) -> str:
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


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    return [CommandHandler("export", export, filters=filters.ChatType.PRIVATE)]
