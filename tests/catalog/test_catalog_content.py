"""The real content in prompts/: complete, consistent and faithful to its sources."""

import re
from pathlib import Path

import pytest

from reflect_bot.catalog import (
    Catalog,
    Category,
    Role,
    Section,
    StepKind,
    check_catalog,
)
from reflect_bot.render.cards import concept_card
from tests.shipped import CHECKIN_PROGRAM_ID, PROGRAM_IDS

# The 27 stable slugs of CONTENT_MAP.md (checked against the file below when present).
CONTENT_MAP_SLUGS = {
    "therapeutic-alliance",
    "alliance-evidence",
    "client-perspective",
    "common-factors",
    "empathy",
    "sensitive-responsiveness",
    "secure-base",
    "attachment-theory",
    "internal-working-model",
    "intersubjectivity",
    "therapist-attachment-history",
    "neuroplasticity",
    "affect-regulation",
    "affect-labeling",
    "mirror-neurons",
    "middle-prefrontal-cortex",
    "limbic-system",
    "prefrontal-cortex",
    "empathy-attachment-alliance",
    "rupture-and-repair",
    "alliance-in-cbt",
    "collaborative-empiricism",
    "alliance-in-humanistic-therapy",
    "rogers-six-conditions",
    "congruence",
    "unconditional-positive-regard",
    "transference",
}

SHIPPED_PROGRAMS = {
    "two-relationships",
    "post-session-checkin",
    "rupture-repair",
    "empathy-attunement",
    "secure-base",
    "rogers-conditions",
    "collaborative-empiricism",
    "affect-labeling",
    "gibbs-cycle",
    "what-so-what",
}

NEUROBIOLOGY_CARDS = {
    "mirror-neurons",
    "middle-prefrontal-cortex",
    "limbic-system",
    "prefrontal-cortex",
    "affect-labeling",
    "affect-regulation",
    "neuroplasticity",
}


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])[\"')]*\s+", text.strip()) if s]


# --------------------------------------------------------------------------- loading


def test_real_prompts_have_no_problems(prompts_dir: Path) -> None:
    problems = check_catalog(prompts_dir)
    assert problems == [], "\n".join(str(problem) for problem in problems)


def test_default_prompts_dir_is_the_repository_folder(prompts_dir: Path) -> None:
    assert prompts_dir == Path(__file__).resolve().parents[2] / "prompts"
    assert (prompts_dir / "concepts.toml").is_file()


def test_content_map_lists_the_expected_slugs(content_map: str) -> None:
    table = content_map.split("## Concepts", 1)[1].split("\n## ", 1)[0]
    slugs = set(re.findall(r"^\|\s*`([a-z0-9-]+)`\s*\|", table, flags=re.MULTILINE))
    assert slugs == CONTENT_MAP_SLUGS


def test_every_content_map_concept_has_a_card(catalog: Catalog) -> None:
    assert set(catalog.concepts) == CONTENT_MAP_SLUGS


def test_the_shipped_programs_exist_with_steps(catalog: Catalog) -> None:
    assert set(catalog.programs) == SHIPPED_PROGRAMS
    assert set(PROGRAM_IDS) == SHIPPED_PROGRAMS
    for program in catalog.programs.values():
        assert program.steps, program.id
        assert program.title and program.purpose and program.intro


def test_programs_come_in_menu_order(catalog: Catalog) -> None:
    assert list(catalog.programs) == list(PROGRAM_IDS)
    assert [p.id for p in catalog.programs_in_menu_order()] == list(PROGRAM_IDS)
    assert [p.menu_order for p in catalog.programs_in_menu_order()] == list(
        range(1, len(PROGRAM_IDS) + 1)
    )


def test_each_role_the_code_needs_has_its_program(catalog: Catalog) -> None:
    """The digest, /checkin, the starter plan and rotation find their programs by role."""
    assert {role: catalog.program_for(role).id for role in Role} == {
        Role.CHECKIN: CHECKIN_PROGRAM_ID,
        Role.REPAIR: "rupture-repair",
        Role.EMPATHY: "empathy-attunement",
        Role.BOND: "secure-base",
        Role.COLLABORATION: "collaborative-empiricism",
    }
    roleless = {p.id for p in catalog.programs.values() if p.role is None}
    assert roleless == {
        "two-relationships",
        "rogers-conditions",
        "affect-labeling",
        "gibbs-cycle",
        "what-so-what",
    }


