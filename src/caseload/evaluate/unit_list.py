"""Randomising a plain list of units from a file (CSV, .xlsx, Parquet), outside the register."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from caseload.domain.cpr import looks_like_cpr
from caseload.evaluate.randomise import Design, allocate
from caseload.i18n import Message
from caseload.register import readers
from caseload.register.problems import ImportRejected, Problem

OUT_SUFFIXES = (".csv", ".parquet")


def randomise_file(
    path: Path,
    id_column: str,
    blocks: list[str],
    design: Design,
    out: Path,
    cluster: str | None = None,
) -> pl.DataFrame:
    """Read units, allocate them, write each unit's arm and probability; all or nothing."""
    if out.suffix.lower() not in OUT_SUFFIXES:
        raise ImportRejected(
            str(out),
            [
                Problem(
                    0,
                    "-",
                    Message("write .csv or .parquet, not {suffix!r}", {"suffix": out.suffix}),
                    str(out),
                )
            ],
        )
    frame = readers.read(path)
    columns = [id_column.lower(), *(b.lower() for b in blocks)]
    if cluster:
        columns.append(cluster.lower())
    unit_col = cluster.lower() if cluster else id_column.lower()
    _refuse_units(frame, columns, id_column, unit_col, cluster is not None, str(path))
    block_cols = [b.lower() for b in blocks]
    strata = (
        frame.select(
            pl.concat_str([pl.lit(f"{b}=") + pl.col(b) for b in block_cols], separator=" | ")
        )
        .to_series()
        .to_list()
        if block_cols
        else [""] * frame.height
    )
    if cluster:
        arms = _cluster_arms(frame, unit_col, strata, design, str(path))
    else:
        arms = allocate(frame.get_column(unit_col).to_list(), design, strata)
    result = frame.select(*columns).with_columns(
        pl.Series("arm", arms), pl.lit(design.probability).alias("probability")
    )
    if out.suffix.lower() == ".csv":
        result.write_csv(out)
    else:
        result.write_parquet(out)
    out.chmod(0o600)  # every unit's arm: the owner's only
    return result


CPR_IN_FILE = Message(
    "looks like a CPR number; CPR numbers belong only in the cpr column (the text is not repeated)"
)


def _refuse_units(
    frame: pl.DataFrame,
    columns: list[str],
    id_column: str,
    unit_col: str,
    clustered: bool,
    file: str,
) -> None:
    """Refuse, with every problem, a file lacking a column the design names, with empty
    cells there, with a unit listed twice (unless whole clusters are drawn) or no units."""
    problems = [
        Problem(
            1,
            name,
            Message(
                "no such column (the file has: {columns})",
                {"columns": ", ".join(c for c in frame.columns if c != readers.ROW)},
            ),
            file,
        )
        for name in columns
        if name not in frame.columns
    ]
    if problems:
        raise ImportRejected(file, problems)
    for name in columns:
        for row in frame.filter(pl.col(name).is_null()).get_column(readers.ROW).to_list():
            problems.append(Problem(row, name, Message("empty"), file))
        for row, text in frame.select(readers.ROW, name).drop_nulls().iter_rows():
            if looks_like_cpr(str(text)):  # it would be written to the unit list
                problems.append(Problem(row, name, CPR_IN_FILE, file))
    if not clustered:
        repeated = frame.filter(pl.col(unit_col).is_duplicated() & pl.col(unit_col).is_not_null())
        for row, value in repeated.select(readers.ROW, unit_col).iter_rows():
            problems.append(
                Problem(
                    row,
                    unit_col,
                    Message("unit {value!r} appears more than once", {"value": value}),
                    file,
                )
            )
    if frame.height == 0:
        problems.append(Problem(0, id_column, Message("the file has no units"), file))
    if problems:
        raise ImportRejected(file, problems)


def _cluster_arms(
    frame: pl.DataFrame, unit_col: str, strata: list[str], design: Design, file: str
) -> list[str]:
    """Whole clusters drawn, each unit given its cluster's arm; a cluster whose units sit
    in different blocks is refused."""
    problems: list[Problem] = []
    first: dict[str, str] = {}
    for unit, label, row in zip(
        frame.get_column(unit_col).to_list(),
        strata,
        frame.get_column(readers.ROW).to_list(),
        strict=True,
    ):
        if first.setdefault(unit, label) != label:
            problems.append(
                Problem(
                    row,
                    unit_col,
                    Message(
                        "cluster {unit!r} spans several blocks; block on traits the whole "
                        "cluster shares",
                        {"unit": unit},
                    ),
                    file,
                )
            )
    if problems:
        raise ImportRejected(file, problems)
    units = sorted(first)
    arm_of = dict(zip(units, allocate(units, design, [first[u] for u in units]), strict=True))
    return [arm_of[u] for u in frame.get_column(unit_col).to_list()]
