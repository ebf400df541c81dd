"""/schedule, /pause, /resume, the starter plan after onboarding, and a prompt's buttons.

Every change to a schedule, a pause or a time zone re-plans the clinician's upcoming
deliveries in the same transaction (delivery/planner.replan), so the next occurrence follows
at once. Button flows keep their draft in the callback data (ui/schedule_keyboards.py).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from datetime import datetime, time, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician, Schedule
from reflect_bot.db.repositories import deliveries, schedules
from reflect_bot.delivery import planner
from reflect_bot.domain import scheduling
from reflect_bot.domain.timezones import resolve
from reflect_bot.services import Services
from reflect_bot.ui import schedule_keyboards as kb
from reflect_bot.ui import texts

log = logging.getLogger(__name__)

SNOOZE = timedelta(hours=1)
# Where a new schedule's day picker starts: weekdays for a program, one day for a rotation.
DEFAULT_DAYS = scheduling.WEEKDAYS
DEFAULT_ROTATION_DAYS = 1 << scheduling.WEDNESDAY
DEFAULT_DIGEST_DAYS = 1 << scheduling.SUNDAY


# --- describing schedules -----------------------------------------------------------------


def describe_days(mask: int) -> str:
    if mask == scheduling.EVERY_DAY:
        return texts.EVERY_DAY
    if mask == scheduling.WEEKDAYS:
        return texts.ON_WEEKDAYS
    if mask == scheduling.WEEKEND:
        return texts.ON_WEEKENDS
    days = scheduling.days_of(mask)
    if not days:
        return texts.NO_DAYS
    if len(days) == 1:
        return texts.DAY_NAMES_PLURAL[days[0]]
    return ", ".join(texts.DAY_NAMES[day] for day in days)


def describe_what(services: Services, kind: str, program_id: str | None) -> str:
    if kind == "digest":
        return texts.DIGEST
    if program_id is None:
        return texts.ROTATING
    program = services.catalog.programs.get(program_id)
    return html.escape(program.title if program else program_id)


def describe_moment(moment: datetime, zone: tzinfo) -> str:
    local = moment.astimezone(zone)
    return texts.LOCAL_MOMENT.format(
        weekday=texts.DAY_NAMES[local.weekday()],
        day=local.day,
        month=texts.MONTH_NAMES[local.month - 1],
        time=local.strftime("%H:%M"),
    )


def describe_day(moment: datetime, zone: tzinfo) -> str:
    local = moment.astimezone(zone)
    return texts.LOCAL_DAY.format(
        weekday=texts.DAY_NAMES[local.weekday()],
        day=local.day,
        month=texts.MONTH_NAMES[local.month - 1],
    )


def _describe(
    services: Services, kind: str, program_id: str | None, weekdays: int, at: time
) -> str:
    return texts.SCHEDULE_DESCRIPTION.format(
        what=describe_what(services, kind, program_id),
        days=describe_days(weekdays),
        time=at.strftime("%H:%M"),
    )


def _line(services: Services, kind: str, program_id: str | None, weekdays: int, at: time) -> str:
    return texts.SCHEDULE_LINE.format(
        description=_describe(services, kind, program_id, weekdays, at)
    )


def _short_label(services: Services, schedule: Schedule) -> str:
    what = describe_what(services, schedule.kind, schedule.program_id)
    return html.unescape(what) + " · " + schedule.local_time.strftime("%H:%M")


def overview_text(
    services: Services, clinician: Clinician, plans: Sequence[Schedule], *, note: str = ""
) -> str:
    """The /schedule message: every schedule in local time, pause state and the next prompt."""
    zone_name = clinician.timezone or "UTC"
    zone = resolve(zone_name)
    now = services.clock.now()
    lines = [texts.SCHEDULE_HEADER.format(zone=html.escape(zone_name))]
    if note:
        lines = [note, "", *lines]
    if not plans:
        lines.append(texts.SCHEDULE_EMPTY)
    lines += [_line(services, s.kind, s.program_id, s.weekdays, s.local_time) for s in plans]
    extra = []
    if not clinician.reachable or any(not s.active for s in plans):
        extra.append(texts.SCHEDULE_STOPPED)
    elif clinician.paused_until is not None and scheduling.is_paused(clinician.paused_until, now):
        if scheduling.is_indefinite(clinician.paused_until):
            extra.append(texts.SCHEDULE_PAUSED)
        else:
            extra.append(
                texts.SCHEDULE_PAUSED_UNTIL.format(until=describe_day(clinician.paused_until, zone))
            )
    else:
        upcoming = [
            o.due_at
            for s in plans
            if (o := scheduling.next_occurrence(s.weekdays, s.local_time, zone, after=now))
            is not None
        ]
        if upcoming:
            extra.append(texts.SCHEDULE_NEXT.format(when=describe_moment(min(upcoming), zone)))
    if plans:
        extra.append(texts.SCHEDULE_HINT)
    return "\n".join([*lines, "", *extra]) if extra else "\n".join(lines)


def overview_keyboard(services: Services, plans: Sequence[Schedule]) -> InlineKeyboardMarkup:
    entries = [(s.id, _short_label(services, s)) for s in plans if s.id is not None]
    return kb.overview(entries, has_digest=any(s.kind == "digest" for s in plans))


# --- /schedule --------------------------------------------------------------------------------


async def show_schedule(update: Update, context: ReflectContext) -> None:
    """/schedule: the clinician's schedules in their local time, with buttons to change them."""
    clinician = await current_clinician(update, context)
    if clinician is None:
        await reply(update, context, texts.NEEDS_START)
        return
    if clinician.timezone is None or clinician.id is None:
        await reply(update, context, texts.SCHEDULE_NEEDS_TIMEZONE)
        return
    services = services_of(context)
    async with transaction(services.sessions) as session:
        plans = await schedules.list_for(session, clinician_id=clinician.id)
    await reply(
        update,
        context,
        overview_text(services, clinician, plans),
        keyboard=overview_keyboard(services, plans),
    )


