"""Junk for the import fuzzing: a valid examples/ file with one cell (or one row's shape)
made into something its column specification refuses. Shared by
tests/integration/test_import_fuzz.py (bounded, in `make test`) and
benchmarks/fuzz_imports.py (the long run whose figures are in docs/reliability.md).

The oracle is the specification that also generates docs/import-format.md: each junk
class below is refused by the field's kind or its database column, so a file holding one
must be refused whole — a crash (any other exception) or a changed table is a failure."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, String, select

from caseload.register import catalogue
from caseload.register.spec import Field, TableSpec

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TABLES = [spec.name for spec in catalogue.SPECS]

BY_KIND: dict[str, tuple[str, ...]] = {
    "float": ("NaN", "nan", "inf", "-inf", "Infinity", "1e400", "-1e999", "12abc", "1,2,3"),
    "int": ("NaN", "inf", "1.5x", "99999999999999999999", "-9223372036854775809", "seven"),
    "date": ("2019-02-30", "2019-13-01", "31-31-2019", "yesterday", "2019/99/99"),
    "bool": ("maybe", "2", "yes please", "nan"),
    "code": ("no_such_code_zz", "NaN", "∞"),
    "ref": ("NO-SUCH-ROW-ZZ",),
}
CONTROL = ("\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f")
SHAPES = ("short_row", "long_row")


@dataclass(frozen=True)
class Junk:
    table: str
    row: int
    """Index of the data row changed (0 is the first row under the header)."""
    column: str
    kind: str
    """``value``, ``control``, ``too_long``, ``short_row`` or ``long_row``."""
    value: str


def _rows(table: str) -> tuple[list[str], list[list[str]]]:
    with (EXAMPLES / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def rows(table: str) -> list[list[str]]:
    """The examples file's data rows."""
    return _rows(table)[1]


def _length(spec: TableSpec, f: Field) -> int | None:
    column = spec.table.c.get(f.column)
    if column is not None and isinstance(column.type, String) and column.type.length:
        return int(column.type.length)
    return None


def classes(table: str, controls: tuple[str, ...] = CONTROL) -> list[tuple[str, str, str]]:
    """Every (column, kind, value) junk the table's specification refuses (with each of
    ``controls`` as the control character)."""
    spec = catalogue.spec(table)
    header, _ = _rows(table)
    found: list[tuple[str, str, str]] = []
    for f in spec.fields:
        if f.name not in header or f.kind == "cpr":
            continue
        found += [(f.name, "value", v) for v in BY_KIND.get(f.kind, ())]
        if f.kind in ("text", "code", "ref"):
            found += [(f.name, "control", c) for c in controls]
            length = _length(spec, f)
            if length:
                found.append((f.name, "too_long", "x" * (length + 1)))
                found.append((f.name, "too_long", "y" * (length * 50)))
    found += [("-", shape, "") for shape in SHAPES]
    return found


def make(table: str, rng: random.Random) -> Junk:
    """One junk file's recipe for ``table``, drawn with ``rng``."""
    _, rows = _rows(table)
    column, kind, value = rng.choice(classes(table))
    return Junk(table, rng.randrange(len(rows)), column, kind, value)


def write(junk: Junk, folder: Path) -> Path:
    """The examples file with the junk in it."""
    header, rows = _rows(junk.table)
    rows = [list(r) for r in rows]
    row = rows[junk.row]
    if junk.kind == "short_row":
        row.pop()
    elif junk.kind == "long_row":
        row.append("extra")
    elif junk.kind == "control":
        at = header.index(junk.column)
        # inside the text: at either end, a space-like control would be trimmed as space
        text = row[at] if len(row[at]) >= 2 else "ab"
        middle = max(1, len(text) // 2)
        row[at] = text[:middle] + junk.value + text[middle:]
    else:
        row[header.index(junk.column)] = junk.value
    path = folder / f"{junk.table}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def contents(engine: Engine, table: str) -> list[tuple[Any, ...]]:
    """Every stored row of the table, in id order (to prove nothing changed)."""
    t = catalogue.spec(table).table
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(t).order_by(t.c.id))]


DANISH = "æøåÆØÅéü §½"


def danish_text(rng: random.Random) -> str:
    """A name with the letters Danish files hold (all in Windows-1252)."""
    letters = "abcdefghijklmnopqrstuvwxyz" + DANISH.replace(" ", "")
    return "".join(rng.choice(letters) for _ in range(rng.randint(3, 30))).strip() or "Ø"


def write_windows_1252(table: str, names: dict[str, str], folder: Path) -> Path:
    """The examples file of ``table`` with its ``name`` cells replaced (by row code) and
    saved as Danish Excel saves CSV: Windows-1252, semicolons."""
    header, rows = _rows(table)
    at = header.index("name")
    for row in rows:
        row[at] = names.get(row[0], row[at])
    path = folder / f"{table}.csv"
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    return path
