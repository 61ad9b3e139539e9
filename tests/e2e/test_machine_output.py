"""``--json`` and ``--csv`` on every report command: the numbers the services computed, in
files another program reads the same in every language (ISO dates, a dot in numbers,
codes, UTF-8); ``-`` for standard output, which then holds nothing else. On SQLite and
PostgreSQL, on the examples register."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import Result

from caseload.evaluate.report import JSON_NAME
from caseload.operate.allocation import rebalance
from caseload.operate.caseflow import Period, case_flow
from caseload.operate.rhythm import overdue, timeliness, timeliness_over
from caseload.operate.sparring import sheet
from caseload.operate.status import status
from caseload.register import catalogue, importer
from tests.conftest import EXAMPLES, CopyOf
from tests.copenhagen import published_counts
from tests.helpers import copy_register, run

DAY = date(2019, 8, 1)
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _load_examples(engine: Engine, _folder: Path) -> None:
    for spec in catalogue.SPECS:
        importer.import_file(engine, spec.name, EXAMPLES / f"{spec.name}.csv")


@pytest.fixture
def register(register_copy: CopyOf) -> Engine:
    """The examples imported (once per session and backend; this test gets a copy)."""
    return register_copy(_load_examples)


def _db(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _ok(*args: str) -> Result:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result


def _csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """A CSV file's header and rows (read as UTF-8, strictly)."""
    text = path.read_bytes().decode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader)


def _json(path: Path) -> Any:
    return json.loads(path.read_bytes().decode("utf-8"))


# --- status ---------------------------------------------------------------------------------


def test_status_json_and_csv_hold_the_service_numbers(register: Engine, tmp_path: Path) -> None:
    db = _db(register)
    with register.connect() as conn:
        report = status(conn, DAY)
    _ok("status", "--db", db, "--as-of", "2019-08-01", "--json", str(tmp_path / "s.json"))
    data = _json(tmp_path / "s.json")
    assert data["as_of"] == "2019-08-01"
    assert [
        (c["staff_id"], c["department"], c["role"], c["citizens"], c["cap"], c["over_cap"])
        for c in data["caseloads"]
    ] == [
        (c.staff_id, c.department, c.role, c.citizens, c.cap, c.over_cap) for c in report.caseloads
    ]
    # the examples: KS-001 holds C000001 and C000002 in JI6 (cap 50)
    ks = next(c for c in data["caseloads"] if c["staff_id"] == "KS-001")
    assert (ks["citizens"], ks["cap"], ks["is_trial"]) == (2, 50, True)
    assert [(c["department"], c["changes"]) for c in data["continuity"]] == [
        (c.department, c.changes) for c in report.continuity
    ]
    ji6 = next(c for c in data["continuity"] if c["department"] == "JI6")
    assert ji6["by_reason"] == {"handoff": 1, "staff_exit": 1}

    folder = tmp_path / "csv"
    _ok("status", "--db", db, "--as-of", "2019-08-01", "--csv", str(folder))
    assert sorted(p.name for p in folder.iterdir()) == ["caseloads.csv", "continuity.csv"]
    header, rows = _csv(folder / "caseloads.csv")
    assert header[:3] == ["staff_id", "name", "department"]
    assert {"role", "citizens", "cap", "over_cap"} <= set(header)
    assert len(rows) == len(report.caseloads)
    assert {r["staff_id"]: r["citizens"] for r in rows}["KS-001"] == "2"
    assert {r["over_cap"] for r in rows} == {"false"}
    _, continuity = _csv(folder / "continuity.csv")
    assert len(continuity) == len(report.continuity)


