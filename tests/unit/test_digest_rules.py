"""The digest's rules one at a time: weeks, words, repairs, focus, concepts, splitting."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import TypedDict, Unpack

import pytest

from reflect_bot.catalog import Catalog, default_prompts_dir, load_catalog
from reflect_bot.domain.digest import (
    MAX_PROGRAM_CONCEPTS,
    DoneReflection,
    FocusRule,
    History,
    IsoWeek,
    RatingTally,
    RuptureReport,
    WeekActivity,
    WeeklyDigest,
    WrittenAnswer,
    build_digest,
    cut_cleanly,
    digest_week_for,
)
from reflect_bot.domain.mentions import ConceptMatcher
from reflect_bot.domain.timezones import resolve
from reflect_bot.emulator import parse_html
from reflect_bot.render.links import concept_callback, concept_deep_link
from reflect_bot.render.telegram_html import render_digest, split_message
from tests.unit.digest_samples import done, rupture, small_catalog, tallies, wrote

CATALOG = small_catalog()
UTC_ZONE = resolve("UTC")
WEEK = IsoWeek(2026, 45)  # Monday 2 – Sunday 8 November 2026


def on(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


class Week(TypedDict, total=False):
    """WeekActivity's fields past the week and the zone."""

    reflections: tuple[DoneReflection, ...]
    answers: tuple[WrittenAnswer, ...]
    ruptures: tuple[RuptureReport, ...]
    ratings: Mapping[str, RatingTally]
    prompts_delivered: int


#: Most rules are about someone who has used the bot for a while.
LONG_AGO = datetime(2025, 1, 6, 9, tzinfo=UTC)


def digest_of(*, history: History | None = None, **week: Unpack[Week]) -> WeeklyDigest:
    activity = WeekActivity(week=WEEK, zone="UTC", **week)
    return build_digest(activity, history or History(joined_at=LONG_AGO), CATALOG, zone=UTC_ZONE)


# --------------------------------------------------------------------------- weeks


def test_iso_weeks_are_consecutive_across_years() -> None:
    """Week 53 of 2026 is followed by week 1 of 2027; indexes count weeks one by one."""
    last = IsoWeek(2026, 53)
    assert last.shifted(1) == IsoWeek(2027, 1)
    assert IsoWeek.from_index(last.index) == last
    assert (last.start, last.end) == (date(2026, 12, 28), date(2027, 1, 3))
    assert IsoWeek.containing(date(2027, 1, 1)) == last


@pytest.mark.parametrize(
    ("sent_on", "covers"),
    [
        (date(2026, 11, 8), IsoWeek(2026, 45)),  # Sunday: this week
        (date(2026, 11, 6), IsoWeek(2026, 45)),  # Friday: this week, nearly done
        (date(2026, 11, 9), IsoWeek(2026, 45)),  # Monday: the week just finished
        (date(2026, 11, 12), IsoWeek(2026, 45)),  # Thursday: still the week before
    ],
)
def test_digest_week_for_the_day_it_is_sent(sent_on: date, covers: IsoWeek) -> None:
    assert digest_week_for(sent_on) == covers


def test_week_bounds_in_a_fixed_offset_zone() -> None:
    assert WEEK.bounds(resolve("UTC+05:30")) == (
        datetime(2026, 11, 1, 18, 30, tzinfo=UTC),
        datetime(2026, 11, 8, 18, 30, tzinfo=UTC),
    )


# --------------------------------------------------------------------------- words


def test_short_text_is_kept_whole_on_one_line() -> None:
    assert cut_cleanly("  We  laughed.\nThen   silence. ", 40) == "We laughed. Then silence."


def test_long_text_is_cut_after_a_sentence_when_one_ends_late_enough() -> None:
    text = "I felt the room go cold when she spoke. " + "Then nothing much happened for ages. " * 3
    assert cut_cleanly(text, 60) == "I felt the room go cold when she spoke. …"


def test_long_text_without_a_late_sentence_end_is_cut_between_words() -> None:
    text = "Short. " + "a long run of words without any full stop at all " * 3
    cut = cut_cleanly(text, 50)
    assert cut == "Short. a long run of words without any full stop…"
    assert len(cut) <= 50


def test_one_enormous_word_is_cut_inside_it() -> None:
    assert cut_cleanly("x" * 30, 10) == "x" * 9 + "…"


# --------------------------------------------------------------------------- ruptures


