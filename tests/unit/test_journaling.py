"""The rules of a reflection: reading typed answers, progress, next steps, time and staleness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reflect_bot.catalog import Catalog, load_catalog
from reflect_bot.domain import journaling
from reflect_bot.domain.journaling import AnswerKind, ReadAnswer
from reflect_bot.ui.journal import pack, split_text, visible_size
from tests.shipped import CHECKIN_PROGRAM_ID

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(PROMPTS)


@pytest.mark.parametrize(
    ("typed", "rating"),
    [
        ("4", 4),
        (" 4 ", 4),
        ("4.", 4),
        ("4/5", 4),
        ("4 out of 5", 4),
        ("4 of 5", 4),
        ("four", 4),
        ("Five!", 5),
        ("⭐⭐⭐", 3),
        ("★★", 2),
        ("４", 4),  # full-width digit from a CJK keyboard
        ("٤", 4),  # Arabic-Indic digit
        ("1\u200b", 1),  # an invisible character pasted along
    ],
)
def test_typed_ratings_are_read(typed: str, rating: int) -> None:
    assert journaling.read_rating(typed) == rating


@pytest.mark.parametrize("typed", ["", "0", "6", "45", "4.5", "about 4", "good", "⭐" * 6, "-4"])
def test_other_text_is_not_a_rating(typed: str) -> None:
    assert journaling.read_rating(typed) is None


def test_typed_choices_match_label_id_or_number(catalog: Catalog) -> None:
    rupture = catalog.program(CHECKIN_PROGRAM_ID).step("rupture")
    assert journaling.read_choice(rupture, "Not sure") == "unsure"
    assert journaling.read_choice(rupture, "  not   SURE. ") == "unsure"
    assert journaling.read_choice(rupture, "Yes: the client pulled back") == "withdrawal"
    assert journaling.read_choice(rupture, "confrontation") == "confrontation"
    assert journaling.read_choice(rupture, "1") == "none"
    assert journaling.read_choice(rupture, "not\u200b sure") == "unsure"
    for other in ("5", "0", "yes", "maybe", ""):
        assert journaling.read_choice(rupture, other) is None


def test_text_answers_are_kept_exactly(catalog: Catalog) -> None:
    step = catalog.program("two-relationships").steps[0]
    typed = "  <b>x</b> & *y* 🙂 שלום \u200b\n"
    assert journaling.read_typed_answer(step, typed) == ReadAnswer(
        step.id, AnswerKind.TEXT, text=typed
    )
    assert journaling.read_typed_answer(step, " \n\t ") is None


def test_button_values_must_be_offered_by_the_step(catalog: Catalog) -> None:
    checkin = catalog.program(CHECKIN_PROGRAM_ID)
    assert journaling.read_button_answer(checkin.step("bond"), "5") == ReadAnswer(
        "bond", AnswerKind.RATING, rating=5
    )
    assert journaling.read_button_answer(checkin.step("bond"), "7") is None
    assert journaling.read_button_answer(checkin.step("rupture"), "nonsense") is None
    assert journaling.read_button_answer(checkin.step("note"), "x") is None


def test_progress_counts_conditional_steps_once_they_apply(catalog: Catalog) -> None:
    checkin = catalog.program(CHECKIN_PROGRAM_ID)
    first = journaling.first_step(checkin)
    assert str(journaling.progress(checkin, first, [])) == "1 of 8"
    given = [
        ReadAnswer(step_id, AnswerKind.RATING, rating=4)
        for step_id in ("bond", "goals", "tasks", "overall")
    ]
    calm = [*given, ReadAnswer("rupture", AnswerKind.CHOICE, choice="none")]
    assert journaling.next_step(checkin, "rupture", calm) == checkin.step("client_rating")
    assert str(journaling.progress(checkin, checkin.step("client_rating"), calm)) == "6 of 8"
    strained = [*given, ReadAnswer("rupture", AnswerKind.CHOICE, choice="withdrawal")]
    following = journaling.next_step(checkin, "rupture", strained)
    assert following == checkin.step("rupture_what")
    assert str(journaling.progress(checkin, following, strained)) == "6 of 11"


def test_skipped_steps_count_as_unanswered_for_conditions(catalog: Catalog) -> None:
    answers = journaling.condition_answers(
        [
            ReadAnswer("a", AnswerKind.SKIPPED),
            ReadAnswer("b", AnswerKind.RATING, rating=2),
            ReadAnswer("c", AnswerKind.CHOICE, choice="x"),
        ]
    )
    assert answers == {"b": 2, "c": "x"}


def test_time_spent_and_cpd_minutes() -> None:
    assert journaling.seconds_between(NOW, NOW + timedelta(minutes=3, seconds=5)) == 185
    assert journaling.seconds_between(NOW, NOW - timedelta(seconds=5)) == 0
    assert [journaling.cpd_minutes(s) for s in (0, 1, 60, 61, 600)] == [1, 1, 1, 2, 10]


def test_a_day_untouched_is_stale_and_a_week_ends_resuming() -> None:
    assert not journaling.is_stale(NOW, NOW + timedelta(hours=23, minutes=59))
    assert journaling.is_stale(NOW, NOW + timedelta(hours=24))
    assert journaling.can_resume("incomplete", NOW, NOW + timedelta(days=6, hours=23))
    assert not journaling.can_resume("incomplete", NOW, NOW + timedelta(days=7))
    assert not journaling.can_resume("completed", NOW, NOW)


def test_first_line_preview() -> None:
    assert journaling.first_line("\n\n  Hello there  \nsecond") == "Hello there"
    assert journaling.first_line("x" * 100, limit=10) == "x" * 9 + "…"
    assert journaling.first_line("") == ""


def test_long_text_splits_within_the_limit_and_rejoins_exactly() -> None:
    text = ("word " * 50 + "\n") * 40 + "🙂" * 300
    pieces = split_text(text, 500)
    assert "".join(pieces) == text
    assert all(len(p.encode("utf-16-le")) // 2 <= 500 for p in pieces)


def test_packing_keeps_each_message_within_the_limit() -> None:
    blocks = ["<b>Q</b>\n" + "a &amp; b " * 30 for _ in range(10)]
    messages = pack(blocks, limit=1000)
    assert len(messages) > 1
    assert all(visible_size(m) <= 1000 for m in messages)
    assert sum(m.count("<b>Q</b>") for m in messages) == 10


# --------------------------------------------------------------------------- the flow diagram

FLOW_DIAGRAM = Path(__file__).resolve().parents[2] / ("src/reflect_bot/flows/reflection_flow.mmd")
PROGRAMS_MARK = "    %% --- each program's steps (regenerate: python -m tests.unit.test_journaling)"


def program_flows(catalog: Catalog) -> str:
    """Each program as a composite state: its steps, conditional branches labelled."""
    lines = [PROGRAMS_MARK]
    for program in catalog.programs.values():
        prefix = program.id.replace("-", "_")
        lines.append(f'    state "{program.title}" as {prefix} {{')
        lines.append("        direction TB")
        for step in program.steps:
            kind = f"{step.kind}, optional" if step.optional else str(step.kind)
            lines.append(f'        state "{step.id} ({kind})" as {prefix}__{step.id}')
        lines.append(f"        [*] --> {prefix}__{program.steps[0].id}")
        for index, step in enumerate(program.steps):
            branched = False
            for later in program.steps[index + 1 :]:
                if later.when is not None:
                    condition = later.when
                    if condition.in_ is not None:
                        label = f"{condition.step} in {', '.join(condition.in_)}"
                    else:
                        bounds = [
                            f"at least {condition.at_least}" if condition.at_least else "",
                            f"at most {condition.at_most}" if condition.at_most else "",
                        ]
                        label = f"{condition.step} {' '.join(b for b in bounds if b)}"
                    lines.append(f"        {prefix}__{step.id} --> {prefix}__{later.id}: {label}")
                    branched = True
                    continue
                otherwise = ": otherwise" if branched else ""
                lines.append(f"        {prefix}__{step.id} --> {prefix}__{later.id}{otherwise}")
                break
            else:
                otherwise = ": otherwise" if branched else ""
                lines.append(f"        {prefix}__{step.id} --> [*]{otherwise}")
        lines.append("    }")
    return "\n".join(lines) + "\n"


def test_flow_diagram_shows_every_program_as_the_catalog_has_it(catalog: Catalog) -> None:
    """The Mermaid diagram beside the handlers matches the programs' steps and branches."""
    diagram = FLOW_DIAGRAM.read_text(encoding="utf-8")
    assert diagram.startswith("stateDiagram-v2")
    assert diagram.split(PROGRAMS_MARK)[1] == program_flows(catalog).split(PROGRAMS_MARK)[1]


if __name__ == "__main__":  # rewrites the programs part of the diagram from the catalog
    current = FLOW_DIAGRAM.read_text(encoding="utf-8").split(PROGRAMS_MARK)[0]
    FLOW_DIAGRAM.write_text(current + program_flows(load_catalog(PROMPTS)), encoding="utf-8")
