"""How schedules read: their descriptions, the /schedule overview and each picker's screen.

Screens are (HTML text, keyboard) pairs built from plain values: a schedule is anything with
a kind, a program id, weekdays and a local time, and programs anything with a title, so this
module knows neither the catalog nor the database.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, time, tzinfo
from typing import Protocol

from telegram import InlineKeyboardMarkup

from reflect_bot.domain import scheduling
from reflect_bot.domain.timezones import resolve
from reflect_bot.ui import schedule_keyboards as kb
from reflect_bot.ui import texts

Screen = tuple[str, InlineKeyboardMarkup]


class Titled(Protocol):
    @property
    def title(self) -> str: ...


Titles = Mapping[str, Titled]  # the catalog's programs by id, in menu order


class ScheduleLike(Protocol):
    """What a description needs of a schedule (stored or planned)."""

    @property
    def kind(self) -> str: ...
    @property
    def program_id(self) -> str | None: ...
    @property
    def weekdays(self) -> int: ...
    @property
    def local_time(self) -> time: ...


class StoredSchedule(ScheduleLike, Protocol):
    @property
    def id(self) -> int | None: ...
    @property
    def active(self) -> bool: ...


# --------------------------------------------------------------------------- descriptions


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


def describe_what(titles: Titles, kind: str, program_id: str | None) -> str:
    if kind == "digest":
        return texts.DIGEST
    if program_id is None:
        return texts.ROTATING
    program = titles.get(program_id)
    return html.escape(program.title if program is not None else program_id)


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


def describe(titles: Titles, schedule: ScheduleLike) -> str:
    """ "Check-in — weekdays at 18:00"."""
    return texts.SCHEDULE_DESCRIPTION.format(
        what=describe_what(titles, schedule.kind, schedule.program_id),
        days=describe_days(schedule.weekdays),
        time=schedule.local_time.strftime("%H:%M"),
    )


def lines(titles: Titles, plans: Iterable[ScheduleLike]) -> list[str]:
    return [texts.SCHEDULE_LINE.format(description=describe(titles, s)) for s in plans]


def saved(titles: Titles, schedule: ScheduleLike) -> str:
    return texts.SCHEDULE_SAVED.format(description=describe(titles, schedule))


def removed(titles: Titles, schedule: ScheduleLike) -> str:
    return texts.SCHEDULE_REMOVED.format(
        what=describe_what(titles, schedule.kind, schedule.program_id)
    )


def zone_unknown(zone_name: str) -> str:
    return texts.SCHEDULE_ZONE_UNKNOWN.format(zone=html.escape(zone_name))


def paused(until: datetime, zone_name: str) -> str:
    return texts.PAUSE_UNTIL.format(until=describe_day(until, resolve(zone_name)))


def snoozed(later: datetime, zone_name: str) -> str:
    return texts.PROMPT_SNOOZED.format(time=later.astimezone(resolve(zone_name)).strftime("%H:%M"))


def _short_label(titles: Titles, schedule: ScheduleLike) -> str:
    what = describe_what(titles, schedule.kind, schedule.program_id)
    return html.unescape(what) + " · " + schedule.local_time.strftime("%H:%M")


def _draft_what(titles: Titles, what: str) -> str:
    """A new schedule's title from its `what` token (a program id, rotate or digest)."""
    kind = "digest" if what == kb.DIGEST else "prompt"
    return describe_what(titles, kind, None if what in {kb.ROTATE, kb.DIGEST} else what)


# --------------------------------------------------------------------------- screens


