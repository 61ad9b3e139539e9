"""`caseload export --partition-by jobcentre` and `caseload evaluate --engine duckdb`: the
register as a dataset, evaluated from it with the numbers of the register; refusals in one
line (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import copy_register, run
from tests.integration.test_engines import differences


def test_a_dataset_is_evaluated_on_duckdb_as_the_register(
    demo_build: tuple[Path, Any], tmp_path: Path
) -> None:
    db = copy_register(demo_build[0], tmp_path / "demo.sqlite")
    data = tmp_path / "dataset"
    exported = run("export", "--format", "parquet", "--partition-by", "jobcentre",
                   "--out", str(data), "--db", db)  # fmt: skip
    assert exported.exit_code == 0, exported.output
    assert (data / "dataset.json").is_file() and f"Dataset: {data}" in exported.output
    again = run("export", "--format", "parquet", "--partition-by", "jobcentre",
                "--out", str(data), "--db", db)  # fmt: skip
    assert again.exit_code == 2 and "the folder is not empty" in again.output
    here = run(
        "evaluate", "--db", db, "--out", str(tmp_path / "a"), "--json", str(tmp_path / "a.json")
    )
    there = run("evaluate", "--engine", "duckdb", "--data", str(data), "--out", str(tmp_path / "b"),
                "--json", str(tmp_path / "b.json"))  # fmt: skip
    assert here.exit_code == 0 and there.exit_code == 0, there.output
    a = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert differences(a, b) == []
    for args, said in (
        (("--engine", "spark"), "--engine spark reads a dataset: give --data FOLDER"),
        (("--engine", "oracle"), "--engine must be one of sqlite, postgresql, duckdb, spark"),
        (("--engine", "duckdb", "--data", str(tmp_path)), "not a caseload dataset"),
        (("--engine", "postgresql", "--db", db), "--db is a sqlite database"),
        (("--data", str(data)), "--data and --spark-master go with --engine duckdb or spark"),
    ):
        refused = run("evaluate", *args, "--out", str(tmp_path / "c"))
        assert refused.exit_code == 2, (args, refused.output)
        assert said in refused.output and "Traceback" not in refused.output, refused.output