def test_source_documents(catalog: Catalog) -> None:
    seeded = {key for key, source in catalog.sources.items() if source.seed_file}
    assert seeded == {"review", "article"}
    assert catalog.source("article").title == "The What and Why of the Therapeutic Alliance"
    assert catalog.source("article").publisher == "Mental Health Academy"
    assert "Neurobiological" in catalog.source("review").title


def test_outside_sources_are_cited_in_full_and_used(catalog: Catalog) -> None:
    """Claims the seeds don't make name the outside work they come from."""
    outside = {key: s for key, s in catalog.sources.items() if s.seed_file is None}
    assert {"safran-muran", "bordin"} <= set(outside)
    cited = {key for concept in catalog.concepts.values() for key in concept.outside_sources}
    assert cited == set(outside), "every outside source is cited by a card, and only those"
    for key, source in outside.items():
        assert source.authors and source.year and source.citation, key
        surname = source.authors[0].split()[-1]
        citing = [c for c in catalog.concepts.values() if key in c.outside_sources]
        assert all(surname in f"{c.summary} {c.caveat or ''}" for c in citing), key


# --------------------------------------------------------------------------- concept cards


def test_cards_follow_the_writing_brief(catalog: Catalog) -> None:
    for concept in catalog.concepts.values():
        assert 2 <= len(_sentences(concept.summary)) <= 5, concept.slug
        assert 1 <= len(_sentences(concept.in_the_room)) <= 2, concept.slug
        assert concept.synonyms and all(s == s.lower() for s in concept.synonyms), concept.slug
        assert concept.sources, concept.slug


def test_every_category_has_cards_in_display_order(catalog: Catalog) -> None:
    groups = catalog.concepts_by_category()
    assert list(groups) == list(Category)
    assert sum(len(cards) for cards in groups.values()) == len(CONTENT_MAP_SLUGS)
    assert {c.slug for c in groups[Category.NEUROBIOLOGY]} == NEUROBIOLOGY_CARDS


def test_brain_area_cards_carry_a_plain_caveat(catalog: Catalog) -> None:
    for slug in NEUROBIOLOGY_CARDS | {"empathy-attachment-alliance"}:
        caveat = catalog.concept(slug).caveat
        assert caveat is not None, slug
        assert "clinical test" in caveat.lower(), slug
        assert "literature" in caveat.lower() or "research" in caveat.lower(), slug


def test_each_synonym_detects_its_own_card(catalog: Catalog) -> None:
    for concept in catalog.concepts.values():
        for synonym in concept.synonyms:
            found = catalog.find_concepts(f"Today, {synonym.upper()}, came up.")
            assert concept in found, (concept.slug, synonym)


def test_concept_detection_in_free_text(catalog: Catalog) -> None:
    found = {c.slug for c in catalog.find_concepts("There was a rupture; I tried to repair it.")}
    assert "rupture-and-repair" in found
    assert "secure-base" not in {c.slug for c in catalog.find_concepts("they seemed unsafe")}
    curly = {c.slug for c in catalog.find_concepts("I wanted the client’s view on it")}
    assert "client-perspective" in curly


def test_programs_for_a_concept(catalog: Catalog) -> None:
    ids = {p.id for p in catalog.programs_for("rupture-and-repair")}
    assert {"post-session-checkin", "rupture-repair"} <= ids
    with pytest.raises(KeyError):
        catalog.programs_for("no-such-concept")


def _heading_lines(lines: list[str], headings: set[str]) -> dict[int, str]:
    """Line index -> heading, for the known headings (some span two lines)."""
    found: dict[int, str] = {}
    index = 0
    while index < len(lines):
        two = f"{lines[index]} {lines[index + 1]}" if index + 1 < len(lines) else None
        if two in headings:
            found[index] = two
            index += 2
            continue
        if lines[index] in headings:
            found[index] = lines[index]
        index += 1
    return found


