"""The weekly digest as Telegram HTML: one message (more only if it would pass 4,096 characters).

Every piece the clinician wrote is escaped; tags never span two sections, so a digest that
has to be split is split between sections (or, for one very long section, between lines)
and each part is valid HTML on its own. Concepts link to their cards with a t.me deep link
when the bot's username is known, and with inline buttons otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from reflect_bot.domain.digest import (
    MIN_CHECKINS_TO_COMPARE,
    AllianceMeasure,
    ClientView,
    ClientViewMeasure,
    ConceptTouched,
    Focus,
    FocusRule,
    IsoWeek,
    SourceBrief,
    WeeklyDigest,
)
from reflect_bot.domain.goals import GoalsInDigest
from reflect_bot.render.links import concept_deep_link
from reflect_bot.ui import texts
from reflect_bot.ui.callbacks import ShowConcept

__all__ = ["MAX_MESSAGE_LENGTH", "RenderedDigest", "render_digest", "split_message", "week_dates"]

#: Telegram's limit for a message's text. The raw HTML is measured, which is never shorter
#: than the text Telegram counts once the tags are parsed.
MAX_MESSAGE_LENGTH = 4096
_SECTION_BREAK = "\n\n"


@dataclass(frozen=True, slots=True)
class RenderedDigest:
    """The messages to send in order; the keyboard goes with the last one."""

    messages: tuple[str, ...]
    keyboard: InlineKeyboardMarkup | None


def render_digest(
    digest: WeeklyDigest,
    *,
    bot_username: str | None,
    start_program: Callable[[str], str] | None = None,
    limit: int = MAX_MESSAGE_LENGTH,
) -> RenderedDigest:
    """Renders `digest`; `start_program(program_id)` gives the callback data of a button that
    starts the suggested program (no button without it)."""
    title = texts.DIGEST_TITLE_SO_FAR if digest.so_far else texts.DIGEST_TITLE
    sections = [title.format(dates=week_dates(digest.week))]
    if digest.is_empty:
        sections.append(texts.DIGEST_EMPTY_SO_FAR if digest.so_far else texts.DIGEST_EMPTY)
        if digest.goals is not None and not digest.goals.is_empty:
            sections.append(_goals(digest.goals))
        return RenderedDigest(split_message(sections, limit=limit), None)

    sections.append(_activity(digest))
    if digest.alliance:
        sections.append(_alliance(digest.alliance))
    if digest.client_view is not None:
        sections.append(_client_view(digest.client_view))
    if digest.ruptures:
        sections.append(_ruptures(digest))
    if digest.concepts:
        sections.append(_concepts(digest, bot_username))
    if digest.excerpts:
        sections.append(_excerpts(digest))
    if digest.goals is not None and not digest.goals.is_empty:
        sections.append(_goals(digest.goals))
    if digest.focus is not None:
        sections.append(_focus(digest.focus, digest.alliance))
    return RenderedDigest(
        split_message(sections, limit=limit), _keyboard(digest, bot_username, start_program)
    )


# --------------------------------------------------------------------------- sections


def _esc(text: str) -> str:
    """Text for between tags (quotes need no escaping there, so apostrophes stay readable)."""
    return escape(text, quote=False)


def week_dates(week: IsoWeek) -> str:
    """ "2–8 November 2026", "30 March – 5 April 2026", "29 December 2025 – 4 January 2026"."""
    first, last = week.start, week.end
    if first.year != last.year:
        return f"{_day_month(first)} {first.year} – {_day_month(last)} {last.year}"
    if first.month != last.month:
        return f"{_day_month(first)} – {_day_month(last)} {last.year}"
    return f"{first.day}–{_day_month(last)} {last.year}"


def _day_month(day: date) -> str:
    return f"{day.day} {texts.DIGEST_MONTHS[day.month - 1]}"


def _activity(digest: WeeklyDigest) -> str:
    reflections = texts.DIGEST_REFLECTION_WORDS[digest.completed != 1]
    counts = texts.DIGEST_COMPLETED.format(count=digest.completed, reflections=reflections)
    if digest.prompts_delivered:
        prompts = texts.DIGEST_PROMPT_WORDS[digest.prompts_delivered != 1]
        counts += " · " + texts.DIGEST_PROMPTS_SENT.format(
            count=digest.prompts_delivered, prompts=prompts
        )
    programs = " · ".join(
        _esc(program.title)
        if program.times == 1
        else texts.DIGEST_PROGRAM_TIMES.format(title=_esc(program.title), times=program.times)
        for program in digest.programs
    )
    streak = (
        texts.DIGEST_STREAK.format(weeks=digest.weeks_in_a_row)
        if digest.weeks_in_a_row > 1
        else texts.DIGEST_STREAK_NEW
    )
    return "\n".join(
        [counts, programs, texts.DIGEST_CPD.format(minutes=digest.cpd_minutes), streak]
    )


def _goals(goals: GoalsInDigest) -> str:
    """Follow-ups coming this week and goals closed: the clinician's words, escaped."""
    lines = [texts.DIGEST_GOALS_TITLE]
    lines += [
        texts.DIGEST_GOAL_DUE.format(day=_day_month(on), text=_esc(text)) for text, on in goals.due
    ]
    lines += [texts.DIGEST_GOAL_CLOSED.format(text=_esc(text)) for text in goals.closed]
    return "\n".join(lines)


