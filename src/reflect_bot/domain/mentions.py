"""Which concept cards a clinician's free text names, fast enough for thousands of digests.

`Concept.mentioned_in` tries each synonym's pattern in turn; a digest run over 10,000
clinicians would do that millions of times. Here every phrase (each card's synonyms, and its
name without a leading "the") goes into one trie-shaped regular expression, so a text is
scanned once. The word rules are the catalog's: whole words, any case, curly quotes read as
straight ones, any run of spaces between the words of a phrase.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

__all__ = ["ConceptMatcher", "Mention", "NamedCard", "normalise_for_matching"]

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
# The catalog's word boundaries: no word character or apostrophe before, no word character after.
_BEFORE = r"(?<![\w'])"
_AFTER = r"(?![\w])"


class NamedCard(Protocol):
    """What matching reads of a concept card (a catalog `Concept` has all of it)."""

    @property
    def slug(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def synonyms(self) -> Iterable[str]: ...


@dataclass(frozen=True, slots=True)
class Mention:
    """A card named in a text, with the phrase the text used for it."""

    slug: str
    phrase: str


def normalise_for_matching(text: str) -> str:
    """Lower case, straight quotes, single spaces: the form phrases are matched against."""
    return " ".join(text.translate(_QUOTES).lower().split())


def _name_phrase(name: str) -> str:
    phrase = normalise_for_matching(name)
    return phrase.removeprefix("the ") or phrase


class ConceptMatcher:
    """Finds the concept cards a text names by their name or any synonym."""

    def __init__(self, cards: Iterable[NamedCard]) -> None:
        owners: dict[str, list[str]] = {}
        for card in cards:
            phrases = {normalise_for_matching(s) for s in card.synonyms} | {_name_phrase(card.name)}
            for phrase in sorted(phrases):
                if phrase and card.slug not in owners.setdefault(phrase, []):
                    owners[phrase].append(card.slug)
        # One position yields one match, the longest phrase; a shorter phrase it starts with
        # that ends on a word boundary ("co" in "co-regulate") matches there too. So each
        # phrase stands for the mentions of all of them, worked out once here.
        self._named: Mapping[str, tuple[Mention, ...]] = {
            phrase: tuple(
                Mention(slug, other)
                for other in sorted(owners, key=len, reverse=True)
                if other == phrase
                or (phrase.startswith(other) and not re.match(r"\w", phrase[len(other)]))
                for slug in owners[other]
            )
            for phrase in owners
        }
        alternatives = _trie_regex(sorted(owners))
        self._pattern = re.compile(f"{_BEFORE}(?=({alternatives}){_AFTER})") if owners else None

    def mentions(self, text: str) -> list[Mention]:
        """Every (card, phrase) the text names, in order of first appearance, each pair once."""
        return list(dict.fromkeys(self.all_mentions([text])))

    def all_mentions(self, texts: Iterable[str]) -> list[Mention]:
        """Every mention in `texts`, in order, repeats included; one scan for all of them."""
        if self._pattern is None:
            return []
        # "|" is no word character and in no phrase: a phrase never runs from one text on
        # into the next, and each text starts as if on its own.
        joined = normalise_for_matching(" | ".join(texts))
        named = self._named
        return [mention for phrase in self._pattern.findall(joined) for mention in named[phrase]]

    def slugs(self, text: str) -> set[str]:
        """The slugs of the cards the text names."""
        return {mention.slug for mention in self.mentions(text)}


# A trie of phrases, one character per level; the key "" marks the end of a phrase.
_Node = dict[str, "_Node"]


def _trie_regex(phrases: list[str]) -> str:
    """An alternation of `phrases` shaped as a trie, longest continuation tried first.

    Python's `re` tries alternatives one by one; a trie makes a failed position cost one
    character comparison instead of one per phrase.
    """
    trie: _Node = {}
    for phrase in phrases:
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}
    return _node_regex(trie)


def _node_regex(node: _Node) -> str:
    branches = [re.escape(char) + _node_regex(node[char]) for char in sorted(node) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # Where a phrase may also end, continuing is tried first; backtracking still checks the
    # word boundary after whichever phrase is taken.
    return f"(?:{body})?" if "" in node else body
