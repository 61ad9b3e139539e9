"""meeting_correction: a recorded meeting corrected with a reason, its earlier values kept

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# the code lists as they were at this revision (a migration never follows later edits)
KINDS = (
    "job_meeting",
    "follow_up",
    "three_party",
    "rehabilitation_team",
    "company_visit",
    "phone_contact",
    "other",
)
PLACES = (
    "job_centre",
    "home",
    "supplier",
    "residence",
    "hospital",
    "workplace",
    "phone",
    "video",
    "other",
)
STATUSES = ("planned", "held", "cancelled_by_citizen", "no_show", "cancelled_by_job_centre")


def _listed(column: str, values: tuple[str, ...]) -> str:
    return " OR ".join(f"{column} = '{v}'" for v in values)


def upgrade() -> None:
    op.create_table(
        "meeting_correction",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("corrected_at", sa.DateTime(), nullable=False),
        sa.Column("corrected_by", sa.String(200), nullable=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("scheduled_date", sa.Date(), nullable=True),
        sa.Column("held_date", sa.Date(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("place", sa.String(16), nullable=True),
        sa.Column("professional_id", sa.Integer(), nullable=True),
        sa.Column("absence_accepted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_meeting_correction_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professional.id"],
            name=op.f("fk_meeting_correction_professional_id_professional"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_correction")),
        sa.CheckConstraint(
            "length(trim(reason)) > 0", name=op.f("ck_meeting_correction_reason_given")
        ),
        sa.CheckConstraint(_listed("kind", KINDS), name=op.f("ck_meeting_correction_kind_code")),
        sa.CheckConstraint(_listed("place", PLACES), name=op.f("ck_meeting_correction_place_code")),
        sa.CheckConstraint(
            _listed("status", STATUSES), name=op.f("ck_meeting_correction_status_code")
        ),
    )
    op.create_index(op.f("ix_meeting_correction_meeting_id"), "meeting_correction", ["meeting_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_meeting_correction_meeting_id"), table_name="meeting_correction")
    op.drop_table("meeting_correction")