def test_machine_files_are_the_same_in_danish(register: Engine, tmp_path: Path) -> None:
    """Dot decimals, codes and ISO dates whatever --lang says: the files are identical."""
    db = _db(register)
    for lang in ("en", "da"):
        _ok(
            "status",
            *("--db", db, "--as-of", "2019-08-01", "--lang", lang),
            *("--json", str(tmp_path / f"{lang}.json"), "--csv", str(tmp_path / lang)),
        )
        _ok(
            "timeliness",
            *("--db", db, "--from", "2018-01-01", "--to", "2019-06-30", "--lang", lang),
            *("--json", str(tmp_path / f"t-{lang}.json"), "--csv", str(tmp_path / f"t-{lang}.csv")),
        )
    for name in ("en.json", "t-en.json", "t-en.csv", "en/caseloads.csv", "en/continuity.csv"):
        danish = name.replace("en", "da", 1)
        assert (tmp_path / name).read_bytes() == (tmp_path / danish).read_bytes(), name
    _, continuity = _csv(tmp_path / "da" / "continuity.csv")
    ji6 = next(r for r in continuity if r["department"] == "JI6")
    assert re.fullmatch(r"1\.\d+", ji6["per_citizen_year"])  # 2 changes in about 2 citizen-years
    assert re.fullmatch(r"1\.\d+", ji6["citizen_years"])
    assert "coordinating_caseworker" in (tmp_path / "da" / "caseloads.csv").read_text("utf-8")


def test_json_to_standard_output_is_only_json(register: Engine) -> None:
    result = _ok("status", "--db", _db(register), "--as-of", "2019-08-01", "--json", "-")
    data = json.loads(result.stdout)
    assert data["as_of"] == "2019-08-01"
    assert "Caseloads on" not in result.stdout


def test_csv_to_standard_output_and_its_limits(register: Engine, tmp_path: Path) -> None:
    db = _db(register)
    several = run("status", "--db", db, "--csv", "-")
    assert several.exit_code == 2
    assert "--csv: this command writes several tables; give a folder, not -" in several.output
    both = run(
        "timeliness",
        "--db",
        db,
        "--from",
        "2018-01-01",
        "--to",
        "2019-06-30",
        "--json",
        "-",
        "--csv",
        "-",
    )
    assert both.exit_code == 2
    assert "only one of --json and --csv can be -" in both.output
    one = _ok("timeliness", "--db", db, "--from", "2018-01-01", "--to", "2019-06-30", "--csv", "-")
    rows = list(csv.DictReader(io.StringIO(one.stdout)))
    assert [(r["group"], r["held"], r["timely"], r["share"]) for r in rows] == [
        ("JI1", "1", "0", "0.0"),
        ("JI6", "1", "1", "1.0"),
    ]


# --- the meeting rhythm ---------------------------------------------------------------------


def test_overdue_json_and_csv(register: Engine, tmp_path: Path) -> None:
    db = _db(register)
    with register.connect() as conn:
        rows, listed = overdue(conn, DAY, 14, None)
    folder = tmp_path / "csv"
    _ok(
        "overdue",
        *("--db", db, "--as-of", "2019-08-01", "--json", str(tmp_path / "o.json")),
        *("--csv", str(folder)),
    )
    data = _json(tmp_path / "o.json")
    assert (data["as_of"], data["within_days"]) == ("2019-08-01", 14)
    assert [
        (r["staff"], r["citizens"], r["overdue"], r["due_soon"], r["outreach"])
        for r in data["caseworkers"]
    ] == [(r.staff, r.citizens, r.overdue, r.due_soon, r.outreach) for r in rows]
    assert {r["staff"]: r["overdue"] for r in data["caseworkers"]} == {"KS-001": 2, "KS-101": 1}
    assert len(data["citizens"]) == listed.height
    for citizen in data["citizens"]:
        assert "citizen_id" not in citizen and "professional_id" not in citizen
        assert ISO_DAY.match(citizen["due"])
    header, caseworkers = _csv(folder / "caseworkers.csv")
    assert header == ["staff", "name", "citizens", "overdue", "due_soon", "outreach"]
    assert len(caseworkers) == len(rows)
    header, citizens = _csv(folder / "citizens.csv")
    assert "citizen" in header and "citizen_id" not in header
    assert len(citizens) == listed.height


def test_timeliness_json_holds_groups_and_weeks(register: Engine, tmp_path: Path) -> None:
    db = _db(register)
    with register.connect() as conn:
        weeks = timeliness(conn, date(2018, 1, 1), date(2019, 12, 31))
    totals = timeliness_over(weeks)
    out = tmp_path / "t.json"
    _ok("timeliness", "--db", db, "--from", "2018-01-01", "--to", "2019-06-30", "--json", str(out))
    data = _json(out)
    assert (data["from"], data["to"], data["by"]) == ("2018-01-01", "2019-06-30", "department")
    assert [(g["group"], g["held"], g["timely"], g["share"]) for g in data["groups"]] == list(
        totals.iter_rows()
    )
    assert len(data["weeks"]) == weeks.height
    assert all(ISO_DAY.match(w["week"]) for w in data["weeks"])


