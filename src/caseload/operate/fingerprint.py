"""A plan's fingerprint: a SHA-256 of the rows a department's plan is made from on its day.

A stored plan (``operate.plans``) is applied only while its fingerprint still matches what
the register holds, so the rows are those ``department.read`` (and, for an assignment,
``department.unassigned``) build the plan from, and those ``changes.apply`` writes it with:

- the department (code, trial mark, role model) and the caseload rules that apply to it
  (its own and the job centre's);
- its staff who have started by the day (FTE, employment period, district), their roles,
  their long absences and their buddy pairs in force on the day;
- the caps in force on the day that can reach them (the job centre's, the department's,
  a person's own), in every role;
- every responsibility in force on the day of a citizen one of them holds, with the
  citizen's complexity and district, and the trial arms of those citizens;
- for an assignment, the citizens waiting (weight, district, the professional before).

A case version is not part of it: a meeting recorded meanwhile leaves the plan as valid as
it was (the write still checks each moved citizen's version). The fingerprint is
deterministic: each section's rows sorted, days as ISO days, canonical JSON (sorted keys,
no spaces), so the same register gives the same hex digest on every run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, or_, select

from caseload.operate.department import Department, on, unassigned
from caseload.register.lookup import trial_arms
from caseload.store import schema as s

__all__ = ["canonical", "fingerprint"]


def fingerprint(conn: Connection, d: Department, kind: str, include_new: bool = False) -> str:
    """The SHA-256 (hex) of what a plan of ``kind`` for ``d`` (read on ``d.day`` for
    ``d.role``) is made from; ``include_new`` as given to the assignment."""
    sections = _sections(conn, d)
    citizens = {int(row[1]) for row in sections["responsibilities"]}
    if kind == "assign":
        waiting = unassigned(conn, d, include_new)
        sections["waiting"] = [[c.id, c.code, c.weight, c.district, c.previous] for c in waiting]
        citizens |= {c.id for c in waiting}
    arms = trial_arms(conn, d.day, sorted(citizens)) if citizens else {}
    sections["trial_arms"] = [[cid, arm.trial, arm.arm] for cid, arm in arms.items()]
    header = {
        "kind": kind,
        "department": d.code,
        "day": d.day,
        "role": d.role,
        "include_new": include_new,
    }
    return hashlib.sha256(canonical({"plan": header, **_sorted(sections)})).hexdigest()


def canonical(value: Any) -> bytes:
    """``value`` as canonical JSON bytes: keys sorted, no spaces, days as ISO days."""
    return json.dumps(
        _plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _sorted(sections: dict[str, list[list[Any]]]) -> dict[str, list[Any]]:
    """Every section's rows in one order, whatever order the database returned them in."""
    return {
        name: sorted((_plain(row) for row in rows), key=lambda row: json.dumps(row))
        for name, rows in sections.items()
    }


def _rows(conn: Connection, query: Any) -> list[list[Any]]:
    return [list(row) for row in conn.execute(query)]


def _sections(conn: Connection, d: Department) -> dict[str, list[list[Any]]]:
    dep, p, pr, a = s.department, s.professional, s.professional_role, s.staff_absence
    cap, rule, bp, r, c = s.caseload_cap, s.caseload_rule, s.buddy_pair, s.responsibility, s.citizen
    staff = (
        select(p.c.id).where(p.c.department_id == d.id, p.c.start_date <= d.day).scalar_subquery()
    )
    held = select(r.c.citizen_id).where(r.c.professional_id.in_(staff), on(r, d.day))
    return {
        "department": _rows(
            conn,
            select(dep.c.id, dep.c.code, dep.c.is_trial, dep.c.role_model).where(dep.c.id == d.id),
        ),
        "rules": _rows(
            conn,
            select(*_columns(rule)).where(
                or_(rule.c.department_id == d.id, rule.c.department_id.is_(None))
            ),
        ),
        "staff": _rows(
            conn,
            select(p.c.id, p.c.code, p.c.fte, p.c.start_date, p.c.end_date, p.c.district).where(
                p.c.id.in_(staff)
            ),
        ),
        "roles": _rows(
            conn,
            select(*_columns(pr)).where(pr.c.professional_id.in_(staff), on(pr, d.day)),
        ),
        "absences": _rows(
            conn,
            select(*_columns(a)).where(
                a.c.professional_id.in_(staff), a.c.term == "long", on(a, d.day)
            ),
        ),
        "buddy_pairs": _rows(
            conn,
            select(*_columns(bp)).where(
                or_(bp.c.caseworker_id.in_(staff), bp.c.partner_id.in_(staff)), on(bp, d.day)
            ),
        ),
        "caps": _rows(
            conn,
            select(*_columns(cap)).where(
                or_(cap.c.department_id == d.id, cap.c.department_id.is_(None)),
                or_(cap.c.professional_id.in_(staff), cap.c.professional_id.is_(None)),
                on(cap, d.day),
            ),
        ),
        "responsibilities": _rows(
            conn,
            select(
                r.c.id,
                r.c.citizen_id,
                r.c.professional_id,
                r.c.role,
                r.c.start_date,
                r.c.end_date,
                r.c.reason,
                r.c.covers_professional_id,
                c.c.complexity,
                c.c.district,
            )
            .join(c, c.c.id == r.c.citizen_id)
            .where(r.c.citizen_id.in_(held), on(r, d.day)),
        ),
    }


def _columns(table: Any) -> Sequence[Any]:
    """Every column of ``table``, in its declared order."""
    return list(table.c)
