"""What a clinician reads and presses during a reflection: questions, their buttons, the
program menu, the completion message and the notices around them (all HTML, catalog text
escaped like anything the clinician typed)."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from reflect_bot.catalog import Program, Step, StepKind
from reflect_bot.domain import journaling
from reflect_bot.domain.journaling import AnswerKind
from reflect_bot.ui import texts
from reflect_bot.ui.callbacks import (
    AnswerStep,
    DecideConcept,
    DiscardAndStart,
    MarkForSupervision,
    ResumeReflection,
    ShareReflection,
    ShowConcept,
    SkipStep,
    StartProgram,
    decode_suggested,
)


def start_data(program_id: str) -> str:
    """The callback data of a button that starts the program (menu, digest, follow-up)."""
    return StartProgram(program_id).encode()


# --------------------------------------------------------------------------- questions


def question_text(
    program: Program,
    step: Step,
    progress: journaling.Progress,
    *,
    opening: bool = False,
    before: str = "",
    support_offer: str | None = None,
) -> str:
    """The message that asks `step` (after `before`, e.g. a hint to tap a button), ending
    with `support_offer` (HTML, from `texts.support_offer`) when the step offers support."""
    parts = [before]
    if opening:
        parts.append(
            texts.REFLECTION_OPENING.format(
                title=html.escape(program.title), intro=html.escape(program.intro)
            )
        )
    parts.append(texts.QUESTION.format(progress=progress, question=html.escape(step.question)))
    if step.hint:
        parts.append(texts.QUESTION_HINT.format(hint=html.escape(step.hint)))
    if step.kind is StepKind.RATING and step.low_label and step.high_label:
        parts.append(
            texts.RATING_SCALE.format(
                low=html.escape(step.low_label), high=html.escape(step.high_label)
            )
        )
    if step.optional:
        parts.append(texts.OPTIONAL_QUESTION)
    if support_offer:
        parts.append("\n\n" + support_offer)
    return "".join(parts)


def question_keyboard(reflection_id: int, step: Step) -> InlineKeyboardMarkup | None:
    """Ratings 1–5 or the step's options, and Skip on an optional step; None for free text."""
    rows: list[list[InlineKeyboardButton]] = []
    if step.kind is StepKind.RATING:
        rows.append(
            [
                InlineKeyboardButton(
                    str(n), callback_data=AnswerStep(reflection_id, step.id, str(n)).encode()
                )
                for n in range(1, 6)
            ]
        )
    elif step.kind is StepKind.CHOICE:
        rows.extend(
            [
                InlineKeyboardButton(
                    o.label, callback_data=AnswerStep(reflection_id, step.id, o.id).encode()
                )
            ]
            for o in step.options
        )
    if step.optional:
        rows.append(
            [
                InlineKeyboardButton(
                    texts.SKIP_BUTTON, callback_data=SkipStep(reflection_id, step.id).encode()
                )
            ]
        )
    return InlineKeyboardMarkup(rows) if rows else None


def unreadable_hint(step: Step) -> str:
    """Said before the question again when typed text cannot answer this kind of step."""
    if step.kind is StepKind.RATING:
        return texts.TYPE_A_RATING
    if step.kind is StepKind.CHOICE:
        return texts.TYPE_A_CHOICE
    return texts.TYPE_SOME_TEXT


def welcome_back(title: str) -> str:
    return texts.WELCOME_BACK.format(title=html.escape(title))


def other_set_aside(title: str) -> str:
    return texts.OTHER_SET_ASIDE.format(title=html.escape(title))


def shown_value(step: Step | None, answer: journaling.GivenAnswer) -> str:
    """How a rating, choice or skip reads back (plain text: escape before use in HTML)."""
    if answer.kind == AnswerKind.RATING:
        return texts.RATING_SHOWN.format(rating=answer.rating)
    if answer.kind == AnswerKind.CHOICE and answer.choice is not None:
        if step is not None and answer.choice in step.option_ids:
            return step.option(answer.choice).label
        return answer.choice
    if answer.kind == AnswerKind.SKIPPED:
        return texts.SKIPPED_SHOWN
    return answer.text or ""


def answer_shown(question_html: str, step: Step, answer: journaling.GivenAnswer) -> str:
    """The answered question with the clinician's rating or choice under it."""
    value = html.escape(shown_value(step, answer))
    return question_html + texts.ANSWER_SHOWN.format(value=value)


# --------------------------------------------------------------------------- around a reflection


