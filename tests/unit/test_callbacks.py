"""Callback data: every button the bot makes reads back as what it meant, and nothing else does."""

from __future__ import annotations

import pytest

from reflect_bot.catalog import MAX_SLUG_LENGTH
from reflect_bot.domain.numbers import whole_number
from reflect_bot.ui import callbacks as cb
from reflect_bot.ui.callback_data import MAX_CALLBACK_BYTES, Encodable, pack

PRESSES: list[tuple[Encodable, str]] = [
    (cb.AnswerStep(12, "bond", "4"), "rf:a:12:bond:4"),
    (cb.SkipStep(12, "notes"), "rf:s:12:notes"),
    (cb.ResumeReflection(7), "rf:r:7"),
    (cb.DiscardAndStart(7, "empathy-attunement", 99), "rf:d:7:empathy-attunement:99"),
    (cb.DiscardAndStart(7, "empathy-attunement"), "rf:d:7:empathy-attunement"),
    (cb.StartProgram("post-session-checkin"), "rf:n:post-session-checkin"),
    (cb.ShowConcept("secure-base"), "concept:secure-base"),
    (cb.ReflectOnConcept("secure-base"), "conceptreflect:secure-base"),
    (cb.ConfirmForget(3), "pv:f:3"),
    (cb.KeepEverything(), "pv:k"),
    (cb.ReplaceAnswer(5), "pv:r:5"),
    (cb.KeepAnswer(5), "pv:n:5"),
    (cb.JournalPage(10), "jr:p:10"),
    (cb.OpenReflection(4), "jr:o:4"),
    (cb.ChooseTimeZone("Europe/London"), "tz:Europe/London"),
    (cb.PromptPress(cb.PromptAction.TONIGHT, 8), "pr:tn:8"),
    (cb.DecideConcept(12, "rupture-and-repair", True), "rc:k:12:rupture-and-repair"),
    (cb.DecideConcept(12, "rupture-and-repair", False), "rc:x:12:rupture-and-repair"),
]

DECODERS = (
    cb.decode_reflection,
    cb.decode_concept,
    cb.decode_privacy,
    cb.decode_journal,
    cb.decode_time_zone,
    cb.decode_prompt,
    cb.decode_plan,
    cb.decode_suggested,
)


@pytest.mark.parametrize(("press", "data"), PRESSES, ids=[data for _, data in PRESSES])
def test_each_press_encodes_to_its_wire_form_and_reads_back(press: Encodable, data: str) -> None:
    """The wire form is what buttons already in chats carry; exactly one family reads it."""
    assert press.encode() == data
    readings = [decoded for decode in DECODERS if (decoded := decode(data)) is not None]
    assert readings == [press]


def test_plan_choices_read_back() -> None:
    for choice in cb.PlanChoice:
        assert cb.decode_plan(cb.encode_plan(choice)) is choice


@pytest.mark.parametrize(
    "forged",
    [
        "rf:a:²:bond:4",  # "²".isdigit() is true, int("²") raises
        "rf:a:١٢:bond:4",  # Arabic-Indic digits: not what the bot writes
        "rf:a:12:bond",
        "rf:d:7:program:x",
        "rf:x:7",
        "rf",
        "pv:f:",
        "pv:f:-3",
        "pv:q:3",
        "jr:p:1e3",
        "pr:go:abc",
        "pr:zz:1",
        "plan:maybe",
        "concept:",
        "tz:",
        "rc:k:12:",
        "rc:y:12:empathy",
        "rc:k:x:empathy",
        "",
    ],
)
def test_forged_or_foreign_data_reads_as_nothing(forged: str) -> None:
    assert [decode(forged) for decode in DECODERS] == [None] * len(DECODERS)


def test_a_delivery_id_that_would_overflow_is_left_out_not_refused() -> None:
    """The delivery only links the new reflection to its prompt; the button must still work."""
    long_program = "p" * 50
    data = cb.DiscardAndStart(123456, long_program, 987654321).encode()
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert cb.decode_reflection(data) == cb.DiscardAndStart(123456, long_program)


def test_data_over_64_bytes_is_refused_when_built() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        pack("rf", "a", 1, "x" * 60, 1)


@pytest.mark.parametrize(("text", "number"), [("0", 0), ("42", 42), ("²", None), ("", None)])
def test_whole_numbers_are_ascii_digits_only(text: str, number: int | None) -> None:
    assert whole_number(text) == number


def test_a_suggestion_button_fits_the_longest_slug_and_reflection_id() -> None:
    """Slugs are at most MAX_SLUG_LENGTH (the catalog checks it), reflection ids 32-bit."""
    data = cb.DecideConcept(2**31 - 1, "s" * MAX_SLUG_LENGTH, False).encode()
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
