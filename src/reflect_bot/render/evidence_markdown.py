"""Reflective accounts as Markdown: one section per account, one sub-heading per heading of
the body's form, each answer under its question. Escaped like the journal (render.markdown),
so whatever the clinician typed stays literal."""

from __future__ import annotations

from reflect_bot.domain.portfolio import Account, Evidence
from reflect_bot.render import evidence as words
from reflect_bot.render.markdown import escape_inline, escape_text
from reflect_bot.ui import texts

__all__ = ["EXTENSION", "MEDIA_TYPE", "NAME", "render"]

NAME = "md"
EXTENSION = "md"
MEDIA_TYPE = "text/markdown"


def render(evidence: Evidence) -> bytes:
    """The whole document, UTF-8."""
    blocks = [f"# {escape_inline(words.title(evidence))}"]
    blocks += [escape_text(line) for line in words.shape_lines(evidence)]
    for number, account in enumerate(evidence.accounts, start=1):
        blocks.append(_account(evidence, account, number))
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


def _account(evidence: Evidence, account: Account, number: int) -> str:
    parts = [
        f"## {escape_inline(words.account_title(account, number))}",
        escape_inline(words.time_spent(account.entry)),
    ]
    for part in account.parts:
        parts.append(f"### {escape_inline(part.title)}")
        if part.choice_id is not None:
            shown = "; ".join(part.chosen) or words.not_chosen_text(evidence, part.choice_id)
            parts.append(escape_inline(shown) if part.chosen else f"*{escape_inline(shown)}*")
        for answer in part.answers:
            parts.append(f"**{escape_inline(words.question_text(answer))}**")
            parts.append(escape_text(words.answer_text(answer)))
        if part.choice_id is None and not part.answers:
            parts.append(f"*{escape_inline(texts.EVIDENCE_DOC_NOTHING)}*")
    lacks = words.lacks_line(account)
    if lacks is not None:
        parts.append(f"*{escape_inline(lacks)}*")
    return "\n\n".join(parts)
