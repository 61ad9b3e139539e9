"""The JSON API on the example register, on SQLite and PostgreSQL: signing in, my citizens,
one case with its version, meetings and contact changes with If-Match, problems in both
languages, and the audit trail of every read and write."""

from __future__ import annotations

from sqlalchemy import Engine, select

from caseload.store import schema as s
from tests.api import Api


def _audit(engine: Engine) -> list[tuple[str | None, str, str | None, int | None]]:
    a = s.audit_event
    with engine.connect() as conn:
        return [
            (r.username, r.action, r.citizen, r.status)
            for r in conn.execute(select(a).order_by(a.c.id))
        ]


def test_health_says_the_schema_is_current(api: Api) -> None:
    answer = api.anonymous.get("/healthz")
    assert answer.status_code == 200
    assert answer.json()["schema_current"] is True


def test_my_citizens_are_the_caseworkers_own(api: Api, api_register: Engine) -> None:
    answer = api["caseworker"].get("/api/v1/citizens")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["total"] == 2
    assert sorted((i["citizen"], i["roles"]) for i in body["items"]) == [
        ("C000001", ["coordinating_caseworker"]),
        ("C000002", ["coordinating_caseworker"]),
    ]
    # sorted by the due date, which is the one the case itself says (operate.case computes
    # it for one citizen with domain.rhythm, the list for all in one SQL statement)
    dues = [i["due"] for i in body["items"]]
    assert dues == sorted(dues)
    for item in body["items"]:
        case = api["caseworker"].get(f"/api/v1/citizens/{item['citizen']}").json()
        assert item["due"] == case["next_job_meeting"]["due"]
        assert item["overdue"] == case["next_job_meeting"]["overdue"]
    # a list read is audited as a read of each citizen shown
    listed = [c for u, a, c, st in _audit(api_register) if a == "citizens.list" and st == 200]
    assert sorted(listed) == ["C000001", "C000002"]


def test_a_case_outside_the_scope_is_not_found(api: Api, api_register: Engine) -> None:
    answer = api["caseworker"].get("/api/v1/citizens/C000003")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    unknown = api["caseworker"].get("/api/v1/citizens/C999999")
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == answer.json()["detail"]
    assert ("caseworker", "case.read", "C000003", 404) in _audit(api_register)


def test_read_a_case_with_its_version(api: Api, api_register: Engine) -> None:
    answer = api["caseworker"].get("/api/v1/citizens/C000001")
    assert answer.status_code == 200, answer.text
    assert answer.headers["etag"] == '"1"'
    assert answer.json()["citizen"] == "C000001"
    assert ("caseworker", "case.read", "C000001", 200) in _audit(api_register)


def test_register_a_held_meeting_and_book_the_next(api: Api, api_register: Engine) -> None:
    client = api["caseworker"]
    body = {
        "status": "held",
        "day": "2019-08-30",
        "place": "home",
        "minutes": 45,
        "next": {"day": "2019-11-25"},
    }
    missing = client.post("/api/v1/citizens/C000001/meetings", json=body)
    assert missing.status_code == 428
    done = client.post("/api/v1/citizens/C000001/meetings", json=body, headers={"If-Match": '"1"'})
    assert done.status_code == 201, done.text
    result = done.json()
    assert result["version"] == 3
    assert result["meeting"]["status"] == "held"
    assert result["next"]["status"] == "planned"
    assert done.headers["etag"] == '"3"'
    stale = client.post("/api/v1/citizens/C000001/meetings", json=body, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 3
    with api_register.connect() as conn:
        count = conn.execute(
            select(s.meeting.c.id).join(s.citizen).where(s.citizen.c.code == "C000001")
        ).all()
    assert len(count) == 3  # the example's one, the held one and the next; none from the 412


def test_a_problem_in_danish(api: Api) -> None:
    answer = api["caseworker"].get("/api/v1/citizens/C000003", headers={"Accept-Language": "da"})
    assert answer.status_code == 404
    assert answer.headers["content-language"] == "da"


def test_an_analyst_may_not_open_a_case(api: Api, api_register: Engine) -> None:
    answer = api["analyst"].get("/api/v1/citizens/C000001")
    assert answer.status_code == 403
    assert "analyst" in answer.json()["detail"]
    assert ("analyst", "case.read", None, 403) in _audit(api_register)


def test_a_change_without_the_csrf_token_is_refused(api: Api) -> None:
    client = api["caseworker"]
    token = client.headers.pop("X-CSRF-Token")
    answer = client.post(
        "/api/v1/citizens/C000001/meetings",
        json={"status": "planned", "day": "2019-10-01"},
        headers={"If-Match": '"1"'},
    )
    assert answer.status_code == 403
    wrong = client.post(
        "/api/v1/citizens/C000001/meetings",
        json={"status": "planned", "day": "2019-10-01"},
        headers={"If-Match": '"1"', "X-CSRF-Token": "0" * 64},
    )
    assert wrong.status_code == 403
    client.headers["X-CSRF-Token"] = token


def test_notes_written_and_edited_on_the_case(api: Api, api_register: Engine) -> None:
    client = api["caseworker"]
    written = client.post(
        "/api/v1/citizens/C000001/notes",
        json={"kind": "next_step", "text": "Ring om praktik hos Netto", "due": "2019-09-10"},
        headers={"If-Match": '"1"'},
    )
    assert written.status_code == 201, written.text
    note = written.json()
    assert (note["note_version"], note["kind"], note["version"]) == (1, "next_step", 2)
    edited = client.put(
        f"/api/v1/citizens/C000001/notes/{note['note']}",
        json={"text": "Ring om praktik hos Netto og Føtex"},
        headers={"If-Match": '"2"'},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["note_version"] == 2
    assert edited.json()["due"] == "2019-09-10"
    case = client.get("/api/v1/citizens/C000001").json()
    [shown] = case["notes"]
    assert shown["body"] == "Ring om praktik hos Netto og Føtex"
    assert [h["body"] for h in shown["history"]] == ["Ring om praktik hos Netto"]
    assert shown["written_by"] == "caseworker"
    # a note of this citizen is not reached through another citizen's path
    other = client.put(
        f"/api/v1/citizens/C000002/notes/{note['note']}",
        json={"text": "x"},
        headers={"If-Match": '"1"'},
    )
    assert other.status_code == 404
    audit = _audit(api_register)
    assert ("caseworker", "note.write", "C000001", 200) in audit
    assert ("caseworker", "note.edit", "C000001", 200) in audit
    # free text never goes into the audit trail
    with api_register.connect() as conn:
        details = " ".join(str(d) for d in conn.execute(select(s.audit_event.c.detail)).scalars())
    assert "Netto" not in details


def test_my_citizens_are_paged_with_the_total(api: Api) -> None:
    client = api["caseworker"]
    pages = [
        client.get("/api/v1/citizens", params={"size": 1, "page": n}).json() for n in (1, 2, 5)
    ]
    assert [p["total"] for p in pages] == [2, 2, 2]
    assert [len(p["items"]) for p in pages] == [1, 1, 0]
    assert {pages[0]["items"][0]["citizen"], pages[1]["items"][0]["citizen"]} == {
        "C000001",
        "C000002",
    }
    overdue = client.get("/api/v1/citizens", params={"state": "overdue"}).json()
    assert overdue["total"] == len(overdue["items"])
    assert all(item["overdue"] for item in overdue["items"])
