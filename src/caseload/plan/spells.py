"""Spells on a caseload from responsibilities: overlapping and adjacent periods merged (gaps
and islands in SQL, window functions on SQLite and PostgreSQL alike).

A citizen held by one professional in two roles, or handed from one caseworker to the next,
is one spell: the plan face counts citizen-days, inflow and time on the caseload from
these, never from the raw rows."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, case, func, literal, or_, select
from sqlalchemy.sql import Subquery
from sqlalchemy.sql.elements import ColumnElement

from caseload.store import schema as s
from caseload.store.sql import day_number


def spans(
    conn: Connection,
    key: ColumnElement[Any],
    first: date | None,
    last: date,
    department_id: int | None,
    role: str | None = None,
) -> Subquery:
    """Responsibilities as (``k``: ``key``, ``citizen``, ``s``, ``e``, ``rid``) with day
    numbers, from ``first`` (None: however early) to ``last``, clipped to that window;
    covers aside (the absent colleague keeps the citizen). ``department_id``: only its
    professionals; ``role``: only that role."""
    r, p = s.responsibility, s.professional
    dialect = conn.dialect.name
    start = (
        r.c.start_date
        if first is None
        else case((r.c.start_date > first, r.c.start_date), else_=literal(first))
    )
    end = case(
        (and_(r.c.end_date.is_not(None), r.c.end_date < last), r.c.end_date), else_=literal(last)
    )
    where = [r.c.reason != "cover", r.c.start_date <= last]
    if first is not None:
        where.append(or_(r.c.end_date.is_(None), r.c.end_date >= first))
    if department_id is not None:
        where.append(p.c.department_id == department_id)
    if role is not None:
        where.append(r.c.role == role)
    return (
        select(
            key.label("k"),
            r.c.citizen_id.label("citizen"),
            day_number(start, dialect).label("s"),
            day_number(end, dialect).label("e"),
            r.c.id.label("rid"),
        )
        .join(p, p.c.id == r.c.professional_id)
        .where(*where)
        .subquery()
    )


def islands(spans: Subquery) -> Subquery:
    """Per (``k``, ``citizen``), the spans merged where they overlap or touch: one row per
    spell with its first and last day numbers (``s``, ``e``, inclusive)."""
    part = (spans.c.k, spans.c.citizen)
    # the row id breaks ties, so both windows walk the spans in one and the same order
    order = (spans.c.s, spans.c.e, spans.c.rid)
    reach = func.max(spans.c.e).over(partition_by=part, order_by=order, rows=(None, -1))
    marked = select(spans, reach.label("reach")).subquery()
    fresh = case((or_(marked.c.reach.is_(None), marked.c.s > marked.c.reach + 1), 1), else_=0)
    number = func.sum(fresh).over(
        partition_by=(marked.c.k, marked.c.citizen),
        order_by=(marked.c.s, marked.c.e, marked.c.rid),
        rows=(None, 0),
    )
    numbered = select(marked, number.label("island")).subquery()
    return (
        select(
            numbered.c.k,
            numbered.c.citizen,
            func.min(numbered.c.s).label("s"),
            func.max(numbered.c.e).label("e"),
        )
        .group_by(numbered.c.k, numbered.c.citizen, numbered.c.island)
        .subquery()
    )
