"""/export: the clinician's own journal as a Markdown document, their reflections as a
body's reflective accounts (Markdown or Word), or their CPD log as CSV — always sent to their
own chat only.

What the journal holds is decided in flows/export.py (accounts and the CPD log in
flows/portfolio.py); the words around it are in ui/export.py and ui/portfolio.py; each
evidence format is a module of render/ found through render/formats.py.
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
from reflect_bot.domain.export import ExportProblem, Journal, journal_filename
from reflect_bot.domain.portfolio import evidence_filename
from reflect_bot.flows import export as flow
from reflect_bot.flows import portfolio as portfolio_flow
from reflect_bot.render import cpd_csv, markdown
from reflect_bot.render.formats import evidence_format
from reflect_bot.ui import export as view
from reflect_bot.ui import portfolio as portfolio_view
from reflect_bot.ui import texts

log = logging.getLogger(__name__)

#: Not protected: the export exists so the clinician can save the file into their own notes
#: (Obsidian, a static site); Telegram's protect_content would block saving the document.
PROTECT_EXPORT = False


async def export(update: Update, context: ReflectContext) -> None:
    """/export [<profile> | cpd] [md | docx | csv] [week | <from> <to> | concept <slug> |
    program <id>]: sends the journal, the accounts or the CPD log."""
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
        if asked.problem is ExportProblem.FORMAT:
            await reply(update, context, portfolio_view.format_not_offered_text(asked.typed))
            return
        text = view.problem_text(
            asked.problem, asked.typed, today=asked.today.isoformat(), catalog=services.catalog
        )
        await reply(update, context, text)
        return
    await deliver(update, context, clinician, asked)


async def deliver(
    update: Update, context: ReflectContext, clinician: Clinician, asked: flow.Asked
) -> None:
    """Gathers and sends what `asked` names: the journal, a profile's accounts or the CPD log."""
    await context.bot.send_chat_action(_chat_id(update), ChatAction.UPLOAD_DOCUMENT)
    if asked.request.cpd:
        await _send_cpd_log(update, context, clinician, asked)
    elif asked.request.profile is not None:
        await _send_evidence(update, context, clinician, asked)
    else:
        await _send_journal(update, context, clinician, asked)


async def _send_journal(
    update: Update, context: ReflectContext, clinician: Clinician, asked: flow.Asked
) -> None:
    services = services_of(context)
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
    await _send(update, context, journal, documents, clinician=clinician)
    if await portfolio_flow.should_offer_profile(
        services.sessions, services.catalog, services.clock, clinician=clinician
    ):
        await reply(
            update,
            context,
            portfolio_view.profile_text(None, offer=True),
            keyboard=portfolio_view.profile_keyboard(services.catalog),
        )


async def _send_evidence(
    update: Update, context: ReflectContext, clinician: Clinician, asked: flow.Asked
) -> None:
    services = services_of(context)
    gathered = await portfolio_flow.gather_evidence(
        services.sessions, services.catalog, clinician=clinician, asked=asked
    )
    evidence = gathered.evidence
    if evidence.journal.is_empty:
        await reply(update, context, view.empty_text(evidence.journal))
        return
    if gathered.flagged:
        # Listed first, so the clinician fixes them before the file goes anywhere else.
        await reply(
            update,
            context,
            portfolio_view.flagged_text(gathered.flagged, kinds=texts.IDENTIFYING_KINDS),
        )
    shape = evidence_format(asked.request.format)
    document = await asyncio.to_thread(shape.render, evidence)
    await context.bot.send_document(
        _chat_id(update),
        document=document,
        filename=evidence_filename(evidence.profile.id, evidence.journal, shape.EXTENSION),
        caption=portfolio_view.evidence_caption(evidence),
        parse_mode=ParseMode.HTML,
        protect_content=PROTECT_EXPORT,
    )
    missing = portfolio_view.missing_choices_text(evidence)
    if missing is not None:
        await reply(update, context, missing)
    # Counts only: what the clinician wrote never reaches a log line.
    log.info(
        "evidence sent: %d account(s), %s, %s",
        len(evidence.accounts),
        evidence.profile.id,
        shape.NAME,
    )


async def _send_cpd_log(
    update: Update, context: ReflectContext, clinician: Clinician, asked: flow.Asked
) -> None:
    services = services_of(context)
    found = await portfolio_flow.gather_cpd_log(
        services.sessions, services.catalog, clinician=clinician, asked=asked
    )
    if not found.lines:
        await reply(update, context, texts.EXPORT_CPD_EMPTY)
        return
    start, end = found.start.isoformat(), found.end.isoformat()
    await context.bot.send_document(
        _chat_id(update),
        document=cpd_csv.render(found.lines),
        filename=f"cpd-log-{start}-{end}.{cpd_csv.EXTENSION}",
        caption=portfolio_view.cpd_caption(
            start=start, end=end, minutes=found.minutes, count=len(found.lines)
        ),
        parse_mode=ParseMode.HTML,
        protect_content=PROTECT_EXPORT,
    )
    log.info("cpd log sent: %d line(s)", len(found.lines))


def _chat_id(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None  # export() lets only a private chat through
    return chat.id


async def _send(
    update: Update,
    context: ReflectContext,
    journal: Journal,
    documents: list[str],
    *,
    clinician: Clinician,
) -> None:
    catalog = services_of(context).catalog
    profile = catalog.profiles.get(clinician.portfolio_profile or "")
    # The other shapes the journal comes in, under its (last) file.
    keyboard = portfolio_view.export_keyboard(profile) if catalog.profiles else None
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
            reply_markup=keyboard if number == parts else None,
        )
    # Counts only: what the clinician wrote never reaches a log line.
    log.info("export sent: %d reflection(s) in %d file(s)", journal.totals.reflections, parts)


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    return [CommandHandler("export", export, filters=filters.ChatType.PRIVATE)]
