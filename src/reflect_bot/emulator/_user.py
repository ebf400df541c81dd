# The wait helpers take a plain ``timeout`` on purpose: on expiry they raise an AssertionError
# that explains what did arrive, which asyncio.timeout() around them could not do.
# ruff: noqa: ASYNC109
"""The people side of the emulator: users who write, tap buttons and send files, and the
waiting helpers tests use to see what the bot did.

Waiting is cursor based so tests are not timing-sensitive: every user action in a chat moves
that chat's cursors to the action, and ``wait_for_bot_message`` returns the first bot message
*after the cursor*, even if the bot answered before the wait began. Each successful wait moves
the cursor past what it returned, so consecutive waits walk through the bot's messages in
order. ``mark()`` + ``after=`` gives explicit control when needed.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, Literal, TypeVar

from ._images import TINY_PNG
from ._models import (
    ApiErrorRecord,
    CallbackAnswer,
    Chat,
    Event,
    FileRecord,
    MessageRecord,
    RequestRecord,
    User,
)
from ._state import EmulatorState
from ._text import detect_user_entities, utf16_len

__all__ = ["MessagePredicate", "UserSide"]

T = TypeVar("T")
MessagePredicate = Callable[[MessageRecord], bool]
_CursorKind = Literal["message", "edit"]

# A few bytes that look like an Ogg/Opus voice note to anything that sniffs the header.
_VOICE_BYTES = b"OggS\x00\x02" + bytes(20) + b"OpusHead" + bytes(11)


class UserSide:
    """Mixed into :class:`BotAPIEmulator`; usable on its own over an :class:`EmulatorState`."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        # Telegram's default for bots: in groups they only see commands, replies to them
        # and mentions of them.
        self.privacy_mode = True
        self.default_timeout = 5.0
        self._cursors: dict[tuple[int, _CursorKind], int] = {}

    # -- people and chats ------------------------------------------------------------------
    def private_chat(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        started: bool = False,
    ) -> Chat:
        """Declare a user and their private chat with the bot.

        The bot may only write once the user has written (``started=True`` pretends they
        pressed Start earlier), like on Telegram.
        """
        user = User(user_id, first_name, last_name, username, language_code)
        return self.state.private_chat(user, started=started)

    def group_chat(
        self,
        chat_id: int,
        title: str = "Test group",
        *,
        members: Iterable[int] = (),
        supergroup: bool = False,
        username: str | None = None,
    ) -> Chat:
        """A group (negative id) the bot is a member of; members are user ids."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative on Telegram")
        member_ids = list(members)
        for member in member_ids:
            self._user(member)
        return self.state.group_chat(
            chat_id, title, supergroup=supergroup, username=username, members=member_ids
        )

    def user(self, user_id: int) -> User:
        return self._user(user_id)

    def _user(self, user_id: int) -> User:
        user = self.state.users.get(user_id)
        if user is None:
            user = self.state.add_user(User(user_id, f"User{user_id}"))
        return user

    def _chat_and_sender(self, chat_id: int, from_user: int | None) -> tuple[Chat, User]:
        chat = self.state.chats.get(chat_id)
        if chat is None:
            if chat_id < 0:
                raise ValueError(f"unknown group {chat_id}: create it with group_chat() first")
            chat = self.state.private_chat(self._user(chat_id), started=True)
        if chat.type == "private":
            assert chat.user is not None
            if from_user not in (None, chat.user.id):
                raise ValueError(f"user {from_user} cannot write in {chat.user.id}'s private chat")
            return chat, chat.user
        if from_user is None:
            if not chat.members:
                raise ValueError(f"say which user writes in group {chat_id}: from_user=...")
            from_user = chat.members[0]
        if from_user not in chat.members:
            chat.members.append(from_user)
        return chat, self._user(from_user)

    # -- user actions ------------------------------------------------------------------------
    def _user_message(self, chat: Chat, sender: User, reply_to: int | None) -> MessageRecord:
        if chat.type == "private":
            chat.started = True
            if chat.blocked:
                # Writing to a bot you blocked unblocks it in Telegram's apps.
                self._set_blocked(chat, False, notify_bot=True)
        if reply_to is not None and self.state.get_message(chat.id, reply_to) is None:
            raise AssertionError(f"no message {reply_to} in chat {chat.id} to reply to")
        return MessageRecord(
            chat=chat,
            message_id=self.state.new_message_id(chat.id),
            from_bot=False,
            sender=sender,
            date=self.state.now(),
            sent_at=time.monotonic(),
            reply_to_message_id=reply_to,
        )

    def _post_user_message(self, record: MessageRecord) -> dict[str, Any]:
        self.state.add_message(record)
        event = self.state.emit("user_message", record.chat.id, record)
        self._move_cursors(record.chat.id, event.seq)
        reply_to = (
            self.state.get_message(record.chat.id, record.reply_to_message_id)
            if record.reply_to_message_id is not None
            else None
        )
        message = record.to_api(reply_to=reply_to)
        if self._bot_sees(record, reply_to):
            self.state.queue_update({"message": message})
        return message

    def _bot_sees(self, record: MessageRecord, reply_to: MessageRecord | None) -> bool:
        """Group privacy mode: only commands, replies to the bot and mentions get through."""
        if record.chat.type == "private":
            return True
        if record.chat.blocked or not record.chat.bot_member:
            return False  # the bot is no longer in the group
        if not self.privacy_mode:
            return True
        if reply_to is not None and reply_to.from_bot:
            return True
        text = record.text or record.caption or ""
        username = (self.state.bot.username or "").lower()
        if username and f"@{username}" in text.lower():
            return True
        for entity in record.entities:
            if entity["type"] == "bot_command":
                command = _utf16_slice(text, entity["offset"], entity["length"])
                target = command.partition("@")[2].lower()
                if not target or target == username:
                    return True
        return False

    async def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        from_user: int | None = None,
        reply_to: int | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A user writes ``text``; returns the Message dict the bot receives.

        /commands and links get the entities Telegram's apps attach.
        """
        chat, sender = self._chat_and_sender(chat_id, from_user)
        record = self._user_message(chat, sender, reply_to)
        record.text = text
        record.entities = entities if entities is not None else detect_user_entities(text)
        return self._post_user_message(record)

    async def send_command(
        self, chat_id: int, command: str, args: str = "", *, from_user: int | None = None
    ) -> dict[str, Any]:
        text = "/" + command.removeprefix("/") + (f" {args}" if args else "")
        return await self.send_text(chat_id, text, from_user=from_user)

    async def send_document(
        self,
        chat_id: int,
        data: bytes = b"hello\n",
        file_name: str = "document.txt",
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        from_user: int | None = None,
    ) -> dict[str, Any]:
        chat, sender = self._chat_and_sender(chat_id, from_user)
        record = self._user_message(chat, sender, None)
        record.document = self.state.new_file(
            "document", data, file_name=file_name, mime_type=mime_type
        )
        record.caption = caption
        return self._post_user_message(record)

    async def send_photo(
        self,
        chat_id: int,
        data: bytes = TINY_PNG,
        *,
        caption: str | None = None,
        width: int = 1,
        height: int = 1,
        from_user: int | None = None,
    ) -> dict[str, Any]:
        chat, sender = self._chat_and_sender(chat_id, from_user)
        record = self._user_message(chat, sender, None)
        record.photo = self.state.new_file(
            "photo", data, mime_type="image/png", extra={"width": width, "height": height}
        )
        record.caption = caption
        return self._post_user_message(record)

    async def send_voice(
        self,
        chat_id: int,
        data: bytes = _VOICE_BYTES,
        *,
        duration: int = 1,
        mime_type: str = "audio/ogg",
        from_user: int | None = None,
    ) -> dict[str, Any]:
        chat, sender = self._chat_and_sender(chat_id, from_user)
        record = self._user_message(chat, sender, None)
        voice = self.state.new_file("voice", data, mime_type=mime_type)
        record.media["voice"] = {**voice.to_api(), "duration": duration}
        return self._post_user_message(record)

    async def send_audio(
        self,
        chat_id: int,
        data: bytes,
        *,
        file_name: str = "note.ogg",
        mime_type: str = "audio/ogg",
        duration: int = 1,
        from_user: int | None = None,
    ) -> dict[str, Any]:
        """An audio file (Telegram's `audio`, as a music or recorder app shares it)."""
        chat, sender = self._chat_and_sender(chat_id, from_user)
        record = self._user_message(chat, sender, None)
        audio = self.state.new_file("audio", data, file_name=file_name, mime_type=mime_type)
        record.media["audio"] = {
            **audio.to_api(),
            "duration": duration,
            "file_name": file_name,
        }
        return self._post_user_message(record)

    async def send_sticker(
        self, chat_id: int, emoji: str = "🙂", *, from_user: int | None = None
    ) -> dict[str, Any]:
        chat, sender = self._chat_and_sender(chat_id, from_user)
        record = self._user_message(chat, sender, None)
        sticker = self.state.new_file(
            "sticker", b"RIFF\x00\x00\x00\x00WEBP", mime_type="image/webp"
        )
        record.media["sticker"] = {
            **sticker.to_api(),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._post_user_message(record)

    async def send_location(
        self,
        chat_id: int,
        latitude: float = 51.5072,
        longitude: float = -0.1276,
        *,
        from_user: int | None = None,
    ) -> dict[str, Any]:
        chat, sender = self._chat_and_sender(chat_id, from_user)
        record = self._user_message(chat, sender, None)
        record.media["location"] = {"latitude": latitude, "longitude": longitude}
        return self._post_user_message(record)

    async def edit_text(self, chat_id: int, message_id: int, text: str) -> dict[str, Any]:
        """The user edits one of their messages; the bot gets an ``edited_message`` update."""
        record = self.state.get_message(chat_id, message_id)
        if record is None or record.from_bot:
            raise AssertionError(f"no user message {message_id} in chat {chat_id} to edit")
        record.versions.append(record.text)
        record.text = text
        record.entities = detect_user_entities(text)
        record.edit_date = self.state.now()
        record.edited_at = time.monotonic()
        event = self.state.emit("user_edit", chat_id, record)
        self._move_cursors(chat_id, event.seq)
        message = record.to_api()
        if self._bot_sees(record, None):
            self.state.queue_update({"edited_message": message})
        return message

    async def press_button(
        self,
        chat_id: int,
        message_id: int,
        callback_data: str | None = None,
        *,
        text: str | None = None,
        from_user: int | None = None,
        strict: bool = True,
    ) -> str:
        """Tap an inline button (by ``callback_data`` or label ``text``); returns the query id.

        ``strict=False`` allows data no current button carries, to mimic a stale keyboard.
        """
        record = self.state.get_message(chat_id, message_id)
        if record is None:
            raise AssertionError(f"no message {message_id} in chat {chat_id}")
        if text is not None:
            callback_data = record.callback_data(text)
        if callback_data is None:
            raise ValueError("give callback_data or text")
        pairs = [(b.get("text"), b.get("callback_data")) for row in record.buttons for b in row]
        if strict and callback_data not in [data for _, data in pairs]:
            raise AssertionError(
                f"message {message_id} has no button with callback_data {callback_data!r}; "
                f"buttons (text, callback_data): {pairs}"
            )
        chat, sender = self._chat_and_sender(chat_id, from_user)
        query = self.state.new_callback_query(chat.id, message_id, sender.id, callback_data)
        event = self.state.emit(
            "callback_query", chat.id, record, callback_query_id=query.id, data=callback_data
        )
        self._move_cursors(chat.id, event.seq)
        self.state.queue_update(
            {
                "callback_query": {
                    "id": query.id,
                    "from": sender.to_api(),
                    "message": record.to_api(),
                    "chat_instance": str(abs(chat.id) * 7919 + self.state.bot.id),
                    "data": callback_data,
                }
            }
        )
        return query.id

    async def click(
        self,
        chat_id: int,
        text: str,
        *,
        message_id: int | None = None,
        from_user: int | None = None,
    ) -> str:
        """Tap the button labelled ``text`` on the newest bot message that has it."""
        if message_id is None:
            for record in reversed(self.bot_messages(chat_id)):
                if any(text in label for label in record.button_texts):
                    message_id = record.message_id
                    break
            else:
                raise AssertionError(
                    f"no bot message in chat {chat_id} has a button {text!r}:\n"
                    + self._history(chat_id)
                )
        return await self.press_button(chat_id, message_id, text=text, from_user=from_user)

    def inject_update(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update as is. Keeps its ``update_id`` if present, so
        ``emu.inject_update(emu.updates[-1])`` delivers the same update a second time."""
        return self.state.inject_update(raw)

    def block_chat(self, chat_id: int, *, notify_bot: bool = True) -> None:
        """The user blocks the bot (or a group removes it): sends get 403 from now on."""
        chat = self.state.chats.get(chat_id)
        if chat is None:
            raise ValueError(f"unknown chat {chat_id}")
        self._set_blocked(chat, True, notify_bot=notify_bot)

    def unblock_chat(self, chat_id: int, *, notify_bot: bool = True) -> None:
        chat = self.state.chats.get(chat_id)
        if chat is None:
            raise ValueError(f"unknown chat {chat_id}")
        self._set_blocked(chat, False, notify_bot=notify_bot)

    def _set_blocked(self, chat: Chat, blocked: bool, *, notify_bot: bool) -> None:
        if chat.blocked == blocked:
            return
        chat.blocked = blocked
        if not notify_bot:
            return
        actor = chat.user or (self._user(chat.members[0]) if chat.members else None)
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        bot = self.state.bot.to_api()

        def member(status: str) -> dict[str, Any]:
            # Telegram's ChatMemberBanned always carries until_date (0: for ever).
            return {"user": bot, "status": status} | (
                {"until_date": 0} if status == "kicked" else {}
            )

        self.state.queue_update(
            {
                "my_chat_member": {
                    "chat": chat.to_api(),
                    "from": actor.to_api() if actor else bot,
                    "date": self.state.now(),
                    "old_chat_member": member(old),
                    "new_chat_member": member(new),
                }
            }
        )

    # -- reading state -----------------------------------------------------------------------
    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[MessageRecord]:
        """Every message in the chat, both sides, oldest first, in its current state."""
        return self.state.messages(chat_id, include_deleted=include_deleted)

    def bot_messages(self, chat_id: int) -> list[MessageRecord]:
        return [record for record in self.messages(chat_id) if record.from_bot]

    def last_bot_message(self, chat_id: int) -> MessageRecord:
        messages = self.bot_messages(chat_id)
        if not messages:
            raise AssertionError(f"the bot has sent nothing to chat {chat_id}")
        return messages[-1]

    def documents(self, chat_id: int, *, from_bot: bool = True) -> list[FileRecord]:
        """Files the bot (or, with ``from_bot=False``, the users) sent as documents."""
        return [
            record.document
            for record in self.messages(chat_id)
            if record.document is not None and record.from_bot == from_bot
        ]

    @property
    def sends(self) -> list[MessageRecord]:
        """Every bot message in send order, each with ``sent_at`` (monotonic) for benchmarks."""
        return [e.message for e in self.state.events if e.kind == "message" and e.message]

    @property
    def commands(self) -> list[dict[str, str]]:
        """The default-scope command list from setMyCommands."""
        return self.state.commands.get(('{"type": "default"}', ""), [])

    def commands_for(self, scope: dict[str, Any], language_code: str = "") -> list[dict[str, str]]:
        return self.state.commands.get((json.dumps(scope, sort_keys=True), language_code), [])

    @property
    def callback_answers(self) -> dict[str, CallbackAnswer]:
        return self.state.callback_answers

    @property
    def updates(self) -> list[dict[str, Any]]:
        """Every update ever queued for the bot, in order."""
        return self.state.updates.log

    @property
    def pending_updates(self) -> int:
        return len(self.state.updates)

    @property
    def request_counts(self) -> Counter[str]:
        """Bot API requests received, per method name as the bot spelled it."""
        return self.state.request_counts

    @property
    def requests(self) -> list[RequestRecord]:
        return self.state.requests

    @property
    def api_errors(self) -> list[ApiErrorRecord]:
        """Every error the emulator answered with (what the bot got wrong, or faults)."""
        return self.state.api_errors

    def chat_actions(self, chat_id: int) -> list[str]:
        return [
            str(e.data["action"])
            for e in self.state.events
            if e.kind == "chat_action" and e.chat_id == chat_id
        ]

    # -- waiting -------------------------------------------------------------------------
    def mark(self) -> int:
        """A position in the event history, for ``after=`` in the wait helpers."""
        return self.state.seq

    def _move_cursors(self, chat_id: int, seq: int) -> None:
        self._cursors[(chat_id, "message")] = seq
        self._cursors[(chat_id, "edit")] = seq

    def _find(
        self,
        chat_id: int,
        kind: _CursorKind,
        start: int,
        predicate: MessagePredicate | None,
        message_id: int | None = None,
    ) -> Event | None:
        for event in self.state.events_since(start):
            if event.kind != kind or event.chat_id != chat_id or event.message is None:
                continue
            if message_id is not None and event.message.message_id != message_id:
                continue
            if predicate is None or predicate(event.message):
                return event
        return None

    async def _wait_event(
        self,
        chat_id: int,
        kind: _CursorKind,
        *,
        timeout: float | None,
        predicate: MessagePredicate | None,
        after: int | None,
        message_id: int | None = None,
        what: str,
    ) -> Event:
        start = after if after is not None else self._cursors.get((chat_id, kind), 0)
        limit = self.default_timeout if timeout is None else timeout
        event = await self.state.notifier.wait_for(
            lambda: self._find(chat_id, kind, start, predicate, message_id), limit
        )
        if event is None:
            raise AssertionError(self._explain_timeout(what, chat_id, start, limit))
        self._cursors[(chat_id, kind)] = event.seq
        return event

    async def wait_for_bot_message(
        self,
        chat_id: int,
        *,
        timeout: float | None = None,
        predicate: MessagePredicate | None = None,
        after: int | None = None,
    ) -> MessageRecord:
        """The next message the bot sends to ``chat_id`` (see the module docs for "next").

        ``predicate`` sees each message in its current state (after any later edits).
        """
        event = await self._wait_event(
            chat_id,
            "message",
            timeout=timeout,
            predicate=predicate,
            after=after,
            what="a bot message" + (" matching the predicate" if predicate else ""),
        )
        assert event.message is not None
        return event.message

    async def wait_for_bot_messages(
        self,
        chat_id: int,
        count: int,
        *,
        timeout: float | None = None,
        after: int | None = None,
    ) -> list[MessageRecord]:
        """The next ``count`` bot messages; the timeout covers all of them."""
        deadline = time.monotonic() + (self.default_timeout if timeout is None else timeout)
        found: list[MessageRecord] = []
        for index in range(count):
            remaining = max(deadline - time.monotonic(), 0.0)
            try:
                found.append(
                    await self.wait_for_bot_message(
                        chat_id, timeout=remaining, after=after if index == 0 else None
                    )
                )
            except AssertionError as exc:
                raise AssertionError(f"got {index} of {count} bot messages. {exc}") from None
        return found

    async def wait_for_edit(
        self,
        chat_id: int,
        message_id: int | None = None,
        *,
        timeout: float | None = None,
        predicate: MessagePredicate | None = None,
        after: int | None = None,
    ) -> MessageRecord:
        """The next edit the bot makes in ``chat_id`` (optionally of one message)."""
        event = await self._wait_event(
            chat_id,
            "edit",
            timeout=timeout,
            predicate=predicate,
            after=after,
            message_id=message_id,
            what="a bot edit" + (f" of message {message_id}" if message_id else ""),
        )
        assert event.message is not None
        return event.message

    async def wait_for_callback_answer(
        self, callback_query_id: str, *, timeout: float | None = None
    ) -> CallbackAnswer:
        limit = self.default_timeout if timeout is None else timeout
        answer = await self.state.notifier.wait_for(
            lambda: self.state.callback_answers.get(callback_query_id), limit
        )
        if answer is None:
            query = self.state.callback_queries.get(callback_query_id)
            chat_id = query.chat_id if query else 0
            raise AssertionError(
                self._explain_timeout(
                    f"answerCallbackQuery for {callback_query_id}", chat_id, 0, limit
                )
            )
        return answer

    async def wait_until(
        self,
        condition: Callable[[], T | None],
        *,
        timeout: float | None = None,
        description: str = "the condition",
    ) -> T:
        """Re-check ``condition`` after every change (and every 20 ms, for conditions on
        state outside the emulator); returns its first truthy result."""
        limit = self.default_timeout if timeout is None else timeout

        def check() -> T | None:
            result = condition()
            return result if result else None

        result = await self.state.notifier.wait_for(check, limit, poll_interval=0.02)
        if result is None:
            raise AssertionError(f"timed out after {limit}s waiting for {description}")
        return result

    async def wait_for_updates_consumed(self, *, timeout: float | None = None) -> None:
        """Until the bot has fetched and confirmed every pending update."""
        await self.wait_until(
            lambda: len(self.state.updates) == 0,
            timeout=timeout,
            description=f"the bot to confirm {len(self.state.updates)} pending update(s)",
        )

    async def assert_no_bot_message(
        self, chat_id: int, *, within: float = 0.3, after: int | None = None
    ) -> None:
        """Fail if the bot sends anything to ``chat_id`` within ``within`` seconds."""
        start = after if after is not None else self._cursors.get((chat_id, "message"), 0)
        event = await self.state.notifier.wait_for(
            lambda: self._find(chat_id, "message", start, None), within
        )
        if event is not None and event.message is not None:
            raise AssertionError(
                f"expected no bot message in chat {chat_id}, got {event.message.summary()}"
            )

    # -- failure messages ------------------------------------------------------------------
    def _history(self, chat_id: int, last: int = 12) -> str:
        records = self.state.messages(chat_id, include_deleted=True)
        if not records:
            return "  (no messages)"
        lines = [f"  {record.summary()}" for record in records[-last:]]
        if len(records) > last:
            lines.insert(0, f"  … {len(records) - last} earlier")
        return "\n".join(lines)

    def _explain_timeout(self, what: str, chat_id: int, start: int, limit: float) -> str:
        since = self.state.events[start - 1].at if 0 < start <= len(self.state.events) else 0.0
        errors = [e for e in self.state.api_errors if e.at >= since][-8:]
        parts = [
            f"timed out after {limit}s waiting for {what} in chat {chat_id} "
            f"(after event #{start}).",
            f"Messages in chat {chat_id}:",
            self._history(chat_id),
        ]
        if errors:
            parts.append("Errors the emulator returned to the bot meanwhile:")
            parts.extend(
                f"  {e.method} (chat {e.chat_id}): {e.status} {e.description}" for e in errors
            )
        parts.append(
            f"Pending updates not yet confirmed by the bot: {len(self.state.updates)}; "
            f"requests so far: {dict(self.state.request_counts)}"
        )
        return "\n".join(parts)


def _utf16_slice(text: str, offset: int, length: int) -> str:
    """The part of ``text`` an entity covers (entity offsets are UTF-16 code units)."""
    if utf16_len(text) == len(text):
        return text[offset : offset + length]
    units = text.encode("utf-16-le")
    return units[offset * 2 : (offset + length) * 2].decode("utf-16-le")
