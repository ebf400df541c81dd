"""/export: the clinician's own journal as a Markdown document, sent to their own chat only.

What the journal holds is decided in flows/export.py; the words around it are in ui/export.py.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.ext import BaseHandler, CommandHandler, filters

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.messaging import reply
from reflect_bot.bot.preamble import for_clinician
from reflect_bot.db.models import Clinician
from reflect_bot.domain.export import Journal, journal_filename
from reflect_bot.flows import export as flow
from reflect_bot.render import markdown
from reflect_bot.ui import export as view
from reflect_bot.ui import texts

log = logging.getLogger(__name__)

#: Not protected: the export exists so the clinician can save the file into their own notes
#: (Obsidian, a static site); Telegram's protect_content would block saving the document.
PROTECT_EXPORT = False


async def export(update: Update, context: ReflectContext) -> None:
    """/export [week | <from> <to> | concept <slug> | program <id>]: sends the journal."""
    chat, user = update.effective_chat, update.effective_user
    # Only a private chat with its own user: the export can never land anywhere else.
    if chat is None or user is None or chat.type != ChatType.PRIVATE or chat.id != user.id:
        return
    await _export(update, context)


@for_clinician
async def _export(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    services = services_of(context)
    args = context.args or []
    if [word.casefold() for word in args] == ["help"]:
        await reply(update, context, texts.EXPORT_USAGE)
        return
    asked = flow.read_request(services.catalog, services.clock, clinician=clinician, args=args)
    if isinstance(asked, flow.NotUnderstood):
        text = view.problem_text(
            asked.problem, asked.typed, today=asked.today.isoformat(), catalog=services.catalog
        )
        await reply(update, context, text)
        return

    await context.bot.send_chat_action(_chat_id(update), ChatAction.UPLOAD_DOCUMENT)
    journal = await flow.gather(
        services.sessions, services.catalog, clinician=clinician, asked=asked
    )
    if journal.is_empty:
        await reply(update, context, view.empty_text(journal))
        return
    flagged = view.flagged_before_export(journal)
    if flagged is not None:
        # Said before the file: answers kept with identifying details, and how to fix them.
        text, keyboard = flagged
        await reply(update, context, text, keyboard=keyboard)
    # Rendering years of reflections takes a moment; other chats keep being served meanwhile.
    documents = await asyncio.to_thread(
        markdown.render_parts,
        journal,
        max_bytes=services.settings.export_max_bytes,
        bot_username=context.bot.username,
    )
    await _send(update, context, journal, documents)


def _chat_id(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None  # export() lets only a private chat through
    return chat.id


async def _send(
    update: Update, context: ReflectContext, journal: Journal, documents: list[str]
) -> None:
    parts = len(documents)
    if parts > 1:
        await reply(update, context, view.split_note(parts))
    for number, document in enumerate(documents, start=1):
        await context.bot.send_document(
            _chat_id(update),
            document=document.encode("utf-8"),
            filename=journal_filename(journal.start, journal.end, part=number, parts=parts),
            caption=view.caption(journal, part=number, parts=parts),
            parse_mode=ParseMode.HTML,
            protect_content=PROTECT_EXPORT,
        )
    # Counts only: what the clinician wrote never reaches a log line.
    log.info("export sent: %d reflection(s) in %d file(s)", journal.totals.reflections, parts)


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    return [CommandHandler("export", export, filters=filters.ChatType.PRIVATE)]
