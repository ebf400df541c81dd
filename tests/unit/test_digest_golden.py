"""Golden digests: the builder and the renderer together, the expected HTML written out in full.

Each case is a week a clinician might have; the message must read exactly like this and be
HTML that Telegram (the emulator's strict parser) accepts.
"""

from __future__ import annotations

from datetime import UTC, datetime

from reflect_bot.domain.digest import History, IsoWeek, WeekActivity, build_digest
from reflect_bot.domain.timezones import resolve
from reflect_bot.emulator import MAX_TEXT_LENGTH, parse_html
from reflect_bot.render.telegram_html import RenderedDigest, render_digest
from tests.unit.digest_samples import done, rupture, small_catalog, tallies, wrote

CATALOG = small_catalog()
BOT = "reflect_test_bot"
LONDON = resolve("Europe/London")


def local(moment: str, zone: str = "Europe/London") -> datetime:
    return datetime.fromisoformat(moment).replace(tzinfo=resolve(zone)).astimezone(UTC)


def start_program(program_id: str) -> str:
    return f"rf:n:{program_id}"


def assert_sendable(rendered: RenderedDigest) -> None:
    for message in rendered.messages:
        parsed = parse_html(message)  # raises on anything Telegram would refuse
        assert 0 < len(parsed.text) <= MAX_TEXT_LENGTH


def test_full_week() -> None:
    """Counts, CPD, streak, alliance against the 4 weeks before, concepts, words, focus."""
    week = WeekActivity(
        week=IsoWeek(2026, 45),
        zone="Europe/London",
        reflections=(
            done(1, "post-session-checkin", local("2026-11-02 18:00"), minutes=2.5),
            done(2, "empathy-attunement", local("2026-11-04 19:30"), minutes=6.2),
            done(3, "post-session-checkin", local("2026-11-05 17:00"), minutes=3),
            done(4, "secure-base", local("2026-11-06 12:00"), minutes=7),
        ),
        answers=(
            wrote(1, "Felt real trust building today; we named the feeling of shame together.", 8),
            wrote(
                2,
                "When he talked about his father leaving, I felt my chest tighten and I noticed "
                "I was leaning in. I said it sounded lonely and he nodded, slowly. Then he "
                "looked at the floor for a long while and I let the silence be, which is hard "
                "for me. Afterwards I wondered whether I had been attuned or just anxious.",
            ),
            wrote(2, "Next time I want to name it sooner.", 2),
            wrote(4, "My attachment history showed up: I wanted to rescue <him> & fix it."),
        ),
        ratings=tallies(bond=(9, 2), goals=(7, 2), tasks=(8, 2), overall=(9, 2)),
        prompts_delivered=5,
    )
    history = History(
        weeks_in_a_row=2,
        last_empathy_week=IsoWeek(2026, 42),
        previous_ratings=tallies(bond=(12, 3), goals=(12, 3), tasks=(9, 3)),
    )

    digest = build_digest(week, history, CATALOG, zone=LONDON)
    rendered = render_digest(digest, bot_username=BOT, start_program=start_program)

    assert rendered.messages == (
        "<b>Your week in reflection</b> · 2–8 November 2026\n"
        "\n"
        "<b>4</b> reflections completed · 5 prompts sent\n"
        "Post-session check-in ×2 · Empathy and attunement · Secure base\n"
        "CPD time: 20 min\n"
        "3 weeks in a row with at least one reflection\n"
        "\n"
        "<b>Alliance</b> · check-in averages (1–5), against the 4 weeks before\n"
        "Bond 4.5 (+0.5)\n"
        "Goals 3.5 (−0.5)\n"
        "Tasks 4.0 (+1.0)\n"
        "Overall 4.5 (nothing to compare yet)\n"
        "\n"
        "<b>What you reflected on</b>\n"
        '• <a href="https://t.me/reflect_test_bot?start=c-therapeutic-alliance">The therapeutic '
        "alliance</a> — you wrote “trust” · <i>Review: Therapeutic Alliance</i>\n"
        '• <a href="https://t.me/reflect_test_bot?start=c-empathy">Empathy</a> — you wrote '
        "“attuned” · <i>Review: Empathy</i>\n"
        '• <a href="https://t.me/reflect_test_bot?start=c-therapist-attachment">The therapist\'s '
        "own attachment</a> — you wrote “my attachment” · <i>Review: Attachment</i>\n"
        '• <a href="https://t.me/reflect_test_bot?start=c-affect-labeling">Affect labelling</a> '
        "— you wrote “named the feeling” · <i>Review: Affect labeling</i>\n"
        '• <a href="https://t.me/reflect_test_bot?start=c-rupture-and-repair">Rupture and '
        "repair</a> · <i>Article: Ruptures &amp; repair</i>\n"
        '• <a href="https://t.me/reflect_test_bot?start=c-secure-base">Secure base</a> · '
        "<i>Review: Attachment</i>\n"
        "\n"
        "<b>In your own words</b>\n"
        "<blockquote>Felt real trust building today; we named the feeling of shame "
        "together.</blockquote>\n"
        "<i>Monday · Post-session check-in</i>\n"
        "<blockquote>When he talked about his father leaving, I felt my chest tighten and I "
        "noticed I was leaning in. I said it sounded lonely and he nodded, slowly. "
        "…</blockquote>\n"
        "<i>Wednesday · Empathy and attunement</i>\n"
        "\n"
        "<b>Next week</b>\n"
        "Try <b>Collaborative empiricism</b>: your goals average fell to 3.5, from 4.0 over "
        "the 4 weeks before.",
    )
    assert rendered.keyboard is not None
    assert rendered.keyboard.to_dict() == {
        "inline_keyboard": [
            [
                {
                    "text": "Start: Collaborative empiricism",
                    "callback_data": "rf:n:collaborative-empiricism",
                }
            ]
        ]
    }
    assert_sendable(rendered)


