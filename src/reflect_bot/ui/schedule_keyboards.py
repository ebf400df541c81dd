"""Buttons for /schedule, the starter plan and prompts, and what the /schedule buttons say back.

Prompt buttons (``pr:``) and the starter plan (``plan:``) carry typed values from
ui/callbacks.py. Every /schedule button carries one of the typed steps below, encoded as
``sch:<step>:<schedule id>:<what>:<days>:<HHMM>`` (within 64 bytes). Schedule id 0 is a
schedule being added; ``what`` is a program id, ``*`` (rotate) or ``!`` (digest); ``-``
keeps what an existing schedule has. The draft travels in the buttons, so a half-finished
change leaves nothing behind. The wire format is part of messages already in chats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from reflect_bot.domain.numbers import whole_number
from reflect_bot.domain.scheduling import EVERY_DAY, WEEKDAYS
from reflect_bot.ui import callbacks as cb
from reflect_bot.ui import texts
from reflect_bot.ui.callback_data import Encodable, pack, unpack

SCHEDULE = "sch"
ROTATE = "*"
DIGEST = "!"
KEEP = "-"
NEW = 0
HOURS = tuple(range(24))
MINUTES = (0, 15, 30, 45)


# --------------------------------------------------------------------------- /schedule presses


@dataclass(frozen=True)
class ShowSchedules:
    """Back to the overview."""

    def encode(self) -> str:
        return pack(SCHEDULE, "ls")


@dataclass(frozen=True)
class AddSchedule:
    """Add a prompt: choose its program first."""

    def encode(self) -> str:
        return pack(SCHEDULE, "new")


@dataclass(frozen=True)
class AddDigest:
    """Add the weekly digest (or edit it, if there is one already)."""

    def encode(self) -> str:
        return pack(SCHEDULE, "dg")


@dataclass(frozen=True)
class EditSchedule:
    schedule_id: int

    def encode(self) -> str:
        return pack(SCHEDULE, "ed", self.schedule_id)


@dataclass(frozen=True)
class RemoveSchedule:
    schedule_id: int

    def encode(self) -> str:
        return pack(SCHEDULE, "rm", self.schedule_id)


@dataclass(frozen=True)
class ChangeProgram:
    """An existing schedule's program: show the choices."""

    schedule_id: int

    def encode(self) -> str:
        return pack(SCHEDULE, "pp", self.schedule_id)


@dataclass(frozen=True)
class PickProgram:
    """A program (or rotate) chosen: a new draft goes on to its days, an existing one saves."""

    schedule_id: int
    what: str

    def encode(self) -> str:
        return pack(SCHEDULE, "pg", self.schedule_id, self.what)


@dataclass(frozen=True)
class PickDays:
    """The day picker with these days ticked."""

    schedule_id: int
    what: str
    days: int

    def encode(self) -> str:
        return pack(SCHEDULE, "dy", self.schedule_id, self.what, self.days)


@dataclass(frozen=True)
class SaveDays:
    schedule_id: int
    days: int

    def encode(self) -> str:
        return pack(SCHEDULE, "sd", self.schedule_id, self.days)


@dataclass(frozen=True)
class PickHour:
    """The hour picker; `days` is None (``-``) for an existing schedule, which keeps its own."""

    schedule_id: int
    what: str
    days: int | None

    def encode(self) -> str:
        return pack(SCHEDULE, "hr", self.schedule_id, self.what, _days_part(self.days))


@dataclass(frozen=True)
class PickMinute:
    schedule_id: int
    what: str
    days: int | None
    hour: int

    def encode(self) -> str:
        return pack(
            SCHEDULE, "mn", self.schedule_id, self.what, _days_part(self.days), f"{self.hour:02d}"
        )


@dataclass(frozen=True)
class SaveTime:
    schedule_id: int
    what: str
    days: int | None
    at: time

    def encode(self) -> str:
        days = _days_part(self.days)
        return pack(SCHEDULE, "sv", self.schedule_id, self.what, days, self.at.strftime("%H%M"))


