"""review: case reviews (a sample of cases, their reviewers, scores) and the reviewer role

Revision ID: 0008
Revises: 0007

A case review (review/) stores its design (day, window, strata, seed, reviewers per case,
the rubric as JSON), the cases drawn (a label reviewers see instead of the citizen, the
stratum, the place in the stratum's seeded order), each case's reviewers (accounts, first
and second rating, the arm they guess) and their scores per rubric item. Accounts and API
tokens may have the role ``reviewer``: it reads the cases assigned to it, blinded.

SQLite rebuilds ``account`` and ``api_token`` (batch mode) to widen the role's check.
Going back refuses a register with reviewer accounts or tokens (the old check could not
hold) and drops the review tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# the code lists as they were at this revision (a migration never follows later edits)
OLD_ROLES = ("caseworker", "leader", "analyst", "admin")
ROLES = (*OLD_ROLES, "reviewer")
STRATA = ("arm", "department", "caseworker")
GUESSES = ("trial", "control", "unknown")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return " OR ".join(f"{column} = '{v}'" for v in values)


def _roles(values: tuple[str, ...]) -> None:
    for table in ("account", "api_token"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_role_code"), type_="check")
            batch_op.create_check_constraint(
                batch_op.f(f"ck_{table}_role_code"), _one_of("role", values)
            )


def upgrade() -> None:
    _roles(ROLES)
    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("stratify_by", sa.String(length=16), nullable=False),
        sa.Column("trial_id", sa.Integer(), nullable=True),
        sa.Column("per_stratum", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("reviewers_per_case", sa.Integer(), nullable=False),
        sa.Column("rubric", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(_one_of("stratify_by", STRATA), name=op.f("ck_review_stratify_by_code")),
        sa.CheckConstraint("per_stratum > 0", name=op.f("ck_review_per_stratum_positive")),
        sa.CheckConstraint(
            "reviewers_per_case BETWEEN 1 AND 5",
            name=op.f("ck_review_reviewers_per_case_range"),
        ),
        sa.CheckConstraint("window_start <= as_of", name=op.f("ck_review_window_ok")),
        sa.ForeignKeyConstraint(["trial_id"], ["trial.id"], name=op.f("fk_review_trial_id_trial")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
        sa.UniqueConstraint("code", name=op.f("uq_review_code")),
    )
    op.create_index(op.f("ix_review_trial_id"), "review", ["trial_id"], unique=False)
    op.create_table(
        "review_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("stratum", sa.String(length=200), nullable=False),
        sa.Column("draw", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizen.id"], name=op.f("fk_review_case_citizen_id_citizen")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["review.id"], name=op.f("fk_review_case_review_id_review")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_case")),
        sa.UniqueConstraint(
            "review_id", "citizen_id", name=op.f("uq_review_case_review_id_citizen_id")
        ),
        sa.UniqueConstraint("review_id", "label", name=op.f("uq_review_case_review_id_label")),
    )
    op.create_index(op.f("ix_review_case_review_id"), "review_case", ["review_id"])
    op.create_index(op.f("ix_review_case_citizen_id"), "review_case", ["citizen_id"])
    op.create_table(
        "review_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_case_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("arm_guess", sa.String(length=16), nullable=True),
        sa.Column("saved_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("slot > 0", name=op.f("ck_review_assignment_slot_positive")),
        sa.CheckConstraint(
            _one_of("arm_guess", GUESSES), name=op.f("ck_review_assignment_arm_guess_code")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_review_assignment_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["review_case_id"],
            ["review_case.id"],
            name=op.f("fk_review_assignment_review_case_id_review_case"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_assignment")),
        sa.UniqueConstraint(
            "review_case_id", "slot", name=op.f("uq_review_assignment_review_case_id_slot")
        ),
        sa.UniqueConstraint(
            "review_case_id",
            "account_id",
            name=op.f("uq_review_assignment_review_case_id_account_id"),
        ),
    )
    op.create_index(
        op.f("ix_review_assignment_review_case_id"), "review_assignment", ["review_case_id"]
    )
    op.create_index(op.f("ix_review_assignment_account_id"), "review_assignment", ["account_id"])
    op.create_table(
        "review_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_assignment_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_assignment_id"],
            ["review_assignment.id"],
            name=op.f("fk_review_score_review_assignment_id_review_assignment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_score")),
        sa.UniqueConstraint(
            "review_assignment_id", "item", name=op.f("uq_review_score_review_assignment_id_item")
        ),
    )
    op.create_index(
        op.f("ix_review_score_review_assignment_id"), "review_score", ["review_assignment_id"]
    )


def downgrade() -> None:
    bind = op.get_bind()
    for table in ("account", "api_token"):
        held = bind.execute(sa.text(f"SELECT 1 FROM {table} WHERE role = 'reviewer' LIMIT 1"))
        if held.first() is not None:
            raise RuntimeError(
                f"{table} holds reviewer rows: disable or remove them before going back"
            )
    for table in ("review_score", "review_assignment", "review_case", "review"):
        op.drop_table(table)
    _roles(OLD_ROLES)
