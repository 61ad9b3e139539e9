"""Every table of an evaluation as plain rows: what JSON, CSV and the HTML report show."""

from __future__ import annotations

import math
from typing import Any

from caseload.evaluate import crossovers
from caseload.evaluate.binary import BinaryResult
from caseload.evaluate.centres import Centres
from caseload.evaluate.continuous import ContinuousResult
from caseload.evaluate.cox import CoxResult
from caseload.evaluate.evaluation import Evaluation
from caseload.evaluate.pooled import Heterogeneity, Pooled
from caseload.evaluate.survival import KaplanMeier

Row = dict[str, Any]


def _num(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return float(value)


def binary_row(r: BinaryResult) -> Row:
    row: Row = {
        "name": r.name,
        "kind": "binary",
        "trial_events": r.treated.events,
        "trial_n": r.treated.n,
        "trial_rate": r.treated.rate,
        "control_events": r.control.events,
        "control_n": r.control.n,
        "control_rate": r.control.rate,
        "difference": r.difference,
        "ci_low": r.ci[0],
        "ci_high": r.ci[1],
        "risk_ratio": _num(r.risk_ratio),
        "risk_ratio_low": _num(r.risk_ratio_ci[0]) if r.risk_ratio_ci else None,
        "risk_ratio_high": _num(r.risk_ratio_ci[1]) if r.risk_ratio_ci else None,
        "p_value": r.p_value,
        "test": r.test,
        "p_value_holm": r.p_value_holm,
        "significant": r.significant,
        "minimum_detectable_effect": r.minimum_detectable_effect,
    }
    row.update(_errors(r.errors))
    row.update(_adjusted(r.adjusted))
    return row


def _errors(errors: Any) -> Row:
    """Which errors the interval and p used, and the cluster permutation p (few clusters)."""
    return {
        "errors": errors.kind,
        "clusters": errors.clusters,
        "permutation_p": errors.permutation_p,
    }


def _adjusted(adjusted: Any) -> Row:
    if adjusted is None:
        return {
            "adjusted_difference": None,
            "adjusted_ci_low": None,
            "adjusted_ci_high": None,
            "adjusted_p_value": None,
            "adjusted_se_kind": None,
        }
    return {
        "adjusted_difference": adjusted.difference,
        "adjusted_ci_low": adjusted.ci[0],
        "adjusted_ci_high": adjusted.ci[1],
        "adjusted_p_value": adjusted.p_value,
        "adjusted_se_kind": adjusted.se_kind,
    }


def continuous_row(r: ContinuousResult) -> Row:
    row: Row = {
        "name": r.name,
        "kind": "continuous",
        "trial_n": r.n_treated,
        "trial_mean": r.mean_treated,
        "control_n": r.n_control,
        "control_mean": r.mean_control,
        "difference": r.difference,
        "ci_low": r.ci[0],
        "ci_high": r.ci[1],
        "p_value": r.p_value,
        "p_value_holm": r.p_value_holm,
        "significant": r.significant,
    }
    row.update(_errors(r.errors))
    row.update(_adjusted(r.adjusted))
    return row


def cox_rows(model: CoxResult, label: str) -> list[Row]:
    ph = model.ph_test
    return [
        {
            "model": label,
            "term": name,
            "hazard_ratio": float(model.hazard_ratio[j]),
            "ci_low": float(model.ci[j, 0]),
            "ci_high": float(model.ci[j, 1]),
            "p_value": float(model.p_values[j]),
            "se_kind": model.se_kind,
            "ph_p_value": float(ph.p_values[j]) if ph is not None else None,
            "ph_global_p": ph.global_p if ph is not None else None,
            "n": model.n,
            "events": model.events,
        }
        for j, name in enumerate(model.names)
    ]


def km_rows(arm: str, km: KaplanMeier) -> list[Row]:
    return [
        {
            "arm": arm,
            "time": float(t),
            "at_risk": int(n),
            "events": int(d),
            "survival": float(s),
            "lower": _num(float(lo)),
            "upper": _num(float(hi)),
        }
        for t, n, d, s, lo, hi in zip(
            km.times, km.at_risk, km.events, km.survival, km.lower, km.upper, strict=True
        )
    ]


def tables(ev: Evaluation) -> dict[str, list[Row]]:
    """Named tables; each becomes ``<name>.csv`` and a key of the JSON."""
    sp = ev.spells
    return {
        "design": _design(ev),
        "balance": _balance(ev),
        "exits": [binary_row(r) for r in ev.exits],
        "case_flow": [binary_row(r) for r in ev.case_flow],
        "continuous": [continuous_row(r) for r in ev.continuous],
        "long_term": [{"arm": arm, **counts} for arm, counts in ev.long_term.items()],
        "spells": _spells(ev),
        "rmst_difference": [
            {
                "difference_days": sp.rmst.difference,
                "ci_low": sp.rmst.ci[0],
                "ci_high": sp.rmst.ci[1],
                "p_value": sp.rmst.p_value,
                "tau_days": sp.rmst.tau,
            }
        ],
        "cox": cox_rows(sp.cox, "unadjusted")
        + (cox_rows(sp.cox_adjusted, "adjusted") if sp.cox_adjusted else []),
        "km_curve": km_rows("trial", sp.treated) + km_rows("control", sp.control),
        "competing": _competing(ev),
        "timeliness": _timeliness(ev),
        "timeliness_weekly": [
            {"arm": a, "week": w.isoformat(), "held": d, "timely": t}
            for a, w, d, t in ev.timeliness.weekly.iter_rows()
        ],
        "staff": _staff(ev),
        "money": _money(ev),
        "crossovers": crossovers.rows(ev.crossovers),
        **(_by_centre(ev.centres) if ev.centres is not None else {}),
    }


def _by_centre(c: Centres) -> dict[str, list[Row]]:
    """A trial in several job centres: ``jobcentres`` (each centre's effects) and ``pooled``
    (Mantel–Haenszel, fixed and random effects, with the heterogeneity of the centres)."""
    per_centre: list[Row] = []
    pooled_rows: list[Row] = []
    for o in c.outcomes:
        for code, (a, n1, e, n0), (est, low, high), corrected in zip(
            c.codes, o.counts, o.centres.intervals(c.alpha), o.centres.corrected, strict=True
        ):
            per_centre.append(
                {
                    "jobcentre": code, "outcome": o.name, "measure": "risk difference",
                    "trial_events": a, "trial_n": n1, "control_events": e, "control_n": n0,
                    "estimate": float(est), "ci_low": float(low), "ci_high": float(high),
                    "corrected": bool(corrected),
                }
            )  # fmt: skip
        pooled_rows.append(_pooled_row(o.name, o.mantel_haenszel, None))
        pooled_rows.append(_pooled_row(o.name, o.pooling.fixed, o.pooling.heterogeneity))
        pooled_rows.append(_pooled_row(o.name, o.pooling.random, o.pooling.heterogeneity))
    h = c.hazards
    if h.centres is not None and h.pooling is not None:
        for code, (est, low, high) in zip(c.codes, h.centres.intervals(c.alpha), strict=True):
            per_centre.append(
                {
                    "jobcentre": code, "outcome": "kontanthjaelp_spell", "measure": "hazard ratio",
                    "trial_events": None, "trial_n": None, "control_events": None,
                    "control_n": None, "estimate": float(est), "ci_low": float(low),
                    "ci_high": float(high), "corrected": False,
                }
            )  # fmt: skip
        pooled_rows.append(
            _pooled_row("kontanthjaelp_spell", h.pooling.fixed, h.pooling.heterogeneity)
        )
        pooled_rows.append(
            _pooled_row("kontanthjaelp_spell", h.pooling.random, h.pooling.heterogeneity)
        )
    model = h.stratified
    pooled_rows.append(
        {
            "outcome": "kontanthjaelp_spell", "measure": "hazard ratio",
            "method": "cox stratified by job centre",
            "estimate": float(model.hazard_ratio[0]), "se": float(model.se[0]),
            "ci_low": float(model.ci[0, 0]), "ci_high": float(model.ci[0, 1]),
            "p_value": float(model.p_values[0]), "test": "wald", "k": len(c.codes),
            "q": None, "q_p": None, "i2": None, "tau2": None,
        }
    )  # fmt: skip
    return {"jobcentres": per_centre, "pooled": pooled_rows}


def _pooled_row(outcome: str, p: Pooled, h: Heterogeneity | None) -> Row:
    return {
        "outcome": outcome,
        "measure": p.measure,
        "method": p.method,
        "estimate": p.estimate,
        "se": p.se,
        "ci_low": p.ci_low,
        "ci_high": p.ci_high,
        "p_value": p.p_value,
        "test": p.test,
        "k": p.k,
        "q": None if h is None else h.q,
        "q_p": None if h is None else h.q_p,
        "i2": None if h is None else h.i2,
        "tau2": None if h is None else h.tau2,
    }


def _design(ev: Evaluation) -> list[Row]:
    """Each arm's size, later entrants and the sample ratio check."""
    srm = ev.sample_ratio
    return [
        {
            "arm": arm,
            "citizens": n,
            "later_entrants": ev.later_entrants.get(arm, 0),
            "design_probability": srm.expected_probability
            if arm == "trial"
            else 1 - srm.expected_probability,
            "srm_chi2": srm.chi2,
            "srm_p_value": srm.p_value,
        }
        for arm, n in ev.arms.items()
    ]


def _balance(ev: Evaluation) -> list[Row]:
    """Baseline traits per arm and their standardised mean differences."""
    return [
        {
            "trait": b.trait,
            "kind": b.kind,
            "trial": b.treated,
            "control": b.control,
            "smd": b.smd,
            "imbalanced": b.imbalanced,
        }
        for b in ev.balance
    ]


def _spells(ev: Evaluation) -> list[Row]:
    """Benefit spells per arm: median, restricted mean and the log-rank test."""
    sp = ev.spells
    return [
        {
            "arm": arm,
            "n": km.n_units,
            "exits": int(km.events.sum()),
            "median": km.median,
            "median_ci_low": km.median_ci[0],
            "median_ci_high": km.median_ci[1],
            "rmst_days": r.value,
            "rmst_se": r.se,
            "tau_days": r.tau,
            "logrank_chi2": sp.logrank.chi2,
            "logrank_p_value": sp.logrank.p_value,
        }
        for arm, km, r in (
            ("trial", sp.treated, sp.rmst.treated),
            ("control", sp.control, sp.rmst.control),
        )
    ]


def _competing(ev: Evaluation) -> list[Row]:
    """Competing exits: incidence at the end per arm and the cause-specific hazard ratio."""
    rows: list[Row] = [
        {
            "destination": name,
            "trial_incidence": _end(ev.competing.treated.incidence[k]),
            "control_incidence": _end(ev.competing.control.incidence[k]),
            **(
                dict(zip(("hazard_ratio", "ci", "p_value"), model.term("treated"), strict=True))
                if (model := ev.competing.hazard_ratios[name]) is not None
                else {"hazard_ratio": None, "ci": None, "p_value": None}
            ),
        }
        for k, name in enumerate(ev.competing.causes, start=1)
    ]
    for row in rows:
        if isinstance(row.get("ci"), tuple):
            row["ci_low"], row["ci_high"] = row.pop("ci")
        else:
            row.pop("ci", None)
            row["ci_low"] = row["ci_high"] = None
    return rows


def _timeliness(ev: Evaluation) -> list[Row]:
    """Job meetings held and held on time per arm, overall and per week."""
    return [
        {
            "arm": arm,
            "held": held,
            "timely": timely,
            "share": timely / held if held else None,
            **dict(
                zip(
                    ("held_per_week", "timely_per_week"),
                    ev.timeliness.per_week(arm),
                    strict=True,
                )
            ),
        }
        for arm, (held, timely) in sorted(ev.timeliness.overall.items(), reverse=True)
    ]


def _staff(ev: Evaluation) -> list[Row]:
    """Staff sick leave and turnover per department (Tables 8–11)."""
    return [
        {
            "department": s.department,
            "is_trial": s.is_trial,
            "period_start": s.period[0].isoformat(),
            "period_end": s.period[1].isoformat(),
            "fte": s.fte,
            "sick_days_per_fte": s.sick_per_fte,
            "short_per_fte": s.short_per_fte,
            "long_per_fte": s.long_per_fte,
            "external_exits": s.external_exits,
            "turnover_pct": s.turnover_pct,
        }
        for s in ev.staff
    ]


def _money(ev: Evaluation) -> list[Row]:
    """Money saved against the extra caseworkers the lower caseloads cost."""
    m = ev.money
    return [
        {
            "citizens": m.citizens,
            "years": m.years,
            "months_saved_per_citizen": m.months_saved_per_citizen,
            "months_saved_ci_low": m.months_saved_ci[0],
            "months_saved_ci_high": m.months_saved_ci[1],
            "savings_dkk": m.savings,
            "extra_fte": m.extra_fte,
            "staff_cost_dkk": m.staff_cost,
            "net_dkk": m.net,
            "net_ci_low": m.net_ci[0],
            "net_ci_high": m.net_ci[1],
            "break_even_months_per_citizen": m.break_even_months_per_citizen,
            "cost_per_month_dkk": m.costs.per_month,
            "salary_per_fte_year_dkk": m.costs.salary_per_fte_year,
            "trial_caseload": m.costs.trial_caseload,
            "control_caseload": m.costs.control_caseload,
        }
    ]


def _end(values: Any) -> float:
    return float(values[-1]) if len(values) else 0.0
