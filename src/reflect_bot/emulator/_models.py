"""Records the emulator keeps: users, chats, files, messages, events.

They are plain dataclasses so tests can read them directly; ``to_api()`` gives the Bot API
shape the bot sees, ``to_json()`` the richer shape of the ``/_emulator`` HTTP API.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

from ._html import entities_to_html

__all__ = [
    "ApiErrorRecord",
    "CallbackAnswer",
    "Chat",
    "ChatType",
    "Event",
    "EventKind",
    "FileKind",
    "FileRecord",
    "MessageRecord",
    "RequestRecord",
    "User",
]

ChatType = Literal["private", "group", "supergroup"]
FileKind = Literal["document", "photo", "voice", "sticker", "audio", "video"]
EventKind = Literal[
    "message",  # the bot sent a message
    "edit",  # the bot edited a message
    "delete",  # the bot deleted a message
    "user_message",
    "user_edit",
    "callback_query",
    "callback_answer",
    "chat_action",
]


@dataclass
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass
class Chat:
    id: int
    type: ChatType
    title: str | None = None
    user: User | None = None  # the other party of a private chat
    username: str | None = None
    # A private chat only accepts bot messages once the user has written to the bot.
    started: bool = False
    blocked: bool = False  # the user blocked the bot
    bot_member: bool = True  # False after leaveChat
    members: list[int] = field(default_factory=list)

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private" and self.user is not None:
            data["first_name"] = self.user.first_name
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
        else:
            data["title"] = self.title or f"Group {self.id}"
            if self.username:
                data["username"] = self.username
        return data


@dataclass
class FileRecord:
    """Bytes the bot or a user sent, downloadable through getFile like on Telegram."""

    file_id: str
    file_unique_id: str
    kind: FileKind
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # width/height/duration/emoji…

    @property
    def size(self) -> int:
        return len(self.data)

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.file_name is not None:
            data["file_name"] = self.file_name
        if self.mime_type is not None and self.kind != "photo":
            data["mime_type"] = self.mime_type
        data.update(self.extra)
        return data

    def to_json(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "kind": self.kind,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "size": self.size,
            "download_url": f"/_emulator/files/{self.file_id}",
        }


@dataclass
class MessageRecord:
    """One message in a chat, from the bot or from a user, in its current state."""

    chat: Chat
    message_id: int
    from_bot: bool
    sender: User
    date: int
    sent_at: float  # time.monotonic() when it was sent, for latency benchmarks
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    raw_html: str | None = None  # the text exactly as sent with parse_mode=HTML
    parse_mode: str | None = None
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    raw_caption_html: str | None = None
    reply_markup: dict[str, Any] | None = None
    document: FileRecord | None = None
    photo: FileRecord | None = None
    media: dict[str, Any] = field(default_factory=dict)  # sticker/voice/location payloads
    protect_content: bool = False
    link_preview_options: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    edit_date: int | None = None
    edited_at: float | None = None
    versions: list[str | None] = field(default_factory=list)  # earlier texts/captions
    deleted: bool = False

    # -- conveniences for test writers ----------------------------------------------------
    @property
    def chat_id(self) -> int:
        return self.chat.id

    @property
    def edited(self) -> bool:
        return self.edit_date is not None

    @property
    def html(self) -> str:
        """The text (or caption) as Telegram HTML: as sent, or rendered from entities."""
        if self.text is not None:
            if self.raw_html is not None:
                return self.raw_html
            return entities_to_html(self.text, self.entities)
        if self.caption is not None:
            if self.raw_caption_html is not None:
                return self.raw_caption_html
            return entities_to_html(self.caption, self.caption_entities)
        return ""

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        """Rows of inline keyboard buttons (empty when there is no inline keyboard)."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard") or []
        return [list(row) for row in rows]

    @property
    def button_texts(self) -> list[str]:
        return [str(button.get("text", "")) for row in self.buttons for button in row]

    def button(self, text: str) -> dict[str, Any]:
        """The inline button labelled ``text`` (exact match first, then substring)."""
        flat = [button for row in self.buttons for button in row]
        for button in flat:
            if button.get("text") == text:
                return button
        matches = [button for button in flat if text in str(button.get("text", ""))]
        if len(matches) == 1:
            return matches[0]
        raise AssertionError(
            f"no single inline button {text!r} on message {self.message_id}; "
            f"buttons: {self.button_texts}"
        )

    def callback_data(self, text: str) -> str:
        data = self.button(text).get("callback_data")
        if data is None:
            raise AssertionError(f"button {text!r} has no callback_data")
        return str(data)

    def summary(self) -> str:
        who = "bot" if self.from_bot else f"user {self.sender.id}"
        body = self.text if self.text is not None else self.caption or ""
        if len(body) > 80:
            body = body[:77] + "..."
        if self.text is None:
            name = self.document.file_name if self.document and self.document.file_name else ""
            body = f"<{self.kind}{' ' + name if name else ''}> {body}".rstrip()
        flags = "".join(
            [
                " [edited]" if self.edited else "",
                " [deleted]" if self.deleted else "",
                f" buttons={self.button_texts}" if self.buttons else "",
            ]
        )
        return f"#{self.message_id} {who}: {body!r}{flags}"

    @property
    def kind(self) -> str:
        if self.text is not None:
            return "text"
        if self.document is not None:
            return "document"
        if self.photo is not None:
            return "photo"
        return next(iter(self.media), "unknown")

    # -- shapes -------------------------------------------------------------------------
    def to_api(self, *, reply_to: MessageRecord | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender.to_api(),
            "chat": self.chat.to_api(),
            "date": self.date,
        }
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if reply_to is not None:
            data["reply_to_message"] = reply_to.to_api()
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = copy.deepcopy(self.entities)
        if self.document is not None:
            data["document"] = self.document.to_api()
        if self.photo is not None:
            data["photo"] = [self.photo.to_api()]
        for key, value in self.media.items():
            data[key] = copy.deepcopy(value)
        if self.caption is not None:
            data["caption"] = self.caption
            if self.caption_entities:
                data["caption_entities"] = copy.deepcopy(self.caption_entities)
        if self.protect_content:
            data["has_protected_content"] = True
        if self.link_preview_options is not None:
            data["link_preview_options"] = dict(self.link_preview_options)
        # Telegram returns reply_markup in a Message only for inline keyboards.
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = copy.deepcopy(self.reply_markup)
        return data

    def to_json(self) -> dict[str, Any]:
        return {
            "chat_id": self.chat.id,
            "message_id": self.message_id,
            "from_bot": self.from_bot,
            "from": self.sender.to_api(),
            "date": self.date,
            "kind": self.kind,
            "text": self.text,
            "caption": self.caption,
            "entities": self.entities,
            "caption_entities": self.caption_entities,
            "html": self.html,
            "raw_html": self.raw_html if self.text is not None else self.raw_caption_html,
            "parse_mode": self.parse_mode,
            "reply_markup": self.reply_markup,
            "buttons": self.buttons,
            "document": self.document.to_json() if self.document else None,
            "photo": self.photo.to_json() if self.photo else None,
            "media": self.media,
            "protect_content": self.protect_content,
            "link_preview_options": self.link_preview_options,
            "reply_to_message_id": self.reply_to_message_id,
            "edited": self.edited,
            "deleted": self.deleted,
        }


@dataclass
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    answered_at: float


@dataclass
class Event:
    """Something that happened, numbered in order; tests and the browser wait on these."""

    seq: int
    kind: EventKind
    chat_id: int | None
    at: float
    message: MessageRecord | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "chat_id": self.chat_id,
            "message_id": self.message.message_id if self.message else None,
            "message": self.message.to_json() if self.message else None,
            "data": self.data,
        }


@dataclass(frozen=True)
class RequestRecord:
    """One Bot API request as the emulator answered it (for benchmarks and assertions)."""

    method: str
    started_at: float
    finished_at: float
    status: int  # HTTP status; 0 when the connection was dropped


@dataclass(frozen=True)
class ApiErrorRecord:
    """An error the emulator returned, kept to explain timeouts in test failures."""

    at: float
    method: str
    status: int
    description: str
    chat_id: str | None
