"""Checks every update passes before any handler runs: private chats only, members only
(in a clinic deployment), each update once.

What the guards remember between updates is a `GuardMemory`, built once per application and
handed to both guards when they are registered (app.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.db.engine import finish_held, held_transaction
from reflect_bot.db.repositories import clinicians, privacy, updates
from reflect_bot.ui import texts
from reflect_bot.ui.callbacks import CONCEPT_START_PREFIX

log = logging.getLogger(__name__)


@dataclass
class GuardMemory:
    """What the guards of one running bot remember, in memory only: groups and strangers
    must leave no row behind."""

    # Telegram chat ids of groups already told the bot works only in private.
    groups_told: set[int] = field(default_factory=set)
    # Telegram user ids of strangers already told the bot is private to a practice.
    strangers_told: set[int] = field(default_factory=set)
    # Set once an invite has been seen: the deployment is invite-only from then on.
    invite_only: bool = False


async def private_only(update: Update, context: ReflectContext, *, memory: GuardMemory) -> None:
    """Outside private chats: say once that the bot is private-only, leave, and store nothing."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    told = memory.groups_told
    if chat.id not in told:
        told.add(chat.id)
        try:
            if chat.type != ChatType.CHANNEL:
                await context.bot.send_message(
                    chat.id, texts.PRIVATE_ONLY, parse_mode=ParseMode.HTML
                )
            await context.bot.leave_chat(chat.id)
        except TelegramError as exc:
            log.info(
                "could not tell chat %s that the bot is private-only: %s",
                chat.id,
                type(exc).__name__,
            )
    if update.callback_query is not None:
        await update.callback_query.answer()
    raise ApplicationHandlerStop


# Strangers remembered as already told, per process; forgotten wholesale past this many.
MAX_STRANGERS_REMEMBERED = 10_000


class _Stranger(Exception):
    """Leaves the admission transaction without writing anything."""


async def admit(update: Update, context: ReflectContext, *, memory: GuardMemory) -> None:
    """Members only, each update once, and the clinician loaded: one transaction per update.

    The transaction stays open for the handler: its first flow continues and commits it, so
    the update's record and an answer are committed together (or neither is); whatever no
    flow took is committed once the update has been handled (bot/updates.py).

    Access control is on when REFLECT_ALLOWED_USER_IDS is set or once any invite exists.
    A stranger gets one polite message and nothing about them is stored: the transaction
    that recorded the update id is rolled back. `/start <code>` redeems an invite. A
    redelivered update (same update_id) stops here, before it is handled a second time.
    """
    services = services_of(context)
    user = update.effective_user
    code = _invite_code(update)
    now = services.clock.now()
    try:
        async with held_transaction(services.sessions) as session:
            # On PostgreSQL this also makes two instances handed this person's updates at
            # once take turns, from here until the handler's flow commits.
            fresh = await updates.mark_processed(
                session,
                update_id=update.update_id,
                now=now,
                person=None if user is None else user.id,
            )
            admission = None
            if fresh and user is not None:
                admission = await clinicians.admission(session, telegram_user_id=user.id)
                if not await _is_member(session, context, memory, admission, user.id, code, now):
                    raise _Stranger  # rolled back: the update id is not kept either
    except _Stranger:
        assert user is not None
        await _turn_away(update, context, memory, user.id, tried_code=code is not None)
        raise ApplicationHandlerStop from None
    except Exception as exc:
        # Fail closed: whatever went wrong (the database, an unreadable row, a bug), no
        # handler runs unchecked. Nothing was stored, and the clinician is told so once.
        log.warning("could not admit update %s: %s", update.update_id, type(exc).__name__)
        access_control = services.settings.allowed_user_ids or memory.invite_only
        await _say(
            update,
            context,
            texts.ACCESS_UNAVAILABLE if access_control else texts.UPDATE_NOT_HANDLED,
        )
        raise ApplicationHandlerStop from None
    if not fresh:
        await finish_held(commit=False)  # nothing was written
        log.info("update %s was delivered again; ignored", update.update_id)
        raise ApplicationHandlerStop
    if admission is not None:
        context.admitted(admission.clinician, admission.seen)


async def _is_member(
    session: AsyncSession,
    context: ReflectContext,
    memory: GuardMemory,
    admission: clinicians.Admission,
    user_id: int,
    code: str | None,
    now: datetime,
) -> bool:
    services = services_of(context)
    allowed = services.settings.allowed_user_ids
    if user_id in allowed:
        return True
    if not allowed and not admission.invites_exist:
        return True  # an open deployment: everyone is welcome
    if admission.invites_exist:
        memory.invite_only = True  # invites are never un-created, so remember it
    if admission.redeemed:
        return True
    if code is not None and await privacy.redeem(
        session, code=code, telegram_user_id=user_id, now=now
    ):
        log.info("an invite code was redeemed by user %s", user_id)
        return True
    return False


def _invite_code(update: Update) -> str | None:
    """The payload of `/start <payload>`, unless it is a concept card's deep link."""
    message = update.message
    if message is None or not message.text:
        return None
    parts = message.text.split()
    if len(parts) != 2 or parts[0].split("@", 1)[0] != "/start":
        return None
    payload = parts[1]
    return None if payload.startswith(CONCEPT_START_PREFIX) else payload


async def _turn_away(
    update: Update, context: ReflectContext, memory: GuardMemory, user_id: int, *, tried_code: bool
) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(texts.STRANGER_BUTTON)
        return
    if update.message is None:
        return  # edits, membership changes: nothing to answer
    if tried_code:
        # Every attempt at a code gets an answer: a typo deserves to know it was a typo.
        await _say(update, context, texts.INVITE_NOT_VALID)
        return
    told = memory.strangers_told
    if user_id in told:
        return
    if len(told) >= MAX_STRANGERS_REMEMBERED:
        told.clear()
    told.add(user_id)
    log.info("turned away user %s: not on the allowed list and not invited", user_id)
    await _say(update, context, texts.STRANGER)


async def _say(update: Update, context: ReflectContext, text: str) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    try:
        await context.bot.send_message(chat.id, text, parse_mode=ParseMode.HTML)
    except TelegramError as exc:
        log.info("could not reply in chat %s: %s", chat.id, type(exc).__name__)
