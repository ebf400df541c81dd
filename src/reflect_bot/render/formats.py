"""Which formats reflective accounts come in, found by name (jrnl's exporter registry).

Each format is one module of `render/` that names itself (`NAME`), its file extension and
media type, and renders `Evidence` to bytes. Adding a format is adding a module and a line
here; the export handler never branches on formats. The CPD log has one format, CSV
(`render.cpd_csv`); the plain journal stays Markdown (`render.markdown`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from reflect_bot.domain.export import ExportFormat
from reflect_bot.domain.portfolio import Evidence
from reflect_bot.render import evidence_docx, evidence_markdown

__all__ = ["EVIDENCE_FORMATS", "EvidenceFormat", "evidence_format"]


class EvidenceFormat(Protocol):
    NAME: str
    EXTENSION: str
    MEDIA_TYPE: str

    def render(self, evidence: Evidence) -> bytes: ...


EVIDENCE_FORMATS: Mapping[str, EvidenceFormat] = {
    evidence_markdown.NAME: evidence_markdown,
    evidence_docx.NAME: evidence_docx,
}


def evidence_format(format: ExportFormat) -> EvidenceFormat:
    """The module that renders accounts in `format` (KeyError: not an evidence format)."""
    return EVIDENCE_FORMATS[format.value]
