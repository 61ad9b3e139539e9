"""The planning page for leaders and analysts: a shipped workload scenario with a few of its
values changed (``plan.levers``) and the sustainable caseload per role it gives, with its
breakdown, beside the reference models and the union's ranges; the staffing a caseload
needs in a department or the whole job centre (``plan.staffing``); and, loaded beside it
with htmx (or by a plain form), caseload policies simulated over every curve shape
(``plan.microsim``) on the register's calibration (``serve.calibrations``).

Every form is a GET: nothing is changed, and the page's state is its address. A value that
does not make a model, a caseload or a policy is shown in words beside its field (422);
every read is audited as ``workload.plan``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from caseload.access import audit, rules, scope
from caseload.domain import codes
from caseload.i18n import Message, Said, translator
from caseload.operate.refusals import NotFound
from caseload.plan import (
    caseload_figure,
    config,
    levers,
    microsim,
    policy_figures,
    reference_words,
    staffing,
)
from caseload.plan.workload import (
    ConfigError,
    Sustainable,
    Workload,
    caseloads_per_role,
    every_position,
    reference_models,
    union_ranges,
)
from caseload.serve import db
from caseload.serve.calibrations import Calibrated, calibrated, simulated
from caseload.serve.guard import Caller, page_guard, record_refusal
from caseload.serve.pages.common import context
from caseload.serve.pages.templating import page

router = APIRouter(tags=["pages"], include_in_schema=False)

ACTION: Final = "workload.plan"
DEFAULT_SCENARIO: Final = "copenhagen_trial"
DEFAULT_POLICIES: Final = "130,50,35"
REPS: Final = 200
"""Replications on the page: enough for the intervals to settle, few enough to answer in
about a second (``caseload simulate`` runs 1,000)."""
CITIZENS: Final = (1_000, 2_000, 5_000)
"""The job centre sizes a reader may simulate (citizens on kontanthjælp at the start)."""
MOST_POLICIES: Final = 6
WHOLE: Final = ""
"""The department field's value for the whole job centre (analysts)."""


@dataclass
class Problems:
    """What the reader typed that cannot be used: by field, and for the values together."""

    fields: dict[str, str]
    general: list[str]

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)


@cache
def _titles() -> tuple[tuple[str, str], ...]:
    return tuple((name, config.scenario(name).title) for name in config.names())


def _shown(value: float, lang: str) -> str:
    """A value as a form's field holds it: plain, the locale's decimal mark."""
    text = f"{round(value, 3):g}"
    return text.replace(".", ",") if lang == "da" else text


def _partial(request: Request) -> bool:
    """An htmx request for the simulation alone (not a boosted page)."""
    headers = request.headers
    return headers.get("hx-request") == "true" and not headers.get("hx-boosted")


def _caseload_section(
    caller: Caller, query: Mapping[str, str], partial: bool = False
) -> dict[str, Any]:
    """The scenario, its levers as typed, the sustainable caseloads and the figure (not
    drawn for the simulation's section alone)."""
    tr = translator(caller.lang)
    name = query.get("scenario") or DEFAULT_SCENARIO
    problems = Problems({}, [])
    if name not in config.names():
        problems.general.append(tr.gettext("Choose one of the shipped scenarios."))
        name = DEFAULT_SCENARIO
    base = config.scenario(name)
    # "start": the scenario chosen afresh, from its own values
    given = {} if "start" in query else {k: query[k] for k in levers.BY_NAME if k in query}
    model: Workload | None = None
    try:
        if not problems:
            model, _values = levers.changed(name, given)
    except levers.LeverError as error:
        for p in error.problems:
            said = tr.message(p.reason)
            if p.field is None:
                problems.general.append(said)
            else:
                problems.fields[p.field] = said
    except ConfigError as error:
        problems.general.append(tr.message(error.message))
    start = levers.values(base)
    typed = {
        k: (given[k] if k in given and given[k].strip() else _shown(v, caller.lang))
        for k, v in start.items()
    }
    results: list[Sustainable] = every_position(model) if model is not None else []
    references, union = reference_models(), union_ranges()
    figure = (
        caseload_figure.figure([(model, results)], references, union, caller.lang)
        if model is not None and not partial
        else None
    )
    return {
        "scenario": name,
        "scenarios": _titles(),
        "model": model,
        "levers": levers,
        "has_job": bool(levers.job_tasks(base)),
        "typed": typed,
        "problems": problems,
        "results": results,
        "references": references,
        "union": union,
        "caseload_plot": figure,
        "position_label": lambda n: reference_words.position_label(n, caller.lang),
        "role_words": lambda n: reference_words.role_words(n, caller.lang),
    }


