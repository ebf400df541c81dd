"""What the portfolio commands say and show: the profile chooser, the buttons under an
export, identifying answers to fix before evidence goes out, captions, and /cpd.

Everything the clinician wrote (a CPD title, a question snapshot) is HTML-escaped here.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Protocol

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from reflect_bot.catalog import Catalog
from reflect_bot.catalog.profiles import EvidenceChoice, Profile
from reflect_bot.domain.cpd import CpdProblem, CpdProgress, LoggedActivity
from reflect_bot.domain.export import ExportFormat
from reflect_bot.domain.portfolio import Account, Evidence, FlaggedAnswer, Gap, GapKind
from reflect_bot.ui import texts
from reflect_bot.ui.callbacks import (
    AskChoice,
    ChoiceDone,
    ChooseProfile,
    ExportAs,
    ListProfiles,
    PickOption,
)

__all__ = [
    "CPD_TARGET",
    "choice_keyboard",
    "choice_saved_text",
    "choice_text",
    "cpd_caption",
    "cpd_keyboard",
    "cpd_problem_text",
    "cpd_text",
    "evidence_caption",
    "export_keyboard",
    "flagged_text",
    "format_not_offered_text",
    "gaps_text",
    "logged_text",
    "missing_choices_text",
    "profile_keyboard",
    "profile_set_text",
    "profile_text",
    "unknown_profile_text",
]

#: The export target of the CPD log in `ExportAs`.
CPD_TARGET = "cpd"
#: At most this many accounts are listed in /cpd per group; the rest are counted.
LISTED_ACCOUNTS = 5
_QUOTED_LIMIT = 80


# --------------------------------------------------------------------------- the profile


def profile_text(profile: Profile | None, *, offer: bool = False) -> str:
    if offer:
        return texts.PROFILE_ASK
    if profile is None:
        return texts.PROFILE_NONE_YET
    return texts.PROFILE_CURRENT.format(
        label=html.escape(profile.label), body=html.escape(profile.body)
    )


def profile_keyboard(catalog: Catalog) -> InlineKeyboardMarkup:
    """One button per profile, two to a row, then "none"."""
    buttons = [
        InlineKeyboardButton(profile.label, callback_data=ChooseProfile(profile.id).encode())
        for profile in catalog.profiles.values()
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [
            InlineKeyboardButton(
                texts.PROFILE_BUTTON_NONE, callback_data=ChooseProfile(None).encode()
            )
        ]
    )
    return InlineKeyboardMarkup(rows)


def profile_set_text(profile: Profile | None) -> str:
    if profile is None:
        return texts.PROFILE_CLEARED
    return texts.PROFILE_SET.format(label=html.escape(profile.label), profile_id=profile.id)


def unknown_profile_text(catalog: Catalog) -> str:
    known = "\n".join(
        f"<code>{html.escape(p.id)}</code> — {html.escape(p.label)}"
        for p in catalog.profiles.values()
    )
    return texts.PROFILE_UNKNOWN.format(known=known)


# --------------------------------------------------------------------------- export


def export_keyboard(profile: Profile | None) -> InlineKeyboardMarkup:
    """Under the exported journal: the clinician's profile as Word and Markdown, the CPD
    log as CSV, and (without a profile) a way to choose one."""
    rows = []
    if profile is not None:
        rows.append(
            [
                _export_button(profile, ExportFormat.DOCX),
                _export_button(profile, ExportFormat.MARKDOWN),
            ]
        )
    cpd = ExportAs(CPD_TARGET, ExportFormat.CSV.value).encode()
    rows.append([InlineKeyboardButton(texts.EXPORT_CPD_BUTTON, callback_data=cpd)])
    if profile is None:
        choose = ListProfiles().encode()
        rows.append([InlineKeyboardButton(texts.EXPORT_PROFILE_BUTTON, callback_data=choose)])
    return InlineKeyboardMarkup(rows)


def _export_button(profile: Profile, format: ExportFormat) -> InlineKeyboardButton:
    label = texts.EXPORT_AS_BUTTON.format(
        label=profile.label, format=texts.EXPORT_FORMAT_NAMES[format.value]
    )
    return InlineKeyboardButton(label, callback_data=ExportAs(profile.id, format.value).encode())


def format_not_offered_text(typed: str) -> str:
    return texts.EXPORT_FORMAT_NOT_OFFERED.format(typed=html.escape(typed[:_QUOTED_LIMIT]))


def flagged_text(flagged: Sequence[FlaggedAnswer], *, kinds: dict[str, str]) -> str:
    """The answers to look at before uploading; `kinds` names each kind of detail."""
    entries = "\n".join(
        texts.EXPORT_FLAGGED_ENTRY.format(
            when=f"{item.entry.started:%Y-%m-%d %H:%M}",
            title=html.escape(item.entry.program_title),
            question=html.escape(_shortened(item.question)),
            found=", ".join(kinds.get(kind.value, kind.value) for kind in item.found),
        )
        for item in flagged
    )
    return texts.EXPORT_FLAGGED.format(entries=entries)


def _shortened(text: str) -> str:
    return text if len(text) <= _QUOTED_LIMIT else text[: _QUOTED_LIMIT - 1] + "…"


def missing_choices_text(evidence: Evidence) -> str | None:
    """How many accounts still lack each of the body's choices (None: none lacks one)."""
    lines = []
    for heading in evidence.profile.headings:
        if heading.choice is None:
            continue
        count = sum(
            1
            for account in evidence.accounts
            for part in account.parts
            if part.heading_id == heading.id and not part.chosen
        )
        if count:
            lines.append(
                texts.EXPORT_CHOICES_MISSING.format(count=count, heading=html.escape(heading.title))
            )
    return "\n".join(lines) or None


