"""The pages beyond the browser tests' paths, on SQLite and PostgreSQL through the app's own
HTTP interface (signed-in clients, CSRF and all): the caseworker's list filtered by the case
flow's flags and sorted; the sparring sheet for a caseworker and for their leader only; the
leader's case flow, sick days and staff turnover (a page, and the htmx partial); and the
admin's tables kept row by row, the import's problems shown and nothing half-written."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import Engine, select

from caseload.evaluate.staff import staff_table
from caseload.i18n import translator
from caseload.store import schema as s
from tests.api import DAY, Api

LISTED = re.compile(r'<th scope="row"><a href="/citizens/([A-Z0-9]+)">')


def _listed(html: str) -> list[str]:
    return LISTED.findall(html)


def test_the_caseworkers_list_filters_by_the_case_flows_flags_and_sorts(api: Api) -> None:
    client = api["caseworker"]  # KS-001: C000001 and C000002 on the day
    everyone = client.get("/caseload", params={"sort": "citizen"})
    assert everyone.status_code == 200
    assert _listed(everyone.text) == ["C000001", "C000002"]
    # C000001's progress report of 2018-04-21 arrived on 2018-04-25 and was never acted on
    waiting = client.get("/caseload", params={"state": "reports"})
    assert _listed(waiting.text) == ["C000001"]
    row = waiting.text.split('href="/citizens/C000001"')[1].split("</tr>")[0]
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["–", "1"]
    # C000002's one medical request was followed up in 2018: nobody has an open one
    assert _listed(client.get("/caseload", params={"state": "medical"}).text) == []
    # neither has a course or a placement running on the day
    passive = client.get("/caseload", params={"state": "passive", "sort": "citizen"})
    assert _listed(passive.text) == ["C000001", "C000002"]
    assert passive.text.count('<span class="badge soon">passive period</span>') == 2
    # an htmx request for the list gets the list alone
    part = client.get("/caseload", params={"state": "reports"}, headers={"HX-Request": "true"})
    assert part.text.lstrip().startswith('<section id="worklist"') and "<html" not in part.text


def test_the_sparring_sheet_is_the_caseworkers_own_and_their_leaders(api: Api) -> None:
    own = api["caseworker"].get("/caseload/sparring")
    assert own.status_code == 200 and own.headers["content-type"].startswith("text/html")
    assert "C000001" in own.text and "C000002" in own.text and "C000003" not in own.text
    assert 'href="/caseload/sparring"' in api["caseworker"].get("/caseload").text
    # the leader of JI6 reads KS-001's sheet; KS-101 (JI1) is not theirs
    assert api["leader"].get("/staff/KS-001/sparring").status_code == 200
    assert api["leader"].get("/staff/KS-101/sparring").status_code == 404
    # a caseworker reads no one else's; an analyst none
    assert api["caseworker"].get("/staff/KS-101/sparring").status_code == 404
    assert api["analyst"].get("/staff/KS-001/sparring").status_code == 403
    department = api["leader"].get("/departments/JI6").text
    assert 'href="/staff/KS-001/sparring"' in department


def test_the_leader_sees_case_flow_sick_days_and_turnover(api: Api, api_register: Engine) -> None:
    leader = api["leader"]
    department = leader.get("/departments/JI6")
    assert 'hx-get="/departments/JI6/flow"' in department.text  # loaded beside the page
    whole = leader.get("/departments/JI6/flow")
    assert whole.status_code == 200 and "<html" in whole.text
    part = leader.get("/departments/JI6/flow", headers={"HX-Request": "true"})
    assert part.text.lstrip().startswith('<div id="flow">') and "<html" not in part.text
    with api_register.connect() as conn:
        rows = [
            r for r in staff_table(conn, date(DAY.year - 1, 1, 1), DAY) if r.department == "JI6"
        ]
    assert [r.period for r in rows] == [
        (date(2018, 1, 1), date(2018, 12, 31)),
        (date(2019, 1, 1), DAY),
    ]
    tr = translator("en")
    staff = part.text.split('id="staff-title"')[1].split("</table>")[0]
    for r in rows:
        shown = staff.split(f"{tr.date(r.period[0])} – {tr.date(r.period[1])}")[1].split("</tr>")[0]
        cells = re.findall(r'<td class="num">([^<]*)</td>', shown)
        assert cells == [
            tr.decimal(r.fte, 1),
            tr.decimal(r.short_per_fte, 1),
            tr.decimal(r.long_per_fte, 1),
            tr.decimal(r.sick_per_fte, 1),
            tr.count(r.external_exits),
            tr.percent(r.turnover_pct / 100),
        ]
    # KS-002 left the job centre on 2019-06-30; KS-001's four sick days were in May 2018
    assert (rows[0].external_exits, rows[1].external_exits) == (0, 1)
    assert rows[0].sick_short == 4
    # the case flow of the year up to the day: C000001's report due 2018-04-21 is outside it
    assert "Supplier progress reports due" in part.text
    assert leader.get("/departments/JI1/flow").status_code == 404
    assert api["caseworker"].get("/departments/JI6/flow").status_code == 403


def _caps(engine: Engine) -> list[tuple[object, ...]]:
    c = s.caseload_cap
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(
                    c.c.role, c.c.department_id, c.c.professional_id, c.c.cap, c.c.start_date
                ).order_by(c.c.id)
            )
        ]


def test_the_admin_keeps_the_caps_row_by_row(api: Api, api_register: Engine) -> None:
    admin = api["admin"]
    first = admin.get("/admin/register", follow_redirects=False)
    assert (first.status_code, first.headers["location"]) == (303, "/admin/register/departments")
    before = _caps(api_register)
    page = admin.get("/admin/register/caps")
    assert page.status_code == 200
    assert f"{len(before)} rows" in page.text
    assert page.text.count(">Change</a>") == len(before)

    # a cap that is not a positive whole number: named by its column, nothing written
    wrong = {"role": "mentor", "department_id": "JI6", "cap": "-3", "start_date": "2019-09-01"}
    refused = admin.post("/admin/register/caps", data=wrong)
    assert refused.status_code == 422
    problems = refused.text.split('id="problems"')[1].split("</table>")[0]
    assert "<td>Cap</td>" in problems
    assert 'value="-3"' in refused.text  # what was typed is kept to correct it
    assert _caps(api_register) == before

    right = {**wrong, "cap": "25"}
    added = admin.post("/admin/register/caps", data=right, follow_redirects=False)
    assert (added.status_code, added.headers["location"]) == (
        303,
        "/admin/register/caps?done=inserted",
    )
    after = _caps(api_register)
    assert len(after) == len(before) + 1 and after[-1][0] == "mentor" and after[-1][3] == 25

    again = admin.post("/admin/register/caps", data=right, follow_redirects=False)
    assert again.headers["location"].endswith("done=unchanged")
    changed = admin.post(
        "/admin/register/caps", data={**right, "cap": "30"}, follow_redirects=False
    )
    assert changed.headers["location"].endswith("done=updated")
    assert _caps(api_register)[-1][3] == 30 and len(_caps(api_register)) == len(after)

    # a row chosen to change comes back in the form
    edit = admin.get("/admin/register/caps", params={"edit": str(len(before))})
    assert 'id="f-cap" name="cap" type="number" step="1" value="30"' in edit.text

    assert admin.get("/admin/register/citizens").status_code == 404  # not an admin table
    assert api["leader"].get("/admin/register/caps").status_code == 403
    with api_register.connect() as conn:
        a = s.audit_event
        managed = (
            conn.execute(select(a.c.status).where(a.c.action == "register.manage").order_by(a.c.id))
            .scalars()
            .all()
        )
    assert managed == [200, 200, 200, 403]  # added, unchanged, changed; the leader refused
