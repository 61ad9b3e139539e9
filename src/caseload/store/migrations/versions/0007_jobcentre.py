"""jobcentre: the job centre (municipality) a department and a citizen belong to

Revision ID: 0007
Revises: 0006

A register that holds departments or citizens gets one job centre, the default (code
``default``, name ``Jobcenter``), and every existing department and citizen belongs to it.
An empty register gets none: its first import makes one (register/jobcentres.py). A CPR
hash is unique within a job centre from now on, not in the whole register.

SQLite rebuilds ``department`` and ``citizen`` (batch mode) to add the NOT NULL foreign
keys and swap the unique constraint; env.py runs migrations there with foreign keys off
and checks them all before the commit. Going back refuses a register where two job centres
hold the same CPR hash (the old constraint could not hold) and forgets the job centres.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# the default job centre as it was at this revision (register/jobcentres.py names it too)
DEFAULT_CODE = "default"
DEFAULT_NAME = "Jobcenter"
# the code lists as they were at this revision (a migration never follows later edits)
TIERS = ("simple", "complex", "very_complex")
ORIGINS = ("danish", "western", "non_western")
SEXES = ("female", "male")
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


def _holds_rows(table: str) -> bool:
    found = op.get_bind().execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first()
    return found is not None


def upgrade() -> None:
    jobcentre = op.create_table(
        "jobcentre",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobcentre")),
        sa.UniqueConstraint("code", name=op.f("uq_jobcentre_code")),
    )
    assert jobcentre is not None
    default_id = None
    if _holds_rows("department") or _holds_rows("citizen"):
        bind = op.get_bind()
        bind.execute(sa.insert(jobcentre).values(code=DEFAULT_CODE, name=DEFAULT_NAME))
        default_id = bind.execute(
            sa.select(jobcentre.c.id).where(jobcentre.c.code == DEFAULT_CODE)
        ).scalar_one()
    for table in ("department", "citizen"):
        # in place on both databases: a nullable column without a constraint
        op.add_column(table, sa.Column("jobcentre_id", sa.Integer(), nullable=True))
        if default_id is not None:
            op.execute(sa.text(f"UPDATE {table} SET jobcentre_id = {int(default_id)}"))

    with op.batch_alter_table("department", schema=None) as batch_op:
        batch_op.alter_column("jobcentre_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_department_jobcentre_id_jobcentre"),
            "jobcentre",
            ["jobcentre_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_department_jobcentre_id"), ["jobcentre_id"], unique=False
        )

    with op.batch_alter_table("citizen", schema=None) as batch_op:
        batch_op.alter_column("jobcentre_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_citizen_jobcentre_id_jobcentre"), "jobcentre", ["jobcentre_id"], ["id"]
        )
        batch_op.drop_constraint(batch_op.f("uq_citizen_cpr_hash"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_citizen_jobcentre_id_cpr_hash"), ["jobcentre_id", "cpr_hash"]
        )


def _listed(column: str, values: tuple[str, ...]) -> str:
    return " OR ".join(f"{column} = '{v}'" for v in values)


def _citizen() -> sa.Table:
    """The citizen table at this revision, for SQLite's rebuild on the way back: reflected,
    the complexity CHECK of 0004 would come back as a table constraint, and 0004's own
    downgrade (a column dropped in place) would then fail."""
    return sa.Table(
        "citizen",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("cpr_hash", sa.String(length=64), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=8), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("target_group", sa.String(length=40), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=True),
        sa.Column("public_benefit_since", sa.Date(), nullable=True),
        sa.Column("kontanthjaelp_since", sa.Date(), nullable=True),
        sa.Column(
            "complexity",
            sa.String(length=16),
            sa.CheckConstraint(_listed("complexity", TIERS), name="ck_citizen_complexity_code"),
            nullable=True,
        ),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("jobcentre_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(_listed("origin", ORIGINS), name="ck_citizen_origin_code"),
        sa.CheckConstraint(_listed("sex", SEXES), name="ck_citizen_sex_code"),
        sa.CheckConstraint(
            _listed("target_group", TARGET_GROUPS), name="ck_citizen_target_group_code"
        ),
        sa.ForeignKeyConstraint(
            ["jobcentre_id"], ["jobcentre.id"], name="fk_citizen_jobcentre_id_jobcentre"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_citizen"),
        sa.UniqueConstraint("code", name="uq_citizen_code"),
        sa.UniqueConstraint("jobcentre_id", "cpr_hash", name="uq_citizen_jobcentre_id_cpr_hash"),
    )


class SameCprInTwoJobCentres(RuntimeError):
    """The register cannot go back to one CPR hash per register."""


def downgrade() -> None:
    shared = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT count(*) FROM (SELECT cpr_hash FROM citizen WHERE cpr_hash IS NOT NULL "
                "GROUP BY cpr_hash HAVING count(*) > 1) AS shared"
            )
        )
        .scalar_one()
    )
    if shared:
        # counts only: a hash is personal data, never put into a message
        raise SameCprInTwoJobCentres(
            f"cannot go back before 0007: {shared} CPR number(s) belong to citizens of more "
            "than one job centre, and before 0007 a CPR number was one citizen in the whole "
            "register; keep this version or remove those citizens first"
        )
    with op.batch_alter_table("citizen", schema=None, copy_from=_citizen()) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_citizen_jobcentre_id_cpr_hash"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_citizen_cpr_hash"), ["cpr_hash"])
        batch_op.drop_constraint(
            batch_op.f("fk_citizen_jobcentre_id_jobcentre"), type_="foreignkey"
        )
        batch_op.drop_column("jobcentre_id")

    with op.batch_alter_table("department", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_department_jobcentre_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_department_jobcentre_id_jobcentre"), type_="foreignkey"
        )
        batch_op.drop_column("jobcentre_id")

    op.drop_table("jobcentre")
