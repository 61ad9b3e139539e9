"""The caps and caseload rules stored in the register, read once for a report or a plan."""

from __future__ import annotations

from sqlalchemy import Connection, or_, select

from caseload.domain.caps import Cap
from caseload.domain.load import DEFAULT_RULE, CaseloadRule
from caseload.store import schema as s


def all_caps(conn: Connection) -> list[Cap]:
    rows = conn.execute(
        select(
            s.caseload_cap.c.role,
            s.caseload_cap.c.cap,
            s.caseload_cap.c.start_date,
            s.caseload_cap.c.end_date,
            s.department.c.code,
            s.professional.c.code,
        )
        .outerjoin(s.department, s.department.c.id == s.caseload_cap.c.department_id)
        .outerjoin(s.professional, s.professional.c.id == s.caseload_cap.c.professional_id)
    )
    return [Cap(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]


def _rule(row: dict[str, object]) -> CaseloadRule:
    return CaseloadRule(
        float(row["weight_simple"]),  # type: ignore[arg-type]
        float(row["weight_complex"]),  # type: ignore[arg-type]
        float(row["weight_very_complex"]),  # type: ignore[arg-type]
        int(row["new_staff_months"]),  # type: ignore[call-overload]
        float(row["new_staff_share"]),  # type: ignore[arg-type]
        bool(row["pro_rata_fte"]),
    )


def caseload_rules(conn: Connection) -> dict[int | None, CaseloadRule]:
    """Department id (None: the job centre's default) → its caseload rule."""
    return {
        row["department_id"]: _rule(dict(row))
        for row in conn.execute(select(s.caseload_rule)).mappings()
    }


def rule_of(rules: dict[int | None, CaseloadRule], department: int) -> CaseloadRule:
    """The department's own rule, else the job centre's, else plain counts."""
    return rules.get(department) or rules.get(None) or DEFAULT_RULE


def caseload_rule(conn: Connection, department: int) -> CaseloadRule:
    r = s.caseload_rule
    rows = conn.execute(
        select(r).where(or_(r.c.department_id == department, r.c.department_id.is_(None)))
    ).mappings()
    return rule_of({row["department_id"]: _rule(dict(row)) for row in rows}, department)
