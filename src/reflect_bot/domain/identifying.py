"""Spots details in an answer that could identify someone: emails, phone numbers, record
numbers, dates of birth, UK postcodes and street addresses, named schools and workplaces,
people's names, and combinations of details (a place, a job, an age, a rare diagnosis) that
together could point at one person.

Pure and conservative. A reflection is full of ordinary numbers (ratings, session counts,
years, times, durations) and ordinary capitalised words (therapists' names, measures such as
CORE-10), so only patterns that rarely occur in them are flagged, and dates the text says are
the clinician's own are left alone. Only the kinds found are returned, never the matching
text, so nothing a clinician typed can leak through a caller.

Names come from titles and initials before a surname ("Mrs Patel", "J. Smith"), the word
after "client", "session with" or a relative ("her sister Margaret"), and a list of a few
hundred common first names across cultures shipped beside this module (`first_names.txt`,
written for the project, CC0). Measured on the project's labelled answers in
tests/data/identifying_cases.toml (see tests/unit/test_identifying_targets.py).
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from functools import cache
from importlib.resources import files


class IdentifyingKind(StrEnum):
    """A kind of identifying detail, in the order the bot mentions them."""

    EMAIL = "email"
    PHONE = "phone"
    RECORD_NUMBER = "record_number"
    DATE_OF_BIRTH = "date_of_birth"
    POSTCODE = "postcode"
    ADDRESS = "address"
    SCHOOL_OR_WORKPLACE = "school_or_workplace"
    CLIENT_NAME = "client_name"
    PERSON_NAME = "person_name"
    COMBINATION = "combination"


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
    r"(?P<name>[^\W\d_][^\W\d_'’-]*(?:['’][^\W\d_]+)?)(?P<after>-?\d)?"
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
group work led first score scores rating ratings form forms measure questionnaire
core ors srs phq gad wai hads bdi bai pcl wemwbs
"""
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())


def find_identifying(text: str, *, today: date | None = None) -> tuple[IdentifyingKind, ...]:
    """The kinds of identifying detail in `text`, each once, in IdentifyingKind order.

    With `today`, a full date at least MIN_AGE_YEARS back counts as a birth date even
    without words such as "born" or "DOB" around it, unless the text says it is the
    clinician's own ("I qualified on 12/09/2008").
    """
    found: set[IdentifyingKind] = set()
    if _EMAIL.search(text):
        found.add(IdentifyingKind.EMAIL)
    # Emails may hold digits and names; dates are judged on their own: take both out first.
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
    if _POSTCODE.search(without_emails):
        found.add(IdentifyingKind.POSTCODE)
    if _has_address(without_emails):
        found.add(IdentifyingKind.ADDRESS)
    if _has_school_or_workplace(without_emails):
        found.add(IdentifyingKind.SCHOOL_OR_WORKPLACE)
    client_names = _client_name_spans(without_emails)
    if client_names:
        found.add(IdentifyingKind.CLIENT_NAME)
    if _has_person_name(without_emails, client_names):
        found.add(IdentifyingKind.PERSON_NAME)
    if _has_combination(without_emails):
        found.add(IdentifyingKind.COMBINATION)
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
        if _own_date(text, match.start()):
            continue
        if _BIRTH_WORDS.search(text[max(0, match.start() - _BIRTH_REACH) : match.start()]):
            return True
    for start, _end, year in dates:
        if _own_date(text, start):
            continue
        window = text[max(0, start - _BIRTH_REACH) : start]
        if _BIRTH_WORDS.search(window):
            return True
        if today is not None and year <= today.year - MIN_AGE_YEARS:
            return True
    return False


_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|I'd|I’d|me|my|My|myself|mine|our|Our)\b")
_SOMEONE_ELSE = re.compile(
    r"(?i:\b(?:client|patient|service user|he|she|they|his|her|their|them|him|mum|dad|"
    r"mother|father|son|daughter)\b)"
)
_CLAUSE_START = re.compile(r"[.!?;\n][^.!?;\n]*$")


