"""Parse and check a frame against its table spec, collecting every problem.

Text cells are parsed; typed columns (from the synthetic job centre or a
Parquet file) are taken as they are but go through the same checks: codes,
references, periods, natural-key duplicates and the table's own rules.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
from sqlalchemy import BigInteger, Integer, SmallInteger

from caseload.domain import cpr
from caseload.i18n import N_, Message
from caseload.register import rules
from caseload.register.problems import params_json
from caseload.register.readers import ROW
from caseload.register.spec import Field, TableSpec

DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
TRUE = ("true", "1", "yes", "ja", "sand", "y", "j")
FALSE = ("false", "0", "no", "nej", "falsk", "n")
TYPES: dict[str, pl.DataType] = {
    "text": pl.Utf8(),
    "code": pl.Utf8(),
    "ref": pl.Utf8(),
    "cpr": pl.Utf8(),
    "int": pl.Int64(),
    "float": pl.Float64(),
    "date": pl.Date(),
    "bool": pl.Boolean(),
}
_HINT = {
    "int": N_("not a whole number: '{value}'"),
    "float": N_("not a number: '{value}'"),
    "date": N_("not a date (use YYYY-MM-DD or DD-MM-YYYY): '{value}'"),
    "bool": N_("not true/false (ja/nej): '{value}'"),
}
"""Why a cell cannot be read, with the cell (its first 40 characters)."""
_HINT_HIDDEN = {
    "int": N_("not a whole number"),
    "float": N_("not a number"),
    "date": N_("not a date (use YYYY-MM-DD or DD-MM-YYYY)"),
    "bool": N_("not true/false (ja/nej)"),
}
"""The same for a sensitive column, whose cells are never repeated."""
_UNKNOWN_REF = {
    "staff": N_("unknown staff '{value}'"),
    "citizens": N_("unknown citizen '{value}'"),
    "jobcentres": N_("unknown job centre '{value}'"),
    "departments": N_("unknown department '{value}'"),
    "teams": N_("unknown team '{value}'"),
    "trials": N_("unknown trial '{value}'"),
    "orders": N_("unknown order '{value}'"),
    "plans": N_("unknown plan '{value}'"),
    "meetings": N_("unknown meeting '{value}'"),
}
_UNKNOWN_OTHER = N_("unknown {table} row '{value}'")
TEXT_KINDS = ("text", "code", "ref", "cpr")
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
"""Characters no cell may hold: C0 controls and DEL, except tab, line feed and carriage
return (a quoted free-text cell may span lines)."""


def _parsed(f: Field) -> pl.Expr:
    raw = pl.col(f.name)
    if f.kind == "int":
        compact = raw.str.replace_all(r"\s", "")
        # a dot is a Danish thousands mark only in groups of three: 1.500 = 1500, 1.5 is no int
        thousands = compact.str.contains(r"^-?\d{1,3}(\.\d{3})+$")
        return (
            pl.when(thousands)
            .then(compact.str.replace_all(".", "", literal=True))
            .otherwise(compact)
            .cast(pl.Int64, strict=False)
        )
    if f.kind == "float":
        return raw.str.replace_all(r"\s", "").str.replace(",", ".").cast(pl.Float64, strict=False)
    if f.kind == "date":
        return pl.coalesce(*(raw.str.to_date(fmt, strict=False) for fmt in DATE_FORMATS))
    if f.kind == "bool":
        low = raw.str.to_lowercase()
        return pl.when(low.is_in(TRUE)).then(True).when(low.is_in(FALSE)).then(False)
    if f.kind == "code":
        return raw.str.to_lowercase().str.replace_all(r"[\s-]+", "_")
    if f.kind == "cpr":
        return raw.str.replace("-", "")
    return raw


def _needs_parsing(frame: pl.DataFrame, f: Field) -> bool:
    """Text cells need parsing; typed columns, and code columns already all valid, do not
    (a big generated frame then skips a rewrite of every cell)."""
    if frame.schema[f.name] != pl.Utf8:
        return False
    if f.kind == "code":
        values = frame.get_column(f.name)
        return not bool(values.drop_nulls().is_in(f.codes).all())
    return f.kind != "text" and f.kind != "ref"


def _shown(f: Field) -> pl.Expr:
    """The cell as typed (its first 40 characters), for a column that is not sensitive."""
    return pl.col(f"_raw_{f.name}").cast(pl.Utf8).str.slice(0, 40)


def _cpr_reasons(values: pl.Series) -> pl.Series:
    """Why each CPR number is invalid, as problem ``params`` (None when valid). Never echoes
    the number: the reason is one of CprError's own fixed messages."""
    reasons: list[str | None] = []
    for value in values:
        if value is None:
            reasons.append(None)
            continue
        try:
            cpr.parse(value)
            reasons.append(None)
        except cpr.CprError as error:
            reasons.append(params_json({"error": Message(str(error))}))
    return pl.Series(reasons, dtype=pl.Utf8)


