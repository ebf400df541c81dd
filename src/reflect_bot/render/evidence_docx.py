"""Reflective accounts as a Word document (.docx, made with python-docx): a title, where the
headings come from, then one Heading 1 per account and one Heading 2 per heading of the
body's form, each answer's question in bold above the clinician's words.

Years of accounts are tens of thousands of paragraphs, and python-docx's per-paragraph API
looks styles up by name each time; so the body is written as WordprocessingML text (every
value escaped) and parsed once into python-docx's document, which keeps the package, the
styles and the saving. Characters XML 1.0 cannot carry become U+FFFD, as the Markdown
export does with what Telegram cannot show.
"""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

from reflect_bot.domain.portfolio import Account, Evidence
from reflect_bot.render import evidence as words
from reflect_bot.ui import texts

__all__ = ["EXTENSION", "MEDIA_TYPE", "NAME", "render"]

NAME = "docx"
EXTENSION = "docx"
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def render(evidence: Evidence) -> bytes:
    """The whole document as .docx bytes."""
    # Imported here: the bot process pays for python-docx and lxml only when one is made.
    from docx import Document
    from docx.oxml import parse_xml

    document = Document()
    properties = document.core_properties
    properties.title = words.title(evidence)
    # python-docx's template names itself as author; the clinician's name only if allowed.
    properties.author = evidence.journal.author or ""
    properties.last_modified_by = ""
    properties.comments = ""

    paragraphs = [_paragraph(words.title(evidence), style="Title")]
    paragraphs += [_paragraph(line) for line in words.shape_lines(evidence)]
    for number, account in enumerate(evidence.accounts, start=1):
        paragraphs += _account(evidence, account, number)
    fragment = parse_xml(f'<w:body xmlns:w="{_W}">{"".join(paragraphs)}</w:body>')
    body = document.element.body
    section = body.sectPr  # the section properties must stay the body's last child
    for paragraph in list(fragment):
        if section is not None:
            section.addprevious(paragraph)
        else:  # pragma: no cover - python-docx's template always has one
            body.append(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _account(evidence: Evidence, account: Account, number: int) -> list[str]:
    out = [
        _paragraph(words.account_title(account, number), style="Heading1"),
        _paragraph(words.time_spent(account.entry), italic=True),
    ]
    for part in account.parts:
        out.append(_paragraph(part.title, style="Heading2"))
        if part.choice_id is not None:
            if part.chosen:
                out.append(_paragraph("; ".join(part.chosen)))
            else:
                out.append(_paragraph(words.not_chosen_text(evidence, part.choice_id), italic=True))
        for answer in part.answers:
            out.append(_paragraph(words.question_text(answer), bold=True))
            out.append(_paragraph(words.answer_text(answer)))
        if part.choice_id is None and not part.answers:
            out.append(_paragraph(texts.EVIDENCE_DOC_NOTHING, italic=True))
    lacks = words.lacks_line(account)
    if lacks is not None:
        out.append(_paragraph(lacks, italic=True))
    return out


def _paragraph(
    text: str, *, style: str | None = None, bold: bool = False, italic: bool = False
) -> str:
    properties = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    run_properties = ""
    if bold or italic:
        run_properties = "<w:rPr>" + ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
        run_properties += "</w:rPr>"
    lines = _NOT_XML.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    content = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in lines)
    return f"<w:p>{properties}<w:r>{run_properties}{content}</w:r></w:p>"
