"""/schedule, /pause, /resume, the starter plan's buttons and a prompt's buttons.

Each handler parses the command or button (typed in ui/schedule_keyboards.py and
ui/callbacks.py), calls a flow in flows/schedules.py and shows the outcome with a screen from
ui/schedules.py. Button screens keep their draft in the callback data, so a half-finished
change leaves nothing behind; schedule_flow.mmd beside this file draws the screens and steps.
"""

from __future__ import annotations

import logging
from datetime import time

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.handlers.reflections import start_reflection
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.bot.preamble import for_button, for_clinician
from reflect_bot.db.models import Clinician, Schedule
from reflect_bot.domain import scheduling
from reflect_bot.domain.numbers import whole_number
from reflect_bot.domain.timezones import clinician_zone, knows_zone
from reflect_bot.flows import schedules as flows
from reflect_bot.services import Services
from reflect_bot.ui import callbacks as cb
from reflect_bot.ui import schedule_keyboards as sk
from reflect_bot.ui import schedules as screens
from reflect_bot.ui import texts
from reflect_bot.ui.callback_data import pattern
from reflect_bot.ui.schedules import Screen

log = logging.getLogger(__name__)

# Where a new schedule's day picker starts: weekdays for a program, one day for a rotation.
DEFAULT_DAYS = scheduling.WEEKDAYS
DEFAULT_ROTATION_DAYS = 1 << scheduling.WEDNESDAY
DEFAULT_DIGEST_DAYS = 1 << scheduling.SUNDAY


def _overview(
    services: Services, clinician: Clinician, plans: list[Schedule], note: str = ""
) -> Screen:
    return screens.overview(
        services.catalog.programs,
        plans,
        zone_name=clinician.timezone or "UTC",
        now=services.clock.now(),
        paused_until=clinician.paused_until,
        reachable=clinician.reachable,
        note=note,
    )


async def _alerted_zone_unknown(query: CallbackQuery, zone_name: str) -> bool:
    """A button pressed while the saved zone is one this machine no longer knows: an alert
    says so (prompts cannot be timed), and the press does nothing else."""
    if knows_zone(zone_name):
        return False
    await query.answer(screens.zone_unknown(zone_name), show_alert=True)
    return True


# --- /schedule --------------------------------------------------------------------------------