def overview(
    titles: Titles,
    plans: Sequence[StoredSchedule],
    *,
    zone_name: str,
    now: datetime,
    paused_until: datetime | None,
    reachable: bool,
    note: str = "",
) -> Screen:
    """The /schedule message: every schedule in local time, pause state and the next prompt."""
    zone = resolve(zone_name)
    head = [texts.SCHEDULE_HEADER.format(zone=html.escape(zone_name))]
    if note:
        head = [note, "", *head]
    if not plans:
        head.append(texts.SCHEDULE_EMPTY)
    head += lines(titles, plans)
    extra = []
    if not reachable or any(not s.active for s in plans):
        extra.append(texts.SCHEDULE_STOPPED)
    elif paused_until is not None and scheduling.is_paused(paused_until, now):
        if scheduling.is_indefinite(paused_until):
            extra.append(texts.SCHEDULE_PAUSED)
        else:
            extra.append(texts.SCHEDULE_PAUSED_UNTIL.format(until=describe_day(paused_until, zone)))
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
    text = "\n".join([*head, "", *extra]) if extra else "\n".join(head)
    entries = [(s.id, _short_label(titles, s)) for s in plans if s.id is not None]
    return text, kb.overview(entries, has_digest=any(s.kind == "digest" for s in plans))


def programs(titles: Titles, schedule_id: int) -> Screen:
    """What to be prompted with: every program in catalog order, then rotate."""
    choices = [(program_id, program.title) for program_id, program in titles.items()]
    return texts.SCHEDULE_CHOOSE_PROGRAM, kb.programs(schedule_id, choices)


def edit(titles: Titles, schedule: StoredSchedule) -> Screen:
    assert schedule.id is not None
    text = texts.SCHEDULE_EDIT.format(
        what=describe_what(titles, schedule.kind, schedule.program_id),
        days=describe_days(schedule.weekdays).capitalize(),
        time=schedule.local_time.strftime("%H:%M"),
    )
    return text, kb.edit(schedule.id, digest=schedule.kind == "digest", mask=schedule.weekdays)


def days(
    titles: Titles, schedule_id: int, what: str, mask: int, schedule: ScheduleLike | None = None
) -> Screen:
    """The day picker; `what` is a program id, rotate, digest, or keep (an existing schedule)."""
    if schedule is not None:
        title = describe_what(titles, schedule.kind, schedule.program_id)
    else:
        title = _draft_what(titles, what)
    template = texts.SCHEDULE_CHOOSE_DIGEST_DAY if what == kb.DIGEST else texts.SCHEDULE_CHOOSE_DAYS
    return template.format(what=title), kb.days(schedule_id, what, mask)


def hours(
    titles: Titles,
    schedule_id: int,
    what: str,
    mask: int | None,
    *,
    zone_name: str,
    schedule: ScheduleLike | None = None,
) -> Screen:
    title, named_days = _draft_title(titles, schedule, what, mask)
    text = texts.SCHEDULE_CHOOSE_HOUR.format(
        what=title, days=named_days, zone=html.escape(zone_name)
    )
    return text, kb.hours(schedule_id, what, mask)


def minutes(
    titles: Titles,
    schedule_id: int,
    what: str,
    mask: int | None,
    hour: int,
    *,
    schedule: ScheduleLike | None = None,
) -> Screen:
    title, named_days = _draft_title(titles, schedule, what, mask)
    text = texts.SCHEDULE_CHOOSE_MINUTE.format(what=title, days=named_days, hour=f"{hour:02d}")
    return text, kb.minutes(schedule_id, what, mask, hour)


def _draft_title(
    titles: Titles, schedule: ScheduleLike | None, what: str, mask: int | None
) -> tuple[str, str]:
    if schedule is not None:
        what_text = describe_what(titles, schedule.kind, schedule.program_id)
        return what_text, describe_days(schedule.weekdays).capitalize()
    return _draft_what(titles, what), describe_days(mask or 0).capitalize()


def starter_plan_offer(
    titles: Titles, zone_name: str, plan: Sequence[scheduling.PlannedSchedule]
) -> Screen:
    """The starter plan, line by line in the clinician's zone, with its three buttons."""
    text = texts.STARTER_PLAN_OFFER.format(
        lines="\n".join(lines(titles, plan)), zone=html.escape(zone_name)
    )
    return text, kb.starter_plan()
