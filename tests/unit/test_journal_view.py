"""The journal's dates read the same whatever the process's locale, and its buttons carry the
callback data messages already in clinicians' chats were sent with."""

from __future__ import annotations

import locale
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reflect_bot.flows.journal import Listed
from reflect_bot.ui import journal as view
from reflect_bot.ui import texts

THURSDAY = datetime(2026, 11, 5, 14, 30, tzinfo=ZoneInfo("Europe/London"))
GERMAN = "de_DE.UTF-8"


@pytest.fixture
def german_dates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """LC_TIME set to German for the test: the installed locale if there is one, else one
    compiled into tmp_path (glibc reads LOCPATH when the locale is set)."""
    before = locale.setlocale(locale.LC_TIME)
    try:
        locale.setlocale(locale.LC_TIME, GERMAN)
    except locale.Error:
        sources = Path("/usr/share/i18n/locales/de_DE")
        localedef = shutil.which("localedef")
        if localedef is None or not sources.exists():
            pytest.skip("no German locale installed and none can be compiled here")
        subprocess.run(
            [localedef, "-i", "de_DE", "-f", "UTF-8", str(tmp_path / GERMAN)],
            check=True,
            capture_output=True,
        )
        monkeypatch.setenv("LOCPATH", str(tmp_path))
        locale.setlocale(locale.LC_TIME, GERMAN)
    try:
        yield
    finally:
        locale.setlocale(locale.LC_TIME, before)


def test_dates_are_spelled_with_the_texts_day_and_month_names() -> None:
    assert view.when(THURSDAY) == "Thu 5 Nov 14:30"
    assert view.when(datetime(2027, 1, 3, 9, 5)) == "Sun 3 Jan 09:05"
    assert texts.DAY_NAMES[THURSDAY.weekday()] == "Thu"


def test_a_german_locale_does_not_change_the_journals_dates(german_dates: None) -> None:
    assert f"{THURSDAY:%a %b}" == "Do Nov", "the locale is in effect for strftime"
    assert view.when(THURSDAY) == "Thu 5 Nov 14:30"
    listed = [Listed(7, THURSDAY, "Name the feeling", "completed", None)]
    text, _ = view.page(offset=0, size=5, total=1, listed=listed)
    assert "Thu 5 Nov 14:30 · Name the feeling" in text


def test_page_and_entry_buttons_keep_their_wire_format() -> None:
    listed = [Listed(40 - n, THURSDAY, "Name the feeling", "completed", None) for n in range(5)]
    _, keyboard = view.page(offset=5, size=5, total=12, listed=listed)
    assert keyboard is not None
    rows = [[button.callback_data for button in row] for row in keyboard.inline_keyboard]
    assert rows == [["jr:o:40", "jr:o:39", "jr:o:38", "jr:o:37", "jr:o:36"], ["jr:p:0", "jr:p:10"]]
    carry_on = view.continue_keyboard(40, resumable=False).inline_keyboard[0][0]
    resume = view.continue_keyboard(40, resumable=True).inline_keyboard[0][0]
    assert (carry_on.text, carry_on.callback_data) == (texts.JOURNAL_CARRY_ON_BUTTON, "rf:r:40")
    assert (resume.text, resume.callback_data) == (texts.RESUME_BUTTON, "rf:r:40")
    assert view.page(offset=0, size=5, total=0, listed=[]) == (texts.JOURNAL_EMPTY, None)