def test_empty_week() -> None:
    """No reflections: a short, kind note and no statistics, whatever else was sent."""
    week = WeekActivity(week=IsoWeek(2026, 45), zone="Europe/London", prompts_delivered=3)
    history = History(weeks_in_a_row=4)

    finished = render_digest(
        build_digest(week, history, CATALOG, zone=LONDON),
        bot_username=BOT,
        start_program=start_program,
    )
    so_far = render_digest(
        build_digest(week, history, CATALOG, zone=LONDON, so_far=True),
        bot_username=BOT,
        start_program=start_program,
    )

    assert finished.messages == (
        "<b>Your week in reflection</b> · 2–8 November 2026\n"
        "\n"
        "No reflections this week, and that's alright: some weeks are full enough already. "
        "When a session stays with you, /checkin takes three minutes.",
    )
    assert so_far.messages == (
        "<b>Your week so far</b> · 2–8 November 2026\n"
        "\n"
        "Nothing yet this week, and that's alright. When a session stays with you, /checkin "
        "takes three minutes.",
    )
    assert finished.keyboard is None and so_far.keyboard is None
    assert_sendable(finished)
    assert_sendable(so_far)


def test_week_with_ruptures() -> None:
    """Ruptures by kind; a repair reflection answers the rupture before it, and the latest
    rupture left without one picks the focus. Without the bot's username, every concept
    gets a button instead of a link."""
    week = WeekActivity(
        week=IsoWeek(2026, 46),
        zone="Europe/London",
        reflections=(
            done(10, "post-session-checkin", local("2026-11-09 11:00")),
            done(11, "rupture-repair", local("2026-11-09 20:00"), minutes=8),
            done(12, "post-session-checkin", local("2026-11-11 16:00")),
            done(13, "post-session-checkin", local("2026-11-12 10:00")),
        ),
        answers=(
            wrote(
                10, "She went quiet when I mentioned her mother & changed the subject <fast>.", 6
            ),
            wrote(11, "I could invite her to say how the session felt.", 2),
            wrote(12, "He said the homework was pointless.", 6),
        ),
        ruptures=(rupture(10, "withdrawal"), rupture(12, "confrontation"), rupture(13, "unsure")),
        ratings=tallies(bond=(10, 3), goals=(10, 3), tasks=(11, 3), overall=(9, 3)),
        prompts_delivered=1,
    )

    digest = build_digest(week, History(), CATALOG, zone=LONDON)
    rendered = render_digest(digest, bot_username=None, start_program=start_program)

    assert rendered.messages == (
        "<b>Your week in reflection</b> · 9–15 November 2026\n"
        "\n"
        "<b>4</b> reflections completed · 1 prompt sent\n"
        "Post-session check-in ×3 · Rupture repair\n"
        "CPD time: 17 min\n"
        "A reflection this week: a new streak starts here\n"
        "\n"
        "<b>Alliance</b> · check-in averages (1–5), against the 4 weeks before\n"
        "Bond 3.3 (nothing to compare yet)\n"
        "Goals 3.3 (nothing to compare yet)\n"
        "Tasks 3.7 (nothing to compare yet)\n"
        "Overall 3.0 (nothing to compare yet)\n"
        "\n"
        "<b>Ruptures</b>\n"
        "Withdrawal 1 · Confrontation 1 · Not sure 1\n"
        "1 of 3 followed by a repair reflection\n"
        "\n"
        "<b>What you reflected on</b>\n"
        "• <b>Collaborative empiricism</b> — you wrote “homework” · <i>Article: CBT</i>\n"
        "• <b>Rupture and repair</b> · <i>Article: Ruptures &amp; repair</i>\n"
        "• <b>The therapeutic alliance</b> · <i>Review: Therapeutic Alliance</i>\n"
        "• <b>Empathy</b> · <i>Review: Empathy</i>\n"
        "\n"
        "<b>In your own words</b>\n"
        "<blockquote>She went quiet when I mentioned her mother &amp; changed the subject "
        "&lt;fast&gt;.</blockquote>\n"
        "<i>Monday · Post-session check-in</i>\n"
        "<blockquote>I could invite her to say how the session felt.</blockquote>\n"
        "<i>Monday · Rupture repair</i>\n"
        "\n"
        "<b>Next week</b>\n"
        "Try <b>Rupture repair</b>: you noted a rupture on Thursday, and no repair reflection "
        "has followed it yet.",
    )
    assert rendered.keyboard is not None
    assert rendered.keyboard.to_dict() == {
        "inline_keyboard": [
            [
                {
                    "text": "Collaborative empiricism",
                    "callback_data": "concept:collaborative-empiricism",
                },
                {"text": "Rupture and repair", "callback_data": "concept:rupture-and-repair"},
            ],
            [
                {
                    "text": "The therapeutic alliance",
                    "callback_data": "concept:therapeutic-alliance",
                },
                {"text": "Empathy", "callback_data": "concept:empathy"},
            ],
            [{"text": "Start: Rupture repair", "callback_data": "rf:n:rupture-repair"}],
        ]
    }
    assert_sendable(rendered)


