"""What ``--json`` and ``--csv`` write: a command's result for another program.

One conversion for every command: the services' typed results (dataclasses, named tuples,
Polars frames, dicts and lists of them) become plain JSON values. The files are the same in
every language: UTF-8, dates and times in ISO 8601, numbers with a dot, codes as the codes
(``coordinating_caseworker``, not its label), true/false. ``-`` writes to standard output.

CSV: a command whose result is one table writes one file (``--csv FILE``); a command with
several tables writes one file per table into a folder (``--csv FOLDER``: ``NAME.csv``).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import polars as pl

from caseload.cli.files import save
from caseload.i18n import Message

STDOUT = Path("-")
"""``--json -`` or ``--csv -``: standard output instead of a file."""

Rows = list[dict[str, Any]]
"""A table as rows of plain values, each row a column name → value."""


def plain(value: Any) -> Any:
    """``value`` as JSON values: dataclasses and named tuples as objects, frames as lists of
    rows, dates as ISO text, paths as text, a message in English, NaN as null."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Message):
        return str(value)
    if isinstance(value, pl.DataFrame):
        return [plain(row) for row in value.to_dicts()]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {name: plain(item) for name, item in zip(value._fields, value, strict=True)}
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, Iterable) and not isinstance(value, bytes):
        return [plain(item) for item in value]
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def rows(table: Any) -> Rows:
    """A table (a frame, or a list of dataclasses, named tuples or dicts) as plain rows."""
    converted = plain(table)
    if not isinstance(converted, list) or not all(isinstance(r, dict) for r in converted):
        raise TypeError("a table is a list of rows")
    return converted


