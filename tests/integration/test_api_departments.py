"""The department views and the sparring sheet over the API, on SQLite and PostgreSQL:
a leader's own department only, an analyst's counts without citizen codes, a caseworker
only their own sheet; the numbers equal the services'; every read audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from caseload.operate import rhythm, sparring, status
from caseload.register import catalogue, importer
from caseload.store import schema as s
from tests.api import DAY, Api, add_accounts, api_on
from tests.conftest import EXAMPLES, CopyOf


def _load_examples(engine: Engine, _folder: Path) -> None:
    for spec in catalogue.SPECS:
        importer.import_file(engine, spec.name, EXAMPLES / f"{spec.name}.csv")
    add_accounts(engine)


@pytest.fixture
def loaded(register_copy: CopyOf) -> Engine:
    return register_copy(_load_examples)


@pytest.fixture
def api(loaded: Engine) -> Iterator[Api]:
    with api_on(loaded) as signed_in:
        yield signed_in


def _audit(engine: Engine) -> list[tuple[str | None, str, str | None, int | None]]:
    a = s.audit_event
    with engine.connect() as conn:
        return [
            (r.username, r.action, r.citizen, r.status)
            for r in conn.execute(select(a).order_by(a.c.id))
        ]


VIEWS = (
    "caseloads",
    "overdue",
    "timeliness?from=2018-01-01&to=2019-06-30",
    "caseflow?from=2018-01-01&to=2019-06-30",
)


def test_a_leader_reads_their_own_department_only(api: Api, loaded: Engine) -> None:
    for view in VIEWS:
        own = api["leader"].get(f"/api/v1/departments/JI6/{view}")
        assert own.status_code == 200, (view, own.text)
        other = api["leader"].get(f"/api/v1/departments/JI1/{view}")
        assert other.status_code == 404, view
        assert other.headers["content-type"] == "application/problem+json"
        unknown = api["leader"].get(f"/api/v1/departments/NOPE/{view}")
        assert unknown.status_code == 404
        assert unknown.json()["detail"] == other.json()["detail"]
    actions = [(u, a, st) for u, a, _c, st in _audit(loaded)]
    assert ("leader", "department.caseloads", 200) in actions
    assert ("leader", "department.caseloads", 404) in actions
    assert ("leader", "department.caseflow", 200) in actions


def test_a_caseworker_may_not_read_a_department(api: Api) -> None:
    for view in VIEWS:
        answer = api["caseworker"].get(f"/api/v1/departments/JI6/{view}")
        assert answer.status_code == 403, view


def test_caseloads_equal_the_status_service(api: Api, loaded: Engine) -> None:
    body = api["leader"].get("/api/v1/departments/JI6/caseloads").json()
    with loaded.connect() as conn:
        report = status.status(conn, DAY)
    expected = [c for c in report.caseloads if c.department == "JI6"]
    assert expected
    assert [(c["staff"], c["citizens"], c["load"], c["over_cap"]) for c in body["caseloads"]] == [
        (c.staff_id, c.citizens, c.load, c.over_cap) for c in expected
    ]
    assert body["over_cap"] == [c.staff_id for c in expected if c.over_cap]
    continuity = [c for c in report.continuity if c.department == "JI6"]
    if continuity:
        assert body["continuity"]["changes"] == continuity[0].changes
    analyst = api["analyst"].get("/api/v1/departments/JI1/caseloads")
    assert analyst.status_code == 200
    assert {c["staff"] for c in analyst.json()["caseloads"]} == {
        c.staff_id for c in report.caseloads if c.department == "JI1"
    }


def test_overdue_lists_citizens_for_a_leader_and_counts_for_an_analyst(
    api: Api, loaded: Engine
) -> None:
    leader = api["leader"].get("/api/v1/departments/JI6/overdue").json()
    analyst = api["analyst"].get("/api/v1/departments/JI6/overdue").json()
    with loaded.connect() as conn:
        rows, listed = rhythm.overdue(conn, DAY)
        staff = {c.staff_id for c in status.caseloads(conn, DAY) if c.department == "JI6"}
    expected = [r for r in rows if r.staff in staff]
    assert [(c["staff"], c["overdue"], c["due_soon"]) for c in leader["caseworkers"]] == [
        (r.staff, r.overdue, r.due_soon) for r in expected
    ]
    assert [c["overdue"] for c in analyst["caseworkers"]] == [r.overdue for r in expected]
    assert all(c["listed"] is None for c in analyst["caseworkers"])
    assert "C0000" not in str(analyst)
    shown = sorted(code for c in leader["caseworkers"] for code in c["listed"])
    assert shown == sorted(
        r["citizen"] for r in listed.iter_rows(named=True) if r["staff"] in staff
    )


def test_timeliness_sums_the_weeks(api: Api) -> None:
    body = (
        api["analyst"]
        .get(
            "/api/v1/departments/JI6/timeliness", params={"from": "2019-01-01", "to": "2019-08-31"}
        )
        .json()
    )
    assert body["held"] == sum(w["held"] for w in body["weeks"])
    assert body["timely"] == sum(w["timely"] for w in body["weeks"])
    backwards = api["analyst"].get(
        "/api/v1/departments/JI6/timeliness", params={"from": "2019-08-31", "to": "2019-01-01"}
    )
    assert backwards.status_code == 409
    assert backwards.headers["content-type"] == "application/problem+json"


def test_the_sparring_sheet_is_html_and_audited_per_citizen(api: Api, loaded: Engine) -> None:
    answer = api["caseworker"].get("/api/v1/staff/KS-001/sparring")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    with loaded.connect() as conn:
        sheet = sparring.sheet(conn, "KS-001", DAY)
    codes = [page.code for page in sheet.pages]
    assert codes
    for code in codes:
        assert code in answer.text
    read = [c for u, a, c, st in _audit(loaded) if a == "sparring.read" and st == 200]
    assert sorted(read) == sorted(codes)
    leader = api["leader"].get("/api/v1/staff/KS-001/sparring")
    assert leader.status_code == 200


def test_a_caseworker_reads_only_their_own_sheet(api: Api, loaded: Engine) -> None:
    with loaded.connect() as conn:
        p = s.professional
        other = conn.execute(
            select(p.c.code).where(p.c.code != "KS-001").order_by(p.c.code)
        ).first()
    assert other is not None
    answer = api["caseworker"].get(f"/api/v1/staff/{other.code}/sparring")
    assert answer.status_code == 404
    assert api["analyst"].get("/api/v1/staff/KS-001/sparring").status_code == 403
    assert ("caseworker", "sparring.read", None, 404) in _audit(loaded)


def test_the_day_is_a_query_parameter(api: Api) -> None:
    answer = api["leader"].get(
        "/api/v1/departments/JI6/caseloads", params={"day": date(2019, 6, 1).isoformat()}
    )
    assert answer.status_code == 200
    assert answer.json()["as_of"] == "2019-06-01"


def test_an_analyst_lists_the_trials_with_their_arms(api: Api, loaded: Engine) -> None:
    answer = api["analyst"].get("/api/v1/trials")
    assert answer.status_code == 200, answer.text
    assert answer.json() == [
        {
            "code": "CPH-2018",
            "name": "Lower caseloads 2018-2019",
            "unit": "citizen",
            "start": "2018-01-01",
            "end": "2019-12-31",
            "outcome_end": "2020-04-30",
            "arms": _arms(loaded),
        }
    ]
    assert api["leader"].get("/api/v1/trials").status_code == 403
    assert ("analyst", "trial.list", None, 200) in _audit(loaded)


def _arms(engine: Engine) -> dict[str, int]:
    a = s.trial_assignment
    with engine.connect() as conn:
        arms = [r.arm for r in conn.execute(select(a.c.arm))]
    return {arm: arms.count(arm) for arm in sorted(set(arms))}


def test_a_register_too_small_to_evaluate_is_a_clear_problem(api: Api, loaded: Engine) -> None:
    for what in ("evaluation", "report"):
        answer = api["analyst"].get(f"/api/v1/trials/CPH-2018/{what}")
        assert answer.status_code == 409, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert "C0000" not in answer.text
        unknown = api["analyst"].get(f"/api/v1/trials/NOPE/{what}")
        assert unknown.status_code == 404
    assert ("analyst", "trial.evaluation", None, 404) in _audit(loaded)
