"""The department views and the sparring sheet over the API, on SQLite and PostgreSQL:
a leader's own department only, an analyst's counts without citizen codes, a caseworker
only their own sheet; the numbers equal the services'; every read audited."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import Result

from caseload.access import accounts
from caseload.evaluate import evaluation
from caseload.operate import rhythm, sparring, status
from caseload.serve import evaluations
from caseload.serve.app import create_app
from caseload.serve.settings import Settings
from caseload.store import schema as s
from caseload.store.database import connect
from caseload.synth import jobcentre
from tests.api import DAY, PASSWORD, Api, sign_in, url_of
from tests.helpers import copy_register


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


def test_a_leader_reads_their_own_department_only(api: Api, api_register: Engine) -> None:
    for view in VIEWS:
        own = api["leader"].get(f"/api/v1/departments/JI6/{view}")
        assert own.status_code == 200, (view, own.text)
        other = api["leader"].get(f"/api/v1/departments/JI1/{view}")
        assert other.status_code == 404, view
        assert other.headers["content-type"] == "application/problem+json"
        unknown = api["leader"].get(f"/api/v1/departments/NOPE/{view}")
        assert unknown.status_code == 404
        assert unknown.json()["detail"] == other.json()["detail"]
    actions = [(u, a, st) for u, a, _c, st in _audit(api_register)]
    assert ("leader", "department.caseloads", 200) in actions
    assert ("leader", "department.caseloads", 404) in actions
    assert ("leader", "department.caseflow", 200) in actions


def test_a_caseworker_may_not_read_a_department(api: Api) -> None:
    for view in VIEWS:
        answer = api["caseworker"].get(f"/api/v1/departments/JI6/{view}")
        assert answer.status_code == 403, view


def test_caseloads_equal_the_status_service(api: Api, api_register: Engine) -> None:
    body = api["leader"].get("/api/v1/departments/JI6/caseloads").json()
    with api_register.connect() as conn:
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
    api: Api, api_register: Engine
) -> None:
    leader = api["leader"].get("/api/v1/departments/JI6/overdue").json()
    analyst = api["analyst"].get("/api/v1/departments/JI6/overdue").json()
    with api_register.connect() as conn:
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
    # the leader read those citizens: a row each in the audit; the analyst's counts: one row
    trail = _audit(api_register)
    assert sorted(c for u, a, c, st in trail if u == "leader" and a == "department.overdue") == (
        shown
    )
    assert [c for u, a, c, st in trail if u == "analyst" and a == "department.overdue"] == [None]


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


def test_the_sparring_sheet_is_html_and_audited_per_citizen(api: Api, api_register: Engine) -> None:
    answer = api["caseworker"].get("/api/v1/staff/KS-001/sparring")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    with api_register.connect() as conn:
        sheet = sparring.sheet(conn, "KS-001", DAY)
    codes = [page.code for page in sheet.pages]
    assert codes
    for code in codes:
        assert code in answer.text
    read = [c for u, a, c, st in _audit(api_register) if a == "sparring.read" and st == 200]
    assert sorted(read) == sorted(codes)
    leader = api["leader"].get("/api/v1/staff/KS-001/sparring")
    assert leader.status_code == 200


def test_a_caseworker_reads_only_their_own_sheet(api: Api, api_register: Engine) -> None:
    with api_register.connect() as conn:
        p = s.professional
        other = conn.execute(
            select(p.c.code).where(p.c.code != "KS-001").order_by(p.c.code)
        ).first()
    assert other is not None
    answer = api["caseworker"].get(f"/api/v1/staff/{other.code}/sparring")
    assert answer.status_code == 404
    assert api["analyst"].get("/api/v1/staff/KS-001/sparring").status_code == 403
    assert ("caseworker", "sparring.read", None, 404) in _audit(api_register)


def test_the_day_is_a_query_parameter(api: Api) -> None:
    answer = api["leader"].get(
        "/api/v1/departments/JI6/caseloads", params={"day": date(2019, 6, 1).isoformat()}
    )
    assert answer.status_code == 200
    assert answer.json()["as_of"] == "2019-06-01"


def test_an_analyst_lists_the_trials_with_their_arms(api: Api, api_register: Engine) -> None:
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
            "arms": _arms(api_register),
        }
    ]
    assert api["leader"].get("/api/v1/trials").status_code == 403
    assert ("analyst", "trial.list", None, 200) in _audit(api_register)


def _arms(engine: Engine) -> dict[str, int]:
    a = s.trial_assignment
    with engine.connect() as conn:
        arms = [r.arm for r in conn.execute(select(a.c.arm))]
    return {arm: arms.count(arm) for arm in sorted(set(arms))}


def test_a_register_too_small_to_evaluate_is_a_clear_problem(
    api: Api, api_register: Engine
) -> None:
    for what in ("evaluation", "report"):
        answer = api["analyst"].get(f"/api/v1/trials/CPH-2018/{what}")
        assert answer.status_code == 409, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert "C0000" not in answer.text
        unknown = api["analyst"].get(f"/api/v1/trials/NOPE/{what}")
        assert unknown.status_code == 404
    assert ("analyst", "trial.evaluation", None, 404) in _audit(api_register)


def test_the_evaluation_of_the_demo_trial(demo_build: tuple[Path, Result], tmp_path: Path) -> None:
    """The success path on the demo job centre (SQLite): the JSON as evaluation.json holds
    it, the report in Danish, both audited, no citizen codes in either."""
    template, built = demo_build
    assert built.exit_code == 0, built.output
    engine = connect(copy_register(template, tmp_path / "demo.sqlite"))
    try:
        with engine.begin() as conn:
            accounts.add_account(conn, "analyst", "analyst", PASSWORD, lang="da")
        app = create_app(Settings(db=url_of(engine), register_day=DAY, default_lang="en"))
        with TestClient(app) as client:
            sign_in(client, "analyst")
            answer = client.get(f"/api/v1/trials/{jobcentre.TRIAL_CODE}/evaluation")
            assert answer.status_code == 200, answer.text
            assert answer.headers["content-type"].startswith("application/json")
            body = answer.json()
            expected = evaluation.evaluate(engine, jobcentre.TRIAL_CODE)
            assert body["meta"]["trial"] == jobcentre.TRIAL_CODE
            assert body["meta"]["last_exit"] == expected.window.last_exit.isoformat()
            assert {"balance", "undefined"} <= set(body)
            page = client.get(f"/api/v1/trials/{jobcentre.TRIAL_CODE}/report")
            assert page.status_code == 200
            assert page.headers["content-type"].startswith("text/html")
            assert 'lang="da"' in page.text
            c, ta = s.citizen, s.trial_assignment
            with engine.connect() as conn:
                codes = [
                    r.code
                    for r in conn.execute(
                        select(c.c.code).join(ta, ta.c.citizen_id == c.c.id).limit(200)
                    )
                ]
            assert codes
            for text in (answer.text, page.text):
                assert not [code for code in codes if f'"{code}"' in text or f">{code}<" in text]
        a = s.audit_event
        with engine.connect() as conn:
            actions = [r.action for r in conn.execute(select(a.c.action).where(a.c.status == 200))]
        assert actions.count("trial.evaluation") == 1
        assert actions.count("trial.report") == 1
    finally:
        engine.dispose()


def _responsibilities(engine: Engine) -> list[tuple[int, int, object]]:
    r = s.responsibility
    with engine.connect() as conn:
        return [
            (row.citizen_id, row.professional_id, row.end_date)
            for row in conn.execute(select(r).order_by(r.c.id))
        ]


def _make(api: Api, department: str = "JI6", **body: object) -> tuple[int, dict[str, object]]:
    answer = api["leader"].post(
        f"/api/v1/departments/{department}/plans", json={"kind": "rebalance", **body}
    )
    return answer.status_code, answer.json()


def test_a_leader_makes_reads_and_applies_a_plan(api: Api, api_register: Engine) -> None:
    status_code, made = _make(api)
    assert status_code == 201, made
    code = str(made["plan"])
    assert made["department"] == "JI6"
    assert made["fingerprint"]
    summary = made["summary"]
    assert isinstance(summary, dict)
    assert {"moves", "unplaced", "missing_fte"} <= set(summary)
    read = api["leader"].get(f"/api/v1/plans/{code}")
    assert read.status_code == 200
    assert read.json()["fingerprint"] == made["fingerprint"]
    assert read.json()["applied_at"] is None
    applied = api["leader"].post(f"/api/v1/plans/{code}/apply")
    assert not summary["unplaced"]
    assert applied.status_code == 200, applied.text
    assert applied.json()["moves"] == len(summary["moves"])  # type: ignore[arg-type]
    again = api["leader"].post(f"/api/v1/plans/{code}/apply")
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    a = s.audit_event
    with api_register.connect() as conn:
        rows = conn.execute(select(a).where(a.c.action == "plan.apply")).all()
    # a row per moved citizen (a write of their case), then the refusal
    moved = sorted(str(m["citizen"]) for m in summary["moves"])  # type: ignore[union-attr,index]
    done = [r.citizen for r in rows if r.status == 200]
    assert sorted(done) == moved if moved else done == [None]  # no move: the apply alone
    assert [r.status for r in rows if r.status != 200] == [409]
    assert code in str(rows[0].detail)


def test_a_change_between_the_dry_run_and_the_apply_is_refused(
    api: Api, api_register: Engine
) -> None:
    status_code, made = _make(api)
    assert status_code == 201, made
    p = s.professional
    with api_register.begin() as conn:
        conn.execute(p.update().where(p.c.code == "KS-001").values(fte=0.5))
    before = _responsibilities(api_register)
    answer = api["leader"].post(f"/api/v1/plans/{made['plan']}/apply")
    assert answer.status_code == 409, answer.text
    assert _responsibilities(api_register) == before
    assert api["leader"].get(f"/api/v1/plans/{made['plan']}").json()["applied_at"] is None


def test_plans_outside_the_leaders_departments(api: Api, api_register: Engine) -> None:
    status_code, _body = _make(api, department="JI1")
    assert status_code == 404
    assert api["leader"].get("/api/v1/plans/P9999999").status_code == 404
    assert api["leader"].post("/api/v1/plans/P9999999/apply").status_code == 404
    answer = api["caseworker"].post("/api/v1/departments/JI6/plans", json={"kind": "rebalance"})
    assert answer.status_code == 403
    assert api["analyst"].get("/api/v1/plans/P0000001").status_code == 403


def test_a_plan_that_cannot_place_everyone_is_not_applied(api: Api, api_register: Engine) -> None:
    status_code, made = _make(api, cap=1)
    assert status_code == 201, made
    assert made["summary"]["unplaced"]  # type: ignore[index]
    before = _responsibilities(api_register)
    answer = api["leader"].post(f"/api/v1/plans/{made['plan']}/apply")
    assert answer.status_code == 409
    assert _responsibilities(api_register) == before


def test_case_flow_of_a_period_without_efforts(api: Api) -> None:
    answer = api["leader"].get(
        "/api/v1/departments/JI6/caseflow", params={"from": "2019-01-01", "to": "2019-08-31"}
    )
    assert answer.status_code == 200, answer.text
    assert set(answer.json()["tables"]) >= {"reports", "passive"}


def test_an_evaluation_is_kept_for_its_readers_and_run_again_when_asked(
    demo_build: tuple[Path, Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dashboard, the report and the JSON read one kept evaluation; `?fresh=1` runs it
    again; kept for 0 seconds, every reader runs it."""
    template, built = demo_build
    assert built.exit_code == 0, built.output
    engine = connect(copy_register(template, tmp_path / "demo.sqlite"))
    runs: list[str] = []
    real = evaluations.evaluation.evaluate

    def counted(eng: Engine, code: str) -> Any:
        runs.append(code)
        return real(eng, code)

    monkeypatch.setattr(evaluations.evaluation, "evaluate", counted)
    trial = jobcentre.TRIAL_CODE
    try:
        with engine.begin() as conn:
            accounts.add_account(conn, "analyst", "analyst", PASSWORD, lang="en")
        for kept, expected in (
            (timedelta(minutes=5), [1, 1, 1, 2, 2]),
            (timedelta(0), [1, 2, 3, 4, 5]),
        ):
            runs.clear()
            settings = Settings(
                db=url_of(engine), register_day=DAY, default_lang="en", evaluation_kept=kept
            )
            with TestClient(create_app(settings)) as client:
                sign_in(client, "analyst")
                seen = []
                first = client.get(f"/trials/{trial}")
                assert first.status_code == 200 and 'id="evaluated"' in first.text
                seen.append(len(runs))
                document = client.get(f"/api/v1/trials/{trial}/evaluation")
                seen.append(len(runs))
                assert client.get(f"/trials/{trial}/report").status_code == 200
                seen.append(len(runs))
                again = client.get(f"/trials/{trial}", params={"fresh": "1"})
                seen.append(len(runs))
                assert client.get(f"/api/v1/trials/{trial}/evaluation").json() == document.json()
                seen.append(len(runs))
                assert again.status_code == 200
            assert seen == expected, kept
    finally:
        engine.dispose()
