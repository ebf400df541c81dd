"""Reading Bot API parameters the way Telegram does.

A request may carry parameters in the query string, as ``application/x-www-form-urlencoded``
or ``multipart/form-data`` fields (complex values are JSON strings there; this is how
python-telegram-bot sends them) or as an ``application/json`` body (native JSON values).
:class:`Params` hides the difference from the method handlers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ._errors import ApiError

__all__ = ["Params", "UploadedFile"]


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart request."""

    data: bytes
    filename: str | None
    content_type: str | None


class Params:
    """Typed accessors over the raw parameters of one request."""

    def __init__(
        self,
        values: dict[str, Any] | None = None,
        files: dict[str, UploadedFile] | None = None,
    ) -> None:
        self.values: dict[str, Any] = dict(values or {})
        self.files: dict[str, UploadedFile] = dict(files or {})

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) is not None or name in self.files

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def str_(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value)

    def required_str(self, name: str, empty_description: str | None = None) -> str:
        value = self.str_(name)
        if value is None or value == "":
            raise ApiError.bad_request(empty_description or f"Bad Request: {name} is empty")
        return value

    def int_(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(float(value)) if isinstance(value, float) else int(str(value).strip())
        except ValueError:
            raise ApiError.bad_request(f"Bad Request: invalid {name} specified") from None

    def required_int(self, name: str) -> int:
        value = self.int_(name)
        if value is None:
            raise ApiError.bad_request(f"Bad Request: {name} is empty")
        return value

    def float_(self, name: str, default: float | None = None) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ApiError.bad_request(f"Bad Request: invalid {name} specified") from None

    def bool_(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return value != 0
        return str(value).strip().lower() in {"true", "1", "yes", "on"}

    def json_(self, name: str, *, what: str | None = None) -> Any:
        """A JSON-valued parameter: parsed from a string, or taken as is from a JSON body."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError.bad_request(
                f"Bad Request: can't parse {what or name} JSON object"
            ) from None

    def file_(self, name: str) -> UploadedFile | str | None:
        """An InputFile parameter: an uploaded part, or a file_id / URL string.

        ``attach://<part>`` references resolve to the named multipart part.
        """
        if name in self.files:
            return self.files[name]
        value = self.str_(name)
        if value is None:
            return None
        if value.startswith("attach://"):
            part = self.files.get(value.removeprefix("attach://"))
            if part is None:
                raise ApiError.bad_request(f"Bad Request: file {value} not found in the request")
            return part
        return value
