"""The identifying-details check flags what could name a client, and leaves ordinary
reflections alone."""

from datetime import date

import pytest

from reflect_bot.domain.identifying import IdentifyingKind, find_identifying
from reflect_bot.ui import texts

TODAY = date(2026, 11, 2)
K = IdentifyingKind


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("She asked me to write to sam.jones+work@example.co.uk about it.", {K.EMAIL}),
        ("Her number is +44 20 7946 0958 if she cancels.", {K.PHONE}),
        ("Call (555) 123-4567 to reschedule.", {K.PHONE}),
        ("Mobile 07700 900123, texts only.", {K.PHONE}),
        ("Ring 555-123-4567.", {K.PHONE}),
        ("Reachable on +4915112345678.", {K.PHONE}),
        ("Record 88123456 was flagged in supervision.", {K.RECORD_NUMBER}),
        ("NHS number 485 777 3456 was on the letter.", {K.RECORD_NUMBER}),
        ("MRN: 004521 came up in the referral.", {K.RECORD_NUMBER}),
        ("case #A12345 still open", {K.RECORD_NUMBER}),
        ("The file said 1234567 only.", {K.RECORD_NUMBER}),
        ("DOB 14/03/1987, so she's turning forty.", {K.DATE_OF_BIRTH}),
        ("D.O.B. 3.5.92 on the form", {K.DATE_OF_BIRTH}),
        ("He was born on 2 March 1990 in a small town.", {K.DATE_OF_BIRTH}),
        ("date of birth: 1979-11-30", {K.DATE_OF_BIRTH}),
        ("The intake form gave 14/03/1987.", {K.DATE_OF_BIRTH}),  # ≥ 10 years back
        ("My client Sarah felt unheard today.", {K.CLIENT_NAME}),
        ("The patient, Ahmed, was late again.", {K.CLIENT_NAME}),
        ("Patient Zoë said very little.", {K.CLIENT_NAME}),
        ("client Mr smith seemed withdrawn", {K.CLIENT_NAME}),
        ("I think my client named Jonas felt judged.", {K.CLIENT_NAME}),
        ("Service user Priya asked for a break.", {K.CLIENT_NAME}),
        (
            "Client Tom (tom@mail.org, 07700 900123) DOB 01/02/1980",
            {K.EMAIL, K.PHONE, K.DATE_OF_BIRTH, K.CLIENT_NAME},
        ),
    ],
)
def test_identifying_details_are_found(text: str, kinds: set[IdentifyingKind]) -> None:
    assert set(find_identifying(text, today=TODAY)) == kinds


@pytest.mark.parametrize(
    "text",
    [
        "4",
        "I rated the bond 4/5 and goals 3 out of 5.",
        "Ratings this week: 4 4 5 3 2, and 45 43 44 50 41 on the ORS.",
        "Session 12 of 20; we met 10:30-11:20 and again at 14.00.",
        "We've worked together since 2019, through 2020 2021 2022 and 2023.",
        "Our session on 28/10/2026 felt like a turning point.",  # a recent date is not a DOB
        "In 2024-10-28 supervision we talked about ruptures.",
        "The client I saw today withdrew when I named the rupture.",
        "My client seemed distant. She looked at the clock a lot.",
        "The client, Today again, spoke about her mother.",  # stop word, not a name
        "Client A and client X both cancelled; patient B came.",
        "Client-Centred Therapy and the Patient Health Questionnaire both came up.",
        "Rogers' client-centred stance helped; the client's Mum joined.",
        "Read Winnicott and Dr Bordin again; Safran & Muran on ruptures.",
        "It cost £1,500 and took 90 minutes; 50% felt better after 3 sessions.",
        "Week 44, version 2.10.3, ratio 1:2, 3.14159.",
        "The client felt I was rushing. I felt it too.",
        "An email about @mentions and a hashtag #rupture.",
        "",
    ],
)
def test_ordinary_reflections_are_not_flagged(text: str) -> None:
    assert find_identifying(text, today=TODAY) == ()


def test_without_today_only_marked_dates_count() -> None:
    assert find_identifying("The intake form gave 14/03/1987.") == ()
    assert find_identifying("Born 14/03/1987.") == (K.DATE_OF_BIRTH,)


def test_kinds_come_once_each_in_a_fixed_order() -> None:
    text = "client Anna, anna@x.org; client Ben, ben@y.org; 0123 456 7890"
    assert find_identifying(text) == (K.EMAIL, K.PHONE, K.CLIENT_NAME)


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        # The misses of the review in issue 16.
        ("Sarah cried when I mentioned the ending.", {K.PERSON_NAME}),
        ("Mrs Patel arrived late and apologised.", {K.PERSON_NAME}),
        ("Client, J. Smith, said the homework felt pointless.", {K.PERSON_NAME}),
        ("I think client O'Brien was testing me.", {K.CLIENT_NAME}),
        ("I felt protective of david today.", {K.PERSON_NAME}),
        ("Her sister Margaret Collins came up again.", {K.PERSON_NAME}),
        ("In the session with Tom I talked too much.", {K.PERSON_NAME}),
        ("She lives at 22 Harbour Road, BS1 4DJ.", {K.POSTCODE, K.ADDRESS}),
        ("Referred by Oakfield Primary School after the incident.", {K.SCHOOL_OR_WORKPLACE}),
        ("He works at Greggs and hates the early shifts.", {K.SCHOOL_OR_WORKPLACE}),
        ("The only person in Tetbury with Huntington's disease.", {K.COMBINATION}),
        ("He's the only GP in a village of 300 people.", {K.COMBINATION}),
        ("Spoke with Grace about the break.", {K.PERSON_NAME}),  # a word-name, mid-sentence
    ],
)
def test_names_places_and_combinations_are_found(text: str, kinds: set[IdentifyingKind]) -> None:
    assert set(find_identifying(text, today=TODAY)) == kinds


@pytest.mark.parametrize(
    "text",
    [
        "client Core-10 score was lower than last month",
        "The client's CORE-10 score dropped from 24 to 17.",
        "I qualified on 12/09/2008 and still feel like a beginner.",
        "My own supervision started on 3 March 2015.",
        "Carl Rogers would say I lost congruence.",
        "Hope is what I wanted to offer.",  # a word-name opening a sentence
        "In May I'll have worked with this client for a year.",
        "The Mental Health Academy article helped.",
        "I work at a community mental health team.",
        "Session with a new client today: assessment and consent.",
    ],
)
def test_own_dates_measures_authors_and_words_are_not_flagged(text: str) -> None:
    assert find_identifying(text, today=TODAY) == ()


def test_someone_elses_date_in_a_sentence_about_me_still_counts() -> None:
    assert find_identifying("I read her DOB as 14/03/1987.", today=TODAY) == (K.DATE_OF_BIRTH,)
    assert find_identifying("I saw that she was born 14/03/1987.") == (K.DATE_OF_BIRTH,)


def test_every_kind_has_words_for_the_clinician() -> None:
    """The notice says what was found, in words, for every kind the check reports."""
    assert set(texts.IDENTIFYING_KINDS) == {kind.value for kind in IdentifyingKind}