@for_clinician
async def show_schedule(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """/schedule: the clinician's schedules in their local time, with buttons to change them."""
    if clinician.timezone is None or clinician.id is None:
        await reply(update, context, texts.SCHEDULE_NEEDS_TIMEZONE)
        return
    if not knows_zone(clinician.timezone):
        await reply(update, context, screens.zone_unknown(clinician.timezone))
        return
    services = services_of(context)
    plans = await flows.list_schedules(services.sessions, clinician_id=clinician.id)
    text, keyboard = _overview(services, clinician, plans)
    await reply(update, context, text, keyboard=keyboard)


@for_button
async def schedule_button(
    update: Update, context: ReflectContext, query: CallbackQuery, data: str
) -> None:
    """One step of the /schedule buttons: choose what, which days, what time; save or remove."""
    clinician = await current_clinician(update, context)
    if clinician is None or clinician.id is None or clinician.timezone is None:
        await query.answer(texts.STALE_BUTTON)
        return
    if await _alerted_zone_unknown(query, clinician.timezone):
        return
    services = services_of(context)
    pressed = sk.decode_schedule(data)
    try:
        if pressed is None:
            raise _Refused(texts.STALE_BUTTON)
        screen = await _step(services, clinician, pressed)
    except _Refused as refused:
        await query.answer(refused.text, show_alert=refused.alert)
        if refused.alert:
            return
        plans = await flows.list_schedules(services.sessions, clinician_id=clinician.id)
        screen = _overview(services, clinician, plans)
    else:
        await query.answer()
    await _show(query, *screen)


class _Refused(Exception):
    """A button that no longer applies (or a draft with no day chosen)."""

    def __init__(self, text: str, *, alert: bool = False) -> None:
        super().__init__(text)
        self.text = text
        self.alert = alert


async def _step(services: Services, clinician: Clinician, pressed: sk.SchedulePress) -> Screen:
    """The screen one pressed step leads to (after saving, when it saves)."""
    assert clinician.id is not None and clinician.timezone is not None
    cid, programs = clinician.id, services.catalog.programs
    match pressed:
        case sk.ShowSchedules():
            plans = await flows.list_schedules(services.sessions, clinician_id=cid)
            return _overview(services, clinician, plans)
        case sk.AddSchedule():
            return screens.programs(programs, sk.NEW)
        case sk.AddDigest():
            digest = await flows.find_digest(services.sessions, clinician_id=cid)
            if digest is not None:
                return screens.edit(programs, digest)
            return screens.days(programs, sk.NEW, sk.DIGEST, DEFAULT_DIGEST_DAYS)
        case sk.EditSchedule(sid):
            return screens.edit(programs, await _owned(services, cid, sid))
        case sk.RemoveSchedule(sid):
            removed = await flows.remove_schedule(
                services.sessions, clinician_id=cid, schedule_id=sid
            )
            if isinstance(removed, flows.Gone):
                raise _Refused(texts.STALE_BUTTON)
            note = screens.removed(programs, removed.schedule)
            return _overview(services, clinician, removed.plans, note)
        case sk.ChangeProgram(sid):
            await _owned(services, cid, sid)
            return screens.programs(programs, sid)
        case sk.PickProgram(sid, what):
            schedule = await _owned_or_new(services, cid, sid)
            what = _what(services, what)
            if schedule is None:
                mask = DEFAULT_ROTATION_DAYS if what == sk.ROTATE else DEFAULT_DAYS
                return screens.days(programs, sk.NEW, what, mask)
            if schedule.kind == "digest":
                raise _Refused(texts.STALE_BUTTON)
            rotate = what == sk.ROTATE
            return await _save(
                services, clinician, sid, program_id=None if rotate else what, rotate=rotate
            )
        case sk.PickDays(sid, what, mask):
            schedule = await _owned_or_new(services, cid, sid)
            if schedule is not None:
                what = sk.DIGEST if schedule.kind == "digest" else sk.KEEP
            elif what != sk.DIGEST:
                what = _what(services, what)
            return screens.days(programs, sid, what, mask, schedule)
        case sk.SaveDays(sid, mask):
            await _owned(services, cid, sid)
            if not mask:
                raise _Refused(texts.SCHEDULE_NEEDS_A_DAY, alert=True)
            return await _save(services, clinician, sid, weekdays=mask)
        case sk.PickHour() | sk.PickMinute() | sk.SaveTime():
            return await _time_step(services, clinician, pressed)


async def _time_step(
    services: Services, clinician: Clinician, pressed: sk.PickHour | sk.PickMinute | sk.SaveTime
) -> Screen:
    """The hour and minute pickers, and saving the chosen time (a new schedule is added)."""
    assert clinician.id is not None and clinician.timezone is not None
    programs, sid = services.catalog.programs, pressed.schedule_id
    schedule = await _owned_or_new(services, clinician.id, sid)
    what, days = _draft(services, schedule, pressed.what, pressed.days)
    match pressed:
        case sk.PickHour():
            return screens.hours(
                programs, sid, what, days, zone_name=clinician.timezone, schedule=schedule
            )
        case sk.PickMinute(hour=hour):
            return screens.minutes(programs, sid, what, days, hour, schedule=schedule)
        case sk.SaveTime(at=at):
            if schedule is not None:
                return await _save(services, clinician, sid, local_time=at)
            assert days is not None  # a draft always has its days
            is_digest = what == sk.DIGEST
            saved = await flows.add_schedule(
                services.sessions,
                services.catalog,
                services.clock,
                clinician_id=clinician.id,
                kind="digest" if is_digest else "prompt",
                program_id=None if is_digest or what == sk.ROTATE else what,
                weekdays=days,
                local_time=at,
            )
            return _overview(
                services, clinician, saved.plans, screens.saved(programs, saved.schedule)
            )


async def _owned(services: Services, clinician_id: int, schedule_id: int) -> Schedule:
    schedule = await flows.find_schedule(
        services.sessions, clinician_id=clinician_id, schedule_id=schedule_id
    )
    if schedule is None:  # removed meanwhile, or someone else's
        raise _Refused(texts.STALE_BUTTON)
    return schedule


async def _owned_or_new(services: Services, clinician_id: int, schedule_id: int) -> Schedule | None:
    """None for a schedule being added (id 0); the stored one otherwise."""
    if schedule_id == sk.NEW:
        return None
    return await _owned(services, clinician_id, schedule_id)


def _what(services: Services, token: str) -> str:
    """A new schedule's program: rotate, or a program still in the catalog."""
    if token == sk.ROTATE or token in services.catalog.programs:
        return token
    raise _Refused(texts.STALE_BUTTON)


def _draft(
    services: Services, schedule: Schedule | None, what: str, mask: int | None
) -> tuple[str, int | None]:
    """A new schedule's (what, days) from the buttons, checked; an existing one keeps its own."""
    if schedule is not None:
        return sk.KEEP, None
    if what != sk.DIGEST:
        what = _what(services, what)
    if not mask:
        raise _Refused(texts.SCHEDULE_NEEDS_A_DAY, alert=True)
    return what, mask


async def _save(
    services: Services,
    clinician: Clinician,
    schedule_id: int,
    *,
    program_id: str | None = None,
    rotate: bool = False,
    weekdays: int | None = None,
    local_time: time | None = None,
) -> Screen:
    """Changes what is given of one schedule; the overview says what it is now."""
    assert clinician.id is not None
    saved = await flows.change_schedule(
        services.sessions,
        services.catalog,
        services.clock,
        clinician_id=clinician.id,
        schedule_id=schedule_id,
        program_id=program_id,
        rotate=rotate,
        weekdays=weekdays,
        local_time=local_time,
    )
    if isinstance(saved, flows.Gone):
        raise _Refused(texts.STALE_BUTTON)
    note = screens.saved(services.catalog.programs, saved.schedule)
    return _overview(services, clinician, saved.plans, note)


async def _show(query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    """Replaces the message the button was on (its text and buttons)."""
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    except BadRequest as exc:
        # Pressing a button that leads to the same view again: Telegram refuses a no-op edit.
        if "not modified" not in str(exc).lower():
            raise


# --- /pause and /resume -----------------------------------------------------------------------


@for_clinician
async def pause(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """/pause [days]: no prompts (or digest) until the pause ends or /resume."""
    if clinician.id is None:
        await reply(update, context, texts.NEEDS_START)
        return
    args = context.args or []
    days: int | None = None
    if args:
        days = whole_number(args[0])
        if len(args) > 1 or days is None or not 1 <= days <= scheduling.MAX_PAUSE_DAYS:
            await reply(update, context, texts.PAUSE_USAGE)
            return
    services = services_of(context)
    zone_name, _ = clinician_zone(clinician.timezone)
    until = await flows.pause(
        services.sessions, services.clock, clinician_id=clinician.id, zone_name=zone_name, days=days
    )
    if days is None:
        await reply(update, context, texts.PAUSE_INDEFINITELY)
    else:
        await reply(update, context, screens.paused(until, zone_name))


@for_clinician
async def resume(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """/resume: prompts are back on (also after the bot could not reach the clinician)."""
    if clinician.id is None:
        await reply(update, context, texts.NEEDS_START)
        return
    services = services_of(context)
    resumed = await flows.resume(
        services.sessions,
        services.catalog,
        services.clock,
        clinician_id=clinician.id,
        reachable=clinician.reachable,
        paused_until=clinician.paused_until,
    )
    clinician.paused_until, clinician.reachable = None, True
    note = texts.RESUMED if resumed.was_off else texts.RESUME_NOT_PAUSED
    text, keyboard = _overview(services, clinician, resumed.plans, note)
    await reply(update, context, text, keyboard=keyboard)


# --- the prompt's buttons ---------------------------------------------------------------------


@for_button
async def prompt_button(
    update: Update, context: ReflectContext, query: CallbackQuery, data: str
) -> None:
    """Start now, Snooze 1 h, Tonight or Skip, pressed on a scheduled prompt."""
    pressed = cb.decode_prompt(data)
    clinician = await current_clinician(update, context)
    services = services_of(context)
    delivery = None
    if pressed is not None and clinician is not None and clinician.id is not None:
        delivery = await flows.find_prompt(
            services.sessions,
            services.catalog,
            clinician_id=clinician.id,
            delivery_id=pressed.delivery_id,
        )
    if pressed is None or clinician is None or delivery is None or delivery.program_id is None:
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    await _drop_buttons(query)
    if pressed.action is cb.PromptAction.START:
        await start_reflection(
            update,
            context,
            clinician=clinician,
            program_id=delivery.program_id,
            delivery_id=delivery.id,
        )
        return
    if pressed.action is cb.PromptAction.SKIP:
        await reply(update, context, texts.PROMPT_SKIPPED)
        return
    zone_name, _ = clinician_zone(clinician.timezone)
    later = await flows.snooze_prompt(
        services.sessions,
        services.clock,
        delivery=delivery,
        zone_name=zone_name,
        tonight=pressed.action is cb.PromptAction.TONIGHT,
    )
    await reply(update, context, screens.snoozed(later, zone_name))


async def _drop_buttons(query: CallbackQuery) -> None:
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest:
        log.info("prompt buttons were already gone")


# --- the starter plan -------------------------------------------------------------------------


@for_button
async def starter_plan_button(
    update: Update, context: ReflectContext, query: CallbackQuery, data: str
) -> None:
    """Use this plan / Adjust it / Not now."""
    choice = cb.decode_plan(data)
    clinician = await current_clinician(update, context)
    if choice is None or clinician is None or clinician.id is None or clinician.timezone is None:
        await query.answer(texts.STALE_BUTTON)
        return
    if await _alerted_zone_unknown(query, clinician.timezone):
        return
    await query.answer()
    await _drop_buttons(query)
    if choice is cb.PlanChoice.DECLINE:
        await reply(update, context, texts.STARTER_DECLINED)
        return
    services = services_of(context)
    created = await flows.adopt_starter_plan(
        services.sessions, services.catalog, services.clock, clinician_id=clinician.id
    )
    if choice is cb.PlanChoice.ACCEPT and created:
        await reply(update, context, texts.STARTER_ACCEPTED)
        return
    plans = await flows.list_schedules(services.sessions, clinician_id=clinician.id)
    note = "" if created else texts.STARTER_ALREADY
    text, keyboard = _overview(services, clinician, plans, note)
    await reply(update, context, text, keyboard=keyboard)


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    commands = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        CommandHandler("schedule", show_schedule, filters=commands),
        CommandHandler("pause", pause, filters=commands),
        CommandHandler("resume", resume, filters=commands),
        CallbackQueryHandler(schedule_button, pattern=pattern(sk.SCHEDULE)),
        CallbackQueryHandler(prompt_button, pattern=pattern(cb.PROMPT)),
        CallbackQueryHandler(starter_plan_button, pattern=pattern(cb.PLAN)),
    ]
