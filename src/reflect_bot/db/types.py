"""Column types every table shares: aware UTC datetimes and encrypted text."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, Dialect, Text
from sqlalchemy.types import TypeDecorator

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC; refuses naive ones; returns aware UTC on every database.

    SQLite keeps no offset, so values read back are naive and get UTC re-attached here.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime refused: store aware UTC datetimes only")
        value = value.astimezone(UTC)
        # SQLite compares stored strings; one fixed format keeps ordering correct.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class CipherNotConfiguredError(RuntimeError):
    """Raised when encrypted columns are used before the key ring is loaded."""


class UndecryptableError(RuntimeError):
    """Raised when a stored value cannot be decrypted with any configured key."""


_keys: tuple[str, ...] = ()
_cipher: MultiFernet | None = None


def set_keys(keys: Sequence[str]) -> None:
    """Installs the key ring used by every EncryptedText column (first key encrypts).

    The keys were checked at start (config.py, crypto.py). cryptography itself (≈ 9 MB with
    the OpenSSL it bundles) is imported when a value is first encrypted or decrypted.
    """
    global _keys, _cipher
    _keys, _cipher = tuple(keys), None


def get_cipher() -> MultiFernet:
    global _cipher
    if _cipher is None:
        if not _keys:
            raise CipherNotConfiguredError("encryption keys are not loaded")
        from cryptography.fernet import Fernet, MultiFernet

        _cipher = MultiFernet([Fernet(key) for key in _keys])
    return _cipher


class EncryptedText(TypeDecorator[str]):
    """Text encrypted with Fernet at rest; the database never sees the plaintext."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return get_cipher().encrypt(value.encode("utf-8")).decode("ascii")

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        cipher = get_cipher()
        from cryptography.fernet import InvalidToken  # loaded by get_cipher() already

        try:
            return cipher.decrypt(str(value).encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise UndecryptableError(
                "a stored value cannot be decrypted with the configured keys"
            ) from exc