def _own_date(text: str, start: int) -> bool:
    """A date in a clause about the clinician alone ("I qualified on …", "my own …")."""
    before = text[:start]
    match = _CLAUSE_START.search(before)
    clause = before[match.start() + 1 :] if match else before
    return bool(_FIRST_PERSON.search(clause)) and not _SOMEONE_ELSE.search(clause)


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


def _client_name_spans(text: str) -> list[tuple[int, int]]:
    """Where a name follows "client" or "patient" ("client O'Brien", "client Mr Smith")."""
    spans: list[tuple[int, int]] = []
    for match in _CLIENT_NAME.finditer(text):
        name = match["name"]
        # A title ("client Mr Smith") is identifying however the surname is written.
        if match["title"]:
            spans.append(match.span("name"))
            continue
        # "client Core-10 score": a measure's name, not a person's.
        if match["after"] or not name[0].isupper() or name.lower() in _NOT_NAMES:
            continue
        # "Client A", "client X": a single letter or all capitals is a pseudonym or acronym.
        rest = name[1:]
        if len(name) >= 2 and any(ch.islower() for ch in rest):
            spans.append(match.span("name"))
    return spans


# --------------------------------------------------------------------------- names

_NAME_WORD = r"[A-Z][a-z]+(?:['’-][A-Za-z][a-z]+)?"
_TITLE_NAME = re.compile(
    r"(?<![\w.])(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+(?P<surname>[A-Za-z][a-z]*(?:['’-][A-Za-z][a-z]+)?)"
)
_INITIAL_NAME = re.compile(rf"(?<![\w.])(?:[A-Z]\.\s?){{1,3}}(?P<surname>{_NAME_WORD})")
_WITH_NAME = re.compile(
    r"(?i:\b(?:session|sessions|appointment|call|meeting|met|meet|spoke|speaking|talked|"
    r"talking|worked|working|today|time|saw|seeing)\s+with\s+)"
    r"(?P<name>[A-Za-z][a-z]+(?:['’-][A-Za-z][a-z]+)?)"
)
_RELATIVE_NAME = re.compile(
    r"(?i:\b(?:mother|mum|father|dad|brother|sister|son|daughter|husband|wife|partner|"
    r"boyfriend|girlfriend|fiancée?|uncle|aunt|auntie|cousin|grandmother|grandfather|nan|gran|"
    r"grandad|granddaughter|grandson|niece|nephew|friend|boss|colleague|carer|twin)\b)"
    rf",?\s+(?P<name>{_NAME_WORD})"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
_SENTENCE_END = re.compile(r"(?:^|[.!?\n:;\"“(]|—|–)\s*$")
#: Therapists and researchers a reflection may cite with a title ("Dr Bordin") or a first
#: name ("Carl Rogers"): not clients.
_AUTHOR_WORDS = """
    bordin winnicott freud bowlby ainsworth klein beck ellis siegel safran muran yalom perls
    berne jung adler kohut linehan porges schore fonagy bateman wampold norcross horvath
    castonguay kassinove tafrate lambert rogers egan mearns thorne gilbert hayes bion
    kabat-zinn padesky greenberger
    """
_AUTHORS = frozenset(_AUTHOR_WORDS.split())
# Words that follow a title or "with" in ordinary sentences without being names.
_NOT_AFTER_WITH_WORDS = """
    me him them us everyone someone somebody anyone nobody people family friends colleagues
    client clients patient patients supervisor supervision
    """
_NOT_AFTER_WITH = _NOT_NAMES | frozenset(_NOT_AFTER_WITH_WORDS.split())


@cache
def _first_names() -> tuple[frozenset[str], frozenset[str]]:
    """(names, names that are also ordinary words) from first_names.txt, lower-case."""
    raw = files("reflect_bot.domain").joinpath("first_names.txt").read_text(encoding="utf-8")
    words = [w for line in raw.splitlines() if not line.startswith("#") for w in line.split()]
    ambiguous = frozenset(w[1:] for w in words if w.startswith("~"))
    return frozenset(w for w in words if not w.startswith("~")) - ambiguous, ambiguous


def _starts_sentence(text: str, start: int) -> bool:
    return _SENTENCE_END.search(text[max(0, start - 3) : start]) is not None or start == 0


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(start < span[1] and span[0] < end for start, end in spans)


def _has_person_name(text: str, client_names: list[tuple[int, int]]) -> bool:
    """A person's name anywhere other than right after "client" (reported on its own)."""

    def is_name(word: str) -> bool:
        lowered = word.lower().removesuffix("'s").removesuffix("’s")
        return lowered not in _NOT_AFTER_WITH and lowered not in _AUTHORS

    for match in _TITLE_NAME.finditer(text):
        if not _overlaps(match.span("surname"), client_names) and is_name(match["surname"]):
            return True
    for match in _INITIAL_NAME.finditer(text):
        if is_name(match["surname"]):
            return True
    names, ambiguous = _first_names()
    for pattern in (_WITH_NAME, _RELATIVE_NAME):
        for match in pattern.finditer(text):
            word = match["name"]
            if _overlaps(match.span("name"), client_names) or not is_name(word):
                continue
            if word[0].isupper() or word.lower() in names:
                return True
    for match in _WORD.finditer(text):
        word = match.group(0)
        lowered = word.lower().removesuffix("'s").removesuffix("’s")
        # Most words are no name at all: two set lookups settle them before any look around.
        if lowered not in names and lowered not in ambiguous:
            continue
        if _overlaps(match.span(), client_names):
            continue
        if _next_word(text, match.end()).lower() in _AUTHORS:
            continue  # "Carl Rogers"
        if lowered in names and (word[0].isupper() or len(lowered) >= 4):
            return True
        if (
            lowered in ambiguous
            and word[0].isupper()
            and not word.isupper()
            and not _starts_sentence(text, match.start())
            and not (lowered in _MONTH_NAMES and _previous_word(text, match.start()) in _WHEN)
        ):
            return True
    return False


# "In May", "since June": months that are also first names, used as months.
_MONTH_NAMES = frozenset(("april", "may", "june", "august"))
_WHEN_WORDS = """
in on by since until till last next this of early late mid end from during before after every each
"""
_WHEN = frozenset(_WHEN_WORDS.split())


def _previous_word(text: str, start: int) -> str:
    words = _WORD.findall(text[max(0, start - 20) : start])
    return words[-1].lower() if words else ""


def _next_word(text: str, end: int) -> str:
    match = _WORD.match(text, end + 1) if end < len(text) and text[end] == " " else None
    return match.group(0) if match else ""


# --------------------------------------------------------------------------- places

# UK postcodes: outward code, optional space, inward code (digit and two letters).
_POSTCODE = re.compile(
    r"(?<![\w-])(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})(?![\w-])"
)
_STREET = re.compile(
    rf"(?:\b\d{{1,4}}[A-Za-z]?,?\s+)?(?P<first>{_NAME_WORD})(?:\s+{_NAME_WORD}){{0,2}}\s+"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Close|Drive|Crescent|Terrace|Gardens|Grove|Mews|"
    r"Way|Place|Square|Court|Row|Walk|Parade|Hill|Rise|View)\b"
)
_INSTITUTION = re.compile(
    rf"(?P<words>(?:(?:St\.?|{_NAME_WORD})\s+){{1,4}})"
    r"(?:Primary|Secondary|Junior|Infant|Infants|High|Grammar|Academy|School|College|"
    r"University|Hospital|Surgery|Prison|Ltd|Limited|plc|Logistics|Council|Church|Mosque|"
    r"Temple|Synagogue|Nursery|Prep)\b"
)
_WORKS_AT = re.compile(
    r"(?i:\b(?:works?|working|worked|employed|shifts?|job|placement|studies|studying|student)"
    r"\s+(?:at|for|by)\s+)"
    rf"(?P<name>{_NAME_WORD})"
)
# Words that start the name of an institution without making it a particular one.
_GENERIC_WORDS = """
    the a an our my his her their this that local community mental health nhs primary
    secondary high private state general district city county university college school
    open medical national public royal new old big small st christmas easter
    monday tuesday wednesday thursday friday saturday sunday i
    """
_GENERIC = frozenset(_GENERIC_WORDS.split())


def _bare(word: str) -> str:
    """Lower-case, without a possessive or a trailing full stop ("Anne's" → "anne")."""
    return word.lower().rstrip(".").removesuffix("'s").removesuffix("’s")


def _has_address(text: str) -> bool:
    for match in _STREET.finditer(text):
        first = match["first"].lower()
        if first not in _GENERIC and first != "high" and first not in _NOT_NAMES:
            return True
    return False


def _has_school_or_workplace(text: str) -> bool:
    for match in _INSTITUTION.finditer(text):
        words = [_bare(word) for word in match["words"].split()]
        if any(w not in _GENERIC and w not in _NOT_NAMES for w in words):
            return True
    for match in _WORKS_AT.finditer(text):
        if match["name"].lower() not in _GENERIC | _NOT_NAMES:
            return True
    return False


# --------------------------------------------------------------------------- combinations

_PLACE = re.compile(
    r"\b(?:in|from|near|of|to|outside|around)\s+(?:the\s+)?"
    rf"(?P<place>{_NAME_WORD}(?:[\s-]{_NAME_WORD})?)"
)
_SMALL_PLACE = re.compile(r"(?i:\b(?:village|hamlet|parish|small town|small island|island)\b)")
_JOB = re.compile(
    r"(?i:\b(?:head\s?teacher|teacher|vicar|priest|imam|rabbi|gp|doctor|surgeon|nurse|"
    r"midwife|vet|judge|magistrate|solicitor|barrister|firefighter|police officer|officer|"
    r"councillor|mayor|mp|postmaster|postmistress|post office|coach(?:es)?|governor|"
    r"practice manager|manager|pharmacist|farmer|publican|landlord|footballer|chef|pilot)\b)"
)
_UNIQUE = re.compile(r"(?i:\bthe only\b|\bonly (?:one|person)\b|\bwhere I (?:also )?work\b)")
_DIAGNOSIS = re.compile(
    r"(?i:\brare\s+(?:form|condition|disease|syndrome|cancer|disorder|illness)\b"
    r"|\bmotor neurone disease\b|\bcystic fibrosis\b|\bmuscular dystrophy\b)"
    rf"|\b{_NAME_WORD}(?:['’]s)?\s+(?:disease|syndrome)\b"
)
_AGE = re.compile(r"(?i:\b\d{1,3}[- ]year[- ]old\b|\baged?\s+\d{1,3}\b)")


def _has_combination(text: str) -> bool:
    """Two or more kinds of detail (a named or small place, a job, an age, a rare diagnosis,
    being the only one) that together could single a person out."""
    signals = 0
    places = [m for m in _PLACE.finditer(text) if m["place"].split()[0].lower() not in _PLACE_WORDS]
    signals += bool(places) or bool(_SMALL_PLACE.search(text))
    signals += bool(_JOB.search(text))
    signals += bool(_UNIQUE.search(text))
    signals += bool(_DIAGNOSIS.search(text))
    signals += bool(_AGE.search(text))
    return signals >= 2


# Capitalised words after "in", "from"… that are not places.
_NOT_PLACE_WORDS = """
    cbt dbt act emdr review article rogers freud bowlby supervision english spanish
    """
_PLACE_WORDS = _GENERIC | _NOT_NAMES | frozenset(_NOT_PLACE_WORDS.split())
