"""The key ring at start: configured keys, or a development key file made once and kept."""

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from reflect_bot.config import get_settings
from reflect_bot.crypto import DEV_KEY_FILE, key_wrote, load_keys


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("REFLECT_"):
            monkeypatch.delenv(name)


def test_development_creates_an_owner_only_key_once_and_reuses_it(tmp_path: Path) -> None:
    settings = get_settings(_env_file=None, data_dir=tmp_path)
    first = load_keys(settings)
    key_file = tmp_path / DEV_KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    Fernet(first[0])  # a real Fernet key
    assert load_keys(settings) == first


def test_a_damaged_development_key_file_stops_the_start(tmp_path: Path) -> None:
    (tmp_path / DEV_KEY_FILE).write_text("not a key\n")
    with pytest.raises(RuntimeError, match=DEV_KEY_FILE):
        load_keys(get_settings(_env_file=None, data_dir=tmp_path))


def test_configured_keys_come_first_key_first(tmp_path: Path) -> None:
    keys = [Fernet.generate_key().decode(), Fernet.generate_key().decode()]
    settings = get_settings(_env_file=None, data_dir=tmp_path, encryption_keys=",".join(keys))
    assert load_keys(settings) == keys
    assert not (tmp_path / DEV_KEY_FILE).exists()


def test_key_wrote_agrees_with_fernet_on_which_key_made_a_token() -> None:
    """The start-up key check (standard library only) says what Fernet's own check says."""
    mine, other = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = Fernet(mine).encrypt(b"canary").decode()
    assert key_wrote(mine, token)
    assert not key_wrote(other, token)
    tampered = Fernet(mine).encrypt(b"x" * 40)
    flipped = bytearray(tampered)
    flipped[30] ^= 1
    for broken in ("", "not base64 !", flipped.decode("ascii", "replace"), token[:-8]):
        assert not key_wrote(mine, broken)
