"""/schedule's callback data: every step reads back as itself in the wire form buttons already
in chats carry, and data the bot never made reads as nothing."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

import pytest

from reflect_bot.bot import handlers
from reflect_bot.ui import schedule_keyboards as sk
from reflect_bot.ui.callback_data import MAX_CALLBACK_BYTES, Encodable

PRESSES: list[tuple[Encodable, str]] = [
    (sk.ShowSchedules(), "sch:ls"),
    (sk.AddSchedule(), "sch:new"),
    (sk.AddDigest(), "sch:dg"),
    (sk.EditSchedule(7), "sch:ed:7"),
    (sk.RemoveSchedule(7), "sch:rm:7"),
    (sk.ChangeProgram(7), "sch:pp:7"),
    (sk.PickProgram(0, "post-session-checkin"), "sch:pg:0:post-session-checkin"),
    (sk.PickProgram(7, "*"), "sch:pg:7:*"),
    (sk.PickDays(0, "!", 64), "sch:dy:0:!:64"),
    (sk.PickDays(7, "-", 31), "sch:dy:7:-:31"),
    (sk.SaveDays(7, 127), "sch:sd:7:127"),
    (sk.PickHour(0, "*", 4), "sch:hr:0:*:4"),
    (sk.PickHour(7, "-", None), "sch:hr:7:-:-"),
    (sk.PickMinute(0, "!", 64, 9), "sch:mn:0:!:64:09"),
    (sk.PickMinute(7, "-", None, 18), "sch:mn:7:-:-:18"),
    (
        sk.SaveTime(0, "post-session-checkin", 31, time(18, 30)),
        "sch:sv:0:post-session-checkin:31:1830",
    ),
    (sk.SaveTime(7, "-", None, time(7, 5)), "sch:sv:7:-:-:0705"),
]


@pytest.mark.parametrize(("press", "data"), PRESSES, ids=[data for _, data in PRESSES])
def test_each_step_encodes_to_its_wire_form_and_reads_back(press: Encodable, data: str) -> None:
    assert press.encode() == data
    assert sk.decode_schedule(data) == press


def test_the_first_three_steps_ignore_what_older_buttons_carried_after_them() -> None:
    assert sk.decode_schedule("sch:ls:anything") == sk.ShowSchedules()
    assert sk.decode_schedule("sch:new:1") == sk.AddSchedule()


def test_an_existing_schedule_keeps_its_own_days_whatever_the_button_says() -> None:
    assert sk.decode_schedule("sch:hr:7:post-session-checkin:31") == sk.PickHour(7, "-", None)


@pytest.mark.parametrize(
    "forged",
    [
        "sch:ed:²",  # "²".isdigit() is true, int("²") raises
        "sch:ed:١٢",  # Arabic-Indic digits: not what the bot writes
        "sch:dy:0:*:²",
        "sch:mn:0:*:31:²",
        "sch:sv:0:*:31:²³⁴⁵",
        "sch:ed:0",  # a schedule being added cannot be edited, removed or saved
        "sch:rm:0",
        "sch:sd:0:31",
        "sch:dy:0:*:128",  # more days than a week has
        "sch:hr:0:*:-",  # a new schedule needs its days
        "sch:mn:0:*:31:24",
        "sch:sv:0:*:31:1860",
        "sch:sv:0:*:31:930",
        "sch:pg:7",
        "sch:xx:7",
        "sch:",
        "sch",
        "pr:go:7",
    ],
)
def test_data_the_bot_never_made_reads_as_nothing(forged: str) -> None:
    assert sk.decode_schedule(forged) is None


def test_every_keyboard_button_fits_and_reads_back() -> None:
    """Every button the keyboards make is within Telegram's limit and decodes to a step."""
    long_id = "x" * 40  # program ids are at most 40 characters
    keyboards = [
        sk.overview([(123456, "Check-in · 18:00")], has_digest=False),
        sk.programs(0, [(long_id, "Long")]),
        sk.days(0, long_id, 31),
        sk.days(123456, sk.DIGEST, 64),
        sk.hours(0, long_id, 127),
        sk.minutes(0, long_id, 127, 23),
        sk.edit(123456, digest=False, mask=31),
    ]
    for keyboard in keyboards:
        for row in keyboard.inline_keyboard:
            for button in row:
                data = str(button.callback_data)
                assert len(data.encode()) <= MAX_CALLBACK_BYTES
                assert sk.decode_schedule(data) is not None, data


def test_the_flow_diagram_names_every_step_and_only_real_ones() -> None:
    """schedule_flow.mmd stays true: its edges name exactly the steps the buttons carry."""
    diagram = (Path(handlers.__file__).parent / "schedule_flow.mmd").read_text(encoding="utf-8")
    named = set(re.findall(r"\bsch:([a-z]+)", diagram))
    carried = {data.split(":")[1] for _, data in PRESSES}
    assert named == carried
