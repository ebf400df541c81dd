"""The supervision brief as a Markdown file: one section per marked reflection, with the
clinician's own words quoted, their ratings and any rupture, and room for their questions.
Escaped like the journal export, so whatever they typed renders as typed."""

from __future__ import annotations

from reflect_bot.domain.supervision import Brief, BriefItem
from reflect_bot.render.markdown import escape_inline, escape_text
from reflect_bot.ui import texts
from reflect_bot.ui.supervision import rating_name


def render_brief(brief: Brief) -> str:
    blocks = [f"# {escape_inline(texts.BRIEF_DOC_TITLE)}"]
    if brief.since is not None:
        blocks.append(escape_inline(texts.BRIEF_DOC_SINCE.format(day=brief.since.isoformat())))
    blocks += [_item(item) for item in brief.items]
    blocks.append(f"## {escape_inline(texts.BRIEF_DOC_ASK)}")
    blocks.append("- \n- \n- ")
    return "\n\n".join(blocks) + "\n"


def _item(item: BriefItem) -> str:
    heading = f"{item.day.isoformat()} · {item.program_title}"
    parts = [f"## {escape_inline(heading)}"]
    if item.sentences:
        parts.append(f"*{escape_inline(texts.BRIEF_DOC_IN_MY_WORDS)}*")
        for sentence in item.sentences:
            parts.append(f"> {escape_text(sentence)}")
    if item.ratings:
        lines = [
            f"- {escape_inline(texts.BRIEF_RATING.format(name=rating_name(r), rating=r.rating))}"
            for r in item.ratings
        ]
        parts.append(escape_inline(texts.BRIEF_DOC_RATINGS) + "\n\n" + "\n".join(lines))
    if item.rupture:
        parts.append(escape_inline(texts.BRIEF_DOC_RUPTURE.format(rupture=item.rupture)))
    return "\n\n".join(parts)
