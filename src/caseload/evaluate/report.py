"""The evaluation report: self-contained HTML (Danish or English), JSON and one CSV per table.

Files are written to a temporary folder beside ``out`` and moved into place at the end, so
a failure leaves no half-written report.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import jinja2

from caseload import charts
from caseload.evaluate import figures
from caseload.evaluate.evaluation import Evaluation
from caseload.evaluate.tables import tables
from caseload.evaluate.words import WORDS

JSON_NAME = "evaluation.json"
HTML_NAME = "report.html"


def summary(ev: Evaluation, lang: str) -> tuple[list[str], list[str]]:
    """Plain-language findings and limits."""
    w = WORDS[lang]
    shows = []
    # every exit outcome (a null result needs its detectable size); case flow where it moved
    for r in [*ev.exits, *(r for r in ev.case_flow if r.significant)]:
        values = {
            "outcome": w.get(r.name, r.name),
            "t": 100 * r.treated.rate,
            "c": 100 * r.control.rate,
            "d": 100 * r.difference,
            "lo": 100 * r.ci[0],
            "hi": 100 * r.ci[1],
            "p": r.p_value,
            "mde": 100 * r.minimum_detectable_effect,
        }
        shows.append(w["s_significant" if r.significant else "s_null"].format(**values))
    rm = ev.spells.rmst
    hr, (hlo, hhi), _ = ev.spells.hazard_ratio
    shows.append(
        w["s_spells"].format(
            days=abs(rm.difference),
            direction=w["fewer"] if rm.difference < 0 else w["more"],
            lo=rm.ci[0],
            hi=rm.ci[1],
            hr=hr,
            hlo=hlo,
            hhi=hhi,
        )
    )
    m = ev.money
    shows.append(
        w["s_money"].format(
            savings=m.savings,
            cost=m.staff_cost,
            net=m.net,
            lo=m.net_ci[0],
            hi=m.net_ci[1],
            be=m.break_even_months_per_citizen,
        )
    )
    limits = [w["c_itt"]]
    entrants = sum(ev.later_entrants.values())
    if entrants:
        limits.append(w["c_entrants"].format(n=entrants))
    limits += [w["c_staff"], w["c_money"], w["c_window"].format(end=ev.window.outcome_end)]
    return shows, limits


def _figures(ev: Evaluation, lang: str) -> dict[str, str]:
    w = WORDS[lang]
    arms = {"trial": w["trial"], "control": w["control"]}
    weekly = ev.timeliness.weekly
    weeks: dict[str, tuple[list[object], list[float]]] = {}
    for arm in ("trial", "control"):
        rows = weekly.filter(weekly["arm"] == arm)
        weeks[arm] = (
            rows["week"].to_list(),
            [t / d if d else 0.0 for d, t in zip(rows["held"], rows["timely"], strict=True)],
        )
    return {
        "km": figures.km_curves(
            {"trial": ev.spells.treated, "control": ev.spells.control}, arms, w["km_x"], w["km_y"]
        ),
        "incidence": figures.cumulative_incidence(ev.competing, w, arms, w["km_x"]),
        "forest": figures.forest([*ev.exits, *ev.case_flow], w, w["forest_x"]),
        "balance": figures.balance(ev.balance, w, w["balance_x"]),
        "timeliness": charts.weekly_shares(weeks, arms, w["timely_y"]),
    }


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("caseload.evaluate", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["pct"] = lambda v: "–" if v is None else f"{100 * v:.1f} %"
    env.filters["pp"] = lambda v: "–" if v is None else f"{100 * v:+.1f}"
    env.filters["num"] = lambda v, d=1: "–" if v is None else f"{v:,.{d}f}"
    env.filters["p"] = lambda v: "–" if v is None else ("< 0.001" if v < 0.001 else f"{v:.3f}")
    return env


def render(
    ev: Evaluation, lang: str, seconds: float, data: dict[str, list[dict[str, Any]]] | None = None
) -> str:
    """The HTML page; ``data`` is ``tables(ev)`` when the caller has it already."""
    shows, limits = summary(ev, lang)
    data = data if data is not None else tables(ev)
    w = WORDS[lang]
    m = ev.money
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            ev=ev,
            t=data,
            w=w,
            lang=lang,
            shows=shows,
            limits=limits,
            fig=_figures(ev, lang),
            version=version("caseload"),
            seconds=seconds,
            json_name=JSON_NAME,
            covariates=", ".join(ev.spells.cox_adjusted.names[1:])
            if ev.spells.cox_adjusted
            else "–",
            money_note=w["money_note"].format(
                per_month=m.costs.per_month,
                transfer=m.costs.transfer,
                activation=m.costs.activation,
                casework=m.costs.casework,
                trial_cap=m.costs.trial_caseload,
                control_cap=m.costs.control_caseload,
                salary=m.costs.salary_per_fte_year,
            ),
        )
    )


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def write(ev: Evaluation, out: Path, lang: str, seconds: float) -> Path:
    """Write report.html, evaluation.json and <table>.csv into ``out``; returns the HTML."""
    if out.exists() and any(out.iterdir()) and not (out / JSON_NAME).exists():
        raise FileExistsError(
            f"{out} exists and is not a caseload report folder; choose a new or empty folder"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".caseload-report-", dir=out.parent))
    try:
        data = tables(ev)
        meta = {
            "trial": ev.trial.code,
            "name": ev.trial.name,
            "start": ev.trial.start,
            "trial_end": ev.trial.end,
            "outcome_end": ev.window.outcome_end,
            "last_exit": ev.window.last_exit,
            "lag_months": ev.window.lag_months,
            "alpha": ev.settings.alpha,
            "clustered": ev.settings.cluster,
            "language": lang,
        }
        (staging / JSON_NAME).write_text(
            json.dumps({"meta": meta, **data}, indent=2, default=_json_default, allow_nan=False),
            encoding="utf-8",
        )
        for name, rows in data.items():
            with (staging / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
                if rows:
                    fields = list(dict.fromkeys(k for row in rows for k in row))
                    writer = csv.DictWriter(handle, fieldnames=fields)
                    writer.writeheader()
                    writer.writerows(rows)
        (staging / HTML_NAME).write_text(render(ev, lang, seconds, data), encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out / HTML_NAME
