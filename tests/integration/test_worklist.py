"""The working list (operate.worklist) on the demo job centre: for a caseworker's and a
department's scope, every filter, order and page agrees with the whole register's due dates
(operate.rhythm.due_frame) and with the flags worked out here in Python from every medical
request, progress report, course and placement; and the cached statement (a list of ids)
and the statement built per call (the scope as a subquery, for very large scopes) give the
same pages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest
from sqlalchemy import Engine, Select, func, insert, or_, select

from caseload.operate import worklist as worklists
from caseload.operate.rhythm import due_frame
from caseload.store import schema as s
from caseload.store.database import reader

DAY = date(2019, 3, 1)
ROLES = (None, "coordinating_caseworker")
r, p = s.responsibility, s.professional
OPEN = (r.c.start_date <= DAY, or_(r.c.end_date.is_(None), r.c.end_date >= DAY))


def _scopes(conn: Any) -> dict[str, Select[Any]]:
    """The busiest caseworker's responsibilities, and the busiest department's."""
    busiest = conn.execute(
        select(r.c.professional_id)
        .where(*OPEN)
        .group_by(r.c.professional_id)
        .order_by(func.count().desc(), r.c.professional_id)
        .limit(1)
    ).scalar_one()
    department = conn.execute(select(p.c.department_id).where(p.c.id == busiest)).scalar_one()
    base = select(r.c.citizen_id, r.c.role, r.c.professional_id).where(*OPEN)
    return {
        "caseworker": base.where(r.c.professional_id == busiest),
        "department": base.join(p, p.c.id == r.c.professional_id).where(
            p.c.department_id == department
        ),
    }


def _running(start: date, end: date | None) -> bool:
    return start <= DAY and (end is None or end >= DAY)


def _flags(conn: Any) -> dict[int, tuple[int, int, bool]]:
    """citizen id -> (open medical requests, reports waiting, passive), from every row."""
    medical: dict[int, int] = {}
    for cid, sent, followed in conn.execute(
        select(
            s.medical_request.c.citizen_id,
            s.medical_request.c.sent_date,
            s.medical_request.c.followed_up_date,
        )
    ):
        if sent <= DAY and (followed is None or followed > DAY):
            medical[cid] = medical.get(cid, 0) + 1
    o, pr = s.supplier_order, s.progress_report
    waiting: dict[int, int] = {}
    for cid, received, acted in conn.execute(
        select(o.c.citizen_id, pr.c.received_date, pr.c.acted_on_date).join(
            pr, pr.c.order_id == o.c.id
        )
    ):
        if received is not None and received <= DAY and (acted is None or acted > DAY):
            waiting[cid] = waiting.get(cid, 0) + 1
    active = {
        cid
        for table in (o, s.company_placement)
        for cid, start, end in conn.execute(
            select(table.c.citizen_id, table.c.start_date, table.c.end_date)
        )
        if _running(start, end)
    }
    ids = conn.execute(select(s.citizen.c.id)).scalars()
    return {i: (medical.get(i, 0), waiting.get(i, 0), i not in active) for i in ids}


def _expected(
    conn: Any, scope: Select[Any], state: str | None, role: str | None, sort: str = "due"
) -> list[tuple[str, date | None, tuple[int, int, bool]]]:
    """(citizen code, due, flags) in the list's order, worked out from the whole register."""
    mine = scope.subquery()
    query = select(mine.c.citizen_id)
    if role is not None:
        query = query.where(mine.c.role == role)
    ids = {int(i) for i in conn.execute(query).scalars()}
    codes = dict(conn.execute(select(s.citizen.c.id, s.citizen.c.code)).all())
    frame = due_frame(conn, DAY).filter(pl.col("citizen_id").is_in(sorted(ids)))
    soon = DAY + timedelta(days=worklists.SOON_DAYS)
    if state == "overdue":
        frame = frame.filter(pl.col("due") < DAY)
    elif state == "due_soon":
        frame = frame.filter(pl.col("due") <= soon)
    elif state == "outreach":
        frame = frame.filter(pl.col("outreach"))
    flags = _flags(conn)
    rows = [
        (codes[c], d, flags[c], held, planned)
        for c, d, held, planned in frame.select(
            "citizen_id", "due", "last_held", "planned"
        ).iter_rows()
    ]
    wanted = {
        None: lambda row: True,
        "medical": lambda row: row[2][0] > 0,
        "reports": lambda row: row[2][1] > 0,
        "passive": lambda row: row[2][2],
    }.get(state, lambda row: True)
    keys = {
        "due": lambda row: (row[1] is None, row[1] or DAY, row[0]),
        "citizen": lambda row: (row[0],),
        "last_held": lambda row: (row[3] is not None, row[3] or DAY, row[0]),
        "planned": lambda row: (row[4] is None, row[4] or DAY, row[0]),
    }
    return [row[:3] for row in sorted(filter(wanted, rows), key=keys[sort])]


