"""The README's commands on examples/ run literally, as a fresh clone's user types them.

Every ```sh block of the README that names ``examples/`` is run by bash (``set -e``) in a
folder holding a copy of ``examples/`` and a ``.venv/bin/caseload`` that starts this
checkout's caseload, on a fresh SQLite file and on a fresh PostgreSQL database (the
block's ``jobcentre.sqlite`` replaced by its URL); then what each command wrote is checked.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import caseload
from caseload.register import catalogue
from caseload.store.migrate import head_revision

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _example_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return [block for block in BLOCK.findall(readme) if "examples/" in block]


def _rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def _clone(folder: Path) -> Path:
    """A fresh clone's root as far as the README's commands see it: examples/ and
    .venv/bin/caseload (this interpreter running this checkout's caseload)."""
    shutil.copytree(ROOT / "examples", folder / "examples")
    script = folder / ".venv" / "bin" / "caseload"
    script.parent.mkdir(parents=True)
    script.write_text(
        f"#!{sys.executable}\nimport sys\nfrom caseload.cli.main import app\nsys.exit(app())\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return folder


def test_the_readme_names_the_examples_it_uses() -> None:
    (block,) = _example_blocks()
    named = set(re.findall(r"examples/([\w/]+\.\w+)", block))
    assert "staff.xlsx" in named
    assert {"evaluate/units.csv", "evaluate/trial.csv", "evaluate/counts.json"} <= named
    for name in named:
        assert (ROOT / "examples" / name).is_file(), name
    # every import table, once, in load order
    tables = re.findall(r"caseload import (\w+) examples/", block)
    loop = re.search(r"for table in (.*?); do", block, re.DOTALL)
    assert loop is not None
    tables += loop.group(1).replace("\\", " ").split()
    assert tables == [spec.name for spec in catalogue.SPECS]


def test_loading_your_own_data_runs_literally(tmp_path: Path) -> None:
    """The block as it stands, on SQLite (every example imported through the command on
    PostgreSQL too: tests/e2e/test_cli.py::test_init_and_import_every_example)."""
    root = _clone(tmp_path / "clone")
    (block,) = _example_blocks()
    script = "set -e\n" + block
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELOAD_") and k != "COLUMNS"}
    env["PYTHONPATH"] = str(Path(caseload.__file__).resolve().parents[1])
    env["COLUMNS"] = "200"
    done = subprocess.run(
        ["bash", "-c", script], cwd=root, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Register ready at ")
    assert lines[0].endswith(f"(schema {head_revision()})")

    # every table imported every row of its example (staff from the workbook)
    examples = ROOT / "examples"
    imported = {
        m.group(1): (int(m.group(2)), int(m.group(3)), int(m.group(4)))
        for line in lines
        if (m := re.fullmatch(r"(\w+): (\d+) inserted, (\d+) updated, (\d+) unchanged", line))
    }
    expected = {spec.name: _rows(examples / f"{spec.name}.csv") for spec in catalogue.SPECS}
    assert imported == {table: (rows, 0, 0) for table, rows in expected.items()}
    assert expected["staff"] == 4 and sum(expected.values()) > 50

    # the export: one Parquet file per table, every row
    exported = {
        Path(m.group(1)).stem: int(m.group(2))
        for line in lines
        if (m := re.fullmatch(r"(export/\w+\.parquet): (\d+) rows", line))
    }
    assert exported == expected
    for table, rows in expected.items():
        assert pl.read_parquet(root / "export" / f"{table}.parquet").height == rows
    staff = pl.read_parquet(root / "export" / "staff.parquet")
    assert staff.get_column("staff_id").to_list() == ["KS-001", "KS-002", "VK-001", "KS-101"]

    # randomised units: each of the 36 once, in blocks of 4 within each site of 12 units,
    # so exactly half of every site in the trial arm
    arms = pl.read_csv(root / "arms.csv")
    assert sorted(arms.get_column("unit").to_list()) == [f"U{i:03d}" for i in range(1, 37)]
    per_site = arms.group_by("site").agg((pl.col("arm") == "trial").sum().alias("trial"))
    assert dict(per_site.iter_rows()) == {"Nord": 6, "Syd": 6, "Vest": 6}

    # the per-unit trial file through the estimators: arms counted from the file
    trial = pl.read_csv(examples / "evaluate" / "trial.csv")
    results = json.loads((root / "trial-results.json").read_text(encoding="utf-8"))
    by_name = {row["name"]: row for row in results["outcomes"]}
    assert set(by_name) == {"job", "days"}
    assert by_name["job"]["treated"]["n"] == trial.filter(pl.col("group") == "low").height
    assert by_name["job"]["control"]["n"] == trial.filter(pl.col("group") == "usual").height
    assert by_name["days"]["kind"] == "time_to_event"

    # published totals: the Copenhagen verdicts (resource course, disability pension)
    counts = {r["name"]: r for r in json.loads((root / "counts-results.json").read_text())}
    assert counts["job"]["treated"]["n"] == 917 and counts["job"]["control"]["n"] == 856
    significant = sorted(name for name, r in counts.items() if r["significant"])
    assert significant == ["disability_pension", "resource_course"]


@pytest.mark.parametrize("name", ["staff.xlsx"])
def test_the_example_workbook_holds_the_csv_rows(name: str) -> None:
    from caseload.register import readers

    workbook = readers.read(ROOT / "examples" / name, sheet="Medarbejdere")
    text = readers.read(ROOT / "examples" / "staff.csv")
    assert workbook.drop(readers.ROW).rows() == text.drop(readers.ROW).rows()