def _roles_default(results: list[Sustainable]) -> dict[str, float]:
    """A caseload per role from the model's single-role positions (the staffing form's
    starting values)."""
    return {role: round(load) for role, load in caseloads_per_role(results).items()}


def _staffing_section(
    request: Request, caller: Caller, query: Mapping[str, str], results: list[Sustainable]
) -> dict[str, Any]:
    tr = translator(caller.lang)
    leader = caller.principal.role == rules.LEADER
    mine = list(caller.principal.account.departments)
    with db.reading(request) as conn:
        choices = mine if leader else [WHOLE, *staffing.departments(conn)]
    chosen = query.get("department", choices[0] if choices else WHOLE)
    defaults = _roles_default(results)
    typed = {
        role: query.get(f"caseload_{role}", _shown(defaults[role], caller.lang))
        if role in defaults
        else query.get(f"caseload_{role}", "")
        for role in codes.ROLES
    }
    problems = Problems({}, [])
    loads: dict[str, float] = {}
    for role, text in typed.items():
        if not text.strip():
            continue
        value = levers.number(text)
        if value is None:
            said = Message("must be a number, got {value}", {"value": repr(text.strip())})
            problems.fields[f"caseload_{role}"] = tr.message(said)
        elif not value > 0:
            said = Message("must be more than 0, got {value}", {"value": format(value, "g")})
            problems.fields[f"caseload_{role}"] = tr.message(said)
        else:
            loads[role] = value
    result = None
    if leader and not mine:
        problems.general.append(tr.gettext("Your account has no department to plan for."))
    elif not loads and not problems:
        problems.general.append(tr.gettext("Give a caseload for at least one role."))
    elif not problems:
        with db.reading(request) as conn:
            known = chosen == WHOLE or scope.department(conn, caller.principal, chosen)
            if known and not (leader and chosen == WHOLE):
                result = staffing.staffing(conn, loads, chosen or None, caller.day, None, None)
        if result is None:
            record_refusal(request, caller, ACTION, 404)
            raise NotFound(Message("no such department among yours"))
    return {
        "department": chosen,
        "department_choices": choices,
        "whole": WHOLE,
        "staff_typed": typed,
        "staff_problems": problems,
        "staffing": result,
        "staff_doubts": []
        if result is None
        else [staffing.doubt_words(d, caller.lang) for d in staffing.forecast_doubts(result)],
    }


def _policies(caller: Caller, query: Mapping[str, str]) -> tuple[dict[str, Any], Any]:
    """The simulation's fields as typed, its problems, and its settings (None when there
    are problems)."""
    tr = translator(caller.lang)
    text = query.get("policies", DEFAULT_POLICIES)
    citizens_text = query.get("citizens", str(CITIZENS[1]))
    problems = Problems({}, [])
    settings = None
    try:
        policies = microsim.parse_policies(text)
        if len(policies) > MOST_POLICIES:
            problems.fields["policies"] = tr.gettext("give at most {n} caseloads", n=MOST_POLICIES)
    except Said as error:  # the command's words name its option: the field is named here
        problems.fields["policies"] = tr.message(error.message).removeprefix("--policies: ")
    citizens = int(citizens_text) if citizens_text.isdigit() else 0
    if citizens not in CITIZENS:
        problems.fields["citizens"] = tr.gettext("Choose one of the sizes listed.")
    if not problems:
        settings = microsim.Settings(policies=policies, citizens=citizens, reps=REPS, workers=1)
        try:
            microsim.check(settings)
        except Said as error:
            problems.fields["policies"] = tr.message(error.message).removeprefix("--policies: ")
            settings = None
    fields = {
        "policies": text,
        "citizens": citizens,
        "citizen_choices": CITIZENS,
        "reps": REPS,
        "sim_problems": problems,
    }
    return fields, settings


def _rows(result: microsim.Result, lang: str) -> list[dict[str, Any]]:
    """Per policy, every shape: the means with their 2.5–97.5 percentile interval, in the
    reader's words."""
    tr = translator(lang)
    s = result.settings
    people = s.citizens

    def counted(v: dict[str, float]) -> str:
        low, high = tr.count(round(v["p2_5"])), tr.count(round(v["p97_5"]))
        return tr.count(round(v["mean"])) + " " + tr.interval(low, high)

    out = []
    for policy in s.policies:
        shapes = []
        for shape in s.shapes:
            exits = result.summary(shape, policy, "exits")
            jobs = result.summary(shape, policy, "exits_job")
            months = result.summary(shape, policy, "months")
            fte = result.summary(shape, policy, "fte")
            net = result.summary(shape, policy, "net")
            unit, (mean, low, high) = tr.money_scaled(net["mean"], net["p2_5"], net["p97_5"])
            shapes.append(
                {
                    "shape": shape,
                    "name": policy_figures.shape_name(shape, lang),
                    "exits": counted(exits),
                    "jobs": counted(jobs),
                    "months": tr.decimal(months["mean"] / people, 1)
                    + " "
                    + tr.interval(
                        tr.decimal(months["p2_5"] / people, 1),
                        tr.decimal(months["p97_5"] / people, 1),
                    ),
                    "fte": tr.decimal(fte["mean"], 1),
                    "net": None
                    if policy == s.policies[0]
                    else unit.format(amount=mean) + " " + tr.interval(low, high),
                }
            )
        out.append(
            {
                "policy": policy,
                "name": policy_figures.policy_name(policy, lang),
                "shapes": shapes,
            }
        )
    return out


