"""Any trial's per-unit file (CSV, .xlsx, Parquet) through the same estimators.

Every problem is collected with file, row and column before anything is estimated; a file
with a problem produces no output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from caseload.evaluate import binary, estimate
from caseload.evaluate.binary import BinaryResult
from caseload.evaluate.continuous import ContinuousResult
from caseload.i18n import N_, Message
from caseload.register import readers
from caseload.register.problems import ImportRejected, Problem

TRUE = {"1", "1.0", "true", "yes", "ja"}
FALSE = {"0", "0.0", "false", "no", "nej"}


@dataclass(frozen=True)
class Request:
    arm: str
    treated: str
    outcomes: list[str] = field(default_factory=list)
    binary: list[str] = field(default_factory=list)
    """Outcomes that must be 0/1 (``--outcome`` guesses: only 0/1 values = binary)."""
    time: str | None = None
    event: str | None = None
    covariates: list[str] = field(default_factory=list)
    cluster: str | None = None
    alpha: float = 0.05


@dataclass(frozen=True)
class Analysis:
    file: str
    n_treated: int
    n_control: int
    results: list[BinaryResult | ContinuousResult]
    survival: estimate.SurvivalResult | None
    covariates: tuple[str, ...]


def _number(text: str) -> float | None:
    try:
        value = (
            float(text.replace(",", "."))
            if text.count(",") == 1 and "." not in text
            else float(text)
        )
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _numbers(frame: pl.DataFrame, column: str, file: str, problems: list[Problem]) -> np.ndarray:
    values = np.full(frame.height, np.nan)
    for i, (row, text) in enumerate(frame.select(readers.ROW, column).iter_rows()):
        if text is None:
            problems.append(Problem(row, column, Message("empty (an outcome needs a value)"), file))
            continue
        number = _number(text)
        if number is None:
            problems.append(
                Problem(row, column, Message("not a number: {text!r}", {"text": text}), file)
            )
        else:
            values[i] = number
    return values


def _flags(
    frame: pl.DataFrame, column: str, file: str, problems: list[Problem], wrong: str, empty: str
) -> np.ndarray:
    """0/1 cells; ``wrong`` and ``empty`` say what is wrong with a cell (msgids)."""
    values = np.zeros(frame.height)
    for i, (row, text) in enumerate(frame.select(readers.ROW, column).iter_rows()):
        lowered = (text or "").lower()
        if lowered in TRUE:
            values[i] = 1
        elif lowered not in FALSE:
            problems.append(
                Problem(
                    row,
                    column,
                    Message(wrong, {"text": text}) if text is not None else Message(empty),
                    file,
                )
            )
    return values


def _is_binary(frame: pl.DataFrame, column: str) -> bool:
    values = {(v or "").lower() for v in frame.get_column(column).unique().to_list()}
    return bool(values) and values <= TRUE | FALSE


def _covariate_matrix(
    frame: pl.DataFrame, names: list[str], file: str, problems: list[Problem]
) -> tuple[np.ndarray | None, tuple[str, ...]]:
    columns: list[np.ndarray] = []
    labels: list[str] = []
    for name in names:
        cells = frame.get_column(name)
        for row in frame.filter(pl.col(name).is_null()).get_column(readers.ROW).to_list():
            problems.append(Problem(row, name, Message("empty (a covariate needs a value)"), file))
        numeric = [_number(v) for v in cells.drop_nulls().to_list()]
        given = cells.drop_nulls().unique()
        if len(given) == 1:
            problems.append(
                Problem(
                    0,
                    name,
                    Message("a covariate must vary: every unit has {value!r}", {"value": given[0]}),
                    file,
                )
            )
        if all(v is not None for v in numeric):
            columns.append(
                np.array(
                    [_number(v) if v is not None else np.nan for v in cells.to_list()], dtype=float
                )
            )
            labels.append(name)
            continue
        # a categorical covariate: one indicator per level, the commonest level as reference
        levels = cells.drop_nulls().value_counts(sort=True).get_column(name).to_list()
        for level in levels[1:]:
            columns.append((cells == level).fill_null(False).to_numpy().astype(float))
            labels.append(f"{name}={level}")
    if not columns:
        return None, ()
    return np.column_stack(columns), tuple(labels)


def analyze(path: Path, request: Request) -> Analysis:
    """Any per-unit trial file through the estimators: every problem of the file and the
    request first (all of them, as an import would), then the results."""
    file = str(path)
    frame = readers.read(path)
    problems = _request_problems(frame, request, file)
    if problems:
        raise ImportRejected(file, problems)
    treated = _arms(frame, request, file, problems)
    matrix, names = _covariate_matrix(
        frame, [c.lower() for c in request.covariates], file, problems
    )
    cluster = _clusters(frame, request, file, problems)
    outcomes = _outcomes(frame, request, file, problems)
    time, event = _time_to_event(frame, request, file, problems)
    if problems:
        raise ImportRejected(file, problems)
    cov = estimate.Covariates(matrix, names, cluster)
    results, spell = _estimates(file, request, outcomes, treated, cov, time, event)
    return Analysis(file, int(treated.sum()), int((~treated).sum()), results, spell, names)


def _request_problems(frame: pl.DataFrame, request: Request, file: str) -> list[Problem]:
    """Columns the request names that the file lacks, and options that do not go together."""
    wanted = [request.arm, *request.outcomes, *request.binary, *request.covariates]
    wanted += [c for c in (request.time, request.event, request.cluster) if c]
    available = [c for c in frame.columns if c != readers.ROW]
    problems = [
        Problem(
            1,
            name,
            Message("no such column (the file has: {columns})", {"columns": ", ".join(available)}),
            file,
        )
        for name in dict.fromkeys(c.lower() for c in wanted)
        if name not in frame.columns
    ]
    if (request.time is None) != (request.event is None):
        problems.append(
            Problem(
                0,
                request.time or request.event or "-",
                Message("--time and --event go together"),
                file,
            )
        )
    if not (request.outcomes or request.binary or request.time):
        problems.append(
            Problem(
                0,
                "-",
                Message("nothing to analyse: give --outcome, --binary or --time/--event"),
                file,
            )
        )
    if not 0 < request.alpha < 1:
        problems.append(
            Problem(
                0,
                "--alpha",
                Message("--alpha must be between 0 and 1, not {alpha}", {"alpha": request.alpha}),
                file,
            )
        )
    return problems


def _arms(frame: pl.DataFrame, request: Request, file: str, problems: list[Problem]) -> np.ndarray:
    """Whether each unit is in the treated arm; problems with the arm column."""
    arm_col = request.arm.lower()
    for row in frame.filter(pl.col(arm_col).is_null()).get_column(readers.ROW).to_list():
        problems.append(Problem(row, arm_col, Message("empty (every unit needs an arm)"), file))
    arms = frame.get_column(arm_col).drop_nulls().unique().sort().to_list()
    if request.treated not in arms:
        problems.append(
            Problem(
                0,
                arm_col,
                Message(
                    "the treated value {treated!r} does not occur (values: {values})",
                    {"treated": request.treated, "values": ", ".join(map(str, arms[:10]))},
                ),
                file,
            )
        )
    treated = (frame.get_column(arm_col) == request.treated).fill_null(False).to_numpy()
    if request.treated in arms and treated.all():
        problems.append(Problem(0, arm_col, Message("the control arm has no units"), file))
    return treated


def _clusters(
    frame: pl.DataFrame, request: Request, file: str, problems: list[Problem]
) -> np.ndarray | None:
    """Each unit's cluster label (for cluster-robust errors), if the request names a column."""
    cluster = None
    if request.cluster:
        col = request.cluster.lower()
        for row in frame.filter(pl.col(col).is_null()).get_column(readers.ROW).to_list():
            problems.append(Problem(row, col, Message("empty (every unit needs a cluster)"), file))
        cluster = frame.get_column(col).fill_null("").to_numpy()
        clusters = frame.get_column(col).drop_nulls().n_unique()
        if clusters < 2:
            problems.append(
                Problem(
                    0,
                    col,
                    Message(
                        "cluster-robust standard errors need at least 2 clusters, not {n}",
                        {"n": clusters},
                    ),
                    file,
                )
            )
    return cluster


