"""Telegram's checks on what a bot sends: text, captions, entities and keyboards."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Final

from ._errors import ApiError, Descriptions
from ._html import HTMLParseError, parse_html
from ._params import Params

__all__ = [
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_CAPTION_LENGTH",
    "MAX_TEXT_LENGTH",
    "Formatted",
    "format_caption",
    "format_text",
    "link_preview_options",
    "validate_reply_markup",
]

# Telegram counts these limits in characters (Unicode code points) of the text *after*
# entity parsing, i.e. what the reader sees; markup does not count. Python's len() of the
# parsed text is exactly that. (Entity offsets, by contrast, are UTF-16 code units.)
MAX_TEXT_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_CALLBACK_DATA_BYTES: Final = 64

# Inline keyboard button fields that say what a button does; exactly one is required.
_BUTTON_ACTIONS: Final = (
    "url",
    "login_url",
    "callback_data",
    "web_app",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_URL_SCHEMES: Final = ("http://", "https://", "tg://", "ton://")


@dataclass(frozen=True)
class Formatted:
    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)
    raw_html: str | None = None
    parse_mode: str | None = None


def _format(
    text: str, parse_mode: str | None, entities: Any, *, strict_ampersand: bool
) -> Formatted:
    if parse_mode:
        mode = parse_mode.strip().lower()
        if mode == "html":
            try:
                parsed = parse_html(text, strict_ampersand=strict_ampersand)
            except HTMLParseError as exc:
                raise ApiError.bad_request(f"{Descriptions.CANT_PARSE_ENTITIES}{exc}") from None
            return Formatted(parsed.text, parsed.entities, text, "HTML")
        if mode in {"markdown", "markdownv2"}:
            # Not emulated: the text is kept verbatim and carries no entities. The bot under
            # test uses HTML; see the package docs.
            return Formatted(text, [], None, parse_mode)
        raise ApiError.bad_request(Descriptions.UNSUPPORTED_PARSE_MODE)
    if entities is None:
        return Formatted(text)
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        raise ApiError.bad_request("Bad Request: can't parse entities JSON object")
    return Formatted(text, copy.deepcopy(entities))


def format_text(params: Params, *, strict_ampersand: bool) -> Formatted:
    """The ``text`` of sendMessage/editMessageText, parsed and checked like Telegram."""
    text = params.str_("text")
    if text is None or not text.strip():
        raise ApiError.bad_request(Descriptions.TEXT_EMPTY)
    formatted = _format(
        text,
        params.str_("parse_mode"),
        params.json_("entities", what="entities"),
        strict_ampersand=strict_ampersand,
    )
    if not formatted.text.strip():
        raise ApiError.bad_request(Descriptions.TEXT_EMPTY)
    if len(formatted.text) > MAX_TEXT_LENGTH:
        raise ApiError.bad_request(Descriptions.TEXT_TOO_LONG)
    return formatted


def format_caption(params: Params, *, strict_ampersand: bool) -> Formatted | None:
    caption = params.str_("caption")
    if caption is None or caption == "":
        return None
    formatted = _format(
        caption,
        params.str_("parse_mode"),
        params.json_("caption_entities", what="caption entities"),
        strict_ampersand=strict_ampersand,
    )
    if len(formatted.text) > MAX_CAPTION_LENGTH:
        raise ApiError.bad_request(Descriptions.CAPTION_TOO_LONG)
    return formatted


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise ApiError.bad_request(
            "Bad Request: can't parse inline keyboard button: "
            "InlineKeyboardButton must be an Object"
        )
    if not isinstance(button.get("text"), str):
        raise ApiError.bad_request(
            'Bad Request: can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = [name for name in _BUTTON_ACTIONS if button.get(name) is not None]
    if not actions:
        raise ApiError.bad_request(Descriptions.TEXT_BUTTONS_UNALLOWED)
    if len(actions) > 1:
        # Telegram silently uses the first field it knows; the emulator refuses, as such a
        # button is a bug in the bot (emulator-specific text).
        raise ApiError.bad_request(
            "Bad Request: can't parse inline keyboard button: exactly one of "
            f"{', '.join(actions)} must be used (emulator check)"
        )
    if "callback_data" in actions:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise ApiError.bad_request(Descriptions.BUTTON_DATA_INVALID)
    if "url" in actions:
        url = button["url"]
        if not isinstance(url, str) or not url.lower().startswith(_URL_SCHEMES):
            raise ApiError.bad_request(Descriptions.BUTTON_URL_INVALID)


def validate_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Check a reply_markup like Telegram; returns a private copy to store."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError.bad_request(Descriptions.CANT_PARSE_KEYBOARD)
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError.bad_request(
                "Bad Request: can't parse inline keyboard button: "
                'Field "inline_keyboard" must be of type Array'
            )
        for row in rows:
            for button in row:
                _validate_inline_button(button)
        return copy.deepcopy(markup)
    if "keyboard" in markup or "remove_keyboard" in markup or "force_reply" in markup:
        return copy.deepcopy(markup)
    raise ApiError.bad_request(Descriptions.CANT_PARSE_KEYBOARD)


def link_preview_options(params: Params) -> dict[str, Any] | None:
    """``link_preview_options``, or the legacy ``disable_web_page_preview`` mapped onto it."""
    options = params.json_("link_preview_options", what="link preview options")
    if options is not None:
        if not isinstance(options, dict):
            raise ApiError.bad_request("Bad Request: can't parse link preview options JSON object")
        return dict(options)
    if params.bool_("disable_web_page_preview"):
        return {"is_disabled": True}
    return None
