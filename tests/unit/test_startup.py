"""Every command starts by importing the command line (``caseload.cli.main``): what a
command needs only when it runs (figures, statistics, the scale engines) is imported in
the command, so that ``caseload --help`` or a typo answers in about a second. A module
that imports one of these at the top of a command module fails here."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("matplotlib", "scipy", "statsmodels", "duckdb", "pyspark", "jinja2")


def test_the_command_line_starts_without_the_heavy_libraries() -> None:
    probe = (
        "import json, sys, caseload.cli.main; "
        f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(done.stdout) == []