def evidence_caption(evidence: Evidence) -> str:
    count = len(evidence.accounts)
    reflections = (
        texts.EXPORT_ONE_REFLECTION if count == 1 else texts.EXPORT_REFLECTIONS.format(count=count)
    )
    journal = evidence.journal
    return texts.EXPORT_EVIDENCE_CAPTION.format(
        label=html.escape(evidence.profile.label),
        start=journal.start.isoformat(),
        end=journal.end.isoformat(),
        reflections=reflections,
    )


def cpd_caption(*, start: str, end: str, minutes: int, count: int) -> str:
    return texts.EXPORT_CPD_CAPTION.format(start=start, end=end, minutes=minutes, count=count)


# --------------------------------------------------------------------------- /cpd


def cpd_problem_text(problem: CpdProblem) -> str:
    lead = {
        CpdProblem.KIND: texts.CPD_PROBLEM_KIND,
        CpdProblem.MINUTES: texts.CPD_PROBLEM_MINUTES,
        CpdProblem.TITLE: texts.CPD_PROBLEM_TITLE,
    }.get(problem, "")
    return lead + texts.CPD_USAGE


def logged_text(activity: LoggedActivity) -> str:
    return texts.CPD_ADDED.format(
        kind=texts.CPD_KIND_NAMES[activity.kind],
        minutes=activity.minutes,
        title=html.escape(activity.title),
        day=activity.done_on.isoformat(),
    )


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def _years(count: int, *, last: bool = False) -> str:
    if count == 1:
        return texts.CPD_LAST_YEAR if last else texts.CPD_ONE_YEAR
    return texts.CPD_YEARS.format(count=count)


def cpd_text(
    progress: CpdProgress,
    profile: Profile | None,
    *,
    ready: Sequence[Account],
    lacking: Sequence[Account],
) -> str:
    """/cpd: minutes this period (per kind), against the profile's requirement with its
    source, and which reflections are ready to become accounts or what each lacks."""
    lines = [
        texts.CPD_HEADER.format(since=progress.since.isoformat(), until=progress.until.isoformat()),
        texts.CPD_TOTAL.format(minutes=progress.minutes, hours=_hours(progress.minutes)),
    ]
    lines += [
        texts.CPD_BY_KIND.format(kind=texts.CPD_KIND_NAMES[kind.value], minutes=minutes)
        for kind, minutes in progress.by_kind
    ]
    lines.append("")
    if profile is None:
        lines.append(texts.CPD_NO_PROFILE)
    else:
        lines += _requirement_lines(progress, profile)
        lines += ["", texts.CPD_READY_HEADER.format(label=html.escape(profile.label))]
        lines += _accounts(ready, with_gaps=False) or [texts.CPD_READY_NONE]
        if lacking:
            lines += ["", texts.CPD_NEEDS_HEADER, *_accounts(lacking, with_gaps=True)]
    lines += ["", texts.CPD_EXPORT_HINT]
    return "\n".join(lines)


