"""A person in a real browser: opens the sandbox, onboards, gets a scheduled prompt by time
travel, answers the check-in by clicking and typing, exports the journal and downloads it.

Headless Debian Chromium driven by Playwright (never `playwright install`: no downloads).
Without Chromium or the playwright package the test skips, unless REFLECT_REQUIRE_BROWSER=1
(CI), where it fails. Screenshots go to test-artifacts/sandbox/.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import AsyncIterator
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from reflect_bot.domain.scheduling import MONDAY
from reflect_bot.sandbox import Sandbox, next_weekday_at
from reflect_bot.ui import texts
from tests.sandbox.support import running_sandbox

if TYPE_CHECKING:
    from playwright.async_api import Locator, Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "sandbox"
CHROMIUM = Path(os.environ.get("REFLECT_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_BROWSER = os.environ.get("REFLECT_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 10_000


def _browser_missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the playwright Python package is not installed (pip install playwright)"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM}; scripts/install-browser installs Debian's"
    return None


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with running_sandbox(tmp_path / "sandbox-data") as running:
        # Next Monday 09:00 in London, so the starter plan's next prompt is that evening's
        # check-in whatever day the test runs on.
        monday = next_weekday_at(running.clock.now(), ZoneInfo("Europe/London"), MONDAY, time(9))
        running.clock.advance(monday - running.clock.now())
        yield running


@pytest.fixture
async def page(sandbox: Sandbox) -> AsyncIterator[Page]:
    """A browser tab; it closes before the sandbox stops (asking for `sandbox` orders the
    teardown), or its long poll would meet a closed port and log an error."""
    missing = _browser_missing()
    if missing is not None:
        if REQUIRE_BROWSER:
            pytest.fail(f"a browser is required here (REFLECT_REQUIRE_BROWSER=1): {missing}")
        pytest.skip(missing)
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        context = await browser.new_context(
            viewport={"width": 900, "height": 860}, accept_downloads=True
        )
        page = await context.new_page()
        page.set_default_timeout(WAIT_MS)
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                problems.append(f"console: {message.text}") if message.type == "error" else None
            ),
        )
        try:
            yield page
        finally:
            await browser.close()
        assert not problems, problems


def _newest_bot_message(page: Page) -> Locator:
    return page.locator(".row.bot").last


async def _wait_for_bot(page: Page, words: str) -> Locator:
    from playwright.async_api import expect

    newest = _newest_bot_message(page)
    await expect(newest).to_contain_text(words)
    return newest


async def _click(page: Page, label: str) -> None:
    """Taps an inline button under the newest bot message."""
    button = (
        _newest_bot_message(page)
        .locator(".key")
        .filter(has_text=re.compile(f"^{re.escape(label)}$"))
    )
    await button.click()


async def _type(page: Page, text: str) -> None:
    await page.fill("#input", text)
    await page.press("#input", "Enter")


async def _screenshot(page: Page, name: str) -> None:
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


async def test_a_clinician_reflects_and_exports_in_the_browser(
    page: Page, sandbox: Sandbox
) -> None:
    from playwright.async_api import expect

    checkin = sandbox.application.bot_data.services.catalog.program("post-session-checkin")
    question = {step.id: step.question for step in checkin.steps}

    await page.goto(sandbox.url)
    await expect(page.locator("#empty")).to_be_visible()
    await _screenshot(page, "01-new-chat")

    # Onboarding, by clicking only.
    await page.click("#start-button")
    await _wait_for_bot(page, "Welcome to reflect-bot")
    await _click(page, texts.CONSENT_BUTTON)
    await _wait_for_bot(page, "Which time zone")
    await _click(page, "London")
    await _wait_for_bot(page, "starter plan")
    await _screenshot(page, "02-onboarded")
    await _click(page, texts.STARTER_ACCEPT)
    await _wait_for_bot(page, texts.STARTER_ACCEPTED[:20])

    # Time travel to the evening's scheduled check-in.
    await page.click("#clock-button")
    await page.click("[data-jump=next-delivery]")
    prompt = await _wait_for_bot(page, "Time to reflect")
    await expect(prompt.locator(".meta")).to_have_text("18:00")  # the bot's time, not ours
    await expect(page.locator("#clock-label")).to_have_text(re.compile(r"^Mon 18:0\d$"))
    await _screenshot(page, "03-scheduled-prompt")
    await page.click("#clock-button")  # fold the panel away again

    # The check-in: ratings and choices by button, the rest typed.
    await _click(page, texts.PROMPT_START)
    for step_id, label in (("bond", "4"), ("goals", "5"), ("tasks", "4"), ("overall", "4")):
        await _wait_for_bot(page, question[step_id])
        await _click(page, label)
    await _wait_for_bot(page, question["rupture"])
    await _click(page, "Yes: the client pulled back")
    await _wait_for_bot(page, question["rupture_what"])
    await _type(page, "They went quiet after I mentioned the break <in August>.")
    await _wait_for_bot(page, question["rupture_noticed"])
    await _type(page, "A tightness in my chest & an urge to fill the silence.")
    await _wait_for_bot(page, question["rupture_named"])
    await _click(page, "Only briefly")
    await _wait_for_bot(page, question["client_rating"])
    await _click(page, "3")
    await _wait_for_bot(page, question["client_asked"])
    await _click(page, "Yes, I asked")
    await _wait_for_bot(page, question["client_said"])
    await _type(page, "They said the ending felt rushed.")
    await _wait_for_bot(page, question["client_reported"])
    await _click(page, "4")
    await _wait_for_bot(page, question["note"])
    await _type(page, "Name the break earlier next time.")
    await expect(page.locator(".row.bot", has_text="reflection is saved")).to_have_count(1)
    # What was typed shows as typed: text, never markup.
    await expect(page.locator(".row.me").filter(has_text="<in August>")).to_have_count(1)
    await _screenshot(page, "04-check-in-done")

    # /export from the command menu, then download the file.
    await page.click("#menu-button")
    await page.locator(".command-option", has_text="/export").click()
    document = page.locator(".row.bot .document").last
    await expect(document).to_be_visible()
    await _screenshot(page, "05-export")
    async with page.expect_download() as download_info:
        await document.click()
    download = await download_info.value
    saved = ARTIFACTS / download.suggested_filename
    await download.save_as(saved)
    journal = saved.read_text(encoding="utf-8")
    assert saved.suffix == ".md"
    assert "Post-session check-in" in journal
    assert "Name the break earlier next time." in journal
    assert "tightness in my chest" in journal


async def test_bot_html_is_rebuilt_safely_and_edits_land_in_place(
    page: Page, sandbox: Sandbox
) -> None:
    from playwright.async_api import expect
    from telegram.constants import ParseMode

    await page.goto(sandbox.url)
    await page.click("#start-button")
    await _wait_for_bot(page, "Welcome to reflect-bot")
    bot, chat = sandbox.application.bot, sandbox.user_id
    sent = await bot.send_message(
        chat,
        "<b>bold</b> <i>it</i> <tg-spoiler>hidden</tg-spoiler> <code>a&lt;b</code>\n"
        '<a href="javascript:alert(1)">not a link</a> '
        '<a href="https://example.org/paper">paper</a> '
        '<a href="example.net/x">bare</a> '
        '<a href="https://t.me/reflect_sandbox_bot?start=c-therapeutic-alliance">card</a>\n'
        "&lt;img src=x onerror=alert(1)&gt; try /help",
        parse_mode=ParseMode.HTML,
    )
    bubble = await _wait_for_bot(page, "not a link")
    text = bubble.locator(".text")
    await expect(text.locator("b")).to_have_text("bold")
    await expect(text.locator("code")).to_have_text("a<b")
    await expect(text.locator(".spoiler")).to_have_text("hidden")
    await expect(text).to_contain_text("<img src=x onerror=alert(1)>")  # words, not markup
    assert await bubble.locator("img").count() == 0
    links = {
        await a.inner_text(): await a.get_attribute("href") for a in await text.locator("a").all()
    }
    assert "not a link" not in links
    assert links["paper"] == "https://example.org/paper"
    assert links["bare"] == "http://example.net/x"
    assert await text.locator("a", has_text="paper").get_attribute("rel") == "noopener noreferrer"
    await _screenshot(page, "06-formatting")

    # A deep link to this bot opens it with /start <payload>, as Telegram's apps do.
    await page.locator(".row.bot a", has_text="card").click()
    await expect(page.locator(".row.me").last).to_have_text(
        re.compile(r"^/start c-therapeutic-alliance")
    )
    await _wait_for_bot(page, "alliance")

    rows = await page.locator(".row").count()
    await bot.edit_message_text("Edited <b>in place</b>", chat, sent.message_id, parse_mode="HTML")
    edited = page.locator(f'[data-message-id="{sent.message_id}"]')
    await expect(edited.locator(".text")).to_have_text("Edited in place")
    await expect(edited.locator(".meta")).to_contain_text("edited")
    assert await page.locator(".row").count() == rows

    # Typing "/" offers the matching commands.
    await page.fill("#input", "/con")
    await page.dispatch_event("#input", "input")
    await expect(page.locator(".command-option")).to_have_count(1)
    await expect(page.locator(".command-option")).to_contain_text("/concepts")