def test_source_lines_sections_and_references_match_the_seeds(
    catalog: Catalog, seeds: dict[str, str]
) -> None:
    headings: dict[str, set[str]] = {}
    for concept in catalog.concepts.values():
        for ref in concept.sources:
            headings.setdefault(ref.document, set()).add(ref.section)

    for concept in catalog.concepts.values():
        for ref in concept.sources:
            seed_file = catalog.source(ref.document).seed_file
            assert seed_file in seeds, seed_file
            lines = [" ".join(line.split()) for line in seeds[seed_file].splitlines()]
            where = f"{concept.slug}: {ref.document} lines {ref.lines}"
            assert ref.last_line <= len(lines), where

            # The nearest heading at or above the first cited line is `section`, and
            # the cited lines stay inside that section.
            found = _heading_lines(lines, headings[ref.document])
            first = ref.first_line - 1
            above = max((i for i in found if i <= first), default=None)
            assert above is not None and found[above] == ref.section, where
            end = min((i for i in found if i > first), default=len(lines))
            assert ref.last_line <= end, where

            # Each reference is cited in that section (surname, and year if given).
            section_text = " ".join(lines[above:end]).replace("’", "'")
            for reference in ref.references:
                surname = re.split(r"[ ,&\[]", reference.replace("’", "'"))[0]
                assert surname in section_text, (where, reference)
                for year in re.findall(r"\b(?:19|20)\d\d\b", reference):
                    assert year in section_text, (where, reference)


# --------------------------------------------------------------------------- programs


def test_every_program_has_a_text_step_and_a_privacy_reminder(catalog: Catalog) -> None:
    for program in catalog.programs.values():
        assert any(step.kind is StepKind.TEXT for step in program.steps), program.id
        intro = program.intro.lower()
        assert "name" in intro and "identif" in intro, program.id


def test_every_step_of_every_program_serves_a_section_of_both_models(catalog: Catalog) -> None:
    """Any reflection can be laid out in Gibbs' shape and in "What? So what? Now what?"."""
    gibbs = {
        Section.DESCRIPTION,
        Section.FEELINGS,
        Section.EVALUATION,
        Section.ANALYSIS,
        Section.CONCLUSION,
        Section.ACTION_PLAN,
    }
    three_questions = {Section.WHAT, Section.SO_WHAT, Section.NOW_WHAT}
    for program in catalog.programs.values():
        for step in program.steps:
            where = (program.id, step.id)
            assert gibbs & set(step.sections), where
            assert three_questions & set(step.sections), where
            assert step.is_action == bool(
                {Section.ACTION_PLAN, Section.NOW_WHAT} & set(step.sections)
            )


def test_reflective_models_ask_their_stages_in_order(catalog: Catalog) -> None:
    """Gibbs' cycle walks its six stages in order; the three questions come in theirs, and
    each model ends on a decision (a learning goal)."""
    gibbs = catalog.program("gibbs-cycle")
    stages = [step.sections[0] for step in gibbs.steps]
    assert list(dict.fromkeys(stages)) == [
        Section.DESCRIPTION,
        Section.FEELINGS,
        Section.EVALUATION,
        Section.ANALYSIS,
        Section.CONCLUSION,
        Section.ACTION_PLAN,
    ]
    three = catalog.program("what-so-what")
    parts = [step.sections[1] for step in three.steps]
    assert list(dict.fromkeys(parts)) == [Section.WHAT, Section.SO_WHAT, Section.NOW_WHAT]
    for program in (gibbs, three):
        assert program.steps[-1].is_action or program.steps[-2].is_action, program.id
        assert all(step.kind is StepKind.TEXT for step in program.steps), program.id


def test_program_concepts_are_cards(catalog: Catalog) -> None:
    for program in catalog.programs.values():
        for slug in program.concepts:
            assert slug in catalog.concepts, (program.id, slug)


