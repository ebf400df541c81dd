"""aiohttp routes for the Bot API side: ``/bot<token>/<method>`` and file downloads.

Routes are the same as Telegram's, so python-telegram-bot only needs ``base_url`` and
``base_file_url`` pointed here. Injected faults are applied here, around the method
handlers, in this order: (body read,) delay, dropped connection, injected failure, method.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from aiohttp import web

from ._errors import ApiError, Descriptions
from ._faults import Faults
from ._methods import MAX_UPLOAD_BYTES, BotMethods
from ._models import ApiErrorRecord, RequestRecord
from ._params import Params, UploadedFile
from ._state import EmulatorState

__all__ = ["BotApiRoutes", "read_params"]

_LOGGER = logging.getLogger(__name__)


async def read_params(request: web.Request) -> Params:
    """Collect parameters from the query string and a form, multipart or JSON body."""
    values: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError.bad_request("Bad Request: can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise ApiError.bad_request("Bad Request: request body must be a JSON object")
            values.update(body)
        else:
            try:
                form = await request.post()
            except web.HTTPRequestEntityTooLarge:
                raise ApiError(413, Descriptions.TOO_LARGE) from None
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    files[name] = UploadedFile(
                        value.file.read(), value.filename, value.content_type
                    )
                elif isinstance(value, bytes):
                    values[name] = value.decode("utf-8", "replace")
                else:
                    values[name] = value
    return Params(values, files)


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result}, dumps=_dumps)


def _error(error: ApiError) -> web.Response:
    return web.json_response(error.payload(), status=error.status, dumps=_dumps)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class BotApiRoutes:
    def __init__(
        self,
        state: EmulatorState,
        faults: Faults,
        methods: BotMethods,
        token: str,
    ) -> None:
        self.state = state
        self.faults = faults
        self.methods = methods
        self.token = token

    def add_to(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self.api)
        app.router.add_get("/file/bot{token}/{path:.+}", self.download)

    async def api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        started = time.monotonic()
        self.state.request_counts[method] += 1
        response, status = await self._answer(request, method)
        self.state.requests.append(RequestRecord(method, started, time.monotonic(), status))
        return response

    async def _answer(self, request: web.Request, method: str) -> tuple[web.StreamResponse, int]:
        if request.match_info["token"] != self.token:
            return self._fail(method, ApiError(401, Descriptions.UNAUTHORIZED), None)
        key = method.lower()
        handler = self.methods.handlers.get(key)
        if handler is None:
            return self._fail(method, ApiError(404, Descriptions.METHOD_NOT_FOUND), None)
        # The body is read before any delay, so a request the client gives up on while
        # delayed is still carried out, as Telegram does.
        chat_id: str | None = None
        try:
            params = await read_params(request)
        except ApiError as error:
            return self._fail(method, error, chat_id)
        except ConnectionError:
            return web.Response(status=499), 0  # the client went away mid-upload
        chat_id = params.str_("chat_id")
        delay = self.faults.delay_for(key)
        if delay:
            await asyncio.sleep(delay)
        drop = self.faults.take_drop(key)
        if drop == "before":
            return self._drop(request), 0
        try:
            injected = self.faults.take_failure(key)
            if injected is not None:
                raise injected
            result = await handler(params)
        except ApiError as error:
            return self._fail(method, error, chat_id)
        if drop == "after":
            # The method took effect but the bot never hears so: the classic duplicate maker.
            return self._drop(request), 0
        return _ok(result), 200

    def _fail(
        self, method: str, error: ApiError, chat_id: str | None
    ) -> tuple[web.StreamResponse, int]:
        self.state.api_errors.append(
            ApiErrorRecord(time.monotonic(), method, error.status, error.description, chat_id)
        )
        _LOGGER.debug("%s -> %s %s", method, error.status, error.description)
        self.state.notifier.notify()  # waiting tests may want to report it
        return _error(error), error.status

    @staticmethod
    def _drop(request: web.Request) -> web.StreamResponse:
        transport = request.transport
        if transport is not None:
            transport.close()
        return web.Response(status=204)

    async def download(self, request: web.Request) -> web.StreamResponse:
        self.state.request_counts["file download"] += 1
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, Descriptions.UNAUTHORIZED))
        record = self.state.files_by_path.get(request.match_info["path"])
        if record is None:
            return _error(ApiError(404, Descriptions.FILE_NOT_FOUND))
        return web.Response(
            body=record.data,
            content_type=record.mime_type or "application/octet-stream",
        )


CLIENT_MAX_SIZE = MAX_UPLOAD_BYTES + 1024 * 1024  # room for the other form fields