async def schedule_button(update: Update, context: ReflectContext) -> None:
    """One step of the /schedule buttons: choose what, which days, what time; save or remove."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    clinician = await current_clinician(update, context)
    if clinician is None or clinician.id is None or clinician.timezone is None:
        await query.answer(texts.STALE_BUTTON)
        return
    parts = query.data.split(":")[1:]
    step, args = parts[0], parts[1:]
    services = services_of(context)
    try:
        shown = await _schedule_step(services, clinician, step, args)
    except _Refused as refused:
        await query.answer(refused.text, show_alert=refused.alert)
        if refused.alert:
            return
        shown = await _overview(services, clinician)
    else:
        await query.answer()
    text, keyboard = shown
    await _show(update, text, keyboard)


class _Refused(Exception):
    """A button that no longer applies (or a draft with no day chosen)."""

    def __init__(self, text: str, *, alert: bool = False) -> None:
        super().__init__(text)
        self.text = text
        self.alert = alert


Shown = tuple[str, InlineKeyboardMarkup]


async def _overview(services: Services, clinician: Clinician, note: str = "") -> Shown:
    assert clinician.id is not None
    async with transaction(services.sessions) as session:
        plans = await schedules.list_for(session, clinician_id=clinician.id)
    return overview_text(services, clinician, plans, note=note), overview_keyboard(services, plans)


async def _schedule_step(
    services: Services, clinician: Clinician, step: str, args: list[str]
) -> Shown:
    assert clinician.id is not None and clinician.timezone is not None
    zone_label = html.escape(clinician.timezone)
    if step == "ls":
        return await _overview(services, clinician)
    if step == "new":
        return texts.SCHEDULE_CHOOSE_PROGRAM, kb.programs(kb.NEW, _program_choices(services))
    if step == "dg":
        existing = await _digest_of(services, clinician.id)
        if existing is not None:
            return await _edit_view(services, existing)
        return _days_view(services, kb.NEW, kb.DIGEST, DEFAULT_DIGEST_DAYS)
    sid = _int(args[0]) if args else -1
    if sid < 0:
        raise _Refused(texts.STALE_BUTTON)
    schedule = None if sid == kb.NEW else await _owned(services, clinician, sid)
    if step == "ed" and schedule is not None:
        return await _edit_view(services, schedule)
    if step == "rm" and schedule is not None:
        what = describe_what(services, schedule.kind, schedule.program_id)
        async with transaction(services.sessions) as session:
            found = await schedules.get_owned(session, schedule_id=sid, clinician_id=clinician.id)
            if found is not None:
                await schedules.remove(session, schedule=found)
        return await _overview(services, clinician, texts.SCHEDULE_REMOVED.format(what=what))
    if step == "pp" and schedule is not None:
        return texts.SCHEDULE_CHOOSE_PROGRAM, kb.programs(sid, _program_choices(services))
    if step == "pg" and len(args) == 2:
        what = _what(services, args[1])
        if schedule is None:
            mask = DEFAULT_ROTATION_DAYS if what == kb.ROTATE else DEFAULT_DAYS
            return _days_view(services, kb.NEW, what, mask)
        if schedule.kind == "digest" or what == kb.DIGEST:
            raise _Refused(texts.STALE_BUTTON)
        saved = await _save(services, clinician, schedule, what=what)
        return await _overview(services, clinician, texts.SCHEDULE_SAVED.format(description=saved))
    if step == "dy" and len(args) == 3:
        what, mask = args[1], _mask(args[2])
        if schedule is not None:
            what = kb.DIGEST if schedule.kind == "digest" else kb.KEEP
        elif what != kb.DIGEST:
            what = _what(services, what)
        return _days_view(services, sid, what, mask, schedule)
    if step == "sd" and schedule is not None and len(args) == 2:
        mask = _mask(args[1])
        if not mask:
            raise _Refused(texts.SCHEDULE_NEEDS_A_DAY, alert=True)
        saved = await _save(services, clinician, schedule, weekdays=mask)
        return await _overview(services, clinician, texts.SCHEDULE_SAVED.format(description=saved))
    if step in {"hr", "mn"} and len(args) >= 3:
        what, mask_text = _draft(services, schedule, args[1], args[2])
        title, days = _draft_title(services, schedule, what, mask_text)
        if step == "hr":
            text = texts.SCHEDULE_CHOOSE_HOUR.format(what=title, days=days, zone=zone_label)
            return text, kb.hours(sid, what, mask_text)
        hour = _int(args[3]) if len(args) == 4 else -1
        if not 0 <= hour <= 23:
            raise _Refused(texts.STALE_BUTTON)
        text = texts.SCHEDULE_CHOOSE_MINUTE.format(what=title, days=days, hour=f"{hour:02d}")
        return text, kb.minutes(sid, what, mask_text, hour)
    if step == "sv" and len(args) == 4:
        what, mask_text = _draft(services, schedule, args[1], args[2])
        at = _time(args[3])
        if schedule is not None:
            saved = await _save(services, clinician, schedule, local_time=at)
        else:
            saved = await _add(services, clinician, what, _mask(mask_text), at)
        return await _overview(services, clinician, texts.SCHEDULE_SAVED.format(description=saved))
    raise _Refused(texts.STALE_BUTTON)


def _program_choices(services: Services) -> list[tuple[str, str]]:
    return [(program.id, program.title) for program in services.catalog.programs.values()]


def _days_view(
    services: Services, sid: int, what: str, mask: int, schedule: Schedule | None = None
) -> Shown:
    """The day picker; `what` is a program id, rotate, digest, or keep (an existing schedule)."""
    if schedule is not None:
        title = describe_what(services, schedule.kind, schedule.program_id)
    else:
        kind = "digest" if what == kb.DIGEST else "prompt"
        title = describe_what(services, kind, None if what in {kb.ROTATE, kb.DIGEST} else what)
    template = texts.SCHEDULE_CHOOSE_DIGEST_DAY if what == kb.DIGEST else texts.SCHEDULE_CHOOSE_DAYS
    return template.format(what=title), kb.days(sid, what, mask)


async def _edit_view(services: Services, schedule: Schedule) -> Shown:
    assert schedule.id is not None
    text = texts.SCHEDULE_EDIT.format(
        what=describe_what(services, schedule.kind, schedule.program_id),
        days=describe_days(schedule.weekdays).capitalize(),
        time=schedule.local_time.strftime("%H:%M"),
    )
    return text, kb.edit(schedule.id, digest=schedule.kind == "digest", mask=schedule.weekdays)


def _draft(
    services: Services, schedule: Schedule | None, what: str, mask_text: str
) -> tuple[str, str]:
    """A new schedule's (what, days) from the buttons, checked; an existing one keeps its own."""
    if schedule is not None:
        return kb.KEEP, kb.KEEP
    if what != kb.DIGEST:
        what = _what(services, what)
    if not _mask(mask_text):
        raise _Refused(texts.SCHEDULE_NEEDS_A_DAY, alert=True)
    return what, mask_text