def set_aside_notice(reflection_id: int, title: str) -> tuple[str, InlineKeyboardMarkup]:
    """Untouched for a day, so set aside: say so, with a way to resume it."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.RESUME_BUTTON, callback_data=ResumeReflection(reflection_id).encode()
                )
            ]
        ]
    )
    return texts.SET_ASIDE_AFTER_A_DAY.format(title=html.escape(title)), keyboard


def resume_or_discard(
    reflection_id: int,
    title: str,
    answered: int,
    program: Program,
    delivery_id: int | None,
) -> tuple[str, InlineKeyboardMarkup]:
    """Another reflection is open: carry on with it, or discard it and start `program`."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.CARRY_ON_BUTTON.format(title=title),
                    callback_data=ResumeReflection(reflection_id).encode(),
                )
            ],
            [
                InlineKeyboardButton(
                    texts.DISCARD_BUTTON.format(title=program.title),
                    callback_data=DiscardAndStart(reflection_id, program.id, delivery_id).encode(),
                )
            ],
        ]
    )
    text = texts.ALREADY_OPEN.format(
        title=html.escape(title), answered=answered, new_title=html.escape(program.title)
    )
    return text, keyboard


def menu_text(programs: Iterable[Program]) -> str:
    """/reflect: what each program is for and how long it takes."""
    lines = [
        texts.REFLECT_MENU_LINE.format(
            title=html.escape(p.title), minutes=p.duration_minutes, purpose=html.escape(p.purpose)
        )
        for p in programs
    ]
    return texts.REFLECT_MENU.format(programs="\n\n".join(lines))


def menu_keyboard(programs: Iterable[Program]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.REFLECT_MENU_BUTTON.format(title=p.title, minutes=p.duration_minutes),
                    callback_data=start_data(p.id),
                )
            ]
            for p in programs
        ]
    )


def unknown_program(typed: str) -> str:
    return texts.UNKNOWN_PROGRAM.format(typed=html.escape(typed[:64]))


# --------------------------------------------------------------------------- completion


def completed_text(program: Program, seconds_spent: int) -> str:
    minutes = texts.minutes(journaling.cpd_minutes(seconds_spent))
    return (
        texts.COMPLETED.format(title=html.escape(program.title), minutes=minutes)
        + texts.COMPLETED_CONCEPTS
    )


def completion_keyboard(
    program: Program, concept_name: Callable[[str], str], reflection_id: int | None = None
) -> InlineKeyboardMarkup:
    """A button per concept the program draws on, each opening its card; then what can be
    done with the saved reflection (take it to supervision)."""
    rows = [
        [InlineKeyboardButton(concept_name(slug), callback_data=ShowConcept(slug).encode())]
        for slug in program.concepts
    ]
    if reflection_id is not None:
        rows.append(saved_reflection_row(reflection_id))
    return InlineKeyboardMarkup(rows)


def saved_reflection_row(reflection_id: int) -> list[InlineKeyboardButton]:
    """What a saved reflection's author can do with it, on completion and in /journal."""
    return [
        InlineKeyboardButton(
            texts.TAKE_TO_SUPERVISION_BUTTON,
            callback_data=MarkForSupervision(reflection_id).encode(),
        ),
        InlineKeyboardButton(
            texts.SHARE_BUTTON, callback_data=ShareReflection(reflection_id).encode()
        ),
    ]


def follow_up_offer(offered: Program, offer: str) -> tuple[str, InlineKeyboardMarkup]:
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.FOLLOW_UP_BUTTON.format(title=offered.title),
                    callback_data=start_data(offered.id),
                )
            ]
        ]
    )
    return html.escape(offer), keyboard


# --------------------------------------------------------------------------- suggested concepts


def suggestions_text(names: Iterable[str]) -> str:
    """ "This seemed to touch on: …" with the suggested cards' names."""
    return texts.SUGGESTED_CONCEPTS.format(names=", ".join(html.escape(n) for n in names))


def suggestions_keyboard(
    reflection_id: int,
    suggested: Iterable[tuple[str, str]],
    decided: Mapping[str, bool] | None = None,
) -> InlineKeyboardMarkup:
    """A row per suggested card (slug, name): Keep on the left, Remove on the right, each
    showing the clinician's decision once made (`decided`: slug → kept)."""
    decided = decided or {}
    rows = []
    for slug, name in suggested:
        kept = decided.get(slug)
        keep_label = texts.SUGGESTION_KEPT_BUTTON if kept else texts.SUGGESTION_KEEP_BUTTON
        remove_label = (
            texts.SUGGESTION_REMOVED_BUTTON if kept is False else texts.SUGGESTION_REMOVE_BUTTON
        )
        rows.append(
            [
                InlineKeyboardButton(
                    keep_label.format(name=name),
                    callback_data=DecideConcept(reflection_id, slug, True).encode(),
                ),
                InlineKeyboardButton(
                    remove_label, callback_data=DecideConcept(reflection_id, slug, False).encode()
                ),
            ]
        )
    return InlineKeyboardMarkup(rows)


def suggested_slugs(keyboard: InlineKeyboardMarkup | None) -> list[str]:
    """The cards a suggestions message offers, read back from its buttons (in order)."""
    slugs: list[str] = []
    for row in keyboard.inline_keyboard if keyboard else ():
        for button in row:
            pressed = (
                decode_suggested(button.callback_data)
                if isinstance(button.callback_data, str)
                else None
            )
            if pressed is not None and pressed.slug not in slugs:
                slugs.append(pressed.slug)
    return slugs
