"""docs/api.md, generated from the app's own routes and access rules
(``python -m caseload.serve.docs > docs/api.md``; tests/unit/test_docs.py keeps it current)."""

from __future__ import annotations

import sys

from fastapi.routing import APIRoute, iter_route_contexts

from caseload.access.rules import RULES
from caseload.serve.app import create_app
from caseload.serve.guard import action_of
from caseload.serve.settings import Settings

INTRO = """# The JSON API

`caseload serve` answers under `/api/v1`; the OpenAPI document is at `/openapi.json` (every
route, body and answer, every error status). Running it, roles, PostgreSQL roles and the
audit trail: `docs/serve.md`. This file is generated from the code
(`python -m caseload.serve.docs > docs/api.md`).

## Conventions

- **Sign in** with `POST /api/v1/session` (`{"username", "password"}`): a session cookie,
  and a CSRF token to send as `X-CSRF-Token` on every change. Other systems send an API token
  (`caseload users token`) as `Authorization: Bearer cl_…` and need no CSRF token.
- **Who may**: every route names one action of the access table (below, with the roles it
  allows). A role without it gets 403; a citizen, department or staff member outside the
  caller's scope is 404, whether or not it exists.
- **Editing a case** carries the version read: `GET /api/v1/citizens/{citizen}` answers with
  `ETag: "7"`; send it back as `If-Match: "7"`. Without it: 428; stale: 412 with
  `current_version`; nothing is written either way. The answer's `ETag` is the new version.
- **Errors** are RFC 9457 problem details (`application/problem+json`: `title`, `status`,
  `detail`, `request_id`, and `errors` — each with its place — for a refused form or file) in
  the language of `Accept-Language` (`da` or `en`; else the account's language).
- **Lists** are paged: `?page=1&size=50` → `{"items", "page", "size", "total"}`; filters are
  query parameters.
- **Days**: the server reads caseloads and scopes on its register day (`--as-of`, for the
  demo; else today). Dates are ISO (`2019-03-01`).

## Examples

curl, with a cookie jar:

```sh
BASE=http://127.0.0.1:8000
TOKEN=$(curl -s -c jar -H 'Content-Type: application/json' \\
  -d '{"username": "anna", "password": "…"}' $BASE/api/v1/session | jq -r .csrf_token)
curl -s -b jar "$BASE/api/v1/citizens?state=overdue&size=20"
curl -s -b jar -D - "$BASE/api/v1/citizens/C0000042" -o case.json      # ETag: "7"
curl -s -b jar -H "X-CSRF-Token: $TOKEN" -H 'If-Match: "7"' -H 'Content-Type: application/json' \\
  -d '{"status": "held", "day": "2019-03-01", "place": "home", "minutes": 60,
       "next": {"day": "2019-05-28"}}' \\
  "$BASE/api/v1/citizens/C0000042/meetings"
```

Python (httpx), with an API token:

```python
import httpx

api = httpx.Client(
    base_url="http://127.0.0.1:8000/api/v1",
    headers={"Authorization": "Bearer cl_…", "Accept-Language": "da"},
)
overdue = api.get("/citizens", params={"state": "overdue"}).json()
for item in overdue["items"]:
    case = api.get(f"/citizens/{item['citizen']}")
    version = case.headers["ETag"]
    done = api.post(
        f"/citizens/{item['citizen']}/meetings",
        json={"status": "planned", "day": "2019-03-08"},
        headers={"If-Match": version},
    )
    if done.status_code == 412:  # someone else changed the case: read it again
        print(done.json()["detail"])
```
"""


def _routes() -> list[APIRoute]:
    found = [
        context.original_route
        for context in iter_route_contexts(create_app(Settings()).routes)
        if isinstance(context.original_route, APIRoute)
        and "pages" not in context.original_route.tags  # the web app's pages: not the API
    ]
    return sorted(found, key=lambda r: (r.path, sorted(r.methods or ())))


def _what(route: APIRoute) -> str:
    doc = (route.endpoint.__doc__ or "").strip().split("\n\n")[0]
    text = " ".join(doc.split()) or route.name.replace("_", " ")
    return text.replace("|", "\\|")


def markdown() -> str:
    lines = [
        INTRO,
        "## Routes",
        "",
        "| method | path | what | action (roles) | errors |",
        "|---|---|---|---|---|",
    ]
    for route in _routes():
        actions = [a for d in route.dependant.dependencies if d.call and (a := action_of(d.call))]
        action = actions[0] if actions else "?"
        who = (
            "anyone"
            if action == "public"
            else f"`{action}` ({', '.join(sorted(RULES[action].roles))})"
        )
        errors = ", ".join(
            str(s) for s in sorted(k for k in route.responses if str(k).isdigit() and int(k) >= 400)
        )
        for method in sorted(route.methods or ()):
            lines.append(f"| {method} | `{route.path}` | {_what(route)} | {who} | {errors} |")
    lines += ["", "## The access table", "", "| action | roles | what |", "|---|---|---|"]
    for name, rule in RULES.items():
        lines.append(f"| `{name}` | {', '.join(sorted(rule.roles))} | {rule.what} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