def _tenths(value: int) -> str:
    return f"{value // 10}.{value % 10}"


def _change(measure: AllianceMeasure) -> str:
    change = measure.change_tenths
    if change is None:
        return texts.DIGEST_ALLIANCE_FIRST
    if change == 0:
        return texts.DIGEST_ALLIANCE_NO_CHANGE
    # A real minus sign, as a number is written.
    return ("+" if change > 0 else "−") + _tenths(abs(change))


def _alliance(measures: Sequence[AllianceMeasure]) -> str:
    lines = [texts.DIGEST_ALLIANCE_TITLE]
    for measure in measures:
        if measure.tenths is None:
            continue
        lines.append(
            texts.DIGEST_ALLIANCE_LINE.format(
                name=texts.DIGEST_ALLIANCE_NAMES.get(measure.step_id, measure.step_id),
                average=_tenths(measure.tenths),
                change=_change(measure),
            )
        )
    return "\n".join(lines)


def _signed(change: int) -> str:
    if change == 0:
        return texts.DIGEST_ALLIANCE_NO_CHANGE
    return ("+" if change > 0 else "−") + _tenths(abs(change))


def _client_measure(name: str, measure: ClientViewMeasure) -> str:
    line = texts.DIGEST_CLIENT_LINE.format(
        name=name,
        average=_tenths(measure.tenths or 0),
        checkins=measure.checkins,
        checkin_words=texts.DIGEST_CHECKIN_WORDS[measure.checkins != 1],
    )
    change = measure.change_tenths
    if change is not None:
        return line + texts.DIGEST_CLIENT_CHANGE.format(
            change=_signed(change),
            previous=_tenths(measure.previous_tenths or 0),
            previous_checkins=measure.previous_checkins,
        )
    return line + texts.DIGEST_CLIENT_TOO_FEW.format(
        minimum=MIN_CHECKINS_TO_COMPARE, previous_checkins=measure.previous_checkins
    )


def _client_view(view: ClientView) -> str:
    lines = [texts.DIGEST_CLIENT_VIEW_TITLE]
    if view.guessed.checkins:
        lines.append(_client_measure(texts.DIGEST_CLIENT_GUESSED, view.guessed))
    if view.reported.checkins:
        lines.append(_client_measure(texts.DIGEST_CLIENT_REPORTED, view.reported))
    else:
        lines.append(texts.DIGEST_CLIENT_NONE_REPORTED)
    return "\n".join(lines)


def _ruptures(digest: WeeklyDigest) -> str:
    kinds = " · ".join(
        f"{texts.DIGEST_RUPTURE_KINDS.get(kind, kind)} {count}" for kind, count in digest.ruptures
    )
    repaired = texts.DIGEST_REPAIRED.format(
        repaired=digest.ruptures_repaired, reported=digest.ruptures_reported
    )
    return "\n".join([texts.DIGEST_RUPTURES_TITLE, kinds, repaired])


@lru_cache(maxsize=1024)
def _concept_name(bot_username: str | None, slug: str, name: str) -> str:
    # Cached: the same few dozen cards appear in every digest of a run.
    if bot_username:
        return f'<a href="{escape(concept_deep_link(bot_username, slug))}">{_esc(name)}</a>'
    return f"<b>{_esc(name)}</b>"


@lru_cache(maxsize=1024)
def _concept_source(source: SourceBrief) -> str:
    return texts.DIGEST_CONCEPT_SOURCE.format(
        document=_esc(source.document), section=_esc(source.section)
    )


