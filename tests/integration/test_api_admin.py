"""The admin API on the example register, on SQLite and PostgreSQL: imports by upload
(all or nothing, size limit, suffixes, a file name that is never a path), exports as
downloads, the admin tables as resources, accounts and API tokens, one's own password,
the audit search — and a caseworker refused on every admin route."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from caseload.register import catalogue
from caseload.serve.settings import Settings
from caseload.store import schema as s
from tests.api import DAY, PASSWORD, Api, api_on, sign_in, url_of
from tests.conftest import EXAMPLES

NEW_DEPARTMENT = (
    b"department_id,name,is_trial,role_model\nJI7,JKI Job og Indsats 7,false,all_apart\n"
)
BAD_TEAMS = b"team_id,department_id,name\nJI1-B,JI1,Team B\nJI9-A,NOPE,Team A\n"


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(select(func.count()).select_from(catalogue.spec(table).table)).scalar_one()
        )


def _actions(engine: Engine) -> list[tuple[str | None, str, int | None]]:
    a = s.audit_event
    with engine.connect() as conn:
        return [(r.username, r.action, r.status) for r in conn.execute(select(a).order_by(a.c.id))]


def test_an_example_file_uploads_and_again_changes_nothing(api: Api, api_register: Engine) -> None:
    admin = api["admin"]
    files = {"file": ("teams.csv", (EXAMPLES / "teams.csv").read_bytes(), "text/csv")}
    answer = admin.post("/api/v1/imports/teams", files=files)
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"table": "teams", "inserted": 0, "updated": 0, "unchanged": 2}
    answer = admin.post(
        "/api/v1/imports/departments", files={"file": ("d.csv", NEW_DEPARTMENT, "text/csv")}
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["inserted"] == 1
    assert _count(api_register, "departments") == 3
    assert ("admin", "register.import", 201) in _actions(api_register)


def test_a_bad_row_refuses_the_whole_file(api: Api, api_register: Engine) -> None:
    before = _count(api_register, "teams")
    answer = api["admin"].post(
        "/api/v1/imports/teams", files={"file": ("teams.csv", BAD_TEAMS, "text/csv")}
    )
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    # the row as a spreadsheet numbers it (the header is row 1)
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(3, "department_id")]
    assert all(e["file"] == "teams.csv" for e in body["errors"])
    assert "/tmp" not in answer.text and "caseload-upload" not in answer.text
    assert _count(api_register, "teams") == before  # the good first row was not written either
    assert ("admin", "register.import", 422) in _actions(api_register)


def test_an_upload_over_the_limit_is_413_and_nothing_is_imported(api_register: Engine) -> None:
    settings = Settings(
        db=url_of(api_register), register_day=DAY, default_lang="en", upload_limit=64
    )
    with api_on(api_register, settings) as api:
        answer = api["admin"].post(
            "/api/v1/imports/departments", files={"file": ("d.csv", NEW_DEPARTMENT, "text/csv")}
        )
        assert answer.status_code == 413, answer.text
        assert answer.json()["status"] == 413
        assert "64 bytes" in answer.json()["detail"]
    assert _count(api_register, "departments") == 2
    leftovers = list(Path(tempfile.gettempdir()).glob("caseload-upload-*"))
    assert leftovers == []


def test_a_declared_oversized_upload_is_refused_before_it_is_read(api_register: Engine) -> None:
    settings = Settings(
        db=url_of(api_register), register_day=DAY, default_lang="en", upload_limit=1024
    )
    big = (
        NEW_DEPARTMENT + b"#" * (200 * 1024)
        if isinstance(NEW_DEPARTMENT, bytes)
        else (NEW_DEPARTMENT + "#" * (200 * 1024))
    )
    with api_on(api_register, settings) as api:
        answer = api["admin"].post(
            "/api/v1/imports/departments",
            files={"file": ("d.csv", big, "text/csv")},
            headers={"Accept-Language": "da"},
        )
        assert answer.status_code == 413, answer.text
        assert "1.024 byte" in answer.json()["detail"]
    assert _count(api_register, "departments") == 2


@pytest.mark.parametrize(
    "name", ["../../caseload-escape.csv", "..\\..\\caseload-escape.csv", "/tmp/caseload-escape.csv"]
)
def test_the_client_file_name_is_never_a_path(api: Api, api_register: Engine, name: str) -> None:
    answer = api["admin"].post(
        "/api/v1/imports/departments", files={"file": (name, NEW_DEPARTMENT, "text/csv")}
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["inserted"] == 1
    temp = Path(tempfile.gettempdir())
    for place in (temp / "caseload-escape.csv", temp.parent / "caseload-escape.csv"):
        assert not place.exists()
    assert not (Path.cwd().parent.parent / "caseload-escape.csv").exists()
    assert not Path("caseload-escape.csv").exists()


@pytest.mark.parametrize("name", ["teams.txt", "teams", "teams.csv.exe", "..", ""])
def test_an_unsupported_suffix_is_415(api: Api, api_register: Engine, name: str) -> None:
    answer = api["admin"].post(
        "/api/v1/imports/teams", files={"file": (name or "x", BAD_TEAMS, "text/csv")}
    )
    assert answer.status_code == 415, answer.text
    assert answer.json()["detail"] == "the file must be .csv, .xlsx, .parquet"
    danish = api["admin"].post(
        "/api/v1/imports/teams",
        files={"file": (name or "x", BAD_TEAMS, "text/csv")},
        headers={"Accept-Language": "da"},
    )
    assert danish.json()["detail"] == "filen skal være .csv, .xlsx, .parquet"
    assert _count(api_register, "teams") == 2


def test_an_unknown_table_is_404(api: Api) -> None:
    files = {"file": ("x.csv", NEW_DEPARTMENT, "text/csv")}
    assert api["admin"].post("/api/v1/imports/nope", files=files).status_code == 404
    assert api["admin"].get("/api/v1/exports/nope").status_code == 404


def test_exports_download_in_both_formats(api: Api, api_register: Engine) -> None:
    answer = api["admin"].get("/api/v1/exports/departments", params={"format": "csv"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-disposition"] == 'attachment; filename="departments.csv"'
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["department_id"] for r in rows] == ["JI1", "JI6"]
    answer = api["admin"].get("/api/v1/exports/staff", params={"format": "parquet"})
    assert answer.status_code == 200, answer.text
    assert 'filename="staff.parquet"' in answer.headers["content-disposition"]
    assert pl.read_parquet(io.BytesIO(answer.content)).height == _count(api_register, "staff")
    assert ("admin", "register.export", 200) in _actions(api_register)
    assert api["admin"].get("/api/v1/exports/staff?format=xml").status_code == 422


def test_admin_tables_read_and_write_all_or_nothing(api: Api, api_register: Engine) -> None:
    admin = api["admin"]
    answer = admin.get("/api/v1/register/departments")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["total"] == 2
    assert [r["department_id"] for r in body["items"]] == ["JI1", "JI6"]
    assert admin.get("/api/v1/register/caps", params={"size": 2}).json()["total"] == 4
    new = [{"department_id": "JI7", "name": "Seven", "is_trial": False, "role_model": "all_apart"}]
    answer = admin.post("/api/v1/register/departments", json=new)
    assert answer.status_code == 200, answer.text
    assert answer.json()["inserted"] == 1
    bad = [
        {"team_id": "JI7-A", "department_id": "JI7", "name": "Team A"},
        {"team_id": "X-A", "department_id": "NOPE", "name": "Team X"},
    ]
    before = _count(api_register, "teams")
    answer = admin.post("/api/v1/register/teams", json=bad)
    assert answer.status_code == 422, answer.text
    assert [(e["row"], e["column"]) for e in answer.json()["errors"]] == [(2, "department_id")]
    assert _count(api_register, "teams") == before
    assert admin.get("/api/v1/register/staff").status_code == 404
    assert admin.post("/api/v1/register/citizens", json=new).status_code == 404
    assert ("admin", "register.manage", 200) in _actions(api_register)


def test_accounts_and_tokens(api: Api, api_register: Engine) -> None:
    admin = api["admin"]
    listed = admin.get("/api/v1/accounts", params={"role": "leader"}).json()
    assert [a["username"] for a in listed["items"]] == ["leader"] and listed["total"] == 1
    answer = admin.post(
        "/api/v1/accounts",
        json={
            "username": "ks2",
            "role": "caseworker",
            "staff": "KS-002",
            "password": PASSWORD,
            "lang": "en",
        },
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["staff"] == "KS-002" and answer.json()["active"] is True
    again = admin.post(
        "/api/v1/accounts", json={"username": "ks2", "role": "analyst", "password": PASSWORD}
    )
    assert again.status_code == 400 and "taken" in again.json()["detail"]
    assert admin.get("/api/v1/accounts/ks2").json()["role"] == "caseworker"
    assert admin.get("/api/v1/accounts/nobody").status_code == 404
    answer = admin.patch("/api/v1/accounts/leader", json={"departments": ["JI1"]})
    assert answer.status_code == 200, answer.text
    assert sorted(answer.json()["departments"]) == ["JI1", "JI6"]

    issued = admin.post("/api/v1/accounts/ks2/tokens", json={"name": "robot"})
    assert issued.status_code == 201, issued.text
    token, token_id = issued.json()["token"], issued.json()["id"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.anonymous.get("/api/v1/me", headers=bearer).json()["username"] == "ks2"
    shown = admin.get("/api/v1/tokens").json()
    assert [t["name"] for t in shown["items"]] == ["robot"]
    assert token not in str(shown)
    assert admin.delete(f"/api/v1/tokens/{token_id}").status_code == 204
    assert api.anonymous.get("/api/v1/me", headers=bearer).status_code == 401
    assert admin.delete(f"/api/v1/tokens/{token_id}").status_code == 404

    assert admin.patch("/api/v1/accounts/ks2", json={"disable": True}).json()["active"] is False
    fresh = TestClient(api.anonymous.app)
    refused = fresh.post("/api/v1/session", json={"username": "ks2", "password": PASSWORD})
    assert refused.status_code == 401
    # enabled again: signs in; the token revoked on disabling stays revoked
    assert admin.patch("/api/v1/accounts/ks2", json={"disable": False}).json()["active"] is True
    back = fresh.post("/api/v1/session", json={"username": "ks2", "password": PASSWORD})
    assert back.status_code == 200, back.text
    assert api.anonymous.get("/api/v1/me", headers=bearer).status_code == 401
    done = {action for _, action, _ in _actions(api_register)}
    assert {"account.add", "account.disable", "account.enable", "token.add", "token.revoke"} <= (
        done
    )


def test_my_password(api: Api) -> None:
    me = api["caseworker"]
    new = "a much longer new passphrase"
    wrong = me.put("/api/v1/me/password", json={"current": "not it at all", "new": new})
    assert wrong.status_code == 400, wrong.text
    assert "current password" in wrong.json()["detail"]
    done = me.put("/api/v1/me/password", json={"current": PASSWORD, "new": new})
    assert done.status_code == 204, done.text
    fresh = TestClient(api.anonymous.app)
    sign_in(fresh, "caseworker", new)
    old = fresh.post("/api/v1/session", json={"username": "caseworker", "password": PASSWORD})
    assert old.status_code == 401


def test_audit_search_and_export(api: Api, api_register: Engine) -> None:
    admin = api["admin"]
    admin.get("/api/v1/exports/teams")
    api["caseworker"].get("/api/v1/citizens")
    answer = admin.get("/api/v1/audit", params={"action": "register.export"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["total"] == 1
    assert body["items"][0]["username"] == "admin"
    assert body["items"][0]["detail"] == {"table": "teams", "rows": 2}
    by_user = admin.get("/api/v1/audit", params={"username": "caseworker", "size": 1}).json()
    assert by_user["total"] >= 1 and len(by_user["items"]) == 1
    exported = admin.get("/api/v1/audit/export", params={"username": "caseworker"})
    assert exported.status_code == 200
    assert exported.headers["content-disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == by_user["total"]
    assert {r["username"] for r in rows} == {"caseworker"}
    reads = admin.get("/api/v1/audit", params={"action": "audit.read"}).json()
    assert reads["total"] >= 3  # the two searches and the export above were audited


ADMIN_ROUTES = [
    ("post", "/api/v1/imports/teams"),
    ("get", "/api/v1/exports/teams"),
    ("get", "/api/v1/accounts"),
    ("post", "/api/v1/accounts"),
    ("get", "/api/v1/accounts/admin"),
    ("patch", "/api/v1/accounts/admin"),
    ("post", "/api/v1/accounts/admin/tokens"),
    ("get", "/api/v1/tokens"),
    ("delete", "/api/v1/tokens/1"),
    ("get", "/api/v1/register/departments"),
    ("post", "/api/v1/register/departments"),
    ("get", "/api/v1/audit"),
    ("get", "/api/v1/audit/export"),
]


def test_a_caseworker_is_refused_every_admin_route(api: Api, api_register: Engine) -> None:
    for method, path in ADMIN_ROUTES:
        answer = api["caseworker"].request(method.upper(), path)
        assert answer.status_code == 403, (method, path, answer.text)
    refused = [r for r in _actions(api_register) if r[0] == "caseworker" and r[2] == 403]
    assert len(refused) == len(ADMIN_ROUTES)
