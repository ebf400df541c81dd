"""Reflective accounts as a Word document (.docx, made with python-docx): a title, where the
headings come from, then one Heading 1 per account and one Heading 2 per heading of the
body's form, each answer's question in bold above the clinician's words.

Years of accounts are tens of thousands of paragraphs: python-docx's per-paragraph API looks
styles up by name each time, and moving a parsed body into its tree costs lxml a pass over
every node (≈ 0.3 s for five years, a third of the P4 budget). So python-docx makes the
package (styles, settings, core properties: title, and an author only when the clinician
allows their name) and the body is written as WordprocessingML text, every value escaped,
into its document part. Tests read the result back with python-docx. Characters XML 1.0
cannot carry become U+FFFD, as the Markdown export does with what Telegram cannot show.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

from reflect_bot.domain.portfolio import Account, Evidence
from reflect_bot.render import evidence as words
from reflect_bot.ui import texts

__all__ = ["EXTENSION", "MEDIA_TYPE", "NAME", "render"]

NAME = "docx"
EXTENSION = "docx"
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DOCUMENT_PART = "word/document.xml"
_BODY_OPENING = re.compile(r"<w:body\s*>")


def render(evidence: Evidence) -> bytes:
    """The whole document as .docx bytes."""
    # Imported here: the bot process pays for python-docx and lxml only when one is made.
    from docx import Document

    document = Document()
    properties = document.core_properties
    properties.title = words.title(evidence)
    # python-docx's template names itself as author; the clinician's name only if allowed.
    properties.author = evidence.journal.author or ""
    properties.last_modified_by = ""
    properties.comments = ""
    template = io.BytesIO()
    document.save(template)

    paragraphs = [_paragraph(words.title(evidence), style="Title")]
    paragraphs += [_paragraph(line) for line in words.shape_lines(evidence)]
    for number, account in enumerate(evidence.accounts, start=1):
        paragraphs += _account(evidence, account, number)
    return _with_body(template.getvalue(), "".join(paragraphs))


def _with_body(package: bytes, paragraphs: str) -> bytes:
    """The package with `paragraphs` at the start of its (empty) body, before the section
    properties that must stay last; every other part is copied as python-docx wrote it."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename == _DOCUMENT_PART:
                xml = data.decode("utf-8")
                opening = _BODY_OPENING.search(xml)
                if opening is None:  # pragma: no cover - python-docx's template has a body
                    raise ValueError("the template's document has no body")
                at = opening.end()
                data = (xml[:at] + paragraphs + xml[at:]).encode("utf-8")
            target.writestr(item, data)
    return out.getvalue()


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