SchedulePress = (
    ShowSchedules
    | AddSchedule
    | AddDigest
    | EditSchedule
    | RemoveSchedule
    | ChangeProgram
    | PickProgram
    | PickDays
    | SaveDays
    | PickHour
    | PickMinute
    | SaveTime
)


def decode_schedule(data: str) -> SchedulePress | None:
    """The /schedule step a button carries, or None for data this bot never made."""
    parts = unpack(data, SCHEDULE)
    if not parts:
        return None
    step, args = parts[0], parts[1:]
    # The first three steps carry nothing; older buttons' extra parts are ignored as before.
    if step == "ls":
        return ShowSchedules()
    if step == "new":
        return AddSchedule()
    if step == "dg":
        return AddDigest()
    schedule_id = whole_number(args[0]) if args else None
    if schedule_id is None:
        return None
    rest = args[1:]
    if step in ("ed", "rm", "pp") and schedule_id == NEW:
        return None  # only a stored schedule can be edited, removed or given a new program
    if step == "ed":
        return EditSchedule(schedule_id)
    if step == "rm":
        return RemoveSchedule(schedule_id)
    if step == "pp":
        return ChangeProgram(schedule_id)
    if step == "pg" and len(rest) == 1:
        return PickProgram(schedule_id, rest[0])
    if step == "dy" and len(rest) == 2:
        days = _days(rest[1])
        return None if days is None else PickDays(schedule_id, rest[0], days)
    if step == "sd" and len(rest) == 1 and schedule_id != NEW:
        days = _days(rest[0])
        return None if days is None else SaveDays(schedule_id, days)
    if step in ("hr", "mn", "sv") and len(rest) >= 2:
        return _decode_time_step(step, schedule_id, rest)
    return None


def _decode_time_step(step: str, schedule_id: int, rest: list[str]) -> SchedulePress | None:
    what, days, tail = KEEP, None, rest[2:]
    # An existing schedule keeps its own what and days, whatever the button says.
    if schedule_id == NEW:
        what, days = rest[0], _days(rest[1])
        if days is None:
            return None
    if step == "hr":
        return PickHour(schedule_id, what, days)
    if step == "mn" and len(tail) == 1:
        hour = whole_number(tail[0])
        if hour is None or hour not in HOURS:
            return None
        return PickMinute(schedule_id, what, days, hour)
    if step == "sv" and len(tail) == 1:
        at = _time(tail[0])
        return None if at is None else SaveTime(schedule_id, what, days, at)
    return None


def _days(text: str) -> int | None:
    days = whole_number(text)
    return days if days is not None and days <= EVERY_DAY else None


def _days_part(days: int | None) -> str:
    return KEEP if days is None else str(days)


def _time(text: str) -> time | None:
    hour, minute = whole_number(text[:2]), whole_number(text[2:])
    if len(text) != 4 or hour is None or minute is None or hour > 23 or minute > 59:
        return None
    return time(hour, minute)


# --------------------------------------------------------------------------- keyboards


def _button(label: str, press: Encodable) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=press.encode())


def prompt(delivery_id: int, *, tonight: bool) -> InlineKeyboardMarkup:
    def press(action: cb.PromptAction) -> cb.PromptPress:
        return cb.PromptPress(action, delivery_id)

    later = [_button(texts.PROMPT_SNOOZE_HOUR, press(cb.PromptAction.SNOOZE_HOUR))]
    if tonight:
        later.append(_button(texts.PROMPT_SNOOZE_TONIGHT, press(cb.PromptAction.TONIGHT)))
    later.append(_button(texts.PROMPT_SKIP, press(cb.PromptAction.SKIP)))
    return InlineKeyboardMarkup(
        [[_button(texts.PROMPT_START, press(cb.PromptAction.START))], later]
    )


def starter_plan() -> InlineKeyboardMarkup:
    def choice(label: str, chosen: cb.PlanChoice) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=cb.encode_plan(chosen))

    return InlineKeyboardMarkup(
        [
            [choice(texts.STARTER_ACCEPT, cb.PlanChoice.ACCEPT)],
            [
                choice(texts.STARTER_CHANGE, cb.PlanChoice.ADJUST),
                choice(texts.STARTER_DECLINE, cb.PlanChoice.DECLINE),
            ],
        ]
    )