def _requirement_lines(progress: CpdProgress, profile: Profile) -> list[str]:
    requirement = profile.cpd
    label = html.escape(profile.label)
    if requirement is None:
        return [
            texts.CPD_NO_REQUIREMENT.format(label=label, note=html.escape(profile.cpd_note or ""))
        ]
    remaining = progress.remaining or 0
    template = texts.CPD_REQUIREMENT if remaining else texts.CPD_REQUIREMENT_MET
    lines = [
        template.format(
            label=label,
            required=requirement.minutes,
            required_hours=_hours(requirement.minutes),
            years=_years(requirement.years),
            remaining=remaining,
        )
    ]
    if requirement.of_kind is not None and requirement.of_kind_minutes is not None:
        lines.append(
            texts.CPD_PART.format(
                kind=texts.CPD_KIND_NAMES[requirement.of_kind.value].lower(),
                minutes=progress.of_kind_minutes,
                required=requirement.of_kind_minutes,
            )
        )
    link = f'<a href="{html.escape(profile.guidance_url)}">{html.escape(profile.document)}</a>'
    lines.append(texts.CPD_SOURCE.format(source=html.escape(requirement.source), link=link))
    lines.append(texts.CPD_CHECK_RULES.format(years=_years(requirement.years, last=True)))
    return lines


def gaps_text(gaps: tuple[Gap, ...]) -> str:
    """What an account still lacks, as one phrase list ("finish the reflection; …")."""
    words = []
    for gap in gaps:
        if gap.kind is GapKind.UNFINISHED:
            words.append(texts.EVIDENCE_GAP_UNFINISHED)
        elif gap.kind is GapKind.CHOICE:
            words.append(texts.EVIDENCE_GAP_CHOICE.format(heading=gap.heading))
        else:
            words.append(texts.EVIDENCE_GAP_HEADING.format(heading=gap.heading))
    return "; ".join(words)


def _accounts(accounts: Sequence[Account], *, with_gaps: bool) -> list[str]:
    lines = []
    for account in accounts[:LISTED_ACCOUNTS]:
        entry = account.entry
        when = f"{entry.started:%Y-%m-%d}"
        title = html.escape(entry.program_title)
        if with_gaps:
            gaps = html.escape(gaps_text(account.lacks))
            lines.append(texts.CPD_ENTRY_LACKS.format(when=when, title=title, gaps=gaps))
        else:
            lines.append(texts.CPD_ENTRY.format(when=when, title=title))
    if len(accounts) > LISTED_ACCOUNTS:
        lines.append(texts.CPD_MORE.format(count=len(accounts) - LISTED_ACCOUNTS))
    return lines


def cpd_keyboard(lacking: Sequence[Account]) -> InlineKeyboardMarkup | None:
    """A button for each listed account that lacks a choice, to make it now."""
    rows = []
    for account in lacking[:LISTED_ACCOUNTS]:
        entry = account.entry
        for gap in account.lacks:
            if gap.kind is not GapKind.CHOICE or gap.choice_id is None:
                continue
            label = texts.CPD_CHOICE_BUTTON.format(
                heading=_shortened(gap.heading or ""),
                when=f"{entry.started:%Y-%m-%d}",
                title=entry.program_title,
            )
            data = AskChoice(entry.reflection_id, gap.choice_id).encode()
            rows.append([InlineKeyboardButton(label, callback_data=data)])
    return InlineKeyboardMarkup(rows) if rows else None


class _Asked(Protocol):
    """What the choice flow hands over (flows.portfolio.ChoiceAsked)."""

    @property
    def choice(self) -> EvidenceChoice: ...
    @property
    def reflection_id(self) -> int: ...
    @property
    def program_title(self) -> str: ...
    @property
    def picked(self) -> tuple[str, ...]: ...


def choice_text(asked: _Asked) -> str:
    text = texts.CHOICE_ASK.format(
        title=html.escape(asked.program_title), question=html.escape(asked.choice.question)
    )
    if asked.choice.several:
        text += "\n" + texts.CHOICE_SEVERAL_HINT
    return text


def choice_keyboard(asked: _Asked) -> InlineKeyboardMarkup:
    rows = []
    for option in asked.choice.options:
        label = option.label
        if option.id in asked.picked:
            label = texts.CHOICE_PICKED.format(label=label)
        data = PickOption(asked.reflection_id, asked.choice.id, option.id).encode()
        rows.append([InlineKeyboardButton(label, callback_data=data)])
    if asked.choice.several:
        done = ChoiceDone(asked.reflection_id, asked.choice.id).encode()
        rows.append([InlineKeyboardButton(texts.CHOICE_DONE_BUTTON, callback_data=done)])
    return InlineKeyboardMarkup(rows)


def choice_saved_text(asked: _Asked) -> str:
    labels = asked.choice.labels(asked.picked)
    if not labels:
        return texts.CHOICE_NONE_SAVED
    return texts.CHOICE_SAVED.format(labels=html.escape("; ".join(labels)))
