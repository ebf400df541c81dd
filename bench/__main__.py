"""`python -m bench <name> [options]`: runs the benchmark module bench/<name>_*.py.

Each benchmark module exposes `main(argv) -> int`. Without a name (as `make bench` runs
it), every benchmark runs in turn with its defaults; the exit code is the worst of theirs.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def _benchmarks() -> dict[str, str]:
    """Short name ("p1") → module name ("bench.p1_roundtrip")."""
    found = {}
    for path in sorted(Path(__file__).parent.glob("*_*.py")):
        if not path.name.startswith("_"):
            found[path.stem.split("_", 1)[0]] = f"bench.{path.stem}"
    return found


def _run(module_name: str, argv: list[str]) -> int:
    module = importlib.import_module(module_name)
    code: int = module.main(argv)
    return code


def main(argv: list[str]) -> int:
    benchmarks = _benchmarks()
    if not argv:
        codes = []
        for name, module_name in benchmarks.items():
            print(f"== {name}", flush=True)
            codes.append(_run(module_name, []))
        return max(codes, default=0)
    if argv[0] not in benchmarks:
        print("usage: python -m bench [NAME [options]]\nbenchmarks: " + ", ".join(benchmarks))
        return 2
    return _run(benchmarks[argv[0]], argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
