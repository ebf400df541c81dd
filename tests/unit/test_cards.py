"""Every concept card is one valid Telegram HTML message; its links fit Telegram's limits."""

import re

import pytest

from reflect_bot.catalog import Catalog, default_prompts_dir, load_catalog
from reflect_bot.emulator import MAX_TEXT_LENGTH, parse_html
from reflect_bot.render.cards import concept_card, concept_index, program_list
from reflect_bot.ui.callbacks import ReflectOnConcept, ShowConcept, concept_start


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(default_prompts_dir())


def test_every_card_is_valid_html_within_one_message(catalog: Catalog) -> None:
    for concept in catalog.concepts.values():
        parsed = parse_html(concept_card(catalog, concept))
        assert len(parsed.text) <= MAX_TEXT_LENGTH, concept.slug
        assert concept.name in parsed.text
        for ref in concept.sources:
            assert ref.section in parsed.text


def test_index_and_program_list_are_valid_html(catalog: Catalog) -> None:
    for html in (concept_index(catalog), program_list(list(catalog.programs.values()))):
        assert len(parse_html(html).text) <= MAX_TEXT_LENGTH


def test_callback_data_and_deep_links_fit_telegram_limits(catalog: Catalog) -> None:
    for slug in catalog.concepts:
        assert len(ReflectOnConcept(slug).encode().encode()) <= 64
        assert len(ShowConcept(slug).encode().encode()) <= 64
        # start parameters: up to 64 characters of A-Z, a-z, 0-9, _ and -
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", concept_start(slug))