def _simulation(
    request: Request, caller: Caller, query: Mapping[str, str]
) -> tuple[dict[str, Any], bool]:
    fields, settings = _policies(caller, query)
    found: Calibrated | None = None
    result = None
    tr = translator(caller.lang)
    if settings is not None:
        found = calibrated(request)
        try:
            microsim.fits(found.calibration, settings)
        except Said as error:
            fields["sim_problems"].fields["policies"] = tr.message(error.message).removeprefix(
                "--policies: "
            )
            settings = None
        else:
            result = simulated(request, found.calibration, settings)
    values = {
        **fields,
        "simulated": result is not None,
        "calibrated": found,
        "sim_rows": _rows(result, caller.lang) if result is not None else [],
        "sim_heading": policy_figures.heading(result, caller.lang) if result else "",
        "money_plot": policy_figures.money_figure(result, caller.lang) if result else None,
        "why_defaults": tr.message(found.why) if found and found.why else None,
        "reference": policy_figures.policy_name(result.settings.policies[0], caller.lang)
        if result
        else "",
    }
    return values, settings is not None


def _known(name: str) -> bool:
    return (
        name in levers.BY_NAME
        or name in ("scenario", "start", "department", "policies", "citizens")
        or name.removeprefix("caseload_") in codes.ROLES
    )


def _query(request: Request) -> dict[str, str]:
    return {k: v[:200] for k, v in request.query_params.items() if _known(k)}


def _page(request: Request, caller: Caller, simulate: bool) -> HTMLResponse:
    query = _query(request)
    partial = simulate and _partial(request)
    workload = _caseload_section(caller, query, partial)
    staff = (
        _staffing_section(request, caller, query, workload["results"])
        if not partial
        else {"department": query.get("department", WHOLE), "staff_problems": Problems({}, [])}
    )
    sim: dict[str, Any]
    if simulate:
        sim, ok = _simulation(request, caller, query)
    else:
        fields, settings = _policies(caller, query)
        sim, ok = {**fields, "simulated": False}, settings is not None
    bad = bool(workload["problems"] or staff["staff_problems"] or not ok)
    with db.writing(request) as conn:
        detail: dict[str, Any] = {
            "scenario": workload["scenario"],
            "department": staff["department"] or None,
        }
        if simulate:
            detail["policies"] = query.get("policies", DEFAULT_POLICIES)
        audit.record(conn, caller.event(ACTION, None, 422 if bad else 200, **detail))
    workload_state = [("scenario", workload["scenario"]), *workload["typed"].items()]
    staff_state = [("department", staff["department"])] + [
        (f"caseload_{role}", query.get(f"caseload_{role}", ""))
        for role in codes.ROLES
        if f"caseload_{role}" in query
    ]
    if "staff_typed" in staff:
        staff_state = [("department", staff["department"])] + [
            (f"caseload_{role}", text) for role, text in staff["staff_typed"].items()
        ]
    sim_state = [("policies", sim["policies"]), ("citizens", str(sim["citizens"]))]
    values = context(
        request,
        caller,
        **workload,
        **staff,
        **sim,
        state=workload_state + staff_state + sim_state,
        kept_workload=staff_state + sim_state,
        kept_staffing=workload_state + sim_state,
        kept_simulation=workload_state + staff_state,
        roles=codes.ROLES,
        tiers=codes.COMPLEXITY_TIERS,
    )
    return page(
        request,
        "planning.html.j2",
        values,
        block="simulation" if simulate else None,
        status_code=422 if bad else 200,
    )


@router.get("/planning", response_class=HTMLResponse)
def planning(request: Request, caller: Caller = page_guard(ACTION)) -> HTMLResponse:
    """Caseload from workload, staffing; the simulation is loaded beside it."""
    return _page(request, caller, simulate=False)


@router.get("/planning/simulation", response_class=HTMLResponse)
def planning_simulation(request: Request, caller: Caller = page_guard(ACTION)) -> HTMLResponse:
    """The policies simulated over every curve shape: the section alone for htmx, the
    whole page otherwise."""
    return _page(request, caller, simulate=True)
