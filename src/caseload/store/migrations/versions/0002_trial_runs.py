"""trial runs: the design as text, and who assigned each unit, when, in which cluster

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trial") as batch:
        batch.alter_column(
            "scheme", existing_type=sa.String(length=200), type_=sa.Text(), existing_nullable=True
        )
    with op.batch_alter_table("trial_assignment") as batch:
        batch.add_column(sa.Column("cluster", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("assigned_by", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("assigned_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("trial_assignment") as batch:
        batch.drop_column("assigned_at")
        batch.drop_column("assigned_by")
        batch.drop_column("cluster")
    # the scheme (a text since this revision) is cut to the old column's 200 characters:
    # PostgreSQL refuses to narrow a column that holds longer values
    op.execute(sa.text("UPDATE trial SET scheme = substr(scheme, 1, 200)"))
    with op.batch_alter_table("trial") as batch:
        batch.alter_column(
            "scheme", existing_type=sa.Text(), type_=sa.String(length=200), existing_nullable=True
        )
