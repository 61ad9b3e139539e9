"""`caseload export --partition-by jobcentre` and `caseload evaluate --engine duckdb`: the
register as a dataset, evaluated from it with the numbers of the register; refusals in one
line (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e.test_words import SNAKE
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


def test_demo_national_writes_a_dataset_that_evaluates_and_refuses_in_one_line(
    tmp_path: Path,
) -> None:
    out = tmp_path / "national"
    made = run("demo", "--national", "--jobcentres", "2", "--citizens", "600",
               "--parquet", str(out), "--seed", "3", "--lang", "en")  # fmt: skip
    assert made.exit_code == 0, made.output
    summary = " ".join(made.output.split())
    assert f"Wrote {out}: 2 job centres" in summary, summary
    assert "trial DK-2018 in 2 of them" in summary and " files, " in summary
    assert SNAKE.findall(summary.replace(str(out), "OUT")) == []
    found = json.loads((out / "dataset.json").read_text(encoding="utf-8"))
    assert found["tables"]["jobcentre"] == 2 and found["tables"]["trial"] == 1
    evaluated = run("evaluate", "--engine", "duckdb", "--data", str(out), "--trial", "DK-2018",
                    "--out", str(tmp_path / "r"), "--json", str(tmp_path / "e.json"))  # fmt: skip
    assert evaluated.exit_code == 0, evaluated.output
    document = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    assert document["meta"]["trial"] == "DK-2018", document["meta"]
    for args, said in (
        (("--national",), "--national writes a Parquet dataset: give --parquet FOLDER"),
        (("--parquet", str(tmp_path / "a")), "--parquet, --jobcentres and --trial-centres go"),
        (("--national", "--jobcentres", "0", "--parquet", str(tmp_path / "b")),
         "--jobcentres must be between 1 and 98"),
        (("--national", "--jobcentres", "2", "--trial-centres", "3", "--parquet",
          str(tmp_path / "c")), "--trial-centres must be between 0 and --jobcentres (2), not 3"),
        (("--national", "--jobcentres", "3", "--citizens", "250", "--parquet",
          str(tmp_path / "d")), "--citizens must be at least 300 for 3 job centres"),
        (("--national", "--jobcentres", "2", "--citizens", "600", "--parquet", str(out)),
         "the folder is not empty"),
        (("--national", "--serve", "--parquet", str(tmp_path / "e")),
         "--national writes no register: leave out --serve and --fresh"),
    ):  # fmt: skip
        refused = run("demo", *args, "--lang", "en")
        assert refused.exit_code == 2, (args, refused.output)
        assert said in " ".join(refused.output.split()), refused.output
        assert "Traceback" not in refused.output
    assert not (tmp_path / "b").exists() and not (tmp_path / "c").exists()


def test_a_damaged_dataset_is_refused_in_one_line_and_a_stray_file_is_not_read(
    tmp_path: Path,
) -> None:
    """The manifest lists every file written; the engines read those and no other (a copy
    left beside one would count its rows twice), refuse a listed file that is gone (its
    rows would silently be missing) and name a file that is no Parquet."""
    out = tmp_path / "national"
    made = run("demo", "--national", "--jobcentres", "2", "--citizens", "600",
               "--parquet", str(out), "--seed", "5", "--lang", "en")  # fmt: skip
    assert made.exit_code == 0, made.output
    listed = json.loads((out / "dataset.json").read_text(encoding="utf-8"))["files"]
    on_disk = {
        table: sorted(
            p.relative_to(out / table).as_posix() for p in (out / table).rglob("*.parquet")
        )
        for table in listed
    }
    assert listed == on_disk and len(listed["meeting"]) == 2, listed["meeting"]

    def evaluate(name: str) -> Any:
        return run("evaluate", "--engine", "duckdb", "--data", str(out), "--out",
                   str(tmp_path / name), "--json", str(tmp_path / f"{name}.json"))  # fmt: skip

    clean = evaluate("clean")
    assert clean.exit_code == 0, clean.output
    meetings = out / "meeting" / listed["meeting"][0]
    stray = meetings.with_name("copy.parquet")
    stray.write_bytes(meetings.read_bytes())
    with_stray = evaluate("stray")
    assert with_stray.exit_code == 0, with_stray.output
    a, b = (
        json.loads((tmp_path / f"{n}.json").read_text(encoding="utf-8")) for n in ("clean", "stray")
    )
    assert differences(a, b) == []
    stray.unlink()

    kept = meetings.read_bytes()
    meetings.write_bytes(b"junk")
    broken = evaluate("junk")
    said = " ".join(broken.output.split())
    assert broken.exit_code == 2 and "Traceback" not in broken.output, broken.output
    assert f"{out}: a file of the dataset cannot be read" in said, said
    assert meetings.name in said and "write the dataset again" in said, said
    meetings.unlink()
    gone = evaluate("gone")
    said = " ".join(gone.output.split())
    assert gone.exit_code == 2 and "Traceback" not in gone.output, gone.output
    name = meetings.relative_to(out).as_posix()
    assert f"the dataset is incomplete: {name} is listed in dataset.json but is not there" in said
    meetings.write_bytes(kept)

    # a report folder that cannot be made is the report's problem, not the dataset's
    nowhere = run("evaluate", "--engine", "duckdb", "--data", str(out), "--out",
                  "/proc/no-such-folder/report")  # fmt: skip
    said = " ".join(nowhere.output.split())
    assert nowhere.exit_code == 2 and "Traceback" not in nowhere.output, nowhere.output
    assert "/proc/no-such-folder" in said and "dataset" not in said, said

    assigned = out / "trial_assignment" / listed["trial_assignment"][0]
    assigned.write_bytes(b"junk")  # read first, to choose the trial's job centres
    refused = evaluate("assigned")
    said = " ".join(refused.output.split())
    assert refused.exit_code == 2 and "a file of the dataset cannot be read" in said, said
    assert assigned.relative_to(out).as_posix() in said, said

    manifest = json.loads((out / "dataset.json").read_text(encoding="utf-8"))
    manifest["files"]["meeting"] = ["../../outside.parquet"]
    (out / "dataset.json").write_text(json.dumps(manifest), encoding="utf-8")
    outside = evaluate("outside")
    assert outside.exit_code == 2 and "not a caseload dataset manifest" in outside.output
