"""PostgreSQL roles: the tables' owner runs migrations; the application connects as a role
that owns no table and may read and write the register's rows, but only INSERT and SELECT
on the audit trail (no UPDATE, DELETE or TRUNCATE, no DDL, and it cannot lift the audit
trail's trigger, which only the owner may). docs/serve.md says how to set both up."""

from __future__ import annotations

from sqlalchemy import Engine, text

from caseload.store.schema import audit_event

READ_ONLY_TABLES = ("alembic_version",)


def grant_app_role(engine: Engine, role: str) -> None:
    """Give ``role`` (which must exist) what the application needs; run as the owner."""
    with engine.begin() as conn:
        if conn.dialect.name != "postgresql":
            raise ValueError("application roles are a PostgreSQL matter")
        quoted = conn.dialect.identifier_preparer.quote_identifier(role)
        database = conn.dialect.identifier_preparer.quote_identifier(
            conn.execute(text("SELECT current_database()")).scalar_one()
        )
        audit = audit_event.name
        for statement in (
            f"GRANT CONNECT ON DATABASE {database} TO {quoted}",
            f"GRANT USAGE ON SCHEMA public TO {quoted}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
            f"REVOKE UPDATE, DELETE, TRUNCATE ON {audit} FROM {quoted}",
            *(f"REVOKE INSERT, UPDATE, DELETE ON {t} FROM {quoted}" for t in READ_ONLY_TABLES),
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        ):
            conn.execute(text(statement))


def role_exists(engine: Engine, role: str) -> bool:
    with engine.connect() as conn:
        return (
            conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
            is not None
        )
