"""The user side as a small JSON HTTP API under ``/_emulator/``, for a browser page.

    GET  /_emulator/info                          bot, chats, latest event number
    GET  /_emulator/chats                         chats
    POST /_emulator/chats                         {"type": "private", "user_id", "first_name"}
                                                  or {"type": "group", "chat_id", "title",
                                                  "members": [...]}
    GET  /_emulator/chats/{chat_id}/messages      messages with HTML and keyboards
    POST /_emulator/chats/{chat_id}/messages      {"text", "from_user"?, "reply_to"?}
    POST /_emulator/chats/{chat_id}/documents     {"file_name", "data_base64", "mime_type"?,
                                                  "caption"?, "from_user"?}
    POST /_emulator/chats/{chat_id}/callback      {"message_id", "callback_data" | "text"}
    POST /_emulator/chats/{chat_id}/messages/{message_id}/edit   {"text"}
    GET  /_emulator/files/{file_id}               the file's bytes
    GET  /_emulator/changes?since=N&timeout=S     long poll: events after N
    GET  /_emulator/stats                         request counts and errors

Errors are ``{"ok": false, "error": "..."}`` with status 400 or 404. The API has no
authentication: bind the emulator to 127.0.0.1 (the default).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from aiohttp import web

from ._user import UserSide

__all__ = ["ControlApi"]

_MAX_POLL_SECONDS = 60.0


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False))


class _BadInput(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class ControlApi:
    def __init__(self, users: UserSide) -> None:
        self.users = users
        self.state = users.state

    def add_to(self, app: web.Application) -> None:
        prefix = "/_emulator"
        app.router.add_get(f"{prefix}/info", self._wrap(self.info))
        app.router.add_get(f"{prefix}/chats", self._wrap(self.chats))
        app.router.add_post(f"{prefix}/chats", self._wrap(self.create_chat))
        app.router.add_get(f"{prefix}/chats/{{chat_id}}/messages", self._wrap(self.messages))
        app.router.add_post(f"{prefix}/chats/{{chat_id}}/messages", self._wrap(self.send_text))
        app.router.add_post(f"{prefix}/chats/{{chat_id}}/documents", self._wrap(self.send_document))
        app.router.add_post(f"{prefix}/chats/{{chat_id}}/voice", self._wrap(self.send_voice))
        app.router.add_post(f"{prefix}/chats/{{chat_id}}/callback", self._wrap(self.press_button))
        app.router.add_post(
            f"{prefix}/chats/{{chat_id}}/messages/{{message_id}}/edit", self._wrap(self.edit)
        )
        app.router.add_get(f"{prefix}/files/{{file_id}}", self._wrap(self.download))
        app.router.add_get(f"{prefix}/changes", self._wrap(self.changes))
        app.router.add_get(f"{prefix}/stats", self._wrap(self.stats))

    @staticmethod
    def _wrap(handler: Any) -> Any:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            try:
                response: web.StreamResponse = await handler(request)
            except _BadInput as exc:
                return _json({"ok": False, "error": str(exc)}, exc.status)
            except (AssertionError, ValueError, KeyError, TypeError) as exc:
                return _json({"ok": False, "error": str(exc) or exc.__class__.__name__}, 400)
            return response

        return wrapped

    # -- helpers ---------------------------------------------------------------------------
    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError:
            raise _BadInput("the body must be a JSON object") from None
        if not isinstance(body, dict):
            raise _BadInput("the body must be a JSON object")
        return body

    def _chat_id(self, request: web.Request, *, must_exist: bool = True) -> int:
        try:
            chat_id = int(request.match_info["chat_id"])
        except ValueError:
            raise _BadInput("chat_id must be a number") from None
        if must_exist and chat_id not in self.state.chats:
            raise _BadInput(f"chat {chat_id} not found", 404)
        return chat_id

    @staticmethod
    def _optional_int(body: dict[str, Any], name: str) -> int | None:
        value = body.get(name)
        return None if value is None else int(value)

    # -- routes ------------------------------------------------------------------------------
    async def info(self, request: web.Request) -> web.Response:
        return _json(
            {
                "ok": True,
                "bot": self.state.bot.to_api(),
                "chats": [chat.to_api() for chat in self.state.chats.values()],
                "seq": self.state.seq,
            }
        )

    async def chats(self, request: web.Request) -> web.Response:
        return _json({"ok": True, "chats": [c.to_api() for c in self.state.chats.values()]})

    async def create_chat(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if body.get("type", "private") == "private":
            chat = self.users.private_chat(
                int(body["user_id"]),
                str(body.get("first_name", "Test")),
                last_name=body.get("last_name"),
                username=body.get("username"),
                language_code=body.get("language_code", "en"),
                started=bool(body.get("started", False)),
            )
        else:
            chat = self.users.group_chat(
                int(body["chat_id"]),
                str(body.get("title", "Test group")),
                members=[int(m) for m in body.get("members", [])],
                supergroup=body.get("type") == "supergroup",
            )
        return _json({"ok": True, "chat": chat.to_api()})

    async def messages(self, request: web.Request) -> web.Response:
        chat_id = self._chat_id(request)
        include_deleted = request.query.get("include_deleted", "") in {"1", "true"}
        records = self.users.messages(chat_id, include_deleted=include_deleted)
        return _json({"ok": True, "messages": [record.to_json() for record in records]})

    async def send_text(self, request: web.Request) -> web.Response:
        chat_id = self._chat_id(request, must_exist=False)
        body = await self._body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text:
            raise _BadInput("text is required")
        message = await self.users.send_text(
            chat_id,
            text,
            from_user=self._optional_int(body, "from_user"),
            reply_to=self._optional_int(body, "reply_to"),
        )
        return _json({"ok": True, "message": message})

    async def send_document(self, request: web.Request) -> web.Response:
        chat_id = self._chat_id(request, must_exist=False)
        body = await self._body(request)
        try:
            data = base64.b64decode(str(body.get("data_base64", "")), validate=True)
        except binascii.Error:
            raise _BadInput("data_base64 is not valid base64") from None
        message = await self.users.send_document(
            chat_id,
            data,
            str(body.get("file_name", "document.bin")),
            mime_type=body.get("mime_type"),
            caption=body.get("caption"),
            from_user=self._optional_int(body, "from_user"),
        )
        return _json({"ok": True, "message": message})

    async def send_voice(self, request: web.Request) -> web.Response:
        """A voice note from the user: `data_base64` (OGG/Opus, or what a browser records),
        `duration` in whole seconds, optional `mime_type`."""
        chat_id = self._chat_id(request, must_exist=False)
        body = await self._body(request)
        try:
            data = base64.b64decode(str(body.get("data_base64", "")), validate=True)
        except binascii.Error:
            raise _BadInput("data_base64 is not valid base64") from None
        if not data:
            raise _BadInput("data_base64 is empty")
        message = await self.users.send_voice(
            chat_id,
            data,
            duration=self._optional_int(body, "duration") or 1,
            mime_type=str(body.get("mime_type") or "audio/ogg"),
            from_user=self._optional_int(body, "from_user"),
        )
        return _json({"ok": True, "message": message})

    async def press_button(self, request: web.Request) -> web.Response:
        chat_id = self._chat_id(request)
        body = await self._body(request)
        query_id = await self.users.press_button(
            chat_id,
            int(body["message_id"]),
            body.get("callback_data"),
            text=body.get("text"),
            from_user=self._optional_int(body, "from_user"),
        )
        return _json({"ok": True, "callback_query_id": query_id})

    async def edit(self, request: web.Request) -> web.Response:
        chat_id = self._chat_id(request)
        body = await self._body(request)
        message = await self.users.edit_text(
            chat_id, int(request.match_info["message_id"]), str(body["text"])
        )
        return _json({"ok": True, "message": message})

    async def download(self, request: web.Request) -> web.Response:
        record = self.state.files.get(request.match_info["file_id"])
        if record is None:
            raise _BadInput("file not found", 404)
        headers = {}
        if record.file_name:
            safe_name = record.file_name.replace('"', "")
            headers["Content-Disposition"] = f'attachment; filename="{safe_name}"'
        return web.Response(
            body=record.data,
            content_type=record.mime_type or "application/octet-stream",
            headers=headers,
        )

    async def changes(self, request: web.Request) -> web.Response:
        try:
            since = int(request.query.get("since", "0"))
            timeout = min(float(request.query.get("timeout", "0")), _MAX_POLL_SECONDS)
        except ValueError:
            raise _BadInput("since and timeout must be numbers") from None
        await self.state.notifier.wait_for(
            lambda: True if self.state.seq > since or self.state.closing else None,
            max(timeout, 0.0),
        )
        events = list(self.state.events_since(since))
        return _json(
            {"ok": True, "seq": self.state.seq, "events": [event.to_json() for event in events]}
        )

    async def stats(self, request: web.Request) -> web.Response:
        return _json(
            {
                "ok": True,
                "request_counts": dict(self.state.request_counts),
                "pending_updates": len(self.state.updates),
                "errors": [
                    {"method": e.method, "status": e.status, "description": e.description}
                    for e in self.state.api_errors[-50:]
                ],
            }
        )
