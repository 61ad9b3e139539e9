"""Accounts for the demo job centre served by ``caseload demo --serve``: one per role, each
with a password made at start (printed once, never a default): a coordinating caseworker of
the trial department holding the most citizens on the day, the leader of that department,
an analyst, an admin, and a reviewer (the demo's case review deals it cases: synth/review.py)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, func, or_, select

from caseload.access import accounts
from caseload.store import schema as s

USERNAMES = {
    "caseworker": "demo-caseworker",
    "leader": "demo-leader",
    "analyst": "demo-analyst",
    "admin": "demo-admin",
    "reviewer": "demo-reviewer",
}


@dataclass(frozen=True)
class DemoAccount:
    role: str
    username: str
    password: str
    staff: str | None


def _busiest_caseworker(conn: Connection, day: date) -> tuple[str, str]:
    """(staff code, department code) of the coordinating caseworker holding the most
    citizens on ``day``."""
    r, p, d = s.responsibility, s.professional, s.department
    row = conn.execute(
        select(p.c.code, d.c.code.label("department"))
        .join(r, r.c.professional_id == p.c.id)
        .join(d, d.c.id == p.c.department_id)
        .where(
            r.c.role == "coordinating_caseworker",
            r.c.start_date <= day,
            or_(r.c.end_date.is_(None), r.c.end_date >= day),
        )
        .group_by(p.c.code, d.c.code)
        .order_by(func.count().desc(), p.c.code)
        .limit(1)
    ).first()
    if row is None:
        raise LookupError(f"no coordinating caseworker holds citizens on {day}")
    return str(row.code), str(row.department)


def _colleague(conn: Connection, staff: str, department: str) -> str:
    """Another professional of the department (the leader's account is linked to one)."""
    p, d = s.professional, s.department
    found = conn.execute(
        select(p.c.code)
        .join(d, d.c.id == p.c.department_id)
        .where(d.c.code == department, p.c.code != staff)
        .order_by(p.c.code)
        .limit(1)
    ).scalar_one_or_none()
    return str(found) if found is not None else staff


def add_demo_accounts(conn: Connection, day: date, lang: str) -> list[DemoAccount]:
    """The four accounts (made again with new passwords when they exist)."""
    staff, department = _busiest_caseworker(conn, day)
    made = []
    for role, username in USERNAMES.items():
        password = secrets.token_urlsafe(12)
        linked: dict[str, object] = {}
        if role == "caseworker":
            linked = {"staff": staff}
        elif role == "leader":
            linked = {"staff": _colleague(conn, staff, department), "departments": [department]}
        if accounts.by_username(conn, username) is None:
            accounts.add_account(conn, username, role, password, lang=lang, **linked)  # type: ignore[arg-type]
        else:
            accounts.set_password(conn, username, password)
        made.append(DemoAccount(role, username, password, linked.get("staff")))  # type: ignore[arg-type]
    return made
