"""Golden digests for the client's view: the clinician's guess and the client's own score.

The two are shown apart, each with the number of check-ins behind it, and a change is shown
only when both periods have at least three check-ins.
"""

from __future__ import annotations

from reflect_bot.domain.digest import (
    MIN_CHECKINS_TO_COMPARE,
    History,
    IsoWeek,
    RatingTally,
    WeekActivity,
    build_digest,
)
from reflect_bot.render.telegram_html import render_digest
from tests.unit.digest_samples import done, tallies
from tests.unit.test_digest_golden import BOT, CATALOG, LONDON, assert_sendable, local


def _week(ratings: dict[str, RatingTally]) -> WeekActivity:
    return WeekActivity(
        week=IsoWeek(2026, 45),
        zone="Europe/London",
        reflections=(done(1, "post-session-checkin", local("2026-11-02 18:00"), minutes=3),),
        ratings=ratings,
    )


def _sections(week: WeekActivity, history: History) -> list[str]:
    rendered = render_digest(build_digest(week, history, CATALOG, zone=LONDON), bot_username=BOT)
    assert_sendable(rendered)
    return "\n\n".join(rendered.messages).split("\n\n")


def _client_view(week: WeekActivity, history: History) -> str:
    [section] = [s for s in _sections(week, history) if s.startswith(TITLE)]
    return section


TITLE = "<b>The client's view</b> · your guess and what clients told you, kept apart (1–5)"


def test_guessed_and_reported_views_are_shown_apart_with_their_counts() -> None:
    """Enough check-ins on both sides: the change; too few reported scores: no change."""
    week = _week(tallies(overall=(16, 4), client_rating=(15, 4), client_reported=(9, 2)))
    history = History(previous_ratings=tallies(client_rating=(21, 6), client_reported=(12, 3)))

    section = _client_view(week, history)

    assert section == (
        "<b>The client's view</b> · your guess and what clients told you, kept apart (1–5)\n"
        "Your guess: 3.8, from 4 check-ins · +0.3 against 3.5 from 6 in the 4 weeks before\n"
        "Reported by clients: 4.5, from 2 check-ins · no change shown with fewer than 3 "
        "check-ins in either period (4 weeks before: 3)"
    )


def test_a_change_needs_three_check_ins_in_each_period() -> None:
    """Three and three: shown; three and two: not, whichever period is short."""
    assert MIN_CHECKINS_TO_COMPARE == 3
    enough = _client_view(
        _week(tallies(client_reported=(9, 3))),
        History(previous_ratings=tallies(client_reported=(15, 3))),
    )
    assert enough == (
        f"{TITLE}\n"
        "Reported by clients: 3.0, from 3 check-ins · −2.0 against 5.0 from 3 in the 4 weeks "
        "before"
    )

    short_before = _client_view(
        _week(tallies(client_reported=(9, 3))),
        History(previous_ratings=tallies(client_reported=(10, 2))),
    )
    assert short_before.endswith(
        "Reported by clients: 3.0, from 3 check-ins · no change shown with fewer than 3 "
        "check-ins in either period (4 weeks before: 2)"
    )


def test_no_score_from_a_client_gets_a_gentle_nudge() -> None:
    week = _week(tallies(client_rating=(4, 1)))

    section = _client_view(week, History())

    assert section == (
        "<b>The client's view</b> · your guess and what clients told you, kept apart (1–5)\n"
        "Your guess: 4.0, from 1 check-in · no change shown with fewer than 3 check-ins in "
        "either period (4 weeks before: 0)\n"
        'No client gave you a score this week. Ending with "How was today for you?" is a '
        "good start."
    )


def test_no_client_view_section_without_client_ratings() -> None:
    week = _week(tallies(bond=(4, 1)))

    sections = _sections(week, History())

    assert not any("client's view" in section for section in sections)