def overview(entries: Sequence[tuple[int, str]], *, has_digest: bool) -> InlineKeyboardMarkup:
    """One button per schedule (id, label), then "add"."""
    rows = [
        [_button(texts.SCHEDULE_EDIT_BUTTON.format(what=label), EditSchedule(sid))]
        for sid, label in entries
    ]
    add = [_button(texts.SCHEDULE_ADD, AddSchedule())]
    if not has_digest:
        add.append(_button(texts.SCHEDULE_ADD_DIGEST, AddDigest()))
    rows.append(add)
    return InlineKeyboardMarkup(rows)


def programs(schedule_id: int, choices: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """Program choices (id, title), then "rotate", then back."""
    rows = [[_button(title, PickProgram(schedule_id, program_id))] for program_id, title in choices]
    rows.append([_button(texts.SCHEDULE_ROTATE, PickProgram(schedule_id, ROTATE))])
    rows.append([_back(schedule_id)])
    return InlineKeyboardMarkup(rows)


def days(schedule_id: int, what: str, mask: int) -> InlineKeyboardMarkup:
    """Day toggles (or, for the digest, a single day) and the way on."""
    single = what == DIGEST
    day_buttons = []
    for day, name in enumerate(texts.DAY_NAMES):
        on = bool(mask >> day & 1)
        label = f"✓ {name}" if on else name
        new_mask = (1 << day) if single else mask ^ (1 << day)
        day_buttons.append(_button(label, PickDays(schedule_id, what, new_mask)))
    rows = [day_buttons[:4], day_buttons[4:]]
    if not single:
        rows.append(
            [
                _button(texts.SCHEDULE_WEEKDAYS_BUTTON, PickDays(schedule_id, what, WEEKDAYS)),
                _button(texts.SCHEDULE_EVERY_DAY_BUTTON, PickDays(schedule_id, what, EVERY_DAY)),
            ]
        )
    if schedule_id == NEW:
        onward = _button(texts.SCHEDULE_NEXT_BUTTON, PickHour(NEW, what, mask))
    else:
        onward = _button(texts.SCHEDULE_SAVE_BUTTON, SaveDays(schedule_id, mask))
    rows.append([_back(schedule_id), onward])
    return InlineKeyboardMarkup(rows)


def hours(schedule_id: int, what: str, mask: int | None) -> InlineKeyboardMarkup:
    buttons = [_button(f"{hour:02d}", PickMinute(schedule_id, what, mask, hour)) for hour in HOURS]
    rows = [buttons[i : i + 6] for i in range(0, len(buttons), 6)]
    rows.append([_back(schedule_id)])
    return InlineKeyboardMarkup(rows)


def minutes(schedule_id: int, what: str, mask: int | None, hour: int) -> InlineKeyboardMarkup:
    row = [
        _button(f"{hour:02d}:{minute:02d}", SaveTime(schedule_id, what, mask, time(hour, minute)))
        for minute in MINUTES
    ]
    return InlineKeyboardMarkup([row, [_back(schedule_id)]])


def edit(schedule_id: int, *, digest: bool, mask: int) -> InlineKeyboardMarkup:
    first = []
    if not digest:
        first.append(_button(texts.SCHEDULE_EDIT_PROGRAM, ChangeProgram(schedule_id)))
    what = DIGEST if digest else KEEP
    first.append(_button(texts.SCHEDULE_EDIT_DAYS, PickDays(schedule_id, what, mask)))
    first.append(_button(texts.SCHEDULE_EDIT_TIME, PickHour(schedule_id, KEEP, None)))
    return InlineKeyboardMarkup(
        [
            first,
            [_button(texts.SCHEDULE_REMOVE, RemoveSchedule(schedule_id))],
            [_button(texts.SCHEDULE_BACK, ShowSchedules())],
        ]
    )


def _back(schedule_id: int) -> InlineKeyboardButton:
    if schedule_id == NEW:
        return _button(texts.SCHEDULE_BACK, ShowSchedules())
    return _button(texts.SCHEDULE_BACK, EditSchedule(schedule_id))
