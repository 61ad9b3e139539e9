"""Each citizen's primary contact on a day: the coordinating caseworker, else the company
consultant, else the mentor (the roles in codes.ROLES order); ties go to the lowest id."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.sql import Subquery

from caseload.domain import codes
from caseload.store import schema as s


def primary_contact(day: date, name: str = "primary_contact") -> Subquery:
    """A subquery of (citizen_id, professional_id, role), one row per citizen with a contact."""
    r = s.responsibility
    rank = case(*((r.c.role == role, i) for i, role in enumerate(codes.ROLES)),
                else_=len(codes.ROLES))
    ranked = (
        select(
            r.c.citizen_id, r.c.professional_id, r.c.role,
            func.row_number().over(partition_by=r.c.citizen_id,
                                   order_by=(rank, r.c.professional_id)).label("place"),
        )
        .where(r.c.start_date <= day, or_(r.c.end_date.is_(None), r.c.end_date >= day))
        .subquery(f"{name}_ranked")
    )
    return (
        select(ranked.c.citizen_id, ranked.c.professional_id, ranked.c.role)
        .where(and_(ranked.c.place == 1))
        .subquery(name)
    )
