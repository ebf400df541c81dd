"""Spots details in an answer that could identify a client: emails, phone numbers, record
numbers, dates of birth, and a name right after "client" or "patient".

Pure and conservative. A reflection is full of ordinary numbers (ratings, session counts,
years, times, durations), so only patterns that rarely occur in them are flagged; a missed
detail costs less here than nagging a clinician about every "4/5". Only the kinds found are
returned, never the matching text, so nothing a clinician typed can leak through a caller.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum


class IdentifyingKind(StrEnum):
    """A kind of identifying detail, in the order the bot mentions them."""

    EMAIL = "email"
    PHONE = "phone"
    RECORD_NUMBER = "record_number"
    DATE_OF_BIRTH = "date_of_birth"
    CLIENT_NAME = "client_name"


# A person is born at least this many years before a date counts as a birth date on its own.
MIN_AGE_YEARS = 10

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")

# Digits with the separators people use in phone numbers; the digit count is checked after.
_PHONE = re.compile(
    r"(?<![\w/.:-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?"
    r"\d{2,6}(?:[\s.-]\d{2,6}){1,5}(?![\w/:]|[.-]\d)"
)
_PLUS_PHONE = re.compile(r"(?<![\w+])\+\d{8,15}\b")

# A long unbroken run of digits reads as a record, case or insurance number.
_DIGIT_RUN = re.compile(r"(?<![\d.,])\d{7,}(?![\d]|[.,]\d)")
_LABELLED_NUMBER = re.compile(
    r"\b(?:MRN|NHS|ID|(?i:medical record|record|case|file|chart|hospital|insurance|policy|"
    r"member))\b\s*(?i:no\.?|nr\.?|number|num\.?|#|id)?\s*[:#]?\s*"
    r"[A-Z]{0,3}\d(?:[\s-]?\d){3,}"
)

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_NUMERIC_DATE = re.compile(
    r"(?<![\d/.-])(?:(?P<d1>\d{1,2})[/.-](?P<m1>\d{1,2})[/.-](?P<y1>(?:19|20)\d{2})"
    r"|(?P<y2>(?:19|20)\d{2})-(?P<m2>\d{1,2})-(?P<d2>\d{1,2}))(?![\d/.-]\d)"
)
_WORDED_DATE = re.compile(
    rf"(?i:\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?,?\s+(?P<y3>(?:19|20)\d{{2}})\b"
    rf"|\b{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?P<y4>(?:19|20)\d{{2}})\b)"
)
_BIRTH_WORDS = re.compile(
    r"(?i:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bborn\b|\bbirthday\b|\bbirth\s*date\b)"
)
# How far after "born"/"DOB" a date may start and still belong to it.
_BIRTH_REACH = 24
# After such words even a date with a two-digit year counts ("DOB 14/03/87").
_SHORT_DATE = re.compile(r"(?<![\d/.-])\d{1,2}[/.-]\d{1,2}[/.-]\d{2}(?![\d/.-]\d)")

# "client"/"patient" (any case) followed by a capitalised word; the word is checked after.
_CLIENT_NAME = re.compile(
    r"(?i:\b(?:client|patient|service\s+user|pt)s?\b)"
    r"(?:\s*[,:(–—]\s*|\s+)(?:(?i:called|named|is|was)\s+)?"
    r"(?P<title>(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+)?"
    r"(?P<name>[^\W\d_][^\W\d_'’-]*)"
)
# Capitalised words that follow "client" in ordinary sentences without being names.
_NOT_NAME_WORDS = """
i a an the this that these those he she they it we you his her their its my our your
and but or so then when while after before because if as at in on of to for with by
from about today yesterday tonight tomorrow week later earlier again also still
monday tuesday wednesday thursday friday saturday sunday session sessions therapy
january february march april may june july august september october november december
cbt dbt act emdr gp ok okay yes no not one two three x y z zoom teams skype
centred centered health satisfaction feedback outcome outcomes rated reported experience
information confidentiality consent record records notes assessment care safety journey
group work led first
"""
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())


def find_identifying(text: str, *, today: date | None = None) -> tuple[IdentifyingKind, ...]:
    """The kinds of identifying detail in `text`, each once, in IdentifyingKind order.

    With `today`, a full date at least MIN_AGE_YEARS back counts as a birth date even
    without words such as "born" or "DOB" around it.
    """
    found: set[IdentifyingKind] = set()
    if _EMAIL.search(text):
        found.add(IdentifyingKind.EMAIL)
    # Emails may hold digits; dates are judged on their own: take both out before numbers.
    without_emails = _EMAIL.sub(" ", text)
    dates = _date_spans(without_emails)
    if _has_birth_date(without_emails, dates, today):
        found.add(IdentifyingKind.DATE_OF_BIRTH)
    numbers = _blank(without_emails, [(start, end) for start, end, _ in dates])
    if _LABELLED_NUMBER.search(numbers):
        found.add(IdentifyingKind.RECORD_NUMBER)
        numbers = _LABELLED_NUMBER.sub(" ", numbers)
    if _has_phone(numbers):
        found.add(IdentifyingKind.PHONE)
        numbers = _PHONE.sub(" ", _PLUS_PHONE.sub(" ", numbers))
    if _DIGIT_RUN.search(numbers):
        found.add(IdentifyingKind.RECORD_NUMBER)
    if _has_client_name(text):
        found.add(IdentifyingKind.CLIENT_NAME)
    return tuple(kind for kind in IdentifyingKind if kind in found)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with these spans replaced by spaces (positions stay where they were)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _date_spans(text: str) -> list[tuple[int, int, int]]:
    """(start, end, year) of every full date: 14/03/1987, 1987-03-14, 14 March 1987."""
    spans: list[tuple[int, int, int]] = []
    for match in _NUMERIC_DATE.finditer(text):
        day = int(match["d1"] or match["d2"])
        month = int(match["m1"] or match["m2"])
        year = int(match["y1"] or match["y2"])
        # Day-first and month-first are both in use; either reading must be a real date.
        if _valid(year, month, day) or _valid(year, day, month):
            spans.append((match.start(), match.end(), year))
    for match in _WORDED_DATE.finditer(text):
        spans.append((match.start(), match.end(), int(match["y3"] or match["y4"])))
    return spans


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _has_birth_date(text: str, dates: list[tuple[int, int, int]], today: date | None) -> bool:
    for match in _SHORT_DATE.finditer(text):
        if _BIRTH_WORDS.search(text[max(0, match.start() - _BIRTH_REACH) : match.start()]):
            return True
    for start, _end, year in dates:
        window = text[max(0, start - _BIRTH_REACH) : start]
        if _BIRTH_WORDS.search(window):
            return True
        if today is not None and year <= today.year - MIN_AGE_YEARS:
            return True
    return False


def _has_phone(text: str) -> bool:
    if _PLUS_PHONE.search(text):
        return True
    for match in _PHONE.finditer(text):
        candidate = match.group(0)
        digits = sum(ch.isdigit() for ch in candidate)
        if not 9 <= digits <= 15:
            continue
        groups = re.findall(r"\d+", candidate)
        # A list of years ("2019 2020 2021") or of scores is not a phone number.
        if all(len(group) == 4 and group[:2] in ("19", "20") for group in groups):
            continue
        if all(len(group) <= 2 for group in groups):
            continue
        return True
    return False


def _has_client_name(text: str) -> bool:
    for match in _CLIENT_NAME.finditer(text):
        name = match["name"]
        # A title ("client Mr Smith") is identifying however the surname is written.
        if match["title"]:
            return True
        if not name[0].isupper() or name.lower() in _NOT_NAMES:
            continue
        # "Client A", "client X": a single letter or all capitals is a pseudonym or acronym.
        rest = name[1:]
        if len(name) >= 2 and any(ch.islower() for ch in rest):
            return True
    return False
