"""The key ring for encryption at rest: keys from settings, or a local key in development.

Keys are checked and made here without the cryptography package: importing it costs ≈ 9 MB
(its Rust bindings bundle OpenSSL), and a bot that encrypts nothing yet (idle, or only
answering buttons) need not pay that. The Fernet objects are built when a value is first
encrypted or decrypted (db/types.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reflect_bot.config import Settings

log = logging.getLogger(__name__)

DEV_KEY_FILE = "encryption.key"
_KEY_BYTES = 32


def is_fernet_key(key: str) -> bool:
    """True for what `cryptography.fernet.Fernet(key)` accepts: 32 url-safe base64 bytes."""
    try:
        return len(base64.urlsafe_b64decode(key)) == _KEY_BYTES
    except ValueError:  # not base64 (binascii.Error), or not ASCII
        return False


# A Fernet token: version byte 0x80, 8-byte time, 16-byte IV, ciphertext, 32-byte HMAC-SHA256.
_FERNET_VERSION = 0x80
_MAC_BYTES = 32
_SHORTEST_TOKEN = 1 + 8 + 16 + 16 + _MAC_BYTES


def key_wrote(key: str, token: str) -> bool:
    """True when `token` is a Fernet token made with `key`: its HMAC checks out.

    This is the check Fernet makes before it decrypts, done with the standard library, so
    the bot can test its keys against the database at start without loading cryptography.
    """
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
        signing_key = base64.urlsafe_b64decode(key.encode("ascii"))[:16]
    except ValueError:  # not base64 (binascii.Error), or not ASCII
        return False
    if len(raw) < _SHORTEST_TOKEN or raw[0] != _FERNET_VERSION:
        return False
    mac = hmac.new(signing_key, raw[:-_MAC_BYTES], hashlib.sha256).digest()
    return hmac.compare_digest(mac, raw[-_MAC_BYTES:])


def new_key() -> str:
    """A new key, made as `Fernet.generate_key()` makes one."""
    return base64.urlsafe_b64encode(os.urandom(_KEY_BYTES)).decode("ascii")


def new_webhook_secret() -> str:
    """A secret for Telegram's webhook header: 32 random bytes in its alphabet (43 chars)."""
    return secrets.token_urlsafe(32)


def load_keys(settings: Settings) -> list[str]:
    """The configured keys, first key first; in development creates a local key file if none
    is set. Settings has already checked configured keys; the local file is checked here."""
    keys = [key.get_secret_value() for key in settings.encryption_keys]
    if keys:
        return keys
    if settings.env == "production":
        raise RuntimeError("REFLECT_ENCRYPTION_KEYS is required in production")
    path = dev_key_path(settings)
    key = _development_key(path)
    if not is_fernet_key(key):
        raise RuntimeError(f"{path} does not hold an encryption key; restore it from a backup")
    return [key]


def dev_key_path(settings: Settings) -> Path:
    """Where development keeps its generated key: beside the SQLite database."""
    if settings.is_sqlite:
        db_file = settings.effective_database_url.split(":///", 1)[1]
        return Path(db_file).parent / DEV_KEY_FILE
    return settings.data_dir / DEV_KEY_FILE


def read_key_file(path: Path) -> str:
    """The key in a key file, with a warning when other users may read the file."""
    if path.stat().st_mode & 0o077:
        log.warning(
            "%s is readable by other users of this machine, and it unlocks every reflection "
            "stored beside it: chmod 600 %s",
            path,
            path,
        )
    return path.read_text(encoding="ascii").strip()


def _development_key(path: Path) -> str:
    if path.exists():
        return read_key_file(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = new_key()
    # Created owner-only: the key protects every reflection in the database beside it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    log.warning(
        "No REFLECT_ENCRYPTION_KEYS set: created a development key at %s. "
        "Back it up - without it the stored reflections cannot be read. "
        "Production refuses to start without configured keys.",
        path,
    )
    return key
