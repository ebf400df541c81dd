"""Settings from the environment (prefix REFLECT_) and an optional .env file."""

from __future__ import annotations

import importlib.util
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from reflect_bot.crypto import is_fernet_key

TELEGRAM_BASE_URL = "https://api.telegram.org/bot"
TELEGRAM_BASE_FILE_URL = "https://api.telegram.org/file/bot"
# Guessing a secret of 32 such characters (≈ 190 bits) is out of reach; Telegram allows 256.
MIN_WEBHOOK_SECRET = 32
_WEBHOOK_SECRET = re.compile(rf"[A-Za-z0-9_-]{{{MIN_WEBHOOK_SECRET},256}}")


def _repo_prompts_dir() -> Path:
    # In a source checkout (editable install) prompts/ sits at the repository's top.
    return Path(__file__).resolve().parents[2] / "prompts"


class Settings(BaseSettings):
    """Everything an operator can set. Built by get_settings(); never at import time."""

    model_config = SettingsConfigDict(
        env_prefix="REFLECT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["development", "production"] = "development"
    bot_token: SecretStr | None = None
    data_dir: Path = Path("data")
    database_url: str = ""  # empty: a SQLite file in data_dir
    telegram_base_url: str = TELEGRAM_BASE_URL
    telegram_base_file_url: str = TELEGRAM_BASE_FILE_URL
    # Comma-separated Fernet keys; the first encrypts, all decrypt (rotation).
    encryption_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    prompts_dir: Path = Field(default_factory=_repo_prompts_dir)
    allowed_user_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    webhook_url: str | None = None
    # Loopback: the proxy in front terminates TLS; only a container sets 0.0.0.0 (compose).
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_path: str = "telegram"
    webhook_secret_token: SecretStr | None = None
    # A connection that sends no complete request (or body) for this long is closed.
    webhook_idle_timeout_seconds: float = Field(default=10.0, gt=0, le=300)

    tick_seconds: float = Field(default=20.0, gt=0, le=300)
    lateness_window_minutes: int = Field(default=120, ge=0)
    send_rate_per_second: float = Field(default=25.0, gt=0, le=30)
    export_max_bytes: int = Field(default=50 * 1024 * 1024, gt=1024)
    # Whom clinicians can turn to, named when a reflection touches something heavy; unset:
    # ui.texts.DEFAULT_SUPPORT_TEXT, which names kinds of help and no phone numbers.
    support_text: str | None = Field(default=None, max_length=500)

    # Voice notes (issue #22): transcribed by `reflect-bot transcriber`, never by the bot.
    # None: on when faster-whisper is installed (the `voice` extra); the bot never imports it.
    speech_enabled: bool | None = None
    # A faster-whisper (CTranslate2) model folder; unset: the whisper-base packages of the extra.
    speech_model: Path | None = None
    speech_max_seconds: int = Field(default=300, gt=0, le=3600)
    # The language transcribed; a note clearly in another one is answered kindly, not guessed.
    speech_language: str = Field(default="en", min_length=2, max_length=8)
    speech_threads: int = Field(default=2, ge=1, le=64)
    # A claim this old with no renewal belongs to a transcriber that died: the job is retried.
    transcription_lease_seconds: float = Field(default=60.0, gt=0, le=3600)
    transcription_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    # How long a transcriber started beside the bot waits for the bot to migrate SQLite.
    transcription_schema_wait_seconds: float = Field(default=60.0, ge=0, le=3600)

    @field_validator("encryption_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("allowed_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("encryption_keys")
    @classmethod
    def _check_keys(cls, keys: list[SecretStr]) -> list[SecretStr]:
        for position, key in enumerate(keys, start=1):
            if not is_fernet_key(key.get_secret_value()):
                raise ValueError(
                    f"key {position} is not a Fernet key (32 url-safe base64-encoded bytes); "
                    "make one with: reflect-bot keys generate"
                )
        return keys

    @field_validator("webhook_secret_token")
    @classmethod
    def _check_webhook_secret(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and not _WEBHOOK_SECRET.fullmatch(secret.get_secret_value()):
            raise ValueError(
                f"use {MIN_WEBHOOK_SECRET}-256 characters of A-Z, a-z, 0-9, _ and - "
                "(Telegram's alphabet); make one with: reflect-bot keys generate --webhook-secret"
            )
        return secret

    @field_validator("speech_enabled", "speech_model", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # `REFLECT_SPEECH_MODEL=` in .env means "the default", as .env.example shows it.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("support_text")
    @classmethod
    def _tidy_support_text(cls, text: str | None) -> str | None:
        # One line, and an empty value in .env means "use the default".
        tidy = " ".join((text or "").split())
        return tidy or None

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, url: str) -> str:
        if url and not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "expected sqlite+aiosqlite:///path/to/file.sqlite3 or "
                "postgresql+asyncpg://user:password@host:5432/dbname"
            )
        return url

    @model_validator(mode="after")
    def _production_needs_secrets(self) -> Settings:
        if self.env == "production" and not self.encryption_keys:
            raise ValueError(
                "REFLECT_ENCRYPTION_KEYS is required when REFLECT_ENV=production "
                "(make a key with: reflect-bot keys generate)"
            )
        if self.webhook_url and not self.webhook_secret_token:
            raise ValueError("REFLECT_WEBHOOK_SECRET_TOKEN is required with REFLECT_WEBHOOK_URL")
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'reflect-bot.sqlite3').resolve()}"

    @property
    def voice_on(self) -> bool:
        """Whether voice notes are taken: as set, or else whether the extra is installed
        (looked up without importing it: the bot never loads the speech engine)."""
        if self.speech_enabled is not None:
            return self.speech_enabled
        return importlib.util.find_spec("faster_whisper") is not None

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def lateness_window(self) -> timedelta:
        return timedelta(minutes=self.lateness_window_minutes)


class SettingsError(Exception):
    """Raised with one line per bad variable, naming it and what is expected."""


def get_settings(**overrides: object) -> Settings:
    """Reads the settings, turning validation errors into messages that name the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"] if not isinstance(part, int))
            name = f"REFLECT_{field.upper()}" if field else "settings"
            message = error["msg"].removeprefix("Value error, ")
            lines.append(f"{name}: {message}")
        raise SettingsError("\n".join(lines)) from None