Outcome = tuple[str, str, np.ndarray]
"""An outcome's name, kind (binary or continuous) and values per unit."""


def _outcomes(
    frame: pl.DataFrame, request: Request, file: str, problems: list[Problem]
) -> list[Outcome]:
    """Each outcome column read as 0/1 flags (binary) or numbers (continuous)."""
    outcomes: list[Outcome] = []
    for name in dict.fromkeys(o.lower() for o in [*request.binary, *request.outcomes]):
        if name in {b.lower() for b in request.binary} or _is_binary(frame, name):
            outcomes.append(
                (
                    name,
                    "binary",
                    _flags(
                        frame,
                        name,
                        file,
                        problems,
                        N_("a binary outcome must be 0 or 1, not {text!r}"),
                        N_("empty (a binary outcome needs 0 or 1)"),
                    ),
                )
            )
        else:
            outcomes.append((name, "continuous", _numbers(frame, name, file, problems)))
    return outcomes


def _time_to_event(
    frame: pl.DataFrame, request: Request, file: str, problems: list[Problem]
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Times and event flags, when the request names them."""
    time = event = None
    if request.time and request.event:
        tcol, ecol = request.time.lower(), request.event.lower()
        event = _flags(
            frame,
            ecol,
            file,
            problems,
            N_("an event must be 0 or 1, not {text!r}"),
            N_("empty (an event needs 0 or 1)"),
        )
        time = np.full(frame.height, np.nan)
        for i, (row, text, ev) in enumerate(frame.select(readers.ROW, tcol, ecol).iter_rows()):
            if text is None:
                problems.append(
                    Problem(
                        row,
                        tcol,
                        Message("empty time for an event") if ev in TRUE else Message("empty time"),
                        file,
                    )
                )
                continue
            value = _number(text)
            if value is None:
                problems.append(
                    Problem(row, tcol, Message("not a number: {text!r}", {"text": text}), file)
                )
            elif value < 0:
                problems.append(
                    Problem(row, tcol, Message("negative time {text}", {"text": text}), file)
                )
            else:
                time[i] = value
    return time, event


def _estimates(
    file: str,
    request: Request,
    outcomes: list[Outcome],
    treated: np.ndarray,
    cov: estimate.Covariates,
    time: np.ndarray | None,
    event: np.ndarray | None,
) -> tuple[list[BinaryResult | ContinuousResult], estimate.SurvivalResult | None]:
    """Every outcome's estimate, Holm-adjusted as one family, and the spell analysis."""
    try:
        binaries = [
            estimate.binary_outcome(n, y, treated, cov, request.alpha)
            for n, kind, y in outcomes
            if kind == "binary"
        ]
        continuous = [
            estimate.continuous_outcome(n, y, treated, cov, request.alpha)
            for n, kind, y in outcomes
            if kind == "continuous"
        ]
        together: list[BinaryResult | ContinuousResult] = [*binaries, *continuous]
        results = binary.family(together)
        spell = None
        if time is not None and event is not None:
            spell = estimate.survival_outcome(
                request.time or "time", time, event.astype(int), treated, cov, request.alpha
            )
    except ValueError as error:
        # the estimators' own words (English, not in the catalogue): faults of the data that
        # the checks above cannot see (collinear covariates, a Cox fit that does not converge)
        raise ImportRejected(file, [Problem(0, "-", Message(str(error)), file)]) from None
    return results, spell


def _finite(value: float) -> float | None:
    """None for an undefined number (JSON has no NaN)."""
    return value if math.isfinite(value) else None


def to_json(analysis: Analysis) -> dict[str, Any]:
    """The documented JSON: per outcome name, kind, arms, difference, ci, p values …"""
    rows: list[dict[str, Any]] = []
    for r in analysis.results:
        if isinstance(r, BinaryResult):
            row: dict[str, Any] = {
                "name": r.name,
                "kind": "binary",
                "treated": {"n": r.treated.n, "events": r.treated.events, "rate": r.treated.rate},
                "control": {"n": r.control.n, "events": r.control.events, "rate": r.control.rate},
                "risk_ratio": r.risk_ratio,
                "test": r.test,
                "minimum_detectable_effect": r.minimum_detectable_effect,
            }
        else:
            row = {
                "name": r.name,
                "kind": "continuous",
                "treated": {"n": r.n_treated, "mean": r.mean_treated, "sd": r.sd_treated},
                "control": {"n": r.n_control, "mean": r.mean_control, "sd": r.sd_control},
                "df": r.df if math.isfinite(r.df) else None,  # None: a normal reference
            }
        row.update(
            {
                "difference": r.difference,
                "ci": list(r.ci),
                "p_value": r.p_value,
                "p_value_holm": r.p_value_holm,
                "significant": r.significant,
                "errors": r.errors.as_json(),
            }
        )
        if r.adjusted is not None:
            row["adjusted"] = {
                "difference": r.adjusted.difference,
                "ci": list(r.adjusted.ci),
                "p_value": r.adjusted.p_value,
                "se_kind": r.adjusted.se_kind,
                "covariates": list(r.adjusted.covariates),
            }
        rows.append(row)
    if analysis.survival is not None:
        s = analysis.survival
        hr, ci, p = s.hazard_ratio
        row = {
            "name": s.name,
            "kind": "time_to_event",
            "hazard_ratio": hr,
            "ci": list(ci),
            "p_value": p,
            "test": s.test,
            "test_p_value": s.p_value,
            "logrank_p": s.logrank.p_value,
            "errors": s.errors.as_json(),
            "se_kind": s.cox.se_kind,
            "treated": {
                "n": s.treated.n_units,
                "events": int(s.treated.events.sum()),
                "median": s.treated.median,
                "rmst": s.rmst.treated.value,
            },
            "control": {
                "n": s.control.n_units,
                "events": int(s.control.events.sum()),
                "median": s.control.median,
                "rmst": s.rmst.control.value,
            },
            "rmst": {
                "tau": s.rmst.tau,
                "difference": s.rmst.difference,
                "ci": [_finite(v) for v in s.rmst.ci],
                "p_value": _finite(s.rmst.p_value),
            },
            "ph_test_p": s.cox.ph_test.global_p if s.cox.ph_test else None,
        }
        if s.cox_adjusted is not None:
            ahr, aci, ap = s.cox_adjusted.term("treated")
            row["adjusted"] = {"hazard_ratio": ahr, "ci": list(aci), "p_value": ap}
        rows.append(row)
    return {
        "file": analysis.file,
        "arms": {"treated": analysis.n_treated, "control": analysis.n_control},
        "covariates": list(analysis.covariates),
        "outcomes": rows,
    }
