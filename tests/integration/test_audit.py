"""The audit trail's purge, on both databases: only the events before the retention day go,
the purge itself is recorded, and the trail is append-only again afterwards."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, select, text

from caseload.access import audit
from caseload.store import schema as s


def test_purge_removes_only_old_events_and_records_itself(engine: Engine) -> None:
    with engine.begin() as conn:
        for day in (1, 2, 20):
            audit.record(
                conn,
                audit.Event(action="case.read", request_id=f"r{day}", citizen="C000001"),
                at=datetime(2026, 1, day, 12),
            )
    with engine.begin() as conn:
        gone = audit.purge(
            conn,
            datetime(2026, 1, 10),
            audit.Event(action="audit.purge", request_id="cli", client="cli"),
        )
    assert gone == 2
    with engine.connect() as conn:
        rows, total = audit.search(conn, audit.Criteria())
    assert total == 2
    assert [r["action"] for r in rows] == ["audit.purge", "case.read"]
    assert rows[0]["detail"]["deleted"] == 2
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event"))
    with engine.connect() as conn:
        assert conn.execute(select(s.audit_event.c.request_id)).scalars().all() == ["r20", "cli"]


def test_search_filters(engine: Engine) -> None:
    with engine.begin() as conn:
        for name, action in (("anna", "case.read"), ("bo", "case.read"), ("anna", "login")):
            audit.record(conn, audit.Event(action=action, request_id="r", username=name))
    with engine.connect() as conn:
        rows, total = audit.search(conn, audit.Criteria(username="anna"), limit=1)
    assert total == 2 and len(rows) == 1 and rows[0]["action"] == "login"
