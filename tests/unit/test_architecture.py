"""The arrows allowed between the parts (docs/architecture.md), read from every module's imports.

A module may import what its part may reach, and nothing else: use cases never learn of
Telegram, pure rules never of the database, and nothing below the handlers imports them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "reflect_bot"

#: part → what its modules must never import (prefixes of module names).
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "domain": (
        "telegram",
        "sqlalchemy",
        "sqlmodel",
        "reflect_bot.db",
        "reflect_bot.bot",
        "reflect_bot.flows",
        "reflect_bot.delivery",
        "reflect_bot.render",
        "reflect_bot.ui",
    ),
    "catalog": (
        "telegram",
        "sqlalchemy",
        "reflect_bot.db",
        "reflect_bot.bot",
        "reflect_bot.flows",
        "reflect_bot.delivery",
        "reflect_bot.render",
        "reflect_bot.ui",
    ),
    "db": (
        "telegram",
        "reflect_bot.bot",
        "reflect_bot.flows",
        "reflect_bot.delivery",
        "reflect_bot.render",
        "reflect_bot.ui",
    ),
    "flows": (
        "telegram",
        "reflect_bot.bot",
        "reflect_bot.delivery",
        "reflect_bot.render",
        "reflect_bot.ui",
    ),
    "ui": ("reflect_bot.bot", "reflect_bot.flows", "reflect_bot.delivery", "reflect_bot.db"),
    "render": ("reflect_bot.bot", "reflect_bot.flows", "reflect_bot.delivery", "reflect_bot.db"),
    # A handler reaches what is stored only through a flow (the guards hold the update's
    # transaction, in db.engine; a handler may name a table's class as a type).
    "bot/handlers": ("reflect_bot.db.repositories",),
    "delivery": ("reflect_bot.bot",),
    # The speech process tells the clinician with a bare Bot; it never loads the application.
    "transcriber": (
        "reflect_bot.bot",
        "reflect_bot.flows",
        "reflect_bot.delivery",
        "reflect_bot.render",
        "reflect_bot.app",
    ),
    # The local chat page runs the application `run` builds (app.py) against the emulator, so
    # the page shows what Telegram would; it never reaches past the application into its parts.
    "sandbox": ("reflect_bot.bot", "reflect_bot.flows", "reflect_bot.ui", "reflect_bot.render"),
    "emulator": tuple(
        f"reflect_bot.{part}"
        for part in ("bot", "flows", "delivery", "render", "ui", "db", "domain", "catalog", "app")
    ),
}


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (also inside functions and TYPE_CHECKING)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_no_module_imports_across_a_forbidden_arrow(part: str) -> None:
    crossings = sorted(
        f"{path.relative_to(SRC)} imports {name}"
        for path in (SRC / part).rglob("*.py")
        for name in _imports(path)
        if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN[part])
    )
    assert crossings == []


def test_the_parts_the_rules_speak_of_exist() -> None:
    """A renamed package must not make its rule pass by matching nothing."""
    assert all((SRC / part / "__init__.py").is_file() for part in FORBIDDEN)
