"""A strict parser for Telegram's ``parse_mode=HTML``.

It follows the algorithm of Telegram's own parser (tdlib's ``parse_html``) step by step, so
that it refuses what Telegram refuses and reports the same error texts with the same byte
offsets. Python's ``html.parser`` would silently accept ``<br>``, ``a < b`` or misnested tags,
which are exactly the bugs this emulator exists to catch.

One deliberate difference: Telegram passes a bare ``&`` that starts no entity through as
text. With ``strict_ampersand=True`` (the emulator's default) it is refused instead, because a
bare ``&`` nearly always means that user-supplied text was not escaped, and the same text
with a ``<`` in it would fail on Telegram.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from ._text import utf16_len

__all__ = ["HTMLParseError", "ParsedText", "entities_to_html", "parse_html"]

_SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)

_SIMPLE_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}

# tdlib's is_space(); the end of the text counts as a space there too (it reads a NUL).
_SPACES = frozenset(" \t\r\n\v\f\0")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MARKUP = re.compile("[&<]")  # where a run of plain text ends: a tag or an entity


class HTMLParseError(ValueError):
    """Telegram's "can't parse entities" error; ``str()`` is the text after that prefix."""


@dataclass(frozen=True)
class ParsedText:
    """Plain text and Bot API ``MessageEntity`` dicts (UTF-16 offsets)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    text_start: int  # index into the output text, to use the content as a URL


class _Parser:
    def __init__(self, source: str, *, strict_ampersand: bool) -> None:
        self.src = source
        self.strict_ampersand = strict_ampersand
        self.out: list[str] = []
        self.out_len = 0  # characters in self.out, cheaper than joining
        self.utf16 = 0
        self.entities: list[dict[str, Any]] = []
        self.stack: list[_OpenTag] = []

    # -- helpers -------------------------------------------------------------------------
    def at(self, i: int) -> str:
        """The character at ``i``, or NUL past the end, as tdlib's C string would give."""
        return self.src[i] if i < len(self.src) else "\0"

    def byte_offset(self, i: int) -> int:
        return len(self.src[:i].encode("utf-8", "surrogatepass"))

    def error(self, message: str) -> HTMLParseError:
        return HTMLParseError(message)

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.out_len += len(text)
        self.utf16 += utf16_len(text)

    def decode_entity(self, i: int) -> tuple[str, int] | None:
        """Decode ``&...`` at ``i`` like tdlib: returns (character, next index) or None."""
        end = i + 1
        if self.at(end) == "#":
            end += 1
            value = 0
            digits = "0123456789abcdefABCDEF" if self.at(end) == "x" else "0123456789"
            base = 16 if self.at(end) == "x" else 10
            if base == 16:
                end += 1
            start_digits = end
            while self.at(end) in digits and self.at(end) != "\0":
                value = value * base + int(self.at(end), base)
                end += 1
                if value >= 0x10FFFF:
                    return None
            if end == start_digits or value == 0 or 0xD800 <= value <= 0xDFFF:
                return None
            char = chr(value)
        else:
            while self.at(end).isascii() and self.at(end).isalpha():
                end += 1
            name = self.src[i + 1 : end]
            if name not in _NAMED_ENTITIES:
                return None
            char = _NAMED_ENTITIES[name]
        if self.at(end) == ";":
            end += 1
        return char, end

    # -- the main loop -------------------------------------------------------------------
    def parse(self) -> ParsedText:
        i = 0
        src = self.src
        while i < len(src):
            ch = src[i]
            if ch == "&":
                decoded = self.decode_entity(i)
                if decoded is not None:
                    self.emit(decoded[0])
                    i = decoded[1]
                    continue
                if self.strict_ampersand:
                    raise self.error(
                        f'Unescaped "&" at byte offset {self.byte_offset(i)} '
                        "(emulator's strict mode: escape it as &amp;)"
                    )
            if ch != "<":
                # Plain text runs to the next tag or entity: emitted in one piece.
                markup = _MARKUP.search(src, i + 1)
                end = markup.start() if markup else len(src)
                self.emit(src[i:end])
                i = end
                continue
            i = self.end_tag(i) if self.at(i + 1) == "/" else self.start_tag(i)
        if self.stack:
            raise self.error(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        for entity in self.entities:
            entity.pop("_language", None)
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return ParsedText("".join(self.out), self.entities)

    def start_tag(self, begin: int) -> int:
        i = begin + 1
        while self.at(i) not in _SPACES and self.at(i) != ">":
            i += 1
        if self.at(i) == "\0":
            raise self.error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        tag = self.src[begin + 1 : i].lower()
        offset = self.byte_offset(begin)
        if tag not in _SUPPORTED_TAGS:
            raise self.error(f'Unsupported start tag "{tag}" at byte offset {offset}')

        argument = ""
        while self.at(i) != ">":
            while self.at(i) != "\0" and self.at(i) in _SPACES:
                i += 1
            if self.at(i) == ">":
                break
            attr_begin = i
            while self.at(i) not in _SPACES and self.at(i) not in "=>":
                i += 1
            attr_name = self.src[attr_begin:i]
            if not attr_name:
                raise self.error(f'Empty attribute name in the tag "{tag}" at byte offset {offset}')
            while self.at(i) != "\0" and self.at(i) in _SPACES:
                i += 1
            if self.at(i) != "=":
                if tag == "blockquote" and attr_name == "expandable":
                    argument = "1"
                    continue
                raise self.error(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {offset}'
                )
            i += 1
            while self.at(i) != "\0" and self.at(i) in _SPACES:
                i += 1
            if self.at(i) == "\0":
                raise self.error(f'Unclosed start tag "{tag}" at byte offset {offset}')
            value, i = self.attribute_value(i)
            if self.at(i) == "\0":
                raise self.error(f"Unclosed start tag at byte offset {offset}")
            if tag == "a" and attr_name == "href":
                argument = value
            elif tag == "code" and attr_name == "class" and value.startswith("language-"):
                argument = value[len("language-") :]
            elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
                argument = value[len("tg-") :]
            elif tag == "tg-emoji" and attr_name == "emoji-id":
                argument = value
        if tag == "span" and argument != "spoiler":
            raise self.error(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        self.stack.append(_OpenTag(tag, argument, self.utf16, self.out_len))
        return i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        quote = self.at(i)
        if quote not in "'\"":
            # An unquoted name token: letters, digits, periods and hyphens, lower-cased.
            begin = i
            while self.at(i).isascii() and (self.at(i).isalnum() or self.at(i) in ".-"):
                i += 1
            if self.at(i) not in _SPACES and self.at(i) != ">":
                raise self.error(
                    f"Unexpected end of name token at byte offset {self.byte_offset(i)}"
                )
            return self.src[begin:i].lower(), i
        i += 1
        value: list[str] = []
        while self.at(i) != quote and self.at(i) != "\0":
            if self.at(i) == "&":
                decoded = self.decode_entity(i)
                if decoded is not None:
                    value.append(decoded[0])
                    i = decoded[1]
                    continue
            value.append(self.src[i])
            i += 1
        if self.at(i) == quote:
            i += 1
        return "".join(value), i

    def end_tag(self, begin: int) -> int:
        if not self.stack:
            raise self.error(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        i = begin + 2
        while self.at(i) not in _SPACES and self.at(i) != ">":
            i += 1
        end_name = self.src[begin + 2 : i].lower()
        while self.at(i) != "\0" and self.at(i) in _SPACES:
            i += 1
        if self.at(i) != ">":
            raise self.error(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        opened = self.stack[-1]
        if end_name and end_name != opened.name:
            raise self.error(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{opened.name}>", found "</{end_name}>"'
            )
        self.close_entity(opened)
        self.stack.pop()
        return i + 1

    def close_entity(self, opened: _OpenTag) -> None:
        length = self.utf16 - opened.utf16_offset
        if length <= 0:
            return  # Telegram drops empty entities
        offset = opened.utf16_offset
        tag = opened.name
        entity: dict[str, Any] = {"offset": offset, "length": length}
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and last["offset"] == offset and last["length"] == length
        if tag in _SIMPLE_ENTITY_TYPES:
            entity["type"] = _SIMPLE_ENTITY_TYPES[tag]
        elif tag == "blockquote":
            entity["type"] = "expandable_blockquote" if opened.argument else "blockquote"
        elif tag == "tg-emoji":
            if not opened.argument.isdigit() or int(opened.argument) == 0:
                raise self.error("Invalid custom emoji identifier specified")
            entity["type"] = "custom_emoji"
            entity["custom_emoji_id"] = opened.argument
        elif tag == "a":
            url = opened.argument or "".join(self.out)[opened.text_start :]
            link = _link_entity(url)
            if link is None:
                return  # Telegram silently drops links it cannot parse
            entity.update(link)
        elif tag == "pre":
            # <pre><code class="language-x">…</code></pre> becomes one pre with a language.
            if same_span and last is not None and last["type"] == "code" and "_language" in last:
                last["type"] = "pre"
                last["language"] = last.pop("_language")
                return
            entity["type"] = "pre"
        elif tag == "code":
            if same_span and last is not None and last["type"] == "pre" and opened.argument:
                last["language"] = opened.argument
                return
            entity["type"] = "code"
            if opened.argument:
                # Remembered in case an enclosing <pre> closes on the same span; dropped
                # otherwise, as Telegram ignores a language outside <pre>.
                entity["_language"] = opened.argument
        self.entities.append(entity)


def _link_entity(url: str) -> dict[str, Any] | None:
    """Telegram's treatment of an ``<a href>``: user mentions, web links, or nothing."""
    url = url.strip()
    lowered = url.lower()
    if lowered.startswith("tg://user?id="):
        user_id = lowered.removeprefix("tg://user?id=")
        if user_id.isdigit():
            return {
                "type": "text_mention",
                "user": {"id": int(user_id), "is_bot": False, "first_name": ""},
            }
        return None
    if lowered.startswith(("http://", "https://", "tg://", "ton://")):
        return {"type": "text_link", "url": url}
    if "://" in lowered or " " in url or "." not in url:
        return None  # javascript:, mailto:-like junk and bare words are not links to Telegram
    return {"type": "text_link", "url": "http://" + url}


def parse_html(source: str, *, strict_ampersand: bool = True) -> ParsedText:
    """Parse Telegram HTML into plain text and entities, or raise :class:`HTMLParseError`."""
    return _Parser(source, strict_ampersand=strict_ampersand).parse()


_ENTITY_TAGS: dict[str, tuple[str, str]] = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ("<tg-spoiler>", "</tg-spoiler>"),
    "code": ("<code>", "</code>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ("<blockquote expandable>", "</blockquote>"),
}


def _open_tag(entity: dict[str, Any]) -> tuple[str, str]:
    kind = entity.get("type", "")
    if kind == "text_link":
        return f'<a href="{html.escape(str(entity.get("url", "")))}">', "</a>"
    if kind == "text_mention":
        user_id = entity.get("user", {}).get("id", 0)
        return f'<a href="tg://user?id={user_id}">', "</a>"
    if kind == "pre":
        language = entity.get("language")
        if language:
            return f'<pre><code class="language-{html.escape(language)}">', "</code></pre>"
        return "<pre>", "</pre>"
    if kind == "custom_emoji":
        return f'<tg-emoji emoji-id="{entity.get("custom_emoji_id", "")}">', "</tg-emoji>"
    return _ENTITY_TAGS.get(kind, ("", ""))


def entities_to_html(text: str, entities: list[dict[str, Any]]) -> str:
    """Render plain text plus entities as Telegram HTML (for the browser view and tests).

    Entities that do not nest cleanly are rendered as given; browsers cope.
    """
    units = text.encode("utf-16-le")
    opens: dict[int, list[tuple[int, str]]] = {}
    closes: dict[int, list[tuple[int, str]]] = {}
    for index, entity in enumerate(entities):
        start, end = _open_tag(entity)
        if not start:
            continue
        offset = int(entity.get("offset", 0))
        length = int(entity.get("length", 0))
        # Outer (longer) entities open first and close last.
        opens.setdefault(offset, []).append((-length * 1000 - index, start))
        closes.setdefault(offset + length, []).append((length * 1000 + index, end))
    pieces: list[str] = []
    position = 0
    total = len(units) // 2
    for cut in sorted({0, total, *opens, *closes}):
        if cut > total:
            continue
        pieces.append(html.escape(units[position * 2 : cut * 2].decode("utf-16-le"), quote=False))
        position = cut
        pieces.extend(tag for _, tag in sorted(closes.get(cut, [])))
        pieces.extend(tag for _, tag in sorted(opens.get(cut, [])))
    return "".join(pieces)
