"""The key ring for encryption at rest: keys from settings, or a local key in development."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, MultiFernet

from reflect_bot.config import Settings

log = logging.getLogger(__name__)

DEV_KEY_FILE = "encryption.key"


def load_cipher(settings: Settings) -> MultiFernet:
    """Returns the configured key ring; in development creates a local key file if none is set."""
    keys = [key.get_secret_value() for key in settings.encryption_keys]
    if not keys:
        if settings.env == "production":
            raise RuntimeError("REFLECT_ENCRYPTION_KEYS is required in production")
        keys = [_development_key(dev_key_path(settings))]
    return MultiFernet([Fernet(key) for key in keys])


def dev_key_path(settings: Settings) -> Path:
    """Where development keeps its generated key: beside the SQLite database."""
    if settings.is_sqlite:
        db_file = settings.effective_database_url.split(":///", 1)[1]
        return Path(db_file).parent / DEV_KEY_FILE
    return settings.data_dir / DEV_KEY_FILE


def _development_key(path: Path) -> str:
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode("ascii")
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