def _draft_title(
    services: Services, schedule: Schedule | None, what: str, mask_text: str
) -> tuple[str, str]:
    if schedule is not None:
        return describe_what(services, schedule.kind, schedule.program_id), describe_days(
            schedule.weekdays
        ).capitalize()
    kind = "digest" if what == kb.DIGEST else "prompt"
    program_id = None if what in {kb.ROTATE, kb.DIGEST} else what
    return describe_what(services, kind, program_id), describe_days(_mask(mask_text)).capitalize()


def _what(services: Services, token: str) -> str:
    if token == kb.ROTATE or token in services.catalog.programs:
        return token
    raise _Refused(texts.STALE_BUTTON)


def _int(text: str) -> int:
    return int(text) if text.isdigit() else -1


def _mask(text: str) -> int:
    value = _int(text)
    if not 0 <= value <= scheduling.EVERY_DAY:
        raise _Refused(texts.STALE_BUTTON)
    return value


def _time(text: str) -> time:
    hour, minute = _int(text[:2]), _int(text[2:])
    if len(text) != 4 or not 0 <= hour <= 23 or not 0 <= minute <= 59:
        raise _Refused(texts.STALE_BUTTON)
    return time(hour, minute)


async def _owned(services: Services, clinician: Clinician, sid: int) -> Schedule:
    assert clinician.id is not None
    async with transaction(services.sessions) as session:
        schedule = await schedules.get_owned(session, schedule_id=sid, clinician_id=clinician.id)
    if schedule is None:  # removed meanwhile, or someone else's
        raise _Refused(texts.STALE_BUTTON)
    return schedule