@pytest.mark.parametrize(
    ("state", "role", "sort"),
    [
        *((state, role, "due") for state in (None, *worklists.STATES) for role in ROLES),
        *((None, None, sort) for sort in worklists.SORTS if sort != "due"),
        ("passive", None, "last_held"),
    ],
)
def test_every_filter_and_order_agrees_with_the_whole_register(
    demo: Engine, state: str | None, role: str | None, sort: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = 0
    # a write transaction, rolled back at the end: the shared demo is left as it was
    with demo.connect() as conn:
        _two_no_shows(conn, _scopes(conn)["caseworker"])
        for name, scope in _scopes(conn).items():
            expected = _expected(conn, scope, state, role, sort)
            listed += len(expected)
            pages = []
            for cached in (worklists.CACHED_SCOPE, 0):  # 0: every scope as a subquery
                monkeypatch.setattr(worklists, "CACHED_SCOPE", cached)
                whole = worklists.worklist(
                    conn, DAY, scope, state, role, limit=len(expected), sort=sort
                )
                assert [
                    (e.citizen, e.due, (e.medical_open, e.reports_waiting, e.passive))
                    for e in whole.entries
                ] == expected, (name, cached)
                assert whole.total == len(expected)
                size = max(1, len(expected) // 3)
                paged = [
                    worklists.worklist(
                        conn, DAY, scope, state, role, offset=o, limit=size, sort=sort
                    )
                    for o in range(0, len(expected) + size, size)
                ]
                assert [e.citizen for page in paged for e in page.entries] == [
                    c for c, _, _ in expected
                ]
                assert {page.total for page in paged} == {len(expected)}  # past the end too
                pages.append(whole.entries)
            assert pages[0] == pages[1]
        conn.rollback()
    assert listed > 0  # every filter lists citizens (in one scope or the other)


def _two_no_shows(conn: Any, scope: Select[Any]) -> None:
    """Two no-shows since the day before for three citizens of ``scope``: flagged for
    outreach (the demo has no such citizen on DAY)."""
    mine = scope.subquery()
    some = conn.execute(
        select(mine.c.citizen_id).distinct().order_by(mine.c.citizen_id).limit(3)
    ).scalars()
    conn.execute(
        insert(s.meeting),
        [
            {
                "code": f"T-NOSHOW-{cid}-{back}",
                "citizen_id": cid,
                "kind": "job_meeting",
                "scheduled_date": DAY - timedelta(days=back),
                "status": "no_show",
            }
            for cid in some
            for back in (0, 1)
        ],
    )


def test_an_empty_scope_is_an_empty_list(demo: Engine) -> None:
    with reader(demo).connect() as conn:
        nobody = select(r.c.citizen_id, r.c.role, r.c.professional_id).where(
            r.c.professional_id == -1
        )
        found = worklists.worklist(conn, DAY, nobody)
    assert (found.entries, found.total) == ((), 0)
