"""Table-specific checks and derived columns for imports.

A rule takes the parsed frame (file column names, typed values, ``_row`` = the
row number in the file) and returns the rows it objects to as a frame of
``_row``, ``column``, ``reason`` and ``params``: the reason is a msgid (English, with
``{name}`` placeholders; the Danish is in the catalogue) and ``params`` its values as JSON
text. Rules must never put a sensitive value (a CPR number, health information) into a
reason or its values.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import Connection, func, select

from caseload.domain import codes, cpr
from caseload.i18n import N_, Message
from caseload.register.problems import params_json
from caseload.register.spec import Rule

PROBLEM_SCHEMA = {"_row": pl.Int64, "column": pl.Utf8, "reason": pl.Utf8, "params": pl.Utf8}
CPR_KEY_ENV = "CASELOAD_CPR_KEY"


def flag(
    df: pl.DataFrame, mask: pl.Expr, column: str, reason: str, **params: pl.Expr | str
) -> pl.DataFrame:
    """Problems for the rows where ``mask`` is true: ``reason`` is a msgid, ``params`` fill
    its placeholders (an expression per row, or one text for all)."""
    if any(isinstance(v, pl.Expr) for v in params.values()):
        values = pl.struct(
            [
                (v if isinstance(v, pl.Expr) else pl.lit(v)).cast(pl.Utf8).alias(k)
                for k, v in params.items()
            ]
        ).struct.json_encode()
    else:
        values = pl.lit(params_json(params), pl.Utf8)
    return (
        df.filter(mask.fill_null(False))
        .select(
            pl.col("_row"),
            pl.lit(column).alias("column"),
            pl.lit(reason).alias("reason"),
            values.alias("params"),
        )
        .cast(PROBLEM_SCHEMA)  # type: ignore[arg-type]
    )


def _has(df: pl.DataFrame, *columns: str) -> bool:
    return all(c in df.columns for c in columns)


def none(_df: pl.DataFrame | None = None) -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


def positive(column: str) -> Rule:
    def rule(df: pl.DataFrame) -> pl.DataFrame:
        if not _has(df, column):
            return none()
        return flag(df, pl.col(column) <= 0, column, N_("must be greater than 0"))

    return rule


def non_negative(column: str) -> Rule:
    def rule(df: pl.DataFrame) -> pl.DataFrame:
        if not _has(df, column):
            return none()
        return flag(df, pl.col(column) < 0, column, N_("may not be negative"))

    return rule


def fte_in_range(df: pl.DataFrame) -> pl.DataFrame:
    return flag(
        df,
        (pl.col("fte") <= 0) | (pl.col("fte") > 1.5),
        "fte",
        N_("must be above 0 and at most 1.5"),
    )


def exit_needs_end(df: pl.DataFrame) -> pl.DataFrame:
    if not _has(df, "exit_kind", "end_date"):
        return none()
    return flag(
        df,
        pl.col("exit_kind").is_not_null() & pl.col("end_date").is_null(),
        "exit_kind",
        N_("an exit needs an end_date"),
    )


def one_cap_scope(df: pl.DataFrame) -> pl.DataFrame:
    if not _has(df, "department_id", "staff_id"):
        return none()
    return flag(
        df,
        pl.col("department_id").is_not_null() & pl.col("staff_id").is_not_null(),
        "staff_id",
        N_("give either department_id or staff_id, not both"),
    )


def cap_positive(df: pl.DataFrame) -> pl.DataFrame:
    return positive("cap")(df)


def _cpr_traits(df: pl.DataFrame) -> pl.DataFrame:
    """Birth date and sex derived from valid CPR numbers (the parse step flagged bad ones)."""
    values = df.get_column("cpr").to_list() if "cpr" in df.columns else [None] * df.height
    births, sexes = [], []
    for value in values:
        traits = None
        if value is not None:
            try:
                traits = cpr.parse(value)
            except cpr.CprError:
                traits = None
        births.append(traits.birth_date if traits else None)
        sexes.append(traits.sex if traits else None)
    return pl.DataFrame(
        {"_cpr_birth": births, "_cpr_sex": sexes},
        schema={"_cpr_birth": pl.Date, "_cpr_sex": pl.Utf8},
    )


def _given_or_from_cpr(column: str, trait: str, mismatch: str) -> Rule:
    """``column`` must be given when there is no CPR number, and agree with it when both are."""

    def rule(df: pl.DataFrame) -> pl.DataFrame:
        traits = df.hstack(_cpr_traits(df))
        have_cpr = pl.col(trait).is_not_null()
        missing = flag(
            traits,
            ~have_cpr & pl.col(column).is_null() & pl.col("cpr").is_null(),
            column,
            N_("required when there is no cpr"),
        )
        clash = flag(
            traits,
            have_cpr & pl.col(column).is_not_null() & (pl.col(column) != pl.col(trait)),
            column,
            mismatch,
        )
        return pl.concat([missing, clash])

    return rule


birth_date_or_cpr = _given_or_from_cpr(
    "birth_date", "_cpr_birth", N_("does not match the birth date in the CPR number")
)
sex_or_cpr = _given_or_from_cpr("sex", "_cpr_sex", N_("does not match the sex in the CPR number"))


def cpr_key_present(df: pl.DataFrame) -> pl.DataFrame:
    if os.environ.get(CPR_KEY_ENV):
        return none()
    return flag(
        df,
        pl.col("cpr").is_not_null(),
        "cpr",
        N_("CPR numbers are stored only as a keyed hash: set {name} first"),
        name=CPR_KEY_ENV,
    )


def cpr_key(environ: Mapping[str, str] | None = None) -> str:
    """The hashing key as the user set it (empty when unset)."""
    return (os.environ if environ is None else environ).get(CPR_KEY_ENV, "")


def strong_key_for_new_register(conn: Connection, rows: pl.DataFrame) -> pl.DataFrame:
    """A register that holds no CPR hash yet refuses a hashing key shorter than 32 bytes
    (docs/privacy.md); one already hashed with a shorter key keeps working (it cannot be
    re-keyed: the numbers are not stored), and every import with CPR numbers warns."""
    from caseload.store import schema as s

    key = cpr_key()
    if not key or cpr.strong_key(key) or not _has(rows, "cpr_hash"):
        return none()
    c = s.citizen
    if conn.execute(select(c.c.id).where(c.c.cpr_hash.is_not(None)).limit(1)).first():
        return none()
    return flag(
        rows,
        pl.col("cpr_hash").is_not_null(),
        "cpr",
        N_(
            "the key in {name} is too short: a new register needs at least {bytes} random "
            "bytes (64 hexadecimal characters); `caseload keygen` makes one"
        ),
        name=CPR_KEY_ENV,
        bytes=str(cpr.MIN_KEY_BYTES),
    )


def weak_key_note() -> Message | None:
    """The warning for a register hashed with a key shorter than the rule (every run)."""
    key = cpr_key()
    if not key or cpr.strong_key(key):
        return None
    return Message(
        "warning: the key in {name} is shorter than {bytes} bytes; this register was hashed "
        "with it and keeps working, but its CPR hashes are weakly protected",
        {"name": CPR_KEY_ENV, "bytes": cpr.MIN_KEY_BYTES},
    )


def same_cpr_twice(df: pl.DataFrame) -> pl.DataFrame:
    """A CPR number is one citizen within a job centre: the same number twice in one job
    centre is refused, in two job centres it is two citizens."""
    # the importer has filled an empty job centre with the register's one by now
    within = [c for c in ("jobcentre", "cpr") if c in df.columns]
    marked = df.with_columns(pl.col("_row").min().over(within).alias("_first"))
    return flag(
        marked,
        pl.col("cpr").is_not_null() & (pl.col("_first") != pl.col("_row")),
        "cpr",
        N_("same CPR number as row {row}"),
        row=pl.col("_first"),
    )


def derive_from_cpr(df: pl.DataFrame) -> pl.DataFrame:
    """Replace the CPR number by its keyed hash and fill birth date and sex from it.

    A file without CPR numbers leaves stored hashes alone (no cpr_hash column comes out).
    """
    if df.get_column("cpr").null_count() == df.height:
        return df.drop("cpr")
    key = os.environ.get(CPR_KEY_ENV, "").encode()
    traits = _cpr_traits(df)
    hashed = [None if v is None else cpr.keyed_hash(v, key) for v in df.get_column("cpr")]
    return (
        df.hstack(traits)
        .with_columns(
            pl.Series("cpr_hash", hashed, dtype=pl.Utf8),
            pl.coalesce("birth_date", "_cpr_birth").alias("birth_date"),
            pl.coalesce("sex", "_cpr_sex").alias("sex"),
        )
        .drop("cpr", "_cpr_birth", "_cpr_sex")
    )


def no_overlap(who: str, reason: str) -> Rule:
    """Two rows in one file may not give ``who`` the same role for overlapping periods
    (``reason`` says so). A cover (reason ``cover``) runs beside the absent colleague's own
    period and is exempt."""

    def rule(df: pl.DataFrame) -> pl.DataFrame:
        if "reason" in df.columns:
            df = df.filter(pl.col("reason").fill_null("") != "cover")
        ordered = df.sort(who, "role", "start_date").with_columns(
            pl.col("end_date").shift(1).over(who, "role").alias("_prev_end"),
            pl.col("start_date").shift(1).over(who, "role").alias("_prev_start"),
        )
        # the same start twice is a duplicate key, reported as such
        overlap = (
            pl.col("_prev_start").is_not_null()
            & (pl.col("_prev_start") != pl.col("start_date"))
            & (pl.col("_prev_end").is_null() | (pl.col("_prev_end") >= pl.col("start_date")))
        )
        return flag(
            ordered,
            overlap,
            "start_date",
            reason,
        )

    return rule


def held_needs_date(df: pl.DataFrame) -> pl.DataFrame:
    return (
        flag(
            df,
            (pl.col("status") == "held") & pl.col("held_date").is_null(),
            "held_date",
            N_("a held meeting needs held_date"),
        )
        if _has(df, "held_date")
        else flag(df, pl.col("status") == "held", "held_date", N_("a held meeting needs held_date"))
    )


def duration_positive(df: pl.DataFrame) -> pl.DataFrame:
    return positive("duration_minutes")(df)


def acted_needs_received(df: pl.DataFrame) -> pl.DataFrame:
    if not _has(df, "acted_on_date", "received_date"):
        return none()
    return flag(
        df,
        pl.col("acted_on_date").is_not_null() & pl.col("received_date").is_null(),
        "acted_on_date",
        N_("a report must be received before it is acted on"),
    )


def follow_up_needs_answer(df: pl.DataFrame) -> pl.DataFrame:
    if not _has(df, "followed_up_date", "answered_date"):
        return none()
    return flag(
        df,
        pl.col("followed_up_date").is_not_null() & pl.col("answered_date").is_null(),
        "followed_up_date",
        N_("follow-up needs an answered_date"),
    )


def weekly_hours_in_range(df: pl.DataFrame) -> pl.DataFrame:
    return flag(
        df,
        (pl.col("weekly_hours") < 0) | (pl.col("weekly_hours") > 60),
        "weekly_hours",
        N_("must be between 0 and 60"),
    )


def probability_in_range(df: pl.DataFrame) -> pl.DataFrame:
    return flag(
        df,
        (pl.col("probability") <= 0) | (pl.col("probability") >= 1),
        "probability",
        N_("must be strictly between 0 and 1"),
    )


def absence_defaults(df: pl.DataFrame) -> pl.DataFrame:
    """Working days in the period when ``days`` is empty; long term past 14 calendar days."""
    start = df.get_column("start_date").to_numpy().astype("datetime64[D]")
    end = df.get_column("end_date").to_numpy().astype("datetime64[D]")
    working = np.busday_count(start, end + np.timedelta64(1, "D")).astype(float)
    calendar_days = (pl.col("end_date") - pl.col("start_date")).dt.total_days() + 1
    days = pl.Series("_working", working)
    return (
        df.with_columns(days)
        .with_columns(
            pl.coalesce(
                "days" if "days" in df.columns else pl.lit(None, pl.Float64), pl.col("_working")
            ).alias("days"),
            pl.coalesce(
                "term" if "term" in df.columns else pl.lit(None, pl.Utf8),
                pl.when(calendar_days > codes.LONG_TERM_ABSENCE_DAYS)
                .then(pl.lit("long"))
                .otherwise(pl.lit("short")),
            ).alias("term"),
        )
        .drop("_working")
    )


def first_of_month(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(pl.col("month").dt.month_start())


def share_in_range(column: str) -> Rule:
    def rule(df: pl.DataFrame) -> pl.DataFrame:
        if not _has(df, column):
            return none()
        outside = (pl.col(column) <= 0) | (pl.col(column) > 1)
        return flag(df, outside, column, N_("must be above 0 and at most 1"))

    return rule


def two_people(df: pl.DataFrame) -> pl.DataFrame:
    return flag(
        df,
        pl.col("caseworker_id") == pl.col("partner_id"),
        "partner_id",
        N_("a buddy pair is two different professionals"),
    )


def accepted_only_when_missed(df: pl.DataFrame) -> pl.DataFrame:
    if not _has(df, "absence_accepted"):
        return none()
    return flag(
        df,
        pl.col("absence_accepted") & ~pl.col("status").is_in(codes.MISSED_STATUSES),
        "absence_accepted",
        N_("only a cancelled or missed meeting can have its absence accepted"),
    )


def cover_names_colleague(df: pl.DataFrame) -> pl.DataFrame:
    if not _has(df, "covers_staff_id"):
        return none()
    return pl.concat(
        [
            flag(
                df,
                pl.col("covers_staff_id").is_not_null() & (pl.col("reason") != "cover"),
                "covers_staff_id",
                N_("only a responsibility with reason cover names the colleague covered"),
            ),
            flag(
                df,
                pl.col("covers_staff_id") == pl.col("staff_id"),
                "covers_staff_id",
                N_("a professional cannot cover for themselves"),
            ),
        ]
    )


def _stored(conn: Connection, query: Any, schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame([tuple(r) for r in conn.execute(query)], schema=schema, orient="row")


def held_after_entry(conn: Connection, rows: pl.DataFrame) -> pl.DataFrame:
    """A meeting held before the citizen's first day on a caseload (their earliest
    responsibility) is refused; citizens with no responsibility yet are not judged."""
    from caseload.store import schema as s

    if not _has(rows, "held_date", "citizen_id"):
        return none()
    r = s.responsibility
    entry = _stored(
        conn,
        select(r.c.citizen_id, func.min(r.c.start_date)).group_by(r.c.citizen_id),
        {"citizen_id": pl.Int64, "_entry": pl.Date},
    )
    # only the columns judged: the file may be ten million meetings wide
    joined = rows.select("_row", "citizen_id", "held_date").join(
        entry, on="citizen_id", how="inner"
    )
    return flag(
        joined,
        pl.col("held_date") < pl.col("_entry"),
        "held_date",
        N_("held before the citizen's first day on a caseload"),
    )


def no_overlap_with_stored(conn: Connection, rows: pl.DataFrame) -> pl.DataFrame:
    """A responsibility may not overlap one already stored for the same citizen and role
    (covers aside), unless the file replaces that one (the same citizen, role and start)."""
    from caseload.store import schema as s

    if not _has(rows, "citizen_id", "role", "start_date"):
        return none()
    r = s.responsibility
    if conn.execute(select(r.c.id).limit(1)).first() is None:
        return none()
    mine = rows.select(
        "_row",
        "citizen_id",
        "role",
        "start_date",
        (pl.col("end_date") if "end_date" in rows.columns else pl.lit(None, pl.Date)).alias(
            "end_date"
        ),
        (pl.col("reason") if "reason" in rows.columns else pl.lit("")).alias("reason"),
    ).filter(pl.col("reason").fill_null("") != "cover")
    stored = _stored(
        conn,
        select(r.c.citizen_id, r.c.role, r.c.start_date, r.c.end_date).where(r.c.reason != "cover"),
        {"citizen_id": pl.Int64, "role": pl.Utf8, "_start": pl.Date, "_end": pl.Date},
    )
    replaced = mine.select("citizen_id", "role", pl.col("start_date").alias("_start"))
    kept = stored.join(replaced, on=["citizen_id", "role", "_start"], how="anti")
    joined = mine.join(kept, on=["citizen_id", "role"], how="inner")
    overlap = (pl.col("start_date") <= pl.col("_end").fill_null(date.max)) & (
        pl.col("_start") <= pl.col("end_date").fill_null(date.max)
    )
    clashes = (
        joined.filter(overlap)
        .sort("_row", "_start")
        .unique(subset=["_row"], keep="first", maintain_order=True)
    )
    return flag(
        clashes,
        pl.lit(True),
        "start_date",
        N_("overlaps the responsibility in the same role stored from {start}"),
        start=pl.col("_start"),
    )


def team_after_plan(conn: Connection, rows: pl.DataFrame) -> pl.DataFrame:
    """The rehabilitation team meets on a preparatory plan: not before the plan started."""
    from caseload.store import schema as s

    if not _has(rows, "meeting_date", "plan_id"):
        return none()
    p = s.preparatory_plan
    started = _stored(
        conn,
        select(p.c.id, p.c.started_date),
        {"plan_id": pl.Int64, "_started": pl.Date},
    )
    joined = rows.select("_row", "plan_id", "meeting_date").join(started, on="plan_id", how="inner")
    return flag(
        joined,
        pl.col("meeting_date") < pl.col("_started"),
        "meeting_date",
        N_("the rehabilitation team met before the preparatory plan started"),
    )
