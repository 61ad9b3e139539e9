"""The access matrix, generated from the app's own route table (the API's and the web
app's pages): every route names exactly one action of ``access.rules.RULES`` (a route
without a rule fails here), and every role × every route answers as the table says — 403
for a role the rule leaves out, never 401 or 403 (nor a server error) for a role it lets
in, 401 for nobody signed in (a page: 303 to the login page). Runs on SQLite
and PostgreSQL, with API tokens (so signing out in one call does not end the rest)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from caseload.access import accounts, rules, tokens
from caseload.serve.app import create_app
from caseload.serve.guard import action_of
from caseload.serve.settings import Settings
from tests.api import DAY, ROLES, examples_with_accounts, url_of
from tests.conftest import CopyOf

PATH_VALUES = {
    "citizen": "C000001",
    "meeting": "M0000001",
    "department": "JI6",
    "staff": "KS-001",
    "plan": "P0000001",
    "table": "departments",
    "username": "caseworker",
    "trial": "CPH-2018",
    "review": "R1",
    "case": "R1-001",
    "token": "1",
    "id": "1",
}


def _routes() -> list[APIRoute]:
    """Every API route the app answers (FastAPI's own walk over its included routers)."""
    found = [
        context.original_route
        for context in iter_route_contexts(create_app(Settings()).routes)
        if isinstance(context.original_route, APIRoute)
    ]
    assert len(found) >= 8  # guards the tests below against an empty walk
    return found


def _action(route: APIRoute) -> list[str]:
    found = [action_of(d.call) for d in route.dependant.dependencies if d.call is not None]
    return [a for a in found if a is not None]


def test_every_route_names_one_rule() -> None:
    for route in _routes():
        actions = _action(route)
        assert len(actions) == 1, f"{route.path} {route.methods}: {actions}"
        assert actions[0] == "public" or actions[0] in rules.RULES, route.path


def test_every_rule_is_used_by_a_route() -> None:
    used = {a for route in _routes() for a in _action(route)}
    assert set(rules.RULES) <= used, set(rules.RULES) - used


@pytest.fixture
def app_tokens(register_copy: CopyOf) -> Iterator[tuple[TestClient, dict[str, str]]]:
    engine = register_copy(examples_with_accounts)
    with engine.begin() as conn:
        made = {
            role: tokens.issue(conn, accounts.by_username(conn, role), "matrix")[1]  # type: ignore[arg-type]
            for role in ROLES
        }
    app = create_app(Settings(db=url_of(engine), register_day=DAY, default_lang="en"))
    with TestClient(app) as client:
        yield client, made


def _url(route: APIRoute) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: PATH_VALUES.get(m.group(1), "x"), route.path)


def test_every_role_on_every_route(app_tokens: tuple[TestClient, dict[str, str]]) -> None:
    client, made = app_tokens
    wrong: list[str] = []
    for route in _routes():
        [action] = _action(route)
        url = _url(route)
        for method in sorted(route.methods or ()):
            if method == "HEAD":
                continue
            anonymous = client.request(method, url, json={}, follow_redirects=False)
            # a page sends nobody to the login page (303) instead of answering 401
            page = "pages" in route.tags
            refused = 303 if page else 401
            expected_anonymous = "not 401/403" if action == "public" else refused
            if page and action != "public":
                assert anonymous.headers["location"].startswith("/login"), url
            if (action == "public" and anonymous.status_code in (401, 403)) or (
                action != "public" and anonymous.status_code != refused
            ):
                wrong.append(
                    f"nobody {method} {url}: {anonymous.status_code}, expected {expected_anonymous}"
                )
            for role, token in made.items():
                answer = client.request(
                    method, url, json={}, headers={"Authorization": f"Bearer {token}"}
                )
                allowed = action == "public" or rules.allows(role, action)
                status = answer.status_code
                if (
                    status >= 500
                    or (allowed and status in (401, 403))
                    or (not allowed and status != 403)
                ):
                    wrong.append(f"{role} {method} {url}: {status} (allowed: {allowed})")
    assert not wrong, "\n".join(wrong)
