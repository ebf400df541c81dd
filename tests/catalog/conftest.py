"""Fixtures for the content-catalog tests.

The shared folder (CONTENT_MAP.md and the source documents in seeds/) sits beside
the repository, or where REFLECT_SHARED_DIR says. When it is missing, the tests that
need it are skipped, unless REFLECT_REQUIRE_SEEDS=1, in which case they fail.
"""

import importlib.util
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# REFLECT_SHARED_DIR points elsewhere, e.g. from a worktree one level deeper than main.
SHARED = Path(os.environ.get("REFLECT_SHARED_DIR") or REPO.parent / "shared")
BROKEN = REPO / "tests" / "data" / "prompts_broken"

# Let the tests run from a plain checkout, before the package is installed.
if importlib.util.find_spec("reflect_bot") is None:
    sys.path.insert(0, str(REPO / "src"))

from reflect_bot.catalog import Catalog, default_prompts_dir, load_catalog  # noqa: E402


def _shared_or_skip(path: Path) -> Path:
    if path.exists():
        return path
    reason = f"{path} is missing (the shared folder with CONTENT_MAP.md and seeds/)"
    if os.environ.get("REFLECT_REQUIRE_SEEDS") == "1":
        pytest.fail(f"REFLECT_REQUIRE_SEEDS=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def seeds() -> dict[str, str]:
    """Source document texts, keyed by file name."""
    folder = _shared_or_skip(SHARED / "seeds")
    texts = {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.txt"))}
    if not texts:
        _shared_or_skip(folder / "*.txt")
    return texts


@pytest.fixture(scope="session")
def content_map() -> str:
    return _shared_or_skip(SHARED / "CONTENT_MAP.md").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def prompts_dir() -> Path:
    return default_prompts_dir()


@pytest.fixture(scope="session")
def catalog(prompts_dir: Path) -> Catalog:
    return load_catalog(prompts_dir)


@pytest.fixture(scope="session")
def broken_dir() -> Path:
    return BROKEN
