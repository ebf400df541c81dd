"""A voice note from the sandbox page: attached as an audio file in a real browser, queued by
the sandbox's bot, transcribed by the transcriber the sandbox started, shown back with its
buttons, and discarded (issue #22). Skips like the other browser test, and without the speech
tools or the voice extra (unless CI requires them)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from reflect_bot.sandbox import Sandbox
from reflect_bot.ui import texts
from tests.browser.test_sandbox import _click, _screenshot, _wait_for_bot
from tests.browser.test_sandbox import page as page  # the browser fixture, by name
from tests.sandbox.support import running_sandbox
from tests.voice_support import need_voice, speak

if TYPE_CHECKING:
    from playwright.async_api import Page

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    need_voice()
    async with running_sandbox(tmp_path / "sandbox-data", transcriber=True) as running:
        yield running


async def test_a_voice_note_attached_on_the_page_is_transcribed(
    page: Page, sandbox: Sandbox, tmp_path: Path
) -> None:
    from playwright.async_api import expect

    clip = tmp_path / "note.ogg"
    clip.write_bytes(speak("Supervision helped me see the pattern.", tmp_path, name="clip"))
    await page.goto(sandbox.url)
    await page.click("#start-button")
    await _wait_for_bot(page, "Welcome to reflect-bot")
    await _click(page, texts.CONSENT_BUTTON)
    await _wait_for_bot(page, "Which time zone")
    await _click(page, "London")
    await _wait_for_bot(page, "starter plan")

    await page.set_input_files("#voice-file", str(clip))
    heard = page.locator(".row.bot", has_text="Here's what I heard").last
    # The page's part is getting the audio to the transcriber: one clear word is enough here
    # (synthetic speech's last words come out differently with the machine's threads).
    await expect(heard).to_contain_text("Supervision", timeout=120_000)
    await _screenshot(page, "voice-01-heard")
    await _click(page, "Discard")
    await _wait_for_bot(page, "Discarded")