def test_a_repair_answers_the_latest_rupture_before_it_only() -> None:
    """A repair done before a rupture does not count; one repair answers one rupture."""
    digest = digest_of(
        reflections=(
            done(1, "rupture-repair", on(2, 9)),
            done(2, "post-session-checkin", on(2, 10)),
            done(3, "post-session-checkin", on(3)),
            done(4, "rupture-repair", on(4)),
        ),
        ruptures=(rupture(2, "withdrawal"), rupture(3, "withdrawal")),
    )
    assert digest.ruptures == (("withdrawal", 2),)
    assert (digest.ruptures_reported, digest.ruptures_repaired) == (2, 1)
    assert digest.focus is not None and digest.focus.rule is FocusRule.UNREPAIRED_RUPTURE
    assert digest.focus.day == date(2026, 11, 2)  # the check-in on Monday is the one left open


def test_no_rupture_and_the_repair_programs_own_question_are_not_ruptures() -> None:
    digest = digest_of(
        reflections=(done(1, "post-session-checkin", on(2)), done(2, "rupture-repair", on(3))),
        ruptures=(rupture(1, "none"), rupture(2, "withdrawal")),
    )
    assert digest.ruptures == () and digest.ruptures_reported == 0


# --------------------------------------------------------------------------- focus


def test_focus_rules_apply_in_order() -> None:
    """Unrepaired rupture, then an alliance dip, then no empathy for 3 weeks, then variety."""
    dip = History(previous_ratings=tallies(bond=(5, 1)), joined_at=LONG_AGO)
    checkin = done(1, "post-session-checkin", on(2))
    with_rupture = digest_of(
        reflections=(checkin,),
        ruptures=(rupture(1, "confrontation"),),
        ratings=tallies(bond=(3, 1)),
        history=dip,
    )
    with_dip = digest_of(reflections=(checkin,), ratings=tallies(bond=(3, 1)), history=dip)
    without_empathy = digest_of(reflections=(checkin,), ratings=tallies(bond=(5, 1)), history=dip)

    assert with_rupture.focus is not None and with_rupture.focus.program_id == "rupture-repair"
    assert with_dip.focus is not None and with_dip.focus.rule is FocusRule.ALLIANCE_DIP
    assert (with_dip.focus.program_id, with_dip.focus.step_id) == ("secure-base", "bond")
    assert without_empathy.focus is not None and without_empathy.focus.rule is FocusRule.NO_EMPATHY


def test_a_dip_needs_half_a_point() -> None:
    history = History(previous_ratings=tallies(tasks=(44, 10)))  # 4.4
    slight = digest_of(
        reflections=(done(1, "post-session-checkin", on(2)),),
        ratings=tallies(tasks=(4, 1)),
        history=history,
    )
    clear = digest_of(
        reflections=(done(1, "post-session-checkin", on(2)),),
        ratings=tallies(tasks=(39, 10)),
        history=history,
    )
    assert slight.focus is not None and slight.focus.rule is not FocusRule.ALLIANCE_DIP
    assert clear.focus is not None and clear.focus.rule is FocusRule.ALLIANCE_DIP
    assert clear.focus.program_id == "collaborative-empiricism"


@pytest.mark.parametrize(
    ("weeks_ago", "suggested"), [(1, False), (2, False), (3, True), (None, True)]
)
def test_empathy_is_suggested_after_three_weeks_without_it(
    weeks_ago: int | None, suggested: bool
) -> None:
    last = None if weeks_ago is None else WEEK.shifted(-weeks_ago)
    digest = digest_of(
        reflections=(done(1, "secure-base", on(3)),),
        history=History(last_empathy_week=last, joined_at=LONG_AGO),
    )
    assert digest.focus is not None
    assert (digest.focus.rule is FocusRule.NO_EMPATHY) is suggested


@pytest.mark.parametrize(
    ("joined", "suggested"),
    [
        (on(2, 8), False),
        (on(2, 8) - timedelta(weeks=1), False),
        (on(2, 8) - timedelta(weeks=2), True),
    ],
)
def test_the_empathy_gap_counts_only_weeks_the_clinician_has_been_here(
    joined: datetime, suggested: bool
) -> None:
    """Someone who joined this week has not gone "3 weeks without" anything."""
    digest = digest_of(
        reflections=(done(1, "secure-base", on(3)),), history=History(joined_at=joined)
    )
    assert digest.focus is not None
    expected = FocusRule.NO_EMPATHY if suggested else FocusRule.NOT_DONE_THIS_WEEK
    assert digest.focus.rule is expected


