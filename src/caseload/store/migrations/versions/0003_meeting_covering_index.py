"""meeting: one covering index (citizen, kind, status, due, held) instead of citizen alone

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_meeting_citizen_kind",
        "meeting",
        ["citizen_id", "kind", "status", "due_date", "held_date"],
    )
    op.drop_index("ix_meeting_citizen_id", table_name="meeting")


def downgrade() -> None:
    op.create_index("ix_meeting_citizen_id", "meeting", ["citizen_id"])
    op.drop_index("ix_meeting_citizen_kind", table_name="meeting")