def json_text(data: Any) -> str:
    return json.dumps(plain(data), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_json(data: Any, target: Path) -> None:
    """``data`` as JSON (UTF-8) into ``target``, or onto standard output for ``-``."""
    _write(json_text(data), target)


def write_text(text: str, target: Path) -> None:
    """Text already written as JSON or CSV (a report's file) into ``target``, or ``-``."""
    _write(text, target)


def cell(value: Any) -> str:
    """One CSV cell: empty for none, true/false, ISO dates, a dot in numbers; a list or an
    object inside a cell as JSON."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def flat(row: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A row's objects spread into columns: ``{"treated": {"n": 5}}`` → ``treated_n``."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, Mapping):
            out.update(flat(value, f"{prefix}{key}_"))
        else:
            out[f"{prefix}{key}"] = value
    return out


def csv_text(table: Any, columns: list[str] | None = None) -> str:
    """A table as CSV with a header line (every column any row has, in first-seen order; an
    object in a row spread into columns by :func:`flat`)."""
    table_rows = [flat(row) for row in rows(table)]
    if columns is None:
        if isinstance(table, pl.DataFrame):
            columns = list(table.columns)
        else:
            columns = list(dict.fromkeys(k for row in table_rows for k in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in table_rows:
        writer.writerow([cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def write_csv(table: Any, target: Path) -> None:
    """One table as a CSV file (UTF-8, a header line), or onto standard output for ``-``."""
    _write(csv_text(table), target)


def write_csv_folder(
    tables: Mapping[str, Any], folder: Path, columns: Mapping[str, list[str]] | None = None
) -> list[Path]:
    """Several tables as ``NAME.csv`` in ``folder`` (made if missing); the files written.
    ``columns`` names a table's columns where it may have no rows (its header all the same)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in tables.items():
        path = folder / f"{name}.csv"
        _write(csv_text(table, (columns or {}).get(name)), path)
        written.append(path)
    return written


def to_stdout(*targets: Path | None) -> bool:
    """Whether one of the machine outputs goes to standard output (then nothing else may)."""
    return any(t == STDOUT for t in targets)


def _write(text: str, target: Path) -> None:
    save(text, target)  # row-level data: the owner's only; one line when it cannot be written


# --- each command's result, as the files hold it --------------------------------------------


def with_properties(value: Any, *names: str) -> dict[str, Any]:
    """A dataclass as an object, with the named computed properties beside its fields."""
    out: dict[str, Any] = plain(value)
    for name in names:
        out[name] = plain(getattr(value, name))
    return out


def status(report: Any) -> dict[str, Any]:
    """``caseload status``: every professional's caseload, who is over the cap, continuity."""
    return {
        "as_of": plain(report.as_of),
        "caseloads": [with_properties(c, "over_cap") for c in report.caseloads],
        "continuity": [
            {
                **with_properties(c, "per_citizen_year"),
                "by_reason": {reason: n for reason, n in c.by_reason},
            }
            for c in report.continuity
        ],
    }


def status_tables(report: Any) -> dict[str, Rows]:
    data = status(report)
    return {"caseloads": data["caseloads"], "continuity": data["continuity"]}


INTERNAL_IDS = ("citizen_id", "professional_id")
"""The register's own row ids: never in a file (the codes are)."""


def without_ids(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.drop([c for c in INTERNAL_IDS if c in frame.columns])


def overdue(rows_: list[Any], listed: pl.DataFrame, day: date, within: int) -> dict[str, Any]:
    """``caseload overdue``: per caseworker, and the citizens overdue, due soon or flagged."""
    return {
        "as_of": plain(day),
        "within_days": within,
        "caseworkers": plain(rows_),
        "citizens": plain(without_ids(listed)),
    }


def timeliness(
    totals: pl.DataFrame, weeks: pl.DataFrame, first: date, last: date, by: str, trial: str | None
) -> dict[str, Any]:
    """``caseload timeliness``: per group over the period, and per group and week."""
    return {
        "from": plain(first),
        "to": plain(last),
        "by": by,
        "trial": trial,
        "groups": plain(totals),
        "weeks": plain(weeks),
    }


def sheet(result: Any) -> dict[str, Any]:
    """``caseload sparring``: the sheet's data, each page's barriers in English."""
    return {
        "staff": result.staff,
        "name": result.name,
        "as_of": plain(result.day),
        "pages": [with_properties(page, "barriers") for page in result.pages],
    }


ALLOCATION_COLUMNS = {
    "methods": [
        "method",
        "changes",
        "new_contacts",
        "unplaced",
        "over_cap",
        "load_share_sd",
        "seconds",
    ],
    "loads": ["staff", "district", "away", "capacity", "before", "after"],
    "moves": ["citizen", "from", "to", "reason"],
}
"""The columns of ``rebalance``/``assign``'s CSV files (a plan may move nobody)."""


def allocation_tables(summary: Mapping[str, Any]) -> dict[str, Rows]:
    """``rebalance``/``assign``: both methods side by side, the loads, every move."""
    methods = [dict(summary[key]) for key in ("plan", "greedy_baseline")]
    return {
        "methods": methods,
        "loads": list(summary["loads"]),
        "moves": list(summary["moves"]),
    }


def run(result: Any) -> dict[str, Any]:
    """``caseload randomise`` on the register: the run, its design and the arms per stratum."""
    return with_properties(result, "assigned")


def strata(result: Any) -> Rows:
    return [
        {"stratum": name, "trial": arms.get("trial", 0), "control": arms.get("control", 0)}
        for name, arms in sorted(result.strata.items())
    ]


def unit_list(design: Any, arms: pl.DataFrame, out: Path) -> dict[str, Any]:
    """``caseload randomise FILE``: the design, units per arm and the file written."""
    counts = arms.get_column("arm").value_counts(sort=True)
    return {
        "design": plain(design),
        "arms": dict(counts.iter_rows()),
        "out": str(out),
    }


def import_tables() -> Rows:
    """``caseload tables``: one row per column of each import table."""
    from caseload.register import catalogue

    return [
        {
            "table": spec.name,
            "column": f.name,
            "kind": f.kind,
            "required": f.required,
            "codes": list(f.codes),
            "refers_to": f.ref,
        }
        for spec in catalogue.SPECS
        for f in spec.fields
    ]
