"""Small questions of the register that commands and pages ask before they act."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from caseload.store import schema as s


def professional_id(conn: Connection, code: str) -> int | None:
    """The register's id of the professional with this staff code, or None."""
    found = conn.execute(select(s.professional.c.id).where(s.professional.c.code == code)).first()
    return None if found is None else int(found[0])


def holds_citizens(conn: Connection) -> bool:
    """Whether any citizen is stored (a register in use, not one to build a demo into)."""
    return bool(conn.execute(select(func.count()).select_from(s.citizen)).scalar_one())
