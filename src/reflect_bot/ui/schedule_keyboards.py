"""Buttons for /schedule, the starter plan and prompts.

Callback data (all within 64 bytes):

- ``pr:<go|1h|tn|sk>:<delivery id>`` — a prompt's Start now / Snooze 1 h / Tonight / Skip;
- ``plan:<yes|adj|no>`` — the starter plan offer;
- ``sch:<step>:<schedule id>:<what>:<days>:<HHMM>`` — one step of /schedule. Schedule id 0
  is a schedule being added; ``what`` is a program id, ``*`` (rotate) or ``!`` (digest);
  ``-`` keeps what an existing schedule has. The draft travels in the buttons, so a
  half-finished change leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from reflect_bot.ui import texts

PROMPT_PREFIX = "pr:"
PLAN_PREFIX = "plan:"
SCHEDULE_PREFIX = "sch:"
ROTATE = "*"
DIGEST = "!"
KEEP = "-"
NEW = 0
HOURS = tuple(range(24))
MINUTES = (0, 15, 30, 45)
MAX_CALLBACK_BYTES = 64


def data(*parts: object) -> str:
    """Callback data from parts; refuses anything Telegram would reject."""
    joined = ":".join(str(part) for part in parts)
    if len(joined.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {joined!r}")
    return joined


def _button(label: str, *parts: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data(*parts))


def prompt(delivery_id: int, *, tonight: bool) -> InlineKeyboardMarkup:
    later = [_button(texts.PROMPT_SNOOZE_HOUR, "pr", "1h", delivery_id)]
    if tonight:
        later.append(_button(texts.PROMPT_SNOOZE_TONIGHT, "pr", "tn", delivery_id))
    later.append(_button(texts.PROMPT_SKIP, "pr", "sk", delivery_id))
    return InlineKeyboardMarkup([[_button(texts.PROMPT_START, "pr", "go", delivery_id)], later])


def starter_plan() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(texts.STARTER_ACCEPT, "plan", "yes")],
            [
                _button(texts.STARTER_CHANGE, "plan", "adj"),
                _button(texts.STARTER_DECLINE, "plan", "no"),
            ],
        ]
    )


def overview(entries: Sequence[tuple[int, str]], *, has_digest: bool) -> InlineKeyboardMarkup:
    """One button per schedule (id, label), then "add"."""
    rows = [
        [_button(texts.SCHEDULE_EDIT_BUTTON.format(what=label), "sch", "ed", sid)]
        for sid, label in entries
    ]
    add = [_button(texts.SCHEDULE_ADD, "sch", "new")]
    if not has_digest:
        add.append(_button(texts.SCHEDULE_ADD_DIGEST, "sch", "dg"))
    rows.append(add)
    return InlineKeyboardMarkup(rows)


def programs(schedule_id: int, choices: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """Program choices (id, title), then "rotate", then back."""
    rows = [[_button(title, "sch", "pg", schedule_id, program_id)] for program_id, title in choices]
    rows.append([_button(texts.SCHEDULE_ROTATE, "sch", "pg", schedule_id, ROTATE)])
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
        day_buttons.append(_button(label, "sch", "dy", schedule_id, what, new_mask))
    rows = [day_buttons[:4], day_buttons[4:]]
    if not single:
        rows.append(
            [
                _button(texts.SCHEDULE_WEEKDAYS_BUTTON, "sch", "dy", schedule_id, what, 0b0011111),
                _button(texts.SCHEDULE_EVERY_DAY_BUTTON, "sch", "dy", schedule_id, what, 0b1111111),
            ]
        )
    if schedule_id == NEW:
        onward = _button(texts.SCHEDULE_NEXT_BUTTON, "sch", "hr", NEW, what, mask)
    else:
        onward = _button(texts.SCHEDULE_SAVE_BUTTON, "sch", "sd", schedule_id, mask)
    rows.append([_back(schedule_id), onward])
    return InlineKeyboardMarkup(rows)


def hours(schedule_id: int, what: str, mask: str) -> InlineKeyboardMarkup:
    buttons = [
        _button(f"{hour:02d}", "sch", "mn", schedule_id, what, mask, f"{hour:02d}")
        for hour in HOURS
    ]
    rows = [buttons[i : i + 6] for i in range(0, len(buttons), 6)]
    rows.append([_back(schedule_id)])
    return InlineKeyboardMarkup(rows)


def minutes(schedule_id: int, what: str, mask: str, hour: int) -> InlineKeyboardMarkup:
    row = [
        _button(
            f"{hour:02d}:{minute:02d}",
            "sch",
            "sv",
            schedule_id,
            what,
            mask,
            f"{hour:02d}{minute:02d}",
        )
        for minute in MINUTES
    ]
    return InlineKeyboardMarkup([row, [_back(schedule_id)]])


def edit(schedule_id: int, *, digest: bool, mask: int) -> InlineKeyboardMarkup:
    first = []
    if not digest:
        first.append(_button(texts.SCHEDULE_EDIT_PROGRAM, "sch", "pp", schedule_id))
    first.append(
        _button(
            texts.SCHEDULE_EDIT_DAYS, "sch", "dy", schedule_id, DIGEST if digest else KEEP, mask
        )
    )
    first.append(_button(texts.SCHEDULE_EDIT_TIME, "sch", "hr", schedule_id, KEEP, KEEP))
    return InlineKeyboardMarkup(
        [
            first,
            [_button(texts.SCHEDULE_REMOVE, "sch", "rm", schedule_id)],
            [_button(texts.SCHEDULE_BACK, "sch", "ls")],
        ]
    )


def _back(schedule_id: int) -> InlineKeyboardButton:
    if schedule_id == NEW:
        return _button(texts.SCHEDULE_BACK, "sch", "ls")
    return _button(texts.SCHEDULE_BACK, "sch", "ed", schedule_id)