def test_checkin_has_the_digest_steps(catalog: Catalog) -> None:
    checkin = catalog.program("post-session-checkin")
    kinds = {step.id: step.kind for step in checkin.steps}
    for step_id in ("bond", "goals", "tasks", "overall", "client_rating"):
        assert kinds[step_id] is StepKind.RATING, step_id
        assert checkin.step(step_id).when is None
    rupture = checkin.step("rupture")
    assert rupture.kind is StepKind.CHOICE and rupture.when is None
    assert rupture.option_ids == ("none", "withdrawal", "confrontation", "unsure")

    order = checkin.step_ids
    assert order[:5] == ("bond", "goals", "tasks", "overall", "rupture")
    assert order.index("client_rating") > order.index("rupture")
    last = checkin.steps[-1]
    assert last.kind is StepKind.TEXT and last.optional

    conditional = [step for step in checkin.steps if step.when is not None]
    assert conditional, "the check-in asks more when a rupture was reported"
    for step in conditional:
        assert step.when is not None and step.when.step in ("rupture", "client_asked")
        if step.when.step == "rupture":
            assert step.when.in_ is not None and "none" not in step.when.in_

    unconditional = [step for step in checkin.steps if step.when is None]
    assert checkin.duration_minutes <= 4 and len(unconditional) <= 8


def test_rupture_repair_offers_the_articles_options_to_pick_from(catalog: Catalog) -> None:
    """All of the Article's options, the client's contribution included, each skippable."""
    program = catalog.program("rupture-repair")
    first = program.steps[0]
    assert first.kind is StepKind.CHOICE and "rupture" in first.question.lower()
    assert {"withdrawal", "confrontation"} <= set(first.option_ids)
    assert "option" in program.intro.lower() and "skip" in program.intro.lower()

    moves = [
        ("listen",),
        ("your part",),
        ("feel about the therapy", "how they feel"),
        ("client's side of the impasse", "client bring", "client have brought"),
        ("outside therapy", "outside the room"),
        ("formulation", "conceptualisation"),
    ]
    positions = []
    for keywords in moves:
        found = [
            i
            for i, step in enumerate(program.steps)
            if any(k in step.question.lower() for k in keywords)
        ]
        assert found, keywords
        assert program.steps[found[0]].optional, keywords
        positions.append(found[0])
    assert positions == sorted(positions), "the options come in the Article's order"


def test_two_relationships_asks_the_same_questions_twice(catalog: Catalog) -> None:
    program = catalog.program("two-relationships")
    ids = program.step_ids
    topics = ("picture", "self", "feel", "needs", "wanting")
    for topic in topics:
        distant, close = program.step(f"distant_{topic}"), program.step(f"close_{topic}")
        assert distant.kind is close.kind is StepKind.TEXT
        assert ids.index(f"distant_{topic}") < ids.index(f"close_{topic}")
    tail = [step.question.lower() for step in program.steps[-2:]]
    assert "need" in tail[0] and "client" in tail[1]


def test_rogers_conditions_asks_one_question_per_condition(catalog: Catalog) -> None:
    program = catalog.program("rogers-conditions")
    conditions = {
        "contact": "contact",
        "incongruence": "incongruence",
        "congruence": "congruence",
        "regard": "positive regard",
        "empathy": "empathic",
        "perceived": "sensed",
    }
    for step_id, keyword in conditions.items():
        assert keyword in program.step(step_id).question.lower(), step_id


def test_checkin_asks_for_the_clients_own_view(catalog: Catalog) -> None:
    """Yes: what they said and an optional score; no: a gentle, skippable nudge."""
    checkin = catalog.program("post-session-checkin")
    asked = checkin.step("client_asked")
    assert asked.kind is StepKind.CHOICE and asked.when is None
    assert asked.option_ids == ("yes", "no")
    order = checkin.step_ids
    assert order.index("client_rating") < order.index("client_asked")

    said, reported, nudge = (
        checkin.step(s) for s in ("client_said", "client_reported", "client_next_time")
    )
    assert said.kind is StepKind.TEXT and not said.optional
    assert reported.kind is StepKind.RATING and reported.optional
    for step in (said, reported):
        assert step.when is not None and step.when.in_ == ("yes",)
    assert nudge.optional and nudge.when is not None and nudge.when.in_ == ("no",)
    assert "next time" in nudge.question.lower()