async def _digest_of(services: Services, clinician_id: int) -> Schedule | None:
    async with transaction(services.sessions) as session:
        plans = await schedules.list_for(session, clinician_id=clinician_id)
    return next((s for s in plans if s.kind == "digest"), None)


async def _replan(
    session: AsyncSession, services: Services, clinician_id: int, schedule_id: int | None
) -> None:
    await planner.replan(
        session,
        rotation=planner.rotation_of(services),
        clinician_id=clinician_id,
        now=services.clock.now(),
        schedule_id=schedule_id,
    )


async def _save(
    services: Services,
    clinician: Clinician,
    schedule: Schedule,
    *,
    what: str | None = None,
    weekdays: int | None = None,
    local_time: time | None = None,
) -> str:
    """Changes one schedule and re-plans it; returns its new description."""
    assert clinician.id is not None and schedule.id is not None
    async with transaction(services.sessions) as session:
        found = await schedules.get_owned(
            session, schedule_id=schedule.id, clinician_id=clinician.id
        )
        if found is None:
            raise _Refused(texts.STALE_BUTTON)
        await schedules.change(
            session,
            schedule=found,
            now=services.clock.now(),
            program_id=None if what in {None, kb.ROTATE} else what,
            rotate=what == kb.ROTATE,
            weekdays=weekdays,
            local_time=local_time,
        )
        await _replan(session, services, clinician.id, found.id)
        return _describe(services, found.kind, found.program_id, found.weekdays, found.local_time)


