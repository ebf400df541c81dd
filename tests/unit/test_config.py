"""Settings fail at start with the variable's name and what is expected."""

import base64
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from reflect_bot.config import SettingsError, get_settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("REFLECT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env file


def test_defaults_to_a_sqlite_file_in_the_data_folder() -> None:
    settings = get_settings()
    assert settings.effective_database_url.startswith("sqlite+aiosqlite:///")
    assert settings.effective_database_url.endswith("data/reflect-bot.sqlite3")
    assert settings.env == "development"


def test_reads_env_prefix_and_comma_separated_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = [Fernet.generate_key().decode(), Fernet.generate_key().decode()]
    monkeypatch.setenv("REFLECT_ENCRYPTION_KEYS", ",".join(keys))
    monkeypatch.setenv("REFLECT_ALLOWED_USER_IDS", "1, 2,3")
    monkeypatch.setenv("REFLECT_BOT_TOKEN", "123:abc")
    settings = get_settings()
    assert [k.get_secret_value() for k in settings.encryption_keys] == keys
    assert settings.allowed_user_ids == [1, 2, 3]
    assert settings.bot_token is not None and settings.bot_token.get_secret_value() == "123:abc"


def test_reads_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("REFLECT_LATENESS_WINDOW_MINUTES=30\n")
    assert get_settings().lateness_window_minutes == 30


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("REFLECT_ENCRYPTION_KEYS", "not-a-key", "not a Fernet key"),
        ("REFLECT_DATABASE_URL", "mysql://x", "postgresql+asyncpg://"),
        ("REFLECT_ENV", "staging", "development"),
        ("REFLECT_WEBHOOK_PORT", "http", "integer"),
        ("REFLECT_ALLOWED_USER_IDS", "12,abc", "integer"),
    ],
)
def test_a_bad_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        get_settings()
    assert name in str(caught.value)
    assert expected in str(caught.value)


# Fixed keys and ids: parallel workers must collect the same test ids (pytest-xdist).
A_KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()


@pytest.mark.parametrize(
    "key",
    [
        A_KEY,
        A_KEY.rstrip("="),  # no padding
        base64.urlsafe_b64encode(bytes(31)).decode(),
        base64.urlsafe_b64encode(bytes(33)).decode(),
        base64.b64encode(bytes([251]) * 32).decode(),  # standard alphabet: + and /
        "é" * 44,
        "",
    ],
    ids=["valid", "no-padding", "31-bytes", "33-bytes", "standard-alphabet", "not-ascii", "empty"],
)
def test_keys_are_accepted_exactly_when_fernet_accepts_them(
    monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    try:
        Fernet(key)
    except ValueError:
        fernet_accepts = False
    else:
        fernet_accepts = True
    monkeypatch.setenv("REFLECT_ENCRYPTION_KEYS", f"{Fernet.generate_key().decode()},{key}")
    if fernet_accepts or not key:  # an empty entry in the list is skipped
        get_settings()
    else:
        with pytest.raises(SettingsError, match="REFLECT_ENCRYPTION_KEYS: key 2 is not a Fernet"):
            get_settings()


def test_production_refuses_to_start_without_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFLECT_ENV", "production")
    with pytest.raises(SettingsError, match="REFLECT_ENCRYPTION_KEYS is required"):
        get_settings()
