"""The planning page through the app's HTTP interface, on SQLite and PostgreSQL: the
scenario's sustainable caseload as the workload service computes it, moved by the meeting
minutes typed, bad values refused in words (422); staffing as the staffing service gives it
for the leader's department and the analyst's whole job centre; the simulation's section
(htmx) and page (no JavaScript) with every curve shape for every policy; who may see it."""

from __future__ import annotations

import re

from sqlalchemy import Engine

from caseload.i18n import translator
from caseload.plan import config, staffing
from caseload.plan.workload import sustainable_caseload
from tests.api import DAY, Api

TR = translator("en")
CASELOAD = re.compile(r'<td class="num caseload" data-position="([a-z_+]+)"><strong>([^<]*)<')


def _caseloads(html: str) -> dict[str, str]:
    return dict(CASELOAD.findall(html))


def _row(html: str, table: str, role: str) -> list[str]:
    part = html.split(f'id="{table}"')[1].split("</table>")[0]
    row = part.split(f'data-role="{role}">')[1].split("</tr>")[0]
    return re.findall(r'<td class="num">([^<]*)', row)


def test_the_caseload_follows_the_scenario_and_the_values_typed(api: Api) -> None:
    leader = api["leader"]
    for name in ("copenhagen_trial", "jobfirst"):
        shown = leader.get("/planning", params={"scenario": name})
        assert shown.status_code == 200
        model = config.scenario(name)
        expected = {
            p.name: TR.decimal(sustainable_caseload(model, p.name).caseload, 1)
            for p in model.positions
        }
        assert _caseloads(shown.text) == expected
        assert "<svg" in shown.text and 'hx-get="/planning/simulation?' in shown.text
    # longer job meetings: fewer citizens per caseworker; shorter: more
    ks = "coordinating_caseworker"
    base = float(_caseloads(leader.get("/planning").text)[ks])
    longer = leader.get(
        "/planning", params={"job_minutes_simple": "60", "job_minutes_complex": "90"}
    )
    shorter = leader.get("/planning", params={"job_minutes_simple": "20"})
    assert float(_caseloads(longer.text)[ks]) < base < float(_caseloads(shorter.text)[ks])
    assert 'value="60"' in longer.text  # the value typed is kept
    # a negative value: 422, the reason beside the field, the value kept
    bad = api["analyst"].get("/planning", params={"job_minutes_simple": "-5"})
    assert bad.status_code == 422
    assert "must not be negative, got -5" in bad.text
    assert 'id="e-job_minutes_simple"' in bad.text and 'value="-5"' in bad.text
    share = leader.get("/planning", params={"non_case_share": "1,5", "weekly_hours": "x"})
    assert share.status_code == 422
    assert "must be a number, got &#39;x&#39;" in share.text
    assert _caseloads(share.text) == {}
    worded = leader.get("/planning", params={"non_case_share": "1.5"})
    assert "must be a share from 0 to below 1, got 1.5" in worded.text


def test_staffing_is_the_staffing_services(api: Api, api_register: Engine) -> None:
    loads = {"coordinating_caseworker": 40.0, "mentor": 25.0}
    params = {f"caseload_{r}": str(v) for r, v in loads.items()}
    params["caseload_company_consultant"] = ""
    with api_register.connect() as conn:
        mine = staffing.staffing(conn, loads, "JI6", DAY)
        whole = staffing.staffing(conn, loads, None, DAY)
    leader = api["leader"].get("/planning", params=params)  # the leader of JI6
    assert leader.status_code == 200
    analyst = api["analyst"].get("/planning", params={**params, "department": ""})
    for html, st in ((leader.text, mine), (analyst.text, whole)):
        for r in st.roles:
            assert _row(html, "staffing", r.role) == [
                TR.count(r.citizens),
                TR.decimal(r.caseload, 1),
                TR.decimal(r.fte_needed, 1),
                TR.decimal(r.fte_employed, 1),
                TR.signed(r.gap, 1),
                TR.money(r.cost_needed),
                ("+" if r.cost_change >= 0 else "") + TR.money(r.cost_change),
            ]
        assert "an ASSUMED figure" in html
        # the steady state's doubts, as the command words them (no spell ended here)
        doubts = staffing.forecast_doubts(st)
        assert [(d.role, d.reason) for d in doubts] == [(r, "none_ended") for r in loads]
        for d in doubts:
            assert html.count(staffing.doubt_words(d, "en")) == 1
    assert f"Staffing on {TR.date(DAY)}, JI6" in leader.text
    # a leader plans for their own departments only; a caseload must be above 0
    assert api["leader"].get("/planning", params={"department": "JI1"}).status_code == 404
    zero = api["leader"].get("/planning", params={"caseload_mentor": "0"})
    assert zero.status_code == 422 and "must be more than 0, got 0" in zero.text


def test_the_simulation_shows_every_shape_for_every_policy_to_leaders_and_analysts(
    api: Api,
) -> None:
    analyst = api["analyst"]
    part = analyst.get(
        "/planning/simulation",
        params={"policies": "130,50", "citizens": "1000"},
        headers={"HX-Request": "true"},
    )
    assert part.status_code == 200
    assert part.text.lstrip().startswith('<section id="simulation"') and "<html" not in part.text
    rows = re.findall(r'data-policy="([^"]+)" data-shape="([a-z]+)"', part.text)
    assert rows == [(p, s) for p in ("130", "50") for s in ("none", "weak", "copenhagen", "strong")]
    assert "200 replications" in part.text and "<svg" in part.text
    # without JavaScript: the whole page, the workload kept
    whole = analyst.get(
        "/planning/simulation",
        params={"policies": "130,50", "citizens": "1000", "scenario": "jobfirst"},
    )
    assert whole.status_code == 200 and "<html" in whole.text
    assert 'value="jobfirst" selected' in whole.text and 'id="outcomes"' in whole.text
    modelled = analyst.get(
        "/planning/simulation",
        params={"policies": "130,50@all_inclusive", "citizens": "1000"},
        headers={"HX-Request": "true"},
    )
    assert modelled.status_code == 200
    assert ">50, all inclusive (one professional)</th>" in modelled.text
    bad = analyst.get("/planning/simulation", params={"policies": "130,abc"})
    assert bad.status_code == 422 and "is not a caseload" in bad.text
    # only leaders and analysts plan; a visitor is sent to sign in
    for role in ("caseworker", "admin"):
        assert api[role].get("/planning").status_code == 403
        assert api[role].get("/planning/simulation").status_code == 403
        assert 'href="/planning"' not in api[role].get("/account").text
    for role in ("leader", "analyst"):
        assert 'href="/planning"' in api[role].get("/account").text
    away = api.anonymous.get("/planning", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"].startswith("/login")