async def _add(services: Services, clinician: Clinician, what: str, weekdays: int, at: time) -> str:
    """Adds a schedule (a second digest replaces the first's day and time) and plans it."""
    assert clinician.id is not None
    kind = "digest" if what == kb.DIGEST else "prompt"
    program_id = None if what in {kb.ROTATE, kb.DIGEST} else what
    async with transaction(services.sessions) as session:
        existing = None
        if kind == "digest":
            plans = await schedules.list_for(session, clinician_id=clinician.id)
            existing = next((s for s in plans if s.kind == "digest"), None)
        now = services.clock.now()
        if existing is not None:
            schedule = await schedules.change(
                session, schedule=existing, now=now, weekdays=weekdays, local_time=at
            )
        else:
            schedule = await schedules.add(
                session,
                clinician_id=clinician.id,
                kind=kind,
                program_id=program_id,
                weekdays=weekdays,
                local_time=at,
                now=now,
            )
        await _replan(session, services, clinician.id, schedule.id)
    return _describe(services, kind, program_id, weekdays, at)


async def _show(update: Update, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    """Replaces the message the button was on (its text and buttons)."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    except BadRequest as exc:
        # Pressing a button that leads to the same view again: Telegram refuses a no-op edit.
        if "not modified" not in str(exc).lower():
            raise


# --- /pause and /resume -----------------------------------------------------------------------


async def pause(update: Update, context: ReflectContext) -> None:
    """/pause [days]: no prompts (or digest) until the pause ends or /resume."""
    clinician = await current_clinician(update, context)
    if clinician is None or clinician.id is None:
        await reply(update, context, texts.NEEDS_START)
        return
    args = context.args or []
    days: int | None = None
    if args:
        days = _int(args[0])
        if len(args) > 1 or not 1 <= days <= scheduling.MAX_PAUSE_DAYS:
            await reply(update, context, texts.PAUSE_USAGE)
            return
    services = services_of(context)
    zone = resolve(clinician.timezone or "UTC")
    until = scheduling.pause_end(services.clock.now(), zone, days)
    async with transaction(services.sessions) as session:
        await schedules.set_paused(
            session, clinician_id=clinician.id, until=until, now=services.clock.now()
        )
    if days is None:
        await reply(update, context, texts.PAUSE_INDEFINITELY)
    else:
        await reply(update, context, texts.PAUSE_UNTIL.format(until=describe_day(until, zone)))


async def resume(update: Update, context: ReflectContext) -> None:
    """/resume: prompts are back on (also after the bot could not reach the clinician)."""
    clinician = await current_clinician(update, context)
    if clinician is None or clinician.id is None:
        await reply(update, context, texts.NEEDS_START)
        return
    services = services_of(context)
    now = services.clock.now()
    stopped = not clinician.reachable
    async with transaction(services.sessions) as session:
        plans = await schedules.list_for(session, clinician_id=clinician.id)
        stopped = stopped or any(not s.active for s in plans)
        paused = scheduling.is_paused(clinician.paused_until, now)
        await schedules.set_paused(session, clinician_id=clinician.id, until=None, now=now)
        if stopped:
            await schedules.set_reachable(
                session, clinician_id=clinician.id, reachable=True, now=now
            )
            await schedules.set_active_all(session, clinician_id=clinician.id, active=True, now=now)
            await _replan(session, services, clinician.id, None)
    clinician.paused_until, clinician.reachable = None, True
    note = texts.RESUMED if paused or stopped else texts.RESUME_NOT_PAUSED
    text, keyboard = await _overview(services, clinician, note)
    await reply(update, context, text, keyboard=keyboard)


# --- the prompt's buttons ---------------------------------------------------------------------


async def prompt_button(update: Update, context: ReflectContext) -> None:
    """Start now, Snooze 1 h, Tonight or Skip, pressed on a scheduled prompt."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    parts = query.data.split(":")
    clinician = await current_clinician(update, context)
    delivery_id = _int(parts[2]) if len(parts) == 3 else -1
    services = services_of(context)
    delivery = None
    if clinician is not None and clinician.id is not None and delivery_id > 0:
        async with transaction(services.sessions) as session:
            delivery = await deliveries.get_owned(
                session, delivery_id=delivery_id, clinician_id=clinician.id
            )
    if (
        clinician is None
        or delivery is None
        or delivery.program_id is None
        or delivery.kind != "prompt"
        or delivery.program_id not in services.catalog.programs  # since removed from content
    ):
        await query.answer(texts.STALE_BUTTON)
        return
    action = parts[1]
    if action == "go":
        await query.answer()
        await _drop_buttons(update)
        from reflect_bot.bot.handlers.reflections import start_reflection

        await start_reflection(
            update,
            context,
            clinician=clinician,
            program_id=delivery.program_id,
            delivery_id=delivery.id,
        )
        return
    await query.answer()
    await _drop_buttons(update)
    if action == "sk":
        await reply(update, context, texts.PROMPT_SKIPPED)
        return
    zone = resolve(clinician.timezone or "UTC")
    now = services.clock.now()
    later = now + SNOOZE
    if action == "tn":
        later = scheduling.tonight(now, zone) or later
    async with transaction(services.sessions) as session:
        await deliveries.snooze(session, delivery=delivery, due_at=later)
    await reply(
        update, context, texts.PROMPT_SNOOZED.format(time=later.astimezone(zone).strftime("%H:%M"))
    )


async def _drop_buttons(update: Update) -> None:
    query = update.callback_query
    if query is None:
        return
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest:
        log.info("prompt buttons were already gone")


# --- the starter plan -------------------------------------------------------------------------


async def follow_new_zone(session: AsyncSession, services: Services, clinician_id: int) -> None:
    """A changed time zone: nothing before this moment is planned in it; pending rows move.

    Runs in the transaction that stores the zone, so no prompt can go out in the old zone
    after the clinician has been told the new one is set.
    """
    await schedules.touch_all(session, clinician_id=clinician_id, now=services.clock.now())
    await _replan(session, services, clinician_id, None)


async def offer_starter_plan(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """After a first time zone: the starter plan, unless the clinician has plans already."""
    if clinician.id is None:
        return
    services = services_of(context)
    async with transaction(services.sessions) as session:
        has_plans = bool(await schedules.list_for(session, clinician_id=clinician.id))
    if has_plans:
        return
    lines = "\n".join(
        _line(services, p.kind, p.program_id, p.weekdays, p.local_time)
        for p in scheduling.starter_plan(services.catalog)
    )
    zone = html.escape(clinician.timezone or "UTC")
    await reply(
        update,
        context,
        texts.STARTER_PLAN_OFFER.format(lines=lines, zone=zone),
        keyboard=kb.starter_plan(),
    )


async def starter_plan_button(update: Update, context: ReflectContext) -> None:
    """Use this plan / Adjust it / Not now."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    clinician = await current_clinician(update, context)
    if clinician is None or clinician.id is None or clinician.timezone is None:
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    await _drop_buttons(update)
    action = query.data.removeprefix(kb.PLAN_PREFIX)
    services = services_of(context)
    if action == "no":
        await reply(update, context, texts.STARTER_DECLINED)
        return
    created = await _adopt_starter_plan(services, clinician)
    if action == "yes" and created:
        await reply(update, context, texts.STARTER_ACCEPTED)
        return
    text, keyboard = await _overview(services, clinician, "" if created else texts.STARTER_ALREADY)
    await reply(update, context, text, keyboard=keyboard)


async def _adopt_starter_plan(services: Services, clinician: Clinician) -> bool:
    """Creates the starter plan unless the clinician already has schedules; True if created."""
    assert clinician.id is not None
    now = services.clock.now()
    async with transaction(services.sessions) as session:
        if await schedules.list_for(session, clinician_id=clinician.id):
            return False
        for planned in scheduling.starter_plan(services.catalog):
            await schedules.add(
                session,
                clinician_id=clinician.id,
                kind=planned.kind,
                program_id=planned.program_id,
                weekdays=planned.weekdays,
                local_time=planned.local_time,
                now=now,
            )
        await _replan(session, services, clinician.id, None)
    return True


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    commands = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        CommandHandler("schedule", show_schedule, filters=commands),
        CommandHandler("pause", pause, filters=commands),
        CommandHandler("resume", resume, filters=commands),
        CallbackQueryHandler(schedule_button, pattern=f"^{kb.SCHEDULE_PREFIX}"),
        CallbackQueryHandler(prompt_button, pattern=f"^{kb.PROMPT_PREFIX}"),
        CallbackQueryHandler(starter_plan_button, pattern=f"^{kb.PLAN_PREFIX}"),
    ]
