"""Bot API errors in Telegram's shape, with Telegram's own description texts."""

from __future__ import annotations

from typing import Any, Final

__all__ = ["ApiError", "Descriptions"]


class Descriptions:
    """Description texts exactly as the real Bot API returns them."""

    UNAUTHORIZED: Final = "Unauthorized"
    METHOD_NOT_FOUND: Final = "Not Found: method not found"
    FILE_NOT_FOUND: Final = "Not Found"
    TEXT_EMPTY: Final = "Bad Request: message text is empty"
    TEXT_TOO_LONG: Final = "Bad Request: message is too long"
    CAPTION_TOO_LONG: Final = "Bad Request: message caption is too long"
    NOT_MODIFIED: Final = (
        "Bad Request: message is not modified: specified new message content and reply "
        "markup are exactly the same as a current content and reply markup of the message"
    )
    CANT_PARSE_ENTITIES: Final = "Bad Request: can't parse entities: "
    CHAT_NOT_FOUND: Final = "Bad Request: chat not found"
    MESSAGE_TO_EDIT_NOT_FOUND: Final = "Bad Request: message to edit not found"
    MESSAGE_TO_DELETE_NOT_FOUND: Final = "Bad Request: message to delete not found"
    MESSAGE_CANT_BE_DELETED: Final = "Bad Request: message can't be deleted for everyone"
    MESSAGE_CANT_BE_EDITED: Final = "Bad Request: message can't be edited"
    NO_TEXT_TO_EDIT: Final = "Bad Request: there is no text in the message to edit"
    REPLIED_NOT_FOUND: Final = "Bad Request: message to be replied not found"
    BUTTON_DATA_INVALID: Final = "Bad Request: BUTTON_DATA_INVALID"
    BUTTON_URL_INVALID: Final = "Bad Request: BUTTON_URL_INVALID"
    TEXT_BUTTONS_UNALLOWED: Final = (
        "Bad Request: can't parse inline keyboard button: "
        "Text buttons are unallowed in the inline keyboard"
    )
    CANT_PARSE_KEYBOARD: Final = "Bad Request: can't parse reply keyboard markup JSON object"
    QUERY_TOO_OLD: Final = (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )
    WRONG_FILE_ID: Final = "Bad Request: wrong file identifier/HTTP URL specified"
    URL_CONTENT: Final = "Bad Request: failed to get HTTP URL content"
    FILE_EMPTY: Final = "Bad Request: file must be non-empty"
    UNSUPPORTED_PARSE_MODE: Final = "Bad Request: unsupported parse_mode"
    BLOCKED: Final = "Forbidden: bot was blocked by the user"
    CANT_INITIATE: Final = "Forbidden: bot can't initiate conversation with a user"
    NOT_A_MEMBER: Final = "Forbidden: bot is not a member of the group chat"
    WEBHOOK_ACTIVE: Final = (
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first"
    )
    TERMINATED_BY_OTHER: Final = (
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running"
    )
    TOO_LARGE: Final = "Request Entity Too Large"
    INTERNAL: Final = "Internal Server Error"
    BAD_GATEWAY: Final = "Bad Gateway"

    @staticmethod
    def retry_after(seconds: int) -> str:
        return f"Too Many Requests: retry after {seconds}"


class ApiError(Exception):
    """Raised by method handlers; the server turns it into ``{"ok": false, ...}``."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    @classmethod
    def bad_request(cls, description: str) -> ApiError:
        return cls(400, description)

    @classmethod
    def too_many_requests(cls, retry_after: int) -> ApiError:
        return cls(429, Descriptions.retry_after(retry_after), retry_after=retry_after)

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body
