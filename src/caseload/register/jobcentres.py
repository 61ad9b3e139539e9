"""Which job centre a department or citizen belongs to.

A department's or citizen's row names its job centre in the optional column ``jobcentre``
(the job centre's code: the municipality number, such as 101 for København). Left out or
empty, the row belongs to the register's one job centre. A register with none yet gets
the default job centre with its first department or citizen, so a register that never
names a job centre works as before. In a register with several job centres every row must
name its own: an empty cell is refused with its row and column.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Connection, insert

from caseload.i18n import N_
from caseload.register import rules
from caseload.register.readers import ROW
from caseload.register.spec import TableSpec
from caseload.store import bulk
from caseload.store import schema as s

log = logging.getLogger(__name__)

TABLE = "jobcentres"
"""The import table of job centres."""
COLUMN = "jobcentre"
"""The column of ``departments`` and ``citizens`` naming a row's job centre."""
DEFAULT_CODE = "default"
DEFAULT_NAME = "Jobcenter"
"""The job centre a register gets when its rows never name one (migration 0007 gives it
to a register that held departments or citizens before)."""


@dataclass(frozen=True)
class Placed:
    """A file's rows with their job centre filled in where the register has only one."""

    frame: pl.DataFrame
    known: pl.Series
    """The codes the column may name (in a register without any: the default's)."""
    problems: pl.DataFrame
    """Rows that name no job centre in a register with several (``rules.PROBLEM_SCHEMA``)."""
    needs_default: bool
    """Rows belong to the default job centre, which the register does not hold yet."""


def names_jobcentre(spec: TableSpec) -> bool:
    """The table's rows belong to a job centre (departments, citizens)."""
    return any(f.name == COLUMN and f.ref == TABLE for f in spec.fields)


def place(spec: TableSpec, frame: pl.DataFrame, stored: pl.DataFrame | None) -> Placed:
    """The rows of ``frame`` (with ``_row``) with each empty job centre made the register's
    one; ``stored`` is the register's job centres (``code``, ``id``), read when the table
    names them."""
    if stored is None or not names_jobcentre(spec):
        return Placed(frame, pl.Series("code", [], pl.Utf8), rules.none(), needs_default=False)
    codes = stored.get_column("code")
    if codes.len() > 1:
        return Placed(frame, codes, _unplaced(frame, codes.len()), needs_default=False)
    one = codes.item(0) if codes.len() == 1 else DEFAULT_CODE
    given = pl.col(COLUMN).cast(pl.Utf8) if COLUMN in frame.columns else pl.lit(None, pl.Utf8)
    placed = frame.with_columns(given.fill_null(pl.lit(one, pl.Utf8)).alias(COLUMN))
    if codes.len():
        return Placed(placed, codes, rules.none(), needs_default=False)
    needs = bool(placed.get_column(COLUMN).eq(DEFAULT_CODE).any())
    return Placed(placed, pl.Series("code", [DEFAULT_CODE]), rules.none(), needs_default=needs)


def _unplaced(frame: pl.DataFrame, count: int) -> pl.DataFrame:
    """In a register of ``count`` job centres: the column left out (one problem, on the
    header row) or each empty cell."""
    if frame.height == 0:
        return rules.none()
    if COLUMN not in frame.columns:
        header = pl.DataFrame({ROW: [1]}, schema={ROW: pl.Int64})
        return rules.flag(
            header,
            pl.lit(True),
            COLUMN,
            N_(
                "missing column: the register has {count} job centres, so every row must "
                "name its job centre"
            ),
            count=str(count),
        )
    return rules.flag(
        frame,
        pl.col(COLUMN).is_null(),
        COLUMN,
        N_("empty: the register has {count} job centres, so every row must name its job centre"),
        count=str(count),
    )


def add_default(conn: Connection) -> pl.DataFrame:
    """Add the default job centre (in the caller's transaction); the register's job centres
    after it (``code``, ``id``)."""
    conn.execute(insert(s.jobcentre).values(code=DEFAULT_CODE, name=DEFAULT_NAME))
    log.info("the register's first rows belong to the default job centre, added now")
    return bulk.read_codes(conn, s.jobcentre)
