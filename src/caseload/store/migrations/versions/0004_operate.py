"""operate: caseload rules (weights, new staff), meeting rules, buddy pairs, complexity,
staff districts, accepted absence, overrides and cover, and a version per citizen

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TIERS = ("simple", "complex", "very_complex")
TARGET_GROUPS = (
    "activity_ready_30_plus",
    "activity_ready_under_30",
    "job_ready_30_plus",
    "job_or_education_ready_under_30",
    "sickness_benefit",
    "resource_course",
    "flex_job",
    "integration",
)


def _listed(column: str, values: tuple[str, ...]) -> str:
    return " OR ".join(f"{column} = '{v}'" for v in values)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    complexity_check = _listed("complexity", TIERS)
    if sqlite:
        # SQLite adds a column with its own CHECK in place; no table rebuild of the citizens
        op.execute(
            "ALTER TABLE citizen ADD COLUMN complexity VARCHAR(16) "
            f"CONSTRAINT ck_citizen_complexity_code CHECK ({complexity_check})"
        )
    else:
        op.add_column("citizen", sa.Column("complexity", sa.String(16), nullable=True))
        op.create_check_constraint(op.f("ck_citizen_complexity_code"), "citizen", complexity_check)
    op.add_column("citizen", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("professional", sa.Column("district", sa.String(64), nullable=True))
    op.add_column("responsibility", sa.Column("override_reason", sa.Text(), nullable=True))
    if sqlite:
        op.execute(
            "ALTER TABLE responsibility ADD COLUMN covers_professional_id INTEGER "
            "CONSTRAINT fk_responsibility_covers_professional_id_professional "
            "REFERENCES professional (id)"
        )
    else:
        op.add_column(
            "responsibility", sa.Column("covers_professional_id", sa.Integer(), nullable=True)
        )
        op.create_foreign_key(
            op.f("fk_responsibility_covers_professional_id_professional"),
            "responsibility",
            "professional",
            ["covers_professional_id"],
            ["id"],
        )
    op.add_column(
        "meeting",
        sa.Column("absence_accepted", sa.Boolean(), nullable=False, server_default="0"),
    )
    op.create_table(
        "meeting_rule",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("target_group", sa.String(40), nullable=True),
        sa.Column("interval_months", sa.Integer(), nullable=False),
        sa.Column("first_within_days", sa.Integer(), nullable=False),
        sa.Column("follow_up_within_days", sa.Integer(), nullable=False),
        sa.Column("outreach_after_missed", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            _listed("target_group", TARGET_GROUPS), name=op.f("ck_meeting_rule_target_group_code")
        ),
        sa.CheckConstraint(
            "interval_months > 0 AND first_within_days > 0 AND follow_up_within_days > 0 "
            "AND outreach_after_missed > 0",
            name=op.f("ck_meeting_rule_positive"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_rule")),
        sa.UniqueConstraint("target_group", name=op.f("uq_meeting_rule_target_group")),
    )
    op.create_table(
        "caseload_rule",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("weight_simple", sa.Float(), nullable=False),
        sa.Column("weight_complex", sa.Float(), nullable=False),
        sa.Column("weight_very_complex", sa.Float(), nullable=False),
        sa.Column("new_staff_months", sa.Integer(), nullable=False),
        sa.Column("new_staff_share", sa.Float(), nullable=False),
        sa.Column("pro_rata_fte", sa.Boolean(), nullable=False, server_default="1"),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_caseload_rule_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caseload_rule")),
        sa.UniqueConstraint("department_id", name=op.f("uq_caseload_rule_department_id")),
        sa.CheckConstraint(
            "weight_simple > 0 AND weight_complex > 0 AND weight_very_complex > 0",
            name=op.f("ck_caseload_rule_weights"),
        ),
        sa.CheckConstraint(
            "new_staff_months >= 0 AND new_staff_share > 0 AND new_staff_share <= 1",
            name=op.f("ck_caseload_rule_new_staff"),
        ),
    )
    op.create_index(op.f("ix_caseload_rule_department_id"), "caseload_rule", ["department_id"])
    op.create_table(
        "buddy_pair",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("caseworker_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["caseworker_id"],
            ["professional.id"],
            name=op.f("fk_buddy_pair_caseworker_id_professional"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["professional.id"], name=op.f("fk_buddy_pair_partner_id_professional")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buddy_pair")),
        sa.UniqueConstraint(
            "caseworker_id", "start_date", name=op.f("uq_buddy_pair_caseworker_id_start_date")
        ),
        sa.CheckConstraint("caseworker_id <> partner_id", name=op.f("ck_buddy_pair_two_people")),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date", name=op.f("ck_buddy_pair_period")
        ),
    )
    op.create_index(op.f("ix_buddy_pair_caseworker_id"), "buddy_pair", ["caseworker_id"])
    op.create_index(op.f("ix_buddy_pair_partner_id"), "buddy_pair", ["partner_id"])


def downgrade() -> None:
    op.drop_table("buddy_pair")
    op.drop_table("caseload_rule")
    op.drop_table("meeting_rule")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if not sqlite:
        op.drop_constraint(
            op.f("fk_responsibility_covers_professional_id_professional"), "responsibility"
        )
        op.drop_constraint(op.f("ck_citizen_complexity_code"), "citizen")
    if sqlite:
        # SQLite cannot drop a column that holds a foreign key in place
        with op.batch_alter_table("responsibility", recreate="always") as batch:
            batch.drop_column("covers_professional_id")
    else:
        op.drop_column("responsibility", "covers_professional_id")
    for table, column in (
        ("meeting", "absence_accepted"),
        ("responsibility", "override_reason"),
        ("professional", "district"),
        ("citizen", "version"),
        ("citizen", "complexity"),
    ):
        # SQLite (3.35+) drops a column in place when nothing else refers to it
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