# --- case flow and the sparring sheet -------------------------------------------------------


def test_caseflow_csv_folder_has_a_file_per_table(register: Engine, tmp_path: Path) -> None:
    db = _db(register)
    with register.connect() as conn:
        flow = case_flow(conn, Period(date(2018, 1, 1), date(2019, 12, 31)))
    folder = tmp_path / "flow"
    _ok("caseflow", "--db", db, "--from", "2018-01-01", "--to", "2019-06-30", "--csv", str(folder))
    assert sorted(p.stem for p in folder.iterdir()) == sorted([*flow.tables, "passive_per_citizen"])
    for name, frame in flow.tables.items():
        header, rows = _csv(folder / f"{name}.csv")
        assert header == frame.columns, name
        assert len(rows) == frame.height, name
    header, rows = _csv(folder / "passive_per_citizen.csv")
    assert "citizen_id" not in header and "citizen" in header
    assert len(rows) == flow.passive_per_citizen.height
    reports = _csv(folder / "reports.csv")[1]
    assert [(r["department"], r["due"], r["acted_on"]) for r in reports] == [("JI6", "2", "1")]


def test_sparring_json_is_the_sheets_data(register: Engine, tmp_path: Path) -> None:
    db = _db(register)
    with register.connect() as conn:
        expected = sheet(conn, "KS-001", DAY)
    result = _ok(
        "sparring", "--db", db, "--caseworker", "KS-001", "--as-of", "2019-08-01", "--json", "-"
    )
    data = json.loads(result.stdout)
    assert (data["staff"], data["as_of"]) == ("KS-001", "2019-08-01")
    assert [p["code"] for p in data["pages"]] == [p.code for p in expected.pages]
    page = next(p for p in data["pages"] if p["code"] == "C000002")
    assert (page["entry"], page["overdue_days"]) == ("2018-01-01", 556)
    assert page["plan"]["recommendation"] == "resource_course"
    assert "The job meeting is 556 days overdue." in page["barriers"]
    assert not [p for p in tmp_path.rglob("*") if p.suffix == ".html"]  # none without --out
    neither = run("sparring", "--db", db, "--caseworker", "KS-001")
    assert neither.exit_code == 2
    assert "sparring needs --out FILE or --json FILE" in neither.output


# --- plans, randomisation, the import tables ------------------------------------------------


def test_rebalance_json_and_csv(register: Engine, tmp_path: Path) -> None:
    db = _db(register)
    with register.connect() as conn:
        summary = rebalance(conn, "JI6", DAY, "coordinating_caseworker", 1).summary()
    folder = tmp_path / "plan"
    result = run(
        "rebalance",
        *("--db", db, "--department", "JI6", "--cap", "1", "--as-of", "2019-08-01"),
        *("--dry-run", "--json", "-", "--csv", str(folder)),
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["department"], data["cap"], data["day"]) == ("JI6", 1, "2019-08-01")
    assert data["unplaced"] == summary["unplaced"] and len(data["unplaced"]) == 1
    assert data["plan"]["changes"] == summary["plan"]["changes"]
    _, methods = _csv(folder / "methods.csv")
    assert [m["method"] for m in methods] == [summary["plan"]["method"], "greedy"]
    _, loads = _csv(folder / "loads.csv")
    assert [(r["staff"], float(r["before"])) for r in loads] == [
        (r["staff"], r["before"]) for r in summary["loads"]
    ]
    header, moves = _csv(folder / "moves.csv")
    assert header == ["citizen", "from", "to", "reason"]
    assert len(moves) == len(summary["moves"])


def test_randomise_json_and_csv(register: Engine, tmp_path: Path) -> None:
    db = _db(register)
    out = tmp_path / "strata.csv"
    result = _ok(
        "randomise",
        *("--db", db, "--trial", "NEW-1", "--seed", "7", "--start", "2019-01-01"),
        *("--dry-run", "--json", "-", "--csv", str(out)),
    )
    data = json.loads(result.stdout)
    assert (data["trial"], data["day"], data["dry_run"]) == ("NEW-1", "2019-01-01", True)
    assert data["assigned"] == sum(data["arms"].values()) == 2
    assert data["design"]["seed"] == 7 and data["design"]["scheme"] == "complete"
    header, rows = _csv(out)
    assert header == ["stratum", "trial", "control"]
    assert sum(int(r["trial"]) + int(r["control"]) for r in rows) == data["assigned"]


