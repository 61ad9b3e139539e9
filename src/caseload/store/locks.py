"""Locks for the rules that span rows: a cap is judged over every citizen a professional
holds, so every write that judges one first locks the professionals it touches.

PostgreSQL: row locks on ``professional`` (``SELECT … FOR UPDATE``), always in ascending
id order and always before any citizen or responsibility row, so two writers cannot wait
for each other in a circle (a contact and a rebalance of the same department, or two moves
in opposite directions). Under READ COMMITTED each later statement sees what the writer
before committed, so the cap is judged on the loads as they are after it.

SQLite needs none: every writer takes the database's write lock at BEGIN (database.py),
so writes are serialised whole.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from caseload.store import schema as s


def lock_professionals(conn: Connection, ids: Iterable[int | None]) -> None:
    """Hold the professionals ``ids`` until the transaction ends (PostgreSQL)."""
    wanted = sorted({int(i) for i in ids if i is not None})
    if not wanted or conn.dialect.name == "sqlite":
        return
    p = s.professional
    conn.execute(select(p.c.id).where(p.c.id.in_(wanted)).order_by(p.c.id).with_for_update())