def test_variety_suggests_the_first_program_not_done_this_week() -> None:
    digest = digest_of(
        reflections=(done(1, "empathy-attunement", on(2)), done(2, "rupture-repair", on(3))),
    )
    assert digest.focus is not None
    assert (digest.focus.rule, digest.focus.program_id) == (
        FocusRule.NOT_DONE_THIS_WEEK,
        "secure-base",
    )


def _recast(roles: Mapping[str, str | None]) -> Catalog:
    """The sample catalog with some programs' roles changed (program id → role or None)."""
    data = CATALOG.model_dump(by_alias=True)
    for program_id, role in roles.items():
        data["programs"][program_id]["role"] = role
    return Catalog.model_validate(data)


def test_the_digest_finds_its_programs_by_role_not_by_id() -> None:
    """Which program answers a dip or a rupture is the catalog's to say."""
    checkin = done(1, "post-session-checkin", on(2))
    dip = History(previous_ratings=tallies(bond=(5, 1)))
    week = WeekActivity(
        week=WEEK,
        zone="UTC",
        reflections=(checkin,),
        ruptures=(rupture(1, "withdrawal"),),
        ratings=tallies(bond=(3, 1)),
    )
    swapped = _recast({"secure-base": "collaboration", "collaborative-empiricism": "bond"})
    without_repair = _recast({"rupture-repair": None})

    as_shipped = build_digest(week, dip, CATALOG, zone=UTC_ZONE).focus
    assert as_shipped is not None and as_shipped.program_id == "rupture-repair"
    no_repair = build_digest(week, dip, without_repair, zone=UTC_ZONE).focus
    assert no_repair is not None
    assert (no_repair.rule, no_repair.program_id) == (FocusRule.ALLIANCE_DIP, "secure-base")
    bond_elsewhere = build_digest(week, dip, swapped, zone=UTC_ZONE)
    assert bond_elsewhere.ruptures == (("withdrawal", 1),)
    assert bond_elsewhere.focus is not None
    assert bond_elsewhere.focus.program_id == "rupture-repair"
    calm = build_digest(
        WeekActivity(week=WEEK, zone="UTC", reflections=(checkin,), ratings=tallies(bond=(3, 1))),
        dip,
        swapped,
        zone=UTC_ZONE,
    ).focus
    assert calm is not None
    assert (calm.rule, calm.program_id) == (FocusRule.ALLIANCE_DIP, "collaborative-empiricism")


# --------------------------------------------------------------------------- numbers


def test_cpd_minutes_add_up_per_reflection_and_the_streak_counts_this_week() -> None:
    digest = digest_of(
        reflections=(
            done(1, "secure-base", on(2), minutes=0.2),
            done(2, "secure-base", on(3), minutes=4),
        ),
        history=History(weeks_in_a_row=7),
    )
    assert (digest.cpd_minutes, digest.weeks_in_a_row, digest.completed) == (5, 8, 2)
    assert [(p.program_id, p.times) for p in digest.programs] == [("secure-base", 2)]


def test_averages_round_half_up() -> None:
    history = History(previous_ratings=tallies(goals=(11, 4)))
    digest = digest_of(
        reflections=(done(1, "post-session-checkin", on(2)),),
        ratings=tallies(goals=(17, 4)),
        history=history,
    )
    goals = next(m for m in digest.alliance if m.step_id == "goals")
    # 17/4 = 4.25 shows as 4.3; before: 11/4 = 2.75 shows as 2.8.
    assert (goals.tenths, goals.previous_tenths, goals.change_tenths) == (43, 28, 15)


def test_a_week_without_check_ins_has_no_alliance_section() -> None:
    digest = digest_of(
        reflections=(done(1, "secure-base", on(2)),),
        history=History(previous_ratings=tallies(bond=(4, 1))),
    )
    assert digest.alliance == ()
    assert "Alliance" not in render_digest(digest, bot_username="b").messages[0]


# --------------------------------------------------------------------------- words and concepts


def test_excerpts_are_the_longest_answer_and_the_longest_of_another_reflection() -> None:
    digest = digest_of(
        reflections=(
            done(1, "secure-base", on(2)),
            done(2, "secure-base", on(3)),
            done(3, "secure-base", on(4)),
        ),
        answers=(
            wrote(1, "medium length answer here"),
            wrote(2, "the very longest answer of the whole week"),
            wrote(2, "second longest, same reflection", 2),
            wrote(3, "short"),
        ),
    )
    assert [e.text for e in digest.excerpts] == [
        "medium length answer here",  # in the order they were written
        "the very longest answer of the whole week",
    ]