def test_import_json(register: Engine, tmp_path: Path) -> None:
    out = tmp_path / "import.json"
    _ok("import", "staff", str(EXAMPLES / "staff.csv"), "--db", _db(register), "--json", str(out))
    rows = len((EXAMPLES / "staff.csv").read_text(encoding="utf-8").splitlines()) - 1
    assert _json(out) == {
        "table": "staff",
        "inserted": 0,
        "updated": 0,
        "unchanged": rows,
        "notes": [],
    }


def test_export_json_lists_every_file_and_its_rows(register: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    result = _ok("export", "--db", _db(register), "--out", str(folder), "--json", "-")
    data = json.loads(result.stdout)
    assert (data["format"], data["folder"]) == ("csv", str(folder))
    assert [f["table"] for f in data["files"]] == [spec.name for spec in catalogue.SPECS]
    for entry in data["files"]:
        lines = Path(entry["file"]).read_text(encoding="utf-8").splitlines()
        assert entry["rows"] == len(lines) - 1, entry["table"]
    staff = next(f for f in data["files"] if f["table"] == "staff")
    assert staff["rows"] == len((EXAMPLES / "staff.csv").read_text("utf-8").splitlines()) - 1


def test_tables_json_and_csv(tmp_path: Path) -> None:
    _ok("tables", "--json", str(tmp_path / "t.json"), "--csv", str(tmp_path / "t.csv"))
    data = _json(tmp_path / "t.json")
    assert len(data) == sum(len(spec.fields) for spec in catalogue.SPECS)
    staff_id = next(r for r in data if (r["table"], r["column"]) == ("staff", "staff_id"))
    assert staff_id["required"] is True
    header, rows = _csv(tmp_path / "t.csv")
    assert header == ["table", "column", "kind", "required", "codes", "refers_to"]
    assert len(rows) == len(data)


# --- the evaluate face ----------------------------------------------------------------------


def test_analyze_counts_json_and_csv(tmp_path: Path) -> None:
    path = tmp_path / "counts.json"
    path.write_text(json.dumps(published_counts()), encoding="utf-8")
    result = _ok("analyze-counts", str(path), "--json", "-", "--lang", "da")
    data = {r["name"]: r for r in json.loads(result.stdout)}
    assert data["resource_course"]["significant"] is True
    out = tmp_path / "counts.csv"
    _ok("analyze-counts", str(path), "--csv", str(out), "--lang", "da")
    header, rows = _csv(out)
    assert {"name", "treated_n", "treated_rate", "control_n", "p_value"} <= set(header)
    assert [r["name"] for r in rows] == list(data)
    first = rows[0]
    assert float(first["treated_rate"]) == data[first["name"]]["treated"]["rate"]
    assert "," not in first["treated_rate"]


def test_analyze_csv_has_a_row_per_outcome(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    lines = ["unit,group,job"] + [
        f"U{i},{'low' if i % 2 else 'usual'},{1 if i % 3 == 0 else 0}" for i in range(60)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, js = tmp_path / "out.csv", tmp_path / "out.json"
    _ok(
        "analyze",
        *(str(path), "--arm", "group", "--treated", "low", "--outcome", "job"),
        *("--csv", str(out), "--json", str(js)),
    )
    data = _json(js)
    header, rows = _csv(out)
    assert [r["name"] for r in rows] == [o["name"] for o in data["outcomes"]] == ["job"]
    assert float(rows[0]["difference"]) == pytest.approx(data["outcomes"][0]["difference"])
    assert "treated_n" in header


def test_evaluate_json_is_the_reports_json(demo_build: tuple[Path, Result], tmp_path: Path) -> None:
    template, _ = demo_build
    db = copy_register(template, tmp_path / "demo.sqlite")
    folder = tmp_path / "report"
    result = _ok("evaluate", "--db", db, "--out", str(folder), "--json", "-")
    assert json.loads(result.stdout) == _json(folder / JSON_NAME)
    assert "Report:" not in result.stdout
