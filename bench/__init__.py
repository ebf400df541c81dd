"""Benchmarks: `python -m bench <name>` runs one (e.g. `python -m bench p1`); results are
written to bench/results/<NAME>.md together with the machine they ran on."""
