"""/concepts, concept cards (buttons and t.me deep links) and /programs."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.handlers.reflections import start_reflection
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.bot.preamble import for_button
from reflect_bot.catalog import Catalog, Concept
from reflect_bot.render.cards import concept_card, concept_index, program_list
from reflect_bot.ui import texts
from reflect_bot.ui.callback_data import pattern
from reflect_bot.ui.callbacks import (
    CONCEPT,
    CONCEPT_REFLECT,
    CONCEPT_START_PREFIX,
    ReflectOnConcept,
    ShowConcept,
    decode_concept,
)


def _rows(
    buttons: list[InlineKeyboardButton], per_row: int = 2
) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def _card_keyboard(catalog: Catalog, concept: Concept) -> InlineKeyboardMarkup:
    related = [
        InlineKeyboardButton(catalog.concept(slug).name, callback_data=ShowConcept(slug).encode())
        for slug in concept.related
        if slug in catalog.concepts
    ]
    rows = _rows(related)
    if catalog.programs_for(concept.slug):
        rows.append(
            [
                InlineKeyboardButton(
                    texts.REFLECT_ON_THIS, callback_data=ReflectOnConcept(concept.slug).encode()
                )
            ]
        )
    return InlineKeyboardMarkup(rows)


async def show_index(update: Update, context: ReflectContext) -> None:
    """/concepts: every card as a button, grouped by category."""
    catalog = services_of(context).catalog
    buttons = [
        InlineKeyboardButton(concept.name, callback_data=ShowConcept(concept.slug).encode())
        for concepts in catalog.concepts_by_category().values()
        for concept in concepts
    ]
    await reply(
        update, context, concept_index(catalog), keyboard=InlineKeyboardMarkup(_rows(buttons))
    )


async def show_card(update: Update, context: ReflectContext, slug: str) -> None:
    """Sends one concept card with its related cards and a way to reflect on it."""
    catalog = services_of(context).catalog
    concept = catalog.concepts.get(slug)
    if concept is None:
        await reply(update, context, texts.CONCEPT_NOT_FOUND)
        return
    await reply(
        update, context, concept_card(catalog, concept), keyboard=_card_keyboard(catalog, concept)
    )


@for_button
async def card_button(
    update: Update, context: ReflectContext, query: CallbackQuery, data: str
) -> None:
    """A concept button was pressed (from /concepts, a card, a reflection or a digest)."""
    await query.answer()
    pressed = decode_concept(data)
    # Data this bot never made names no card: "not found", like a retired slug.
    await show_card(update, context, pressed.slug if isinstance(pressed, ShowConcept) else "")


def deep_link_slug(payload: str) -> str | None:
    """The concept slug of a /start payload such as "c-secure-base", else None ("c-" alone
    names the empty slug, which no card has)."""
    if not payload.startswith(CONCEPT_START_PREFIX):
        return None
    return payload.removeprefix(CONCEPT_START_PREFIX)


@for_button
async def reflect_on(
    update: Update, context: ReflectContext, query: CallbackQuery, data: str
) -> None:
    """ "Reflect on this": starts the first program that exercises the concept."""
    await query.answer()
    clinician = await current_clinician(update, context)
    if clinician is None:
        await reply(update, context, texts.NEEDS_START)
        return
    pressed = decode_concept(data)
    if not isinstance(pressed, ReflectOnConcept):
        return
    programs = services_of(context).catalog.programs_for(pressed.slug)
    if not programs:
        return
    await start_reflection(update, context, clinician=clinician, program_id=programs[0].id)


async def show_programs(update: Update, context: ReflectContext) -> None:
    """/programs: what each program is for and how long it takes."""
    programs = list(services_of(context).catalog.programs.values())
    await reply(update, context, program_list(programs))


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("concepts", show_index, filters=private),
        CommandHandler("programs", show_programs, filters=private),
        CallbackQueryHandler(card_button, pattern=pattern(CONCEPT)),
        CallbackQueryHandler(reflect_on, pattern=pattern(CONCEPT_REFLECT)),
    ]