def test_concepts_named_in_answers_all_show_and_program_concepts_are_capped() -> None:
    catalog = load_catalog_from_repo()
    programs = list(catalog.programs)
    activity = WeekActivity(
        week=WEEK,
        zone="UTC",
        reflections=tuple(
            done_in(catalog, n, program_id) for n, program_id in enumerate(programs, start=1)
        ),
        answers=(
            wrote(1, "Trust, rapport, transference, mirror neurons and the prefrontal cortex."),
        ),
    )
    digest = build_digest(activity, History(), catalog, zone=UTC_ZONE)
    named = [c.slug for c in digest.concepts if c.named_in_answers]
    from_programs = [c.slug for c in digest.concepts if not c.named_in_answers]
    assert set(named) == {
        "therapeutic-alliance",
        "transference",
        "mirror-neurons",
        "prefrontal-cortex",
    }
    assert len(from_programs) == MAX_PROGRAM_CONCEPTS
    all_program_concepts = {slug for p in catalog.programs.values() for slug in p.concepts}
    assert digest.concepts_left_out == len(all_program_concepts - set(named)) - MAX_PROGRAM_CONCEPTS
    assert all(c.source.document in ("Review", "Article") for c in digest.concepts)


def test_the_matcher_finds_what_the_catalog_finds() -> None:
    """Same word rules as `Catalog.find_concepts`, plus each card's name."""
    catalog = load_catalog_from_repo()
    matcher = ConceptMatcher(catalog.concepts.values())
    phrases = [s for c in catalog.concepts.values() for s in c.synonyms]
    fillers = [
        "the",
        "client",
        "co-regulate",
        "my attachment",
        "don't",
        "x-ray",
        "trust's",
        "rapport",
    ]
    chooser = random.Random(6)
    for _ in range(300):
        words = chooser.choices(phrases + fillers * 4, k=10)
        glue = chooser.choices([" ", "  ", "-", ", ", "'", "’", ".\n", "/"], k=10)
        text = "".join(w + g for w, g in zip(words, glue, strict=True))
        text = text.upper() if chooser.random() < 0.3 else text
        assert {c.slug for c in catalog.find_concepts(text)} <= matcher.slugs(text), text
    assert matcher.slugs("Thinking about Common Factors today") == {"common-factors"}
    assert matcher.slugs("nothing relevant, honestly") == set()
    assert matcher.slugs("an EMPATHIC   moment") == {"empathy"}
    # Answers are scanned together, but a phrase never runs from one answer into the next.
    assert [m.phrase for m in matcher.all_mentions(["It was my", "attachment"])] == ["attachment"]


def load_catalog_from_repo() -> Catalog:
    return load_catalog(default_prompts_dir())


def done_in(catalog: Catalog, n: int, program_id: str) -> DoneReflection:
    return DoneReflection(
        n, program_id, catalog.program(program_id).title, on(2) + timedelta(hours=n), 60
    )


# --------------------------------------------------------------------------- rendering


def test_links_to_concept_cards() -> None:
    assert (
        concept_deep_link("@reflect_bot", "secure-base")
        == "https://t.me/reflect_bot?start=c-secure-base"
    )
    assert concept_callback("secure-base") == "concept:secure-base"


def test_a_long_digest_splits_between_sections_into_valid_messages() -> None:
    digest = digest_of(
        reflections=tuple(
            done(n, "post-session-checkin", on(2) + timedelta(minutes=n)) for n in range(1, 6)
        ),
        answers=tuple(wrote(n, f"Answer {n} about trust & <safety>. " * 12) for n in range(1, 6)),
        ruptures=(rupture(1, "withdrawal"),),
        ratings=tallies(bond=(20, 5), goals=(20, 5), tasks=(20, 5), overall=(20, 5)),
    )
    whole = render_digest(digest, bot_username="reflect_test_bot")
    split = render_digest(digest, bot_username="reflect_test_bot", limit=400)
    assert len(whole.messages) == 1 and len(split.messages) > 2
    # Nothing lost or reordered (a section too long by itself breaks between its lines).
    assert "\n".join(split.messages).replace("\n\n", "\n") == whole.messages[0].replace(
        "\n\n", "\n"
    )
    for message in split.messages:
        assert len(message) <= 400
        parse_html(message)


def test_one_section_longer_than_a_message_splits_between_its_lines() -> None:
    section = "\n".join(f"<b>line {n}</b>" for n in range(100))
    messages = split_message(["<b>Title</b>", section], limit=200)
    assert all(len(m) <= 200 for m in messages)
    assert "\n".join(messages).replace("\n\n", "\n") == "<b>Title</b>\n" + section
