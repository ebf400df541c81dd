"""The deployed image installs exactly the locked, hash-checked dependencies, neither the
lock nor pyproject's floors allow versions with the advisories named below, and the processes
the tests start run as the image runs the bot."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
# Lowest versions past the advisories we know of (see SECURITY.md, "Dependencies").
PAST_ADVISORIES = {
    "aiohttp": Version("3.14.3"),  # GHSA-cq5v-8q36-5273, GHSA-mfx4-hv73-q22v, and earlier
    "cryptography": Version("50.0.0"),  # CVE-2026-69247
}
_PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^ \\]+)")


def _locked() -> dict[str, tuple[Version, int]]:
    """name -> (pinned version, number of hashes) from requirements.lock."""
    pins: dict[str, tuple[Version, int]] = {}
    current: str | None = None
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (Version(match.group(2)), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [Requirement(spec) for spec in project["project"]["dependencies"]]


def test_every_runtime_dependency_is_locked_with_hashes_within_its_range() -> None:
    locked = _locked()
    assert locked and all(hashes for _, hashes in locked.values()), "every pin has a hash"
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in requirements.lock"
        assert requirement.specifier.contains(locked[name][0]), (name, locked[name][0])


def test_neither_the_lock_nor_the_floors_allow_a_version_with_a_known_advisory() -> None:
    locked = _locked()
    declared: dict[str, Requirement] = {canonicalize_name(r.name): r for r in _declared()}
    for name, fixed in PAST_ADVISORIES.items():
        assert locked[name][0] >= fixed, name
        floors = [Version(s.version) for s in declared[name].specifier if s.operator == ">="]
        assert floors and min(floors) >= fixed, f"pyproject lets {name} below {fixed}"


def test_the_image_installs_from_the_lock_checking_hashes() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile
    installs = [line for line in dockerfile.splitlines() if "pip install" in line]
    assert all("--no-deps" in line for line in installs), "nothing resolved outside the lock"


def test_the_processes_the_tests_start_run_as_the_image_runs_the_bot() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    image = re.search(r"^ENV .*\bPYTHONOPTIMIZE=(\d)", dockerfile, re.MULTILINE)
    assert image, "the image sets PYTHONOPTIMIZE"
    assert "compileall -q -o " + image.group(1) in dockerfile, "compiled at the level it runs"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(rf"^OPTIMIZE := {image.group(1)}$", makefile, re.MULTILINE), (
        "make run, make sandbox and make test's compiling use the image's level"
    )
    started = subprocess.run(
        [sys.executable, "-c", "import json, sys; print(sys.flags.optimize, json.__doc__ is None)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert started.stdout.split() == [image.group(1), "True"]