def test_week_across_a_dst_change() -> None:
    """New York springs forward on Sunday 8 March 2026: the week is 167 hours long, and its
    first and last minutes are Monday and Sunday there, though UTC says otherwise."""
    new_york = resolve("America/New_York")
    week_of = IsoWeek(2026, 10)
    assert week_of.bounds(new_york) == (
        datetime(2026, 3, 2, 5, 0, tzinfo=UTC),
        datetime(2026, 3, 9, 4, 0, tzinfo=UTC),
    )
    week = WeekActivity(
        week=week_of,
        zone="America/New_York",
        reflections=(
            # 00:30 EST on Monday, and 23:30 EDT on Sunday (already Monday in UTC).
            done(
                20, "empathy-attunement", local("2026-03-02 00:30", "America/New_York"), minutes=5
            ),
            done(
                21, "post-session-checkin", local("2026-03-08 23:30", "America/New_York"), minutes=2
            ),
        ),
        answers=(
            wrote(
                20,
                "Couldn't sleep, so I wrote this down: I felt attuned to her grief, "
                "and the room felt safe.",
            ),
            wrote(21, "The clocks changed and so did the mood: we had a good laugh.", 8),
        ),
        ratings=tallies(bond=(5, 1), goals=(4, 1), tasks=(4, 1), overall=(5, 1)),
    )
    history = History(
        weeks_in_a_row=5,
        last_empathy_week=IsoWeek(2026, 9),
        previous_ratings=tallies(bond=(4, 1), goals=(4, 1), tasks=(4, 1), overall=(4, 1)),
    )

    rendered = render_digest(build_digest(week, history, CATALOG, zone=new_york), bot_username=BOT)

    assert rendered.messages == (
        "<b>Your week in reflection</b> · 2–8 March 2026\n"
        "\n"
        "<b>2</b> reflections completed\n"
        "Empathy and attunement · Post-session check-in\n"
        "CPD time: 7 min\n"
        "6 weeks in a row with at least one reflection\n"
        "\n"
        "<b>Alliance</b> · check-in averages (1–5), against the 4 weeks before\n"
        "Bond 5.0 (+1.0)\n"
        "Goals 4.0 (no change)\n"
        "Tasks 4.0 (no change)\n"
        "Overall 5.0 (+1.0)\n"
        "\n"
        "<b>What you reflected on</b>\n"
        '• <a href="https://t.me/reflect_test_bot?start=c-empathy">Empathy</a> — you wrote '
        "“attuned” · <i>Review: Empathy</i>\n"
        '• <a href="https://t.me/reflect_test_bot?start=c-secure-base">Secure base</a> — you '
        "wrote “safe” · <i>Review: Attachment</i>\n"
        '• <a href="https://t.me/reflect_test_bot?start=c-therapeutic-alliance">The therapeutic '
        "alliance</a> · <i>Review: Therapeutic Alliance</i>\n"
        '• <a href="https://t.me/reflect_test_bot?start=c-rupture-and-repair">Rupture and '
        "repair</a> · <i>Article: Ruptures &amp; repair</i>\n"
        '• <a href="https://t.me/reflect_test_bot?start=c-affect-labeling">Affect labelling</a> '
        "· <i>Review: Affect labeling</i>\n"
        "\n"
        "<b>In your own words</b>\n"
        "<blockquote>Couldn't sleep, so I wrote this down: I felt attuned to her grief, and the "
        "room felt safe.</blockquote>\n"
        "<i>Monday · Empathy and attunement</i>\n"
        "<blockquote>The clocks changed and so did the mood: we had a good laugh.</blockquote>\n"
        "<i>Sunday · Post-session check-in</i>\n"
        "\n"
        "<b>Next week</b>\n"
        "Try <b>Rupture repair</b> for a different angle: you didn't do it this week.",
    )
    assert rendered.keyboard is None
    assert_sendable(rendered)
