"""How many SQL statements the caseworker's pages run, on SQLite and PostgreSQL: ceilings,
not exact counts, so that a change that reads a case part by part again (a round trip
each on PostgreSQL) is caught; the pages still answer and audit as before."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event, select

from caseload.store import schema as s
from tests.api import DAY, api_on

CEILINGS = {"my caseload": 6, "a case": 16, "the meeting form": 22}
"""Statements per request (measured: 5, 15 and 20; 7, 25-27 and 29 before they were cut)."""
FORM = re.compile(r'<input[^>]*name="(version|next_day)"[^>]*value="([^"]*)"')


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def seen(*args: Any) -> None:
        text = str(args[2])
        if not text.startswith("BEGIN"):  # SQLite's own BEGIN (PostgreSQL's is not counted)
            statements.append(text)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def _within(name: str, statements: list[str]) -> None:
    assert len(statements) <= CEILINGS[name], (
        f"{name} ran {len(statements)} SQL statements, more than its ceiling of "
        f"{CEILINGS[name]} (each is a round trip on PostgreSQL: read the parts together):\n"
        + "\n".join(s[:120] for s in statements)
    )


def test_the_caseworkers_pages_stay_within_their_statements(api_register: Engine) -> None:
    a = s.audit_event
    with api_on(api_register) as api:
        web = api["caseworker"]
        engine: Engine = web.app.state.engine  # type: ignore[attr-defined]
        with counted(engine) as statements:
            listed = web.get("/caseload")
        assert listed.status_code == 200
        shown = re.findall(r'<th scope="row"><a href="/citizens/([^"]+)"', listed.text)
        assert sorted(shown) == ["C000001", "C000002"]
        _within("my caseload", statements)
        with api_register.connect() as conn:
            audited = conn.execute(
                select(a.c.citizen).where(a.c.action == "citizens.list").order_by(a.c.id)
            ).scalars()
            assert list(audited) == shown  # a row per citizen shown, in the order shown

        with counted(engine) as statements:
            read = web.get("/citizens/C000001")
        assert read.status_code == 200
        _within("a case", statements)

        offered = dict(FORM.findall(read.text))
        fields = {
            "version": offered["version"],
            "status": "held",
            "day": DAY.isoformat(),
            "place": "job_centre",
            "minutes": "45",
            "book_next": "on",
            "next_day": offered["next_day"],
            "next_place": "job_centre",
        }
        with counted(engine) as statements:
            posted = web.post("/citizens/C000001/meetings", data=fields, follow_redirects=False)
        assert posted.status_code == 303, posted.text
        _within("the meeting form", statements)
        with api_register.connect() as conn:
            version = conn.execute(
                select(s.citizen.c.version).where(s.citizen.c.code == "C000001")
            ).scalar_one()
        assert version == int(offered["version"]) + 2  # the meeting and its booking
