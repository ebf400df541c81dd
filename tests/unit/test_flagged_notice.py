"""The list of answers kept with identifying details: where each is (date, program,
question), never what it says; one Replace button each, at most ten, the rest counted."""

from __future__ import annotations

from reflect_bot.emulator import parse_html
from reflect_bot.ui import texts
from reflect_bot.ui.callbacks import ReplaceAnswer, decode_privacy
from reflect_bot.ui.privacy import FLAGGED_LISTED, FlaggedAnswer, flagged_notice


def _item(number: int, question: str = "What happened <b>next</b> & why?") -> FlaggedAnswer:
    return FlaggedAnswer(10_000_000 + number, "2026-11-02", "Repair <draft>", question)


def test_one_kept_answer_is_named_by_place_with_a_replace_button() -> None:
    text, keyboard = flagged_notice([_item(1)], before_export=True)
    shown = parse_html(text).text  # valid Telegram HTML, catalog text escaped
    assert "1 answer in it" in shown and "it was kept" in shown
    assert "1. 2026-11-02 · Repair <draft>: “What happened <b>next</b> & why?”" in shown
    assert "/journal" in shown
    [[button]] = keyboard.inline_keyboard
    assert button.text == texts.FLAGGED_REPLACE_BUTTON.format(number=1)
    assert isinstance(button.callback_data, str)
    assert decode_privacy(button.callback_data) == ReplaceAnswer(10_000_001)


def test_many_are_listed_ten_at_a_time_and_long_questions_shortened() -> None:
    many = [_item(n, "Option, listening: " + "how could you hear it " * 10) for n in range(13)]
    text, keyboard = flagged_notice(many, before_export=False)
    shown = parse_html(text).text
    assert "13 answers here" in shown and "they were kept" in shown
    assert "…and 3 more" in shown
    assert shown.count("Option, listening") == FLAGGED_LISTED
    assert all(len(line) < 140 for line in shown.splitlines())
    buttons = [b for row in keyboard.inline_keyboard for b in row]
    assert len(buttons) == FLAGGED_LISTED
    assert all(len(str(b.callback_data).encode()) <= 64 for b in buttons)