def _columns(spec: TableSpec, frame: pl.DataFrame) -> list[pl.DataFrame]:
    known = {f.name for f in spec.fields}
    found: list[pl.DataFrame] = []
    for position, column in enumerate(frame.columns):
        if column != ROW and cpr.looks_like_cpr(column):
            # a file without its header row: its first row became the column names
            found.append(
                _at(
                    1,
                    "-",
                    N_(
                        "column {position}'s name looks like a CPR number: is the header "
                        "row missing? (the name is not repeated)"
                    ),
                    position=position + 1,
                )
            )
        elif column != ROW and column not in known:
            found.append(
                _at(
                    1,
                    column,
                    N_("unknown column; expected: {columns}"),
                    columns=", ".join(sorted(known)),
                )
            )
    for name in spec.required:
        if name not in frame.columns and spec.field(name).default is None:
            found.append(_at(1, name, N_("required column is missing")))
    return found


def _at(row: int, column: str, reason: str, **params: object) -> pl.DataFrame:
    return pl.DataFrame(
        {ROW: [row], "column": [column], "reason": [reason], "params": [params_json(params)]},
        schema=rules.PROBLEM_SCHEMA,
    )


def parse(
    spec: TableSpec, frame: pl.DataFrame, known_codes: Mapping[str, pl.Series]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed frame (file column names) and a frame of problems (``_row``, ``column``, ``reason``).

    ``known_codes`` maps each referenced table to the codes already in the register.
    """
    found = _columns(spec, frame)
    if found:
        return frame, pl.concat(found)
    unreadable: list[pl.DataFrame] = [rules.none()]
    personal = _cpr_like_cells(spec, frame)
    typed, present = _typed(spec, frame)
    for f in present:
        problems, unread = _field_problems(f, typed, spec, known_codes)
        found += problems
        unreadable += unread
    # optional columns left out of the file are empty, so rules see every column
    typed = typed.drop([f"_raw_{f.name}" for f in present]).with_columns(
        pl.lit(None, TYPES[f.kind]).alias(f.name)
        for f in spec.fields
        if f.name not in typed.columns
    )
    if spec.normalise:
        typed = spec.normalise(typed)
    for start, end in spec.periods:
        found.append(
            rules.flag(
                typed,
                pl.col(end) < pl.col(start),
                end,
                N_("{end} is before {start}"),
                end=end,
                start=start,
            )
        )
    found.append(_duplicates(spec, typed))
    cells = pl.concat(unreadable)
    # an unreadable cell looks empty to the rules: keep only their news about other cells
    judged = pl.concat([rule(typed) for rule in spec.rules] or [rules.none()])
    judged = judged.join(cells.select(ROW, "column"), on=[ROW, "column"], how="anti")
    # a row holding a CPR-like text gets that problem alone: the others may repeat the text
    others = pl.concat([*found, cells, judged]).join(
        personal.select(ROW).unique(), on=ROW, how="anti"
    )
    return typed, pl.concat([others, personal])


def _cpr_like_cells(spec: TableSpec, frame: pl.DataFrame) -> pl.DataFrame:
    """One problem for each cell, in any column but the ``cpr`` column (which is hashed),
    that holds something that may be a CPR number; the text is never repeated."""
    exempt = {f.name for f in spec.fields if f.kind == "cpr"}
    found = [rules.none()]
    for column in frame.columns:
        if column == ROW or column in exempt or frame.schema[column] != pl.Utf8:
            continue
        candidates = frame.filter(pl.col(column).str.contains(cpr.CANDIDATE_PATTERN))
        rows = [
            row
            for row, text in candidates.select(ROW, column).iter_rows()
            if cpr.looks_like_cpr(text)
        ]
        if rows:
            found.append(
                pl.DataFrame(
                    {
                        ROW: rows,
                        "column": [column] * len(rows),
                        "reason": [
                            N_(
                                "looks like a CPR number; CPR numbers belong only in the cpr "
                                "column (the text is not repeated)"
                            )
                        ]
                        * len(rows),
                        "params": [params_json({})] * len(rows),
                    },
                    schema=rules.PROBLEM_SCHEMA,
                )
            )
    return pl.concat(found)


def _typed(spec: TableSpec, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[Field]]:
    """The frame with each column of the spec parsed into its type (defaults filled), the
    text as read kept beside it in ``_raw_<name>``; and the spec's fields present."""
    frame = frame.with_columns(
        pl.lit(f.default).alias(f.name)
        for f in spec.fields
        if f.default is not None and f.name not in frame.columns
    )
    present = [f for f in spec.fields if f.name in frame.columns]
    typed = frame.with_columns(pl.col(f.name).alias(f"_raw_{f.name}") for f in present)
    if spec.fields:
        typed = typed.with_columns(
            pl.col(f.name).fill_null(pl.lit(f.default)) for f in present if f.default is not None
        )
    typed = typed.with_columns(
        (_parsed(f) if _needs_parsing(typed, f) else pl.col(f.name))
        .cast(TYPES[f.kind], strict=False)
        .alias(f.name)
        for f in present
    )
    return typed, present


def _field_problems(
    f: Field,
    typed: pl.DataFrame,
    spec: TableSpec,
    known_codes: Mapping[str, pl.Series],
) -> tuple[list[pl.DataFrame], list[pl.DataFrame]]:
    """One column's problems: missing values, unknown codes, invalid CPR numbers,
    references to rows the register does not hold; and, apart, its unreadable cells."""
    found: list[pl.DataFrame] = []
    unreadable: list[pl.DataFrame] = []
    raw, val = pl.col(f"_raw_{f.name}"), pl.col(f.name)
    # a cell too long for its column or holding a control character gets that problem
    # alone: the others ("unknown code '…'") would repeat what it holds
    bad = _bad_cell(f, typed, spec)
    if f.required:
        found.append(rules.flag(typed, raw.is_null(), f.name, N_("missing value")))
    if f.kind in _HINT:
        unreadable.append(
            rules.flag(
                typed,
                raw.is_not_null() & val.is_null() & ~bad,
                f.name,
                _HINT_HIDDEN[f.kind] if f.sensitive else _HINT[f.kind],
                **({} if f.sensitive else {"value": _shown(f)}),
            )
        )
    found.extend(_beyond_column(f, typed, spec))
    if f.kind == "float":
        # "NaN", "inf" and 1e400 read as numbers but are none a register can count with
        found.append(
            rules.flag(
                typed,
                val.is_not_null() & ~val.is_finite(),
                f.name,
                N_("not a finite number (NaN or infinite)"),
            )
        )
    if f.kind in TEXT_KINDS:
        # a NUL byte crashes PostgreSQL and other control characters hide in a register;
        # the cell is not repeated (it may not even print)
        found.append(
            rules.flag(
                typed,
                _control(f, typed),
                f.name,
                N_("contains a control character (such as a NUL byte); remove it"),
            )
        )
    if f.kind == "code":
        expected = ", ".join(f.codes)
        unknown = val.is_not_null() & ~val.is_in(f.codes) & ~bad
        found.append(
            rules.flag(
                typed,
                unknown,
                f.name,
                N_("unknown code; expected one of: {codes}"),
                codes=expected,
            )
            if f.sensitive
            else rules.flag(
                typed,
                unknown,
                f.name,
                N_("unknown code '{value}'; expected one of: {codes}"),
                value=_shown(f),
                codes=expected,
            )
        )
    if f.kind == "cpr":
        reasons = typed.select(ROW).with_columns(
            _cpr_reasons(typed.get_column(f.name)).alias("params")
        )
        found.append(
            reasons.filter(pl.col("params").is_not_null())
            .select(
                ROW,
                pl.lit(f.name).alias("column"),
                pl.lit(N_("not a valid CPR number: {error}")).alias("reason"),
                "params",
            )
            .cast(rules.PROBLEM_SCHEMA)  # type: ignore[arg-type]
        )
    if f.kind == "ref":
        assert f.ref is not None
        pool = known_codes.get(f.ref, pl.Series([], dtype=pl.Utf8))
        if f.name in spec.self_refs:
            pool = pl.concat([pool, typed.get_column(spec.key[0]).drop_nulls()])
        found.append(
            rules.flag(
                typed,
                val.is_not_null() & ~val.is_in(pool.implode()) & ~bad,
                f.name,
                _UNKNOWN_REF.get(f.ref, _UNKNOWN_OTHER),
                value=_shown(f),
                table=f.ref,
            )
        )
    return found, unreadable


def _control(f: Field, typed: pl.DataFrame) -> pl.Expr:
    """Cells of a text column holding a control character (none for typed columns)."""
    if f.kind not in TEXT_KINDS or typed.schema[f"_raw_{f.name}"] != pl.Utf8:
        return pl.lit(False)
    return pl.col(f"_raw_{f.name}").str.contains(CONTROL_CHARACTERS).fill_null(False)


def _bad_cell(f: Field, typed: pl.DataFrame, spec: TableSpec) -> pl.Expr:
    """Cells refused for what they are (too long, a control character), not what they say."""
    column = spec.table.c.get(f.column)
    length = getattr(column.type, "length", None) if column is not None else None
    bad = _control(f, typed)
    if f.kind in ("text", "code", "ref") and isinstance(length, int):
        too_long = pl.col(f"_raw_{f.name}").cast(pl.Utf8).str.len_chars() > length
        bad = bad | too_long.fill_null(False)
    return bad


_INT_RANGE = ((BigInteger, 2**63 - 1), (SmallInteger, 2**15 - 1), (Integer, 2**31 - 1))
"""The largest whole number each integer column type holds (PostgreSQL refuses more, SQLite
would store it): checked here, so both databases refuse it in the same words."""


def _beyond_column(f: Field, typed: pl.DataFrame, spec: TableSpec) -> list[pl.DataFrame]:
    """Text longer than its database column holds, a whole number beyond its column's range:
    the same refusal on SQLite (which would store it) and PostgreSQL (which would fail)."""
    column = spec.table.c.get(f.column)
    if column is None or f.kind == "cpr":
        return []
    length = getattr(column.type, "length", None)
    if f.kind in ("text", "code", "ref") and isinstance(length, int):
        return [
            rules.flag(
                typed,
                pl.col(f.name).str.len_chars() > length,
                f.name,
                N_("longer than the {most} characters the register holds"),
                most=str(length),
            )
        ]
    if f.kind == "int":
        most = next((m for kind, m in _INT_RANGE if isinstance(column.type, kind)), 2**31 - 1)
        return [
            rules.flag(
                typed,
                pl.col(f.name).abs() > most,
                f.name,
                N_("too large: the register holds whole numbers up to {most}"),
                most=str(most),
            )
        ]
    return []


def _duplicates(spec: TableSpec, typed: pl.DataFrame) -> pl.DataFrame:
    keys = [k for k in spec.key if k in typed.columns]
    marked = typed.with_columns(pl.col(ROW).min().over(keys).alias("_first"))
    return rules.flag(
        marked,
        pl.col("_first") != pl.col(ROW),
        spec.key[-1],
        N_("same natural key ({key}) as row {row}"),
        key=", ".join(spec.key),
        row=pl.col("_first"),
    )
