"""Each citizen's primary contact on a day: the coordinating caseworker, else the company
consultant, else the mentor (the roles in codes.ROLES order); within a role a colleague
covering for an absent one (reason ``cover``) comes first; ties go to the lowest id."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import CTE, and_, case, func, or_, select
from sqlalchemy.sql import ColumnElement, Select, Subquery

from caseload.domain import codes
from caseload.store import schema as s
from caseload.store.sql import Day

_Row = TypeVar("_Row", bound=tuple[Any, ...])


def primary_contact(
    day: Day, among: Subquery | CTE | None = None, name: str = "primary_contact"
) -> Subquery:
    """(citizen_id, professional_id), one row per citizen with a contact on ``day``;
    ``among`` (a subquery with ``citizen_id``) limits the citizens looked at.

    Two plain aggregations (best role, then lowest id in it) rather than a window
    function: the same answer, several times faster on a large register.
    """
    r = s.responsibility
    on_day = select(r.c.citizen_id, r.c.professional_id, contact_rank().label("rank")).where(
        r.c.start_date <= day, or_(r.c.end_date.is_(None), r.c.end_date >= day)
    )
    if among is not None:
        on_day = on_day.where(r.c.citizen_id.in_(select(among.c.citizen_id)))
    return best_contact(on_day.subquery(f"{name}_held"), name=name)


def contact_rank() -> ColumnElement[int]:
    """A responsibility's place in the choice of the primary contact, lowest first: the role
    in codes.ROLES order, and within a role a cover before the colleague it covers for."""
    r = s.responsibility
    return case(
        *((r.c.role == role, 2 * i) for i, role in enumerate(codes.ROLES)),
        else_=2 * len(codes.ROLES),
    ) + case((r.c.reason == "cover", 0), else_=1)


def best_contact(
    held: Subquery, keys: Sequence[str] = ("citizen_id",), name: str = "primary_contact"
) -> Subquery:
    """(``keys``, professional_id): per value of ``keys`` in ``held`` (a subquery with those
    columns, ``professional_id`` and ``rank``: ``contact_rank``), the professional of the
    lowest rank, the lowest id among them. Keys beyond the citizen (a day) choose the
    contact of many days in one statement."""
    by = [held.c[key] for key in keys]
    best = select(*by, func.min(held.c.rank).label("rank")).group_by(*by).subquery(f"{name}_best")
    return (
        select(*by, func.min(held.c.professional_id).label("professional_id"))
        .join(best, and_(*(best.c[key] == held.c[key] for key in keys), best.c.rank == held.c.rank))
        .group_by(*by)
        .subquery(name)
    )


def with_primary_contact(
    query: Select[_Row],
    citizen_id: ColumnElement[Any],
    day: date,
    among: Subquery | None = None,
    *,
    team: bool = False,
) -> Select[_Row]:
    """``query`` with the primary contact on ``day`` of the citizen in ``citizen_id``
    joined: the professional (``schema.professional``), their department
    (``schema.department``) and, with ``team``, their team (``schema.team``). Outer joins:
    a citizen without a contact keeps their row, with nulls. ``among`` as above."""
    p, d, t = s.professional, s.department, s.team
    primary = primary_contact(day, among)
    query = query.outerjoin(primary, primary.c.citizen_id == citizen_id).outerjoin(
        p, p.c.id == primary.c.professional_id
    )
    if team:
        query = query.outerjoin(t, t.c.id == p.c.team_id)
    return query.outerjoin(d, d.c.id == p.c.department_id)
