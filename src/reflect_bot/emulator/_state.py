"""Everything the emulated Telegram knows: users, chats, messages, files, updates, events."""

from __future__ import annotations

import itertools
import mimetypes
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ._models import (
    ApiErrorRecord,
    CallbackAnswer,
    Chat,
    Event,
    EventKind,
    FileKind,
    FileRecord,
    MessageRecord,
    RequestRecord,
    User,
)
from ._notify import Notifier
from ._updates import UpdateQueue

__all__ = ["CallbackQueryRecord", "EmulatorState"]

_FILE_DIRS: dict[FileKind, str] = {
    "document": "documents",
    "photo": "photos",
    "voice": "voice",
    "sticker": "stickers",
    "audio": "music",
    "video": "videos",
}


@dataclass
class CallbackQueryRecord:
    id: str
    chat_id: int
    message_id: int
    from_user: int
    data: str
    answered: bool = False


class EmulatorState:
    def __init__(self, bot: User) -> None:
        self.bot = bot
        # How far Telegram's clock is ahead of the real one (advance_clock): messages age.
        self.time_offset = 0.0
        self.notifier = Notifier()
        self.updates = UpdateQueue()
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self._messages: dict[int, list[MessageRecord]] = {}
        self._message_index: dict[tuple[int, int], MessageRecord] = {}
        self._next_message_id: dict[int, int] = {}
        self.files: dict[str, FileRecord] = {}
        self.files_by_path: dict[str, FileRecord] = {}
        self._file_numbers = itertools.count(1)
        self._callback_numbers = itertools.count(1)
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.callback_answers: dict[str, CallbackAnswer] = {}
        # setMyCommands lists keyed by (scope as canonical JSON, language_code).
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.events: list[Event] = []
        self.request_counts: Counter[str] = Counter()
        self.requests: list[RequestRecord] = []
        self.api_errors: list[ApiErrorRecord] = []
        self.closing = False  # set on shutdown so long polls return at once

    # -- chats and users ---------------------------------------------------------------
    def add_user(self, user: User) -> User:
        existing = self.users.get(user.id)
        if existing is not None:
            return existing
        self.users[user.id] = user
        return user

    def private_chat(self, user: User, *, started: bool) -> Chat:
        user = self.add_user(user)
        chat = self.chats.get(user.id)
        if chat is None:
            chat = Chat(id=user.id, type="private", user=user, started=started)
            self.chats[user.id] = chat
        elif started:
            chat.started = True
        return chat

    def group_chat(
        self,
        chat_id: int,
        title: str,
        *,
        supergroup: bool,
        username: str | None,
        members: list[int],
    ) -> Chat:
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = Chat(
                id=chat_id,
                type="supergroup" if supergroup else "group",
                title=title,
                username=username,
            )
            self.chats[chat_id] = chat
        for member in members:
            if member not in chat.members:
                chat.members.append(member)
        return chat

    def find_chat(self, raw: str) -> Chat | None:
        """Resolve a chat_id parameter: a number or an ``@username``."""
        if raw.startswith("@"):
            wanted = raw[1:].lower()
            for chat in self.chats.values():
                name = chat.username or (chat.user.username if chat.user else None)
                if name and name.lower() == wanted:
                    return chat
            return None
        try:
            return self.chats.get(int(raw))
        except ValueError:
            return None

    # -- messages ------------------------------------------------------------------------
    def new_message_id(self, chat_id: int) -> int:
        number = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = number + 1
        return number

    def add_message(self, record: MessageRecord) -> MessageRecord:
        self._messages.setdefault(record.chat.id, []).append(record)
        self._message_index[(record.chat.id, record.message_id)] = record
        return record

    def get_message(self, chat_id: int, message_id: int) -> MessageRecord | None:
        record = self._message_index.get((chat_id, message_id))
        if record is None or record.deleted:
            return None
        return record

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[MessageRecord]:
        return [
            record
            for record in self._messages.get(chat_id, [])
            if include_deleted or not record.deleted
        ]

    def now(self) -> int:
        return int(time.time() + self.time_offset)

    # -- files -----------------------------------------------------------------------------
    def new_file(
        self,
        kind: FileKind,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> FileRecord:
        number = next(self._file_numbers)
        if mime_type is None and file_name:
            mime_type = mimetypes.guess_type(file_name, strict=False)[0]
        extension = mimetypes.guess_extension(mime_type or "") or ""
        if file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        record = FileRecord(
            file_id=f"emu{kind[:3].upper()}{number:05d}{uuid.uuid4().hex[:16]}",
            file_unique_id=f"AgAD{number:05d}",
            kind=kind,
            data=data,
            file_path=f"{_FILE_DIRS.get(kind, 'documents')}/file_{number}{extension}",
            file_name=file_name,
            mime_type=mime_type,
            extra=dict(extra or {}),
        )
        self.files[record.file_id] = record
        self.files_by_path[record.file_path] = record
        return record

    # -- callback queries ------------------------------------------------------------------
    def new_callback_query(
        self, chat_id: int, message_id: int, from_user: int, data: str
    ) -> CallbackQueryRecord:
        query_id = f"{from_user}{next(self._callback_numbers):08d}"
        record = CallbackQueryRecord(query_id, chat_id, message_id, from_user, data)
        self.callback_queries[query_id] = record
        return record

    # -- events and updates ------------------------------------------------------------------
    @property
    def seq(self) -> int:
        """Number of the latest event (0 before anything happened)."""
        return len(self.events)

    def emit(
        self,
        kind: EventKind,
        chat_id: int | None,
        message: MessageRecord | None = None,
        **data: Any,
    ) -> Event:
        event = Event(
            seq=len(self.events) + 1,
            kind=kind,
            chat_id=chat_id,
            at=time.monotonic(),
            message=message,
            data=data,
        )
        self.events.append(event)
        self.notifier.notify()
        return event

    def events_since(self, seq: int) -> Iterator[Event]:
        """Events numbered above ``seq``, without copying the history."""
        for index in range(max(seq, 0), len(self.events)):
            yield self.events[index]

    def queue_update(self, body: dict[str, Any]) -> dict[str, Any]:
        update = self.updates.add(body)
        self.notifier.notify()
        return update

    def inject_update(self, raw: dict[str, Any]) -> dict[str, Any]:
        update = self.updates.inject(raw)
        self.notifier.notify()
        return update
