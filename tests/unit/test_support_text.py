"""The support offer: the deployment names its own support, or the bot names kinds of help."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reflect_bot.config import SettingsError, get_settings
from reflect_bot.emulator import parse_html
from reflect_bot.ui import texts


def test_unset_or_empty_setting_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REFLECT_SUPPORT_TEXT", raising=False)
    assert get_settings().support_text is None
    monkeypatch.setenv("REFLECT_SUPPORT_TEXT", "  \n ")
    assert get_settings().support_text is None


def test_the_setting_is_read_as_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFLECT_SUPPORT_TEXT", "the staff wellbeing service\n  or your supervisor")
    assert get_settings().support_text == "the staff wellbeing service or your supervisor"


def test_a_too_long_support_text_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFLECT_SUPPORT_TEXT", "x" * 501)
    with pytest.raises(SettingsError, match="REFLECT_SUPPORT_TEXT"):
        get_settings()


def test_default_offer_names_kinds_of_help_and_no_numbers() -> None:
    offer = texts.support_offer()
    for kind in ("staff support", "supervisor", "professional body's helpline", "GP"):
        assert kind in offer, kind
    assert not re.search(r"\d", offer), "no invented phone numbers"
    assert "skip" in offer
    parse_html(offer)  # valid Telegram HTML


def test_a_deployment_support_text_is_offered_as_written_and_escaped() -> None:
    offer = texts.support_offer("the <Staff> Support team & your supervisor")
    parsed = parse_html(offer)
    assert "the <Staff> Support team & your supervisor" in parsed.text
    assert texts.DEFAULT_SUPPORT_TEXT not in offer


def test_the_env_example_documents_the_setting() -> None:
    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text(encoding="utf-8")
    assert "\nREFLECT_SUPPORT_TEXT=" in example