def _concept_line(concept: ConceptTouched, bot_username: str | None) -> str:
    words = ""
    if concept.excerpt:  # the sentence that carried it says more than the word that named it
        words = texts.DIGEST_CONCEPT_WORDS.format(phrases=f"“{_esc(concept.excerpt)}”")
    elif concept.phrases:
        quoted = ", ".join(f"“{_esc(phrase)}”" for phrase in concept.phrases[:2])
        words = texts.DIGEST_CONCEPT_WORDS.format(phrases=quoted)
    return texts.DIGEST_CONCEPT.format(
        name=_concept_name(bot_username, concept.slug, concept.name),
        words=words,
        source=_concept_source(concept.source),
    )


def _concepts(digest: WeeklyDigest, bot_username: str | None) -> str:
    lines = [texts.DIGEST_CONCEPTS_TITLE]
    lines += [_concept_line(concept, bot_username) for concept in digest.concepts]
    if digest.concepts_left_out:
        lines.append(texts.DIGEST_CONCEPTS_MORE.format(count=digest.concepts_left_out))
    return "\n".join(lines)


def _excerpts(digest: WeeklyDigest) -> str:
    lines = [texts.DIGEST_EXCERPTS_TITLE]
    for excerpt in digest.excerpts:
        lines.append(f"<blockquote>{_esc(excerpt.text)}</blockquote>")
        lines.append(
            texts.DIGEST_EXCERPT_FROM.format(
                day=texts.DIGEST_WEEKDAYS[excerpt.day.weekday()],
                program=_esc(excerpt.program_title),
            )
        )
    return "\n".join(lines)


def _focus(focus: Focus, alliance: Sequence[AllianceMeasure]) -> str:
    details: dict[str, str] = {"program": _esc(focus.program_title)}
    if focus.rule is FocusRule.UNREPAIRED_RUPTURE and focus.day is not None:
        details["day"] = texts.DIGEST_WEEKDAYS[focus.day.weekday()]
    if focus.rule is FocusRule.ALLIANCE_DIP and focus.step_id is not None:
        measure = next(m for m in alliance if m.step_id == focus.step_id)
        details["rating"] = texts.DIGEST_FOCUS_RATING.get(focus.step_id, focus.step_id)
        details["average"] = _tenths(measure.tenths or 0)
        details["previous"] = _tenths(measure.previous_tenths or 0)
    return "\n".join(
        [texts.DIGEST_FOCUS_TITLE, texts.DIGEST_FOCUS[focus.rule.value].format(**details)]
    )


def _keyboard(
    digest: WeeklyDigest, bot_username: str | None, start_program: Callable[[str], str] | None
) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    if not bot_username:
        # Without a username there is no deep link: every concept gets a button instead.
        buttons = [
            InlineKeyboardButton(concept.name, callback_data=ShowConcept(concept.slug).encode())
            for concept in digest.concepts
        ]
        rows += [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if digest.focus is not None and start_program is not None:
        label = texts.DIGEST_START_BUTTON.format(program=digest.focus.program_title)
        rows.append(
            [InlineKeyboardButton(label, callback_data=start_program(digest.focus.program_id))]
        )
    return InlineKeyboardMarkup(rows) if rows else None


# --------------------------------------------------------------------------- splitting


def split_message(sections: Sequence[str], *, limit: int = MAX_MESSAGE_LENGTH) -> tuple[str, ...]:
    """Joins sections into as few messages as fit `limit`, breaking only between sections,
    or between the lines of a section that is too long by itself.

    A section's tags must open and close on one line for a split inside it to stay valid,
    which every section above keeps to.
    """
    pieces: list[str] = []
    for section in sections:
        if len(section) <= limit:
            pieces.append(section)
            continue
        pieces += _pack(section.split("\n"), "\n", limit)
    return tuple(_pack(pieces, _SECTION_BREAK, limit))


def _pack(parts: Sequence[str], separator: str, limit: int) -> list[str]:
    messages: list[str] = []
    current = ""
    for part in parts:
        if len(part) > limit:  # excerpts and names are short: this would be a bug above
            raise ValueError(f"a digest line of {len(part)} characters cannot fit a message")
        candidate = f"{current}{separator}{part}" if current else part
        if len(candidate) <= limit:
            current = candidate
        else:
            messages.append(current)
            current = part
    if current:
        messages.append(current)
    return messages
