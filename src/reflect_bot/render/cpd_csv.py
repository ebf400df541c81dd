"""The CPD log as CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheet programs read
the accents): date, kind, minutes, title, one row per reflection or logged activity.

A title is the clinician's words: a cell starting with = + - @ (or a tab or carriage return)
would be run as a formula by spreadsheet programs, so such a title gets a leading apostrophe,
the usual guard against CSV injection.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from reflect_bot.domain.cpd import CpdEntry
from reflect_bot.ui import texts

__all__ = ["EXTENSION", "HEADER", "MEDIA_TYPE", "NAME", "render"]

NAME = "csv"
EXTENSION = "csv"
MEDIA_TYPE = "text/csv"
HEADER = ("date", "kind", "minutes", "title")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render(log: Sequence[CpdEntry]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for line in log:
        writer.writerow(
            (
                line.day.isoformat(),
                texts.CPD_KIND_NAMES[line.kind.value],
                line.minutes,
                _cell(line.title),
            )
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text