def test_two_relationships_asks_for_few_required_answers(catalog: Catalog) -> None:
    program = catalog.program("two-relationships")
    required = [s for s in program.steps if s.kind is StepKind.TEXT and not s.optional]
    assert len(required) <= 8
    for who in ("distant_who", "close_who"):
        step = program.step(who)
        assert step.optional and "no need to name" in step.question.lower()


def test_support_is_offered_where_feelings_run_high(catalog: Catalog) -> None:
    """A still-strong feeling, one's attachment history, a rupture that shook: skippable
    steps marked for the support offer."""
    marked = {
        (program.id, step.id): step
        for program in catalog.programs.values()
        for step in program.steps
        if step.offers_support
    }
    assert set(marked) == {
        ("affect-labeling", "support"),
        ("secure-base", "familiar"),
        ("rupture-repair", "shaken_care"),
    }
    assert all(step.optional for step in marked.values())
    strong = marked[("affect-labeling", "support")].when
    assert strong is not None and strong.at_least == 4


def test_corrected_wording_of_the_review_of_issue_16(catalog: Catalog) -> None:
    """Points a clinical and research review asked to put right stay put right."""
    card = catalog.concept
    assert "self-disclosure" in card("congruence").summary
    assert "moderate" in card("alliance-evidence").summary
    assert "Siegel defines parental sensitivity" in card("sensitive-responsiveness").summary
    assert "timely" in card("sensitive-responsiveness").summary
    assert "without delay" not in card("sensitive-responsiveness").in_the_room
    assert "inborn" in card("affect-regulation").summary
    assert "first sessions" not in card("therapeutic-alliance").summary
    assert "Bordin" in card("alliance-in-humanistic-therapy").summary
    assert "here-and-now" in card("alliance-in-cbt").summary
    assert "not directly related" in card("mirror-neurons").summary
    assert "contested" in (card("mirror-neurons").caveat or "")
    assert "indirectly" in card("empathy-attachment-alliance").summary
    for slug in ("empathy-attachment-alliance", "prefrontal-cortex", "mirror-neurons"):
        assert "own inference" in (card(slug).caveat or ""), slug
    common = card("common-factors").caveat or ""
    assert "Johnsen & Friborg" in common and "rough estimates" in common
    rupture = card("rupture-and-repair").summary
    assert "what the client brings to the impasse" in rupture and "Safran" in rupture
    for slug in (
        "secure-base",
        "therapist-attachment-history",
        "affect-labeling",
        "limbic-system",
        "empathy",
        "internal-working-model",
        "sensitive-responsiveness",
    ):
        assert any(ref.references for ref in card(slug).sources), slug

    regard = catalog.program("rogers-conditions").step("regard")
    assert "how fully" in regard.question.lower()
    assert (regard.low_label, regard.high_label) == ("Hardly at all", "Completely")
    bond = catalog.program("post-session-checkin").step("bond").question
    assert "you and your client" not in bond
    held = catalog.program("empathy-attunement").step("named_not").question
    assert "held you back" not in held
    body = catalog.program("empathy-attunement").step("own_body")
    assert body.optional and "nothing" in (body.hint or "")


def test_every_concept_without_a_program_before_has_one_now(catalog: Catalog) -> None:
    """Transference, the evidence and the common factors are exercised by a program."""
    for slug in ("transference", "alliance-evidence", "common-factors"):
        assert catalog.programs_for(slug), slug
    secure = catalog.program("secure-base")
    assert "countertransference" in (secure.step("transference").hint or "").lower()
    assert secure.step("early_trust").when is not None
    assert catalog.program("rogers-conditions").step("power").optional


def test_a_card_names_its_outside_sources(catalog: Catalog) -> None:
    """The card a clinician opens shows the outside work beside the two documents."""
    card = concept_card(catalog, catalog.concept("rupture-and-repair"))
    assert "Safran &amp; Muran, 2000" in card
    assert "Negotiating the Therapeutic Alliance" in card
    assert "outside the two source documents" in card
    humanistic = catalog.concept("alliance-in-humanistic-therapy")
    assert "Bordin, 1979" in concept_card(catalog, humanistic)
