"""The Bot API methods the emulator implements, with Telegram's checks and answers.

Each handler takes the request's :class:`Params` and returns the ``result`` value, or raises
:class:`ApiError`. Transport concerns (tokens, injected faults, delays) live in the server.

Not emulated, on purpose: inline mode (``inline_message_id`` edits fail with
MESSAGE_ID_INVALID), fetching files from HTTP URLs (there is no network: "failed to get HTTP
URL content"), thumbnails and media groups. Any other method answers 404 like Telegram does
for unknown ones.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from ._errors import ApiError, Descriptions
from ._faults import Faults
from ._images import image_size
from ._models import CallbackAnswer, Chat, FileKind, FileRecord, MessageRecord
from ._params import Params, UploadedFile
from ._state import EmulatorState
from ._validate import (
    Formatted,
    format_caption,
    format_text,
    link_preview_options,
    validate_reply_markup,
)
from ._webhook import Webhook

__all__ = ["BotMethods", "Handler"]

Handler = Callable[[Params], Awaitable[Any]]

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # Telegram's limit for bots uploading files
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile refuses bigger files
DELETE_WITHIN_SECONDS = 48 * 60 * 60  # deleteMessage works for messages younger than this
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class BotMethods:
    def __init__(self, state: EmulatorState, faults: Faults, webhook: Webhook) -> None:
        self.state = state
        self.faults = faults
        self.webhook = webhook
        # Refuse a bare "&" in HTML (stricter than Telegram; see _html.py).
        self.strict_html = True
        self._poll_generation = 0
        self.handlers: dict[str, Handler] = {
            name.lower(): handler
            for name, handler in {
                "getMe": self.get_me,
                "getUpdates": self.get_updates,
                "setWebhook": self.set_webhook,
                "deleteWebhook": self.delete_webhook,
                "getWebhookInfo": self.get_webhook_info,
                "sendMessage": self.send_message,
                "sendDocument": self.send_document,
                "sendPhoto": self.send_photo,
                "editMessageText": self.edit_message_text,
                "editMessageCaption": self.edit_message_caption,
                "editMessageReplyMarkup": self.edit_message_reply_markup,
                "deleteMessage": self.delete_message,
                "answerCallbackQuery": self.answer_callback_query,
                "getFile": self.get_file,
                "setMyCommands": self.set_my_commands,
                "getMyCommands": self.get_my_commands,
                "deleteMyCommands": self.delete_my_commands,
                "sendChatAction": self.send_chat_action,
                "getChat": self.get_chat,
                "leaveChat": self.leave_chat,
                "close": self.trivial,
                "logOut": self.trivial,
            }.items()
        }

    # -- shared helpers --------------------------------------------------------------------
    def _chat(self, params: Params) -> Chat:
        chat = self.state.find_chat(params.required_str("chat_id"))
        if chat is None:
            raise ApiError.bad_request(Descriptions.CHAT_NOT_FOUND)
        return chat

    def _chat_for_send(self, params: Params) -> Chat:
        """The target chat of anything the bot posts, refused as Telegram would."""
        chat = self._chat(params)
        if chat.type == "private":
            if chat.blocked:
                raise ApiError(403, Descriptions.BLOCKED)
            if not chat.started:
                raise ApiError(403, Descriptions.CANT_INITIATE)
        elif chat.blocked:
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
        elif not chat.bot_member:
            raise ApiError(403, Descriptions.NOT_A_MEMBER)
        return chat

    def _reply_target(self, params: Params, chat: Chat) -> MessageRecord | None:
        reply = params.json_("reply_parameters", what="reply parameters")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply"))
            target_chat = chat
            if reply.get("chat_id") is not None:
                target_chat = self.state.find_chat(str(reply["chat_id"])) or chat
        else:
            message_id = params.int_("reply_to_message_id")
            allow_missing = params.bool_("allow_sending_without_reply")
            target_chat = chat
        if message_id is None:
            return None
        target = self.state.get_message(target_chat.id, int(message_id))
        if target is None and not allow_missing:
            raise ApiError.bad_request(Descriptions.REPLIED_NOT_FOUND)
        return target

    def _new_bot_message(self, chat: Chat, params: Params) -> MessageRecord:
        return MessageRecord(
            chat=chat,
            message_id=self.state.new_message_id(chat.id),
            from_bot=True,
            sender=self.state.bot,
            date=self.state.now(),
            sent_at=time.monotonic(),
            protect_content=params.bool_("protect_content"),
        )

    def _publish(self, record: MessageRecord, reply_to: MessageRecord | None) -> dict[str, Any]:
        record.reply_to_message_id = reply_to.message_id if reply_to else None
        self.state.add_message(record)
        self.state.emit("message", record.chat.id, record)
        return record.to_api(reply_to=reply_to)

    def _reply_markup(self, params: Params) -> dict[str, Any] | None:
        return validate_reply_markup(params.json_("reply_markup", what="reply keyboard markup"))

    def _input_file(self, params: Params, name: str, kind: FileKind) -> FileRecord:
        value = params.file_(name)
        if value is None:
            raise ApiError.bad_request(f"Bad Request: there is no {name} in the request")
        if isinstance(value, str):
            if value.lower().startswith(("http://", "https://")):
                # The emulator has no network to fetch from (documented limitation).
                raise ApiError.bad_request(Descriptions.URL_CONTENT)
            existing = self.state.files.get(value)
            if existing is None:
                raise ApiError.bad_request(Descriptions.WRONG_FILE_ID)
            return existing
        return self._store_upload(value, kind)

    def _store_upload(self, upload: UploadedFile, kind: FileKind) -> FileRecord:
        if not upload.data:
            raise ApiError.bad_request(Descriptions.FILE_EMPTY)
        if len(upload.data) > MAX_UPLOAD_BYTES:
            raise ApiError(413, Descriptions.TOO_LARGE)
        extra: dict[str, Any] = {}
        if kind == "photo":
            size = image_size(upload.data)
            if size is None:
                raise ApiError.bad_request("Bad Request: IMAGE_PROCESS_FAILED")
            extra = {"width": size[0], "height": size[1]}
        return self.state.new_file(
            kind,
            upload.data,
            file_name=upload.filename if kind != "photo" else None,
            mime_type=upload.content_type,
            extra=extra,
        )

    def _message_to_edit(self, params: Params) -> MessageRecord:
        if params.str_("inline_message_id"):
            raise ApiError.bad_request("Bad Request: MESSAGE_ID_INVALID")  # no inline mode
        chat = self._chat_for_send(params)
        message_id = params.int_("message_id")
        if message_id is None:
            raise ApiError.bad_request("Bad Request: message identifier is not specified")
        record = self.state.get_message(chat.id, message_id)
        if record is None:
            raise ApiError.bad_request(Descriptions.MESSAGE_TO_EDIT_NOT_FOUND)
        if not record.from_bot:
            raise ApiError.bad_request(Descriptions.MESSAGE_CANT_BE_EDITED)
        return record

    def _record_edit(self, record: MessageRecord, method: str) -> dict[str, Any]:
        record.edit_date = self.state.now()
        record.edited_at = time.monotonic()
        self.state.emit("edit", record.chat.id, record, method=method)
        return record.to_api()

    # -- identity, updates, webhooks -------------------------------------------------------
    async def trivial(self, params: Params) -> bool:
        return True

    async def get_me(self, params: Params) -> dict[str, Any]:
        return {
            **self.state.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def get_updates(self, params: Params) -> list[dict[str, Any]]:
        if self.webhook.active:
            raise ApiError(409, Descriptions.WEBHOOK_ACTIVE)
        queue = self.state.updates
        limit = min(max(params.int_("limit", 100) or 100, 1), 100)
        timeout = max(params.float_("timeout", 0.0) or 0.0, 0.0)
        allowed = params.json_("allowed_updates", what="allowed updates")
        if allowed is not None:
            queue.set_allowed([str(kind) for kind in allowed] if isinstance(allowed, list) else [])
        queue.confirm(params.int_("offset"))
        # A newer getUpdates ends an older one that is still waiting, as on Telegram.
        self._poll_generation += 1
        generation = self._poll_generation
        self.state.notifier.notify()  # wakes an older poll so it can see it was superseded
        deadline = time.monotonic() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, Descriptions.TERMINATED_BY_OTHER)
            if self.webhook.active:
                raise ApiError(409, Descriptions.WEBHOOK_ACTIVE)
            updates = queue.peek(limit)
            remaining = deadline - time.monotonic()
            if updates or remaining <= 0 or self.state.closing:
                return updates
            await self.state.notifier.wait(remaining)

    async def set_webhook(self, params: Params) -> bool:
        url = params.str_("url", "") or ""
        if params.bool_("drop_pending_updates"):
            self.state.updates.clear()
        allowed = params.json_("allowed_updates", what="allowed updates")
        if isinstance(allowed, list):
            self.state.updates.set_allowed([str(kind) for kind in allowed])
        if not url:
            self.webhook.delete()
            return True
        if not url.lower().startswith(("http://", "https://")):
            # Telegram insists on HTTPS; the emulator also accepts http:// for local bots.
            raise ApiError.bad_request(
                "Bad Request: bad webhook: HTTPS url must be provided for webhook"
            )
        secret = params.str_("secret_token")
        if secret is not None and not _SECRET_RE.match(secret):
            raise ApiError.bad_request("Bad Request: secret token contains unallowed characters")
        self.webhook.set(url, secret_token=secret, max_connections=params.int_("max_connections"))
        return True

    async def delete_webhook(self, params: Params) -> bool:
        if params.bool_("drop_pending_updates"):
            self.state.updates.clear()
        self.webhook.delete()
        return True

    async def get_webhook_info(self, params: Params) -> dict[str, Any]:
        return self.webhook.info()

    # -- sending -----------------------------------------------------------------------------
    async def send_message(self, params: Params) -> dict[str, Any]:
        chat = self._chat_for_send(params)
        formatted = format_text(params, strict_ampersand=self.strict_html)
        markup = self._reply_markup(params)
        reply_to = self._reply_target(params, chat)
        preview = link_preview_options(params)
        self.faults.check_rate("sendmessage", chat.id)
        record = self._new_bot_message(chat, params)
        record.text = formatted.text
        record.entities = formatted.entities
        record.raw_html = formatted.raw_html
        record.parse_mode = formatted.parse_mode
        record.reply_markup = markup
        record.link_preview_options = preview
        return self._publish(record, reply_to)

    async def _send_media(self, params: Params, name: str, kind: FileKind) -> dict[str, Any]:
        chat = self._chat_for_send(params)
        caption = format_caption(params, strict_ampersand=self.strict_html)
        markup = self._reply_markup(params)
        reply_to = self._reply_target(params, chat)
        file = self._input_file(params, name, kind)
        self.faults.check_rate(f"send{name}", chat.id)
        record = self._new_bot_message(chat, params)
        if kind == "photo":
            record.photo = file
        else:
            record.document = file
        self._set_caption(record, caption)
        record.reply_markup = markup
        return self._publish(record, reply_to)

    @staticmethod
    def _set_caption(record: MessageRecord, caption: Formatted | None) -> None:
        record.caption = caption.text if caption else None
        record.caption_entities = caption.entities if caption else []
        record.raw_caption_html = caption.raw_html if caption else None
        record.parse_mode = caption.parse_mode if caption else None

    async def send_document(self, params: Params) -> dict[str, Any]:
        return await self._send_media(params, "document", "document")

    async def send_photo(self, params: Params) -> dict[str, Any]:
        return await self._send_media(params, "photo", "photo")

    async def send_chat_action(self, params: Params) -> bool:
        chat = self._chat_for_send(params)
        action = params.str_("action")
        if action not in _CHAT_ACTIONS:
            raise ApiError.bad_request("Bad Request: wrong parameter action in request")
        self.state.emit("chat_action", chat.id, action=action)
        return True

    # -- editing and deleting -------------------------------------------------------------------
    async def edit_message_text(self, params: Params) -> dict[str, Any]:
        record = self._message_to_edit(params)
        if record.text is None:
            raise ApiError.bad_request(Descriptions.NO_TEXT_TO_EDIT)
        formatted = format_text(params, strict_ampersand=self.strict_html)
        markup = self._reply_markup(params)
        preview = link_preview_options(params)
        # Telegram compares the visible result: text, entities and keyboard. Leaving out
        # reply_markup removes an inline keyboard, so None is compared as "no keyboard".
        if (
            formatted.text == record.text
            and formatted.entities == record.entities
            and markup == record.reply_markup
        ):
            raise ApiError.bad_request(Descriptions.NOT_MODIFIED)
        self.faults.check_rate("editmessagetext", record.chat.id)
        record.versions.append(record.text)
        record.text = formatted.text
        record.entities = formatted.entities
        record.raw_html = formatted.raw_html
        record.parse_mode = formatted.parse_mode
        record.reply_markup = markup
        if preview is not None:
            record.link_preview_options = preview
        return self._record_edit(record, "editMessageText")

    async def edit_message_caption(self, params: Params) -> dict[str, Any]:
        record = self._message_to_edit(params)
        if record.document is None and record.photo is None:
            raise ApiError.bad_request("Bad Request: there is no caption in the message to edit")
        caption = format_caption(params, strict_ampersand=self.strict_html)
        markup = self._reply_markup(params)
        new_text = caption.text if caption else None
        new_entities = caption.entities if caption else []
        if (
            new_text == record.caption
            and new_entities == record.caption_entities
            and markup == record.reply_markup
        ):
            raise ApiError.bad_request(Descriptions.NOT_MODIFIED)
        self.faults.check_rate("editmessagecaption", record.chat.id)
        record.versions.append(record.caption)
        self._set_caption(record, caption)
        record.reply_markup = markup
        return self._record_edit(record, "editMessageCaption")

    async def edit_message_reply_markup(self, params: Params) -> dict[str, Any]:
        record = self._message_to_edit(params)
        markup = self._reply_markup(params)
        if markup == record.reply_markup:
            raise ApiError.bad_request(Descriptions.NOT_MODIFIED)
        self.faults.check_rate("editmessagereplymarkup", record.chat.id)
        record.reply_markup = markup
        return self._record_edit(record, "editMessageReplyMarkup")

    async def delete_message(self, params: Params) -> bool:
        chat = self._chat(params)
        record = self.state.get_message(chat.id, params.required_int("message_id"))
        if record is None:
            raise ApiError.bad_request(Descriptions.MESSAGE_TO_DELETE_NOT_FOUND)
        if self.state.now() - record.date >= DELETE_WITHIN_SECONDS:
            # Telegram: "a message can only be deleted if it was sent less than 48 hours ago".
            raise ApiError.bad_request(Descriptions.MESSAGE_CANT_BE_DELETED)
        record.deleted = True
        self.state.emit("delete", chat.id, record)
        return True

    # -- callbacks, files, commands, chats -------------------------------------------------
    async def answer_callback_query(self, params: Params) -> bool:
        query_id = params.required_str("callback_query_id")
        query = self.state.callback_queries.get(query_id)
        if query is None or query.answered:
            raise ApiError.bad_request(Descriptions.QUERY_TOO_OLD)
        query.answered = True
        answer = CallbackAnswer(
            callback_query_id=query_id,
            text=params.str_("text"),
            show_alert=params.bool_("show_alert"),
            url=params.str_("url"),
            cache_time=params.int_("cache_time", 0) or 0,
            answered_at=time.monotonic(),
        )
        self.state.callback_answers[query_id] = answer
        self.state.emit(
            "callback_answer",
            query.chat_id,
            callback_query_id=query_id,
            text=answer.text,
            show_alert=answer.show_alert,
        )
        return True

    async def get_file(self, params: Params) -> dict[str, Any]:
        record = self.state.files.get(params.required_str("file_id"))
        if record is None:
            raise ApiError.bad_request(Descriptions.WRONG_FILE_ID)
        if record.size > MAX_DOWNLOAD_BYTES:
            raise ApiError.bad_request("Bad Request: file is too big")
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": record.size,
            "file_path": record.file_path,
        }

    @staticmethod
    def _commands_key(params: Params) -> tuple[str, str]:
        scope = params.json_("scope", what="scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.str_("language_code", "") or ""

    async def set_my_commands(self, params: Params) -> bool:
        commands = params.json_("commands", what="commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError.bad_request("Bad Request: can't parse commands JSON object")
        cleaned: list[dict[str, str]] = []
        for item in commands:
            if not isinstance(item, dict):
                raise ApiError.bad_request("Bad Request: can't parse BotCommand JSON object")
            command = str(item.get("command", "")).removeprefix("/")
            description = str(item.get("description", ""))
            if not _COMMAND_RE.match(command):
                raise ApiError.bad_request("Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(description.strip()) <= 256:
                raise ApiError.bad_request("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command, "description": description})
        self.state.commands[self._commands_key(params)] = cleaned
        return True

    async def get_my_commands(self, params: Params) -> list[dict[str, str]]:
        return [dict(c) for c in self.state.commands.get(self._commands_key(params), [])]

    async def delete_my_commands(self, params: Params) -> bool:
        self.state.commands.pop(self._commands_key(params), None)
        return True

    async def get_chat(self, params: Params) -> dict[str, Any]:
        chat = self._chat(params)
        return {**chat.to_api(), "accent_color_id": 0, "max_reaction_count": 11}

    async def leave_chat(self, params: Params) -> bool:
        chat = self._chat(params)
        if chat.type == "private":
            raise ApiError.bad_request(
                "Bad Request: chat member status can't be changed in private chats"
            )
        chat.bot_member = False
        return True
