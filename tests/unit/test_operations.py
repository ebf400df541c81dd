"""The compose file wires postgres → migrate → bot, and every setting it uses exists."""

import re
from pathlib import Path
from typing import Any

import yaml

from reflect_bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
SETTING_NAMES = {f"REFLECT_{name.upper()}" for name in Settings.model_fields}
COMPOSE_ONLY = {"REFLECT_BOT_MODE"}  # chooses the bot's command, read by compose itself


def _compose() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(compose, dict)
    return compose


def test_services_and_their_order() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "migrate", "bot", "transcriber"}
    # Voice notes are optional: the transcriber runs only with `--profile voice`, built
    # with the voice extra, after the migrations, as its own process.
    transcriber = services["transcriber"]
    assert transcriber["profiles"] == ["voice"]
    assert transcriber["build"]["args"]["VOICE"] == "1"
    assert transcriber["command"] == ["reflect-bot", "transcriber"]
    assert transcriber["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "healthcheck" in services["postgres"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["postgres"]["volumes"])
    assert services["migrate"]["command"] == ["reflect-bot", "migrate"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    bot = services["bot"]["depends_on"]
    assert bot["migrate"]["condition"] == "service_completed_successfully"
    assert bot["postgres"]["condition"] == "service_healthy"


def test_every_variable_used_is_a_setting() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"\b(REFLECT_[A-Z_]+)\b", text))
    assert used
    assert used - COMPOSE_ONLY <= SETTING_NAMES


def test_env_example_documents_every_setting() -> None:
    documented = set(re.findall(r"^(REFLECT_[A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert documented == SETTING_NAMES


def test_image_runs_as_a_non_root_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1] not in {"root", "0"}
