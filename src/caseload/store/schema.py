"""The case register's tables: the stable contract documented in docs/data-model.md.

Conventions
- Every table has an integer surrogate ``id``; what users write in files is the
  natural key (``code`` or a combination of columns), unique in the database.
- Dates are calendar dates. A period is ``start_date`` .. ``end_date``, both
  inclusive; an open ``end_date`` (NULL) means "still running". A fact holds on
  day D when ``start_date <= D and (end_date is null or end_date >= D)``.
- Codes (roles, places, statuses, benefits …) are stored as the short English
  codes of :mod:`caseload.domain.codes`; check constraints keep them honest.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from caseload.domain import codes

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _one_of(column: str, values: tuple[str, ...], name: str | None = None) -> CheckConstraint:
    # OR-chains, not IN (...): SQLite re-builds an IN list for every row a CHECK sees,
    # which made bulk inserts four times slower.
    listed = " OR ".join(f"{column} = '{v}'" for v in values)
    return CheckConstraint(f"{listed}", name=name or f"{column}_code")


def _period(nullable_end: bool = True) -> list[Column[Any]]:
    return [
        Column("start_date", Date, nullable=False),
        Column("end_date", Date, nullable=nullable_end),
    ]


def _fk(name: str, target: str, nullable: bool = False, index: bool = True) -> Column[int]:
    return Column(name, Integer, ForeignKey(f"{target}.id"), nullable=nullable, index=index)


def _period_ok() -> CheckConstraint:
    return CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period")


jobcentre = Table(
    "jobcentre",
    metadata,
    Column("id", Integer, primary_key=True),
    # the municipality's number as text ("101" is København), or any code the register uses
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
)

department = Table(
    "department",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("is_trial", Boolean, nullable=False, default=False),
    Column("role_model", String(32), nullable=False, default="all_apart"),
    _fk("jobcentre_id", "jobcentre"),
    _one_of("role_model", codes.ROLE_MODELS),
)

team = Table(
    "team",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    _fk("department_id", "department"),
    Column("name", String(200), nullable=False),
)

professional = Table(
    "professional",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    _fk("department_id", "department"),
    _fk("team_id", "team", nullable=True),
    Column("fte", Float, nullable=False),
    *_period(),
    Column("exit_kind", String(16)),
    Column("district", String(64)),
    CheckConstraint("fte > 0 AND fte <= 1.5", name="fte"),
    _one_of("exit_kind", codes.EXIT_KINDS),
    _period_ok(),
)

professional_role = Table(
    "professional_role",
    metadata,
    Column("id", Integer, primary_key=True),
    _fk("professional_id", "professional"),
    Column("role", String(32), nullable=False),
    *_period(),
    UniqueConstraint("professional_id", "role", "start_date"),
    _one_of("role", codes.ROLES),
    _period_ok(),
)

caseload_cap = Table(
    "caseload_cap",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("role", String(32), nullable=False),
    _fk("department_id", "department", nullable=True),
    _fk("professional_id", "professional", nullable=True),
    Column("cap", Integer, nullable=False),
    *_period(),
    # scope: a person's cap beats their department's, which beats a job-centre-wide one
    UniqueConstraint("role", "department_id", "professional_id", "start_date"),
    CheckConstraint("cap > 0", name="cap_positive"),
    CheckConstraint("department_id IS NULL OR professional_id IS NULL", name="one_scope"),
    _one_of("role", codes.ROLES),
    _period_ok(),
)

citizen = Table(
    "citizen",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("cpr_hash", String(64)),
    Column("birth_date", Date, nullable=False),
    Column("sex", String(8), nullable=False),
    Column("origin", String(16), nullable=False),
    Column("target_group", String(40), nullable=False),
    Column("district", String(64)),
    Column("public_benefit_since", Date),
    Column("kontanthjaelp_since", Date),
    Column("complexity", String(16)),
    # optimistic concurrency: every edit of a citizen's case bumps it (operate.concurrency)
    Column("version", Integer, nullable=False, server_default="1", default=1),
    # the job centre whose citizen this is; led by the unique constraint below
    _fk("jobcentre_id", "jobcentre", index=False),
    # one CPR number is one citizen within a job centre (another municipality may hold it)
    UniqueConstraint("jobcentre_id", "cpr_hash"),
    _one_of("sex", codes.SEXES),
    _one_of("origin", codes.ORIGINS),
    _one_of("complexity", codes.COMPLEXITY_TIERS),
    _one_of("target_group", codes.TARGET_GROUPS),
)

responsibility = Table(
    "responsibility",
    metadata,
    Column("id", Integer, primary_key=True),
    _fk("citizen_id", "citizen"),
    _fk("professional_id", "professional"),
    Column("role", String(32), nullable=False),
    *_period(),
    Column("reason", String(24), nullable=False),
    # a change the rules would refuse (over cap, takeover by someone not attached) is allowed
    # only with a recorded reason
    Column("override_reason", Text),
    # reason "cover": the colleague whose citizen this is while they are away
    Column("covers_professional_id", Integer, ForeignKey("professional.id")),
    UniqueConstraint("citizen_id", "role", "start_date"),
    _one_of("role", codes.ROLES),
    _one_of("reason", codes.RESPONSIBILITY_REASONS),
    _period_ok(),
)
Index(
    "ix_responsibility_professional_period",
    responsibility.c.professional_id,
    responsibility.c.start_date,
)

meeting = Table(
    "meeting",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    _fk("citizen_id", "citizen", index=False),  # led by ix_meeting_citizen_kind below
    _fk("professional_id", "professional", nullable=True),
    Column("kind", String(24), nullable=False),
    Column("due_date", Date),
    Column("scheduled_date", Date),
    Column("held_date", Date),
    Column("duration_minutes", Integer),
    Column("place", String(16)),
    Column("status", String(24), nullable=False),
    Column("follow_up_of_id", Integer, ForeignKey("meeting.id"), index=True),
    # a missed meeting whose absence the job centre accepted (illness, documented reasons):
    # not late, not a cancellation towards outreach; a fresh follow-up window starts
    Column("absence_accepted", Boolean, nullable=False, server_default="0", default=False),
    _one_of("kind", codes.MEETING_KINDS),
    _one_of("place", codes.MEETING_PLACES),
    _one_of("status", codes.MEETING_STATUSES),
    CheckConstraint("status <> 'held' OR held_date IS NOT NULL", name="held_has_date"),
    CheckConstraint("duration_minutes IS NULL OR duration_minutes > 0", name="duration"),
)
# a citizen's meetings by kind and status with their dates, read from the index alone:
# contact counts, timeliness and due dates per citizen without touching the table rows
Index(
    "ix_meeting_citizen_kind",
    meeting.c.citizen_id,
    meeting.c.kind,
    meeting.c.status,
    meeting.c.due_date,
    meeting.c.held_date,
)

meeting_correction = Table(
    "meeting_correction",
    metadata,
    Column("id", Integer, primary_key=True),
    # one row per correction of a recorded meeting: why, when, by whom, and the values the
    # meeting had before it (the meeting row holds the corrected ones)
    _fk("meeting_id", "meeting"),
    Column("reason", Text, nullable=False),
    Column("corrected_at", DateTime, nullable=False),
    Column("corrected_by", String(200)),
    Column("kind", String(24), nullable=False),
    Column("status", String(24), nullable=False),
    Column("due_date", Date),
    Column("scheduled_date", Date),
    Column("held_date", Date),
    Column("duration_minutes", Integer),
    Column("place", String(16)),
    _fk("professional_id", "professional", nullable=True, index=False),
    Column("absence_accepted", Boolean, nullable=False),
    CheckConstraint("length(trim(reason)) > 0", name="reason_given"),
    _one_of("kind", codes.MEETING_KINDS),
    _one_of("place", codes.MEETING_PLACES),
    _one_of("status", codes.MEETING_STATUSES),
)

meeting_rule = Table(
    "meeting_rule",
    metadata,
    Column("id", Integer, primary_key=True),
    # NULL: the job centre's default, for target groups without a rule of their own
    Column("target_group", String(40), unique=True),
    Column("interval_months", Integer, nullable=False),
    Column("first_within_days", Integer, nullable=False),
    Column("follow_up_within_days", Integer, nullable=False),
    Column("outreach_after_missed", Integer, nullable=False),
    _one_of("target_group", codes.TARGET_GROUPS),
    CheckConstraint(
        "interval_months > 0 AND first_within_days > 0 AND follow_up_within_days > 0 "
        "AND outreach_after_missed > 0",
        name="positive",
    ),
)

caseload_rule = Table(
    "caseload_rule",
    metadata,
    Column("id", Integer, primary_key=True),
    # NULL: the job centre's default; a department's own rule wins
    _fk("department_id", "department", nullable=True),
    Column("weight_simple", Float, nullable=False),
    Column("weight_complex", Float, nullable=False),
    Column("weight_very_complex", Float, nullable=False),
    Column("new_staff_months", Integer, nullable=False),
    Column("new_staff_share", Float, nullable=False),
    Column("pro_rata_fte", Boolean, nullable=False, server_default="1", default=True),
    UniqueConstraint("department_id"),
    CheckConstraint(
        "weight_simple > 0 AND weight_complex > 0 AND weight_very_complex > 0", name="weights"
    ),
    CheckConstraint(
        "new_staff_months >= 0 AND new_staff_share > 0 AND new_staff_share <= 1",
        name="new_staff",
    ),
)

buddy_pair = Table(
    "buddy_pair",
    metadata,
    Column("id", Integer, primary_key=True),
    # the coordinating caseworker and the company consultant/mentor sharing a caseload
    _fk("caseworker_id", "professional"),
    _fk("partner_id", "professional"),
    *_period(),
    UniqueConstraint("caseworker_id", "start_date"),
    CheckConstraint("caseworker_id <> partner_id", name="two_people"),
    _period_ok(),
)

benefit_spell = Table(
    "benefit_spell",
    metadata,
    Column("id", Integer, primary_key=True),
    _fk("citizen_id", "citizen"),
    Column("benefit", String(24), nullable=False),
    *_period(),
    UniqueConstraint("citizen_id", "benefit", "start_date"),
    _one_of("benefit", codes.BENEFITS),
    _period_ok(),
)

staff_absence = Table(
    "staff_absence",
    metadata,
    Column("id", Integer, primary_key=True),
    _fk("professional_id", "professional"),
    *_period(nullable_end=False),
    Column("days", Float, nullable=False),
    Column("term", String(8), nullable=False),
    UniqueConstraint("professional_id", "start_date"),
    CheckConstraint("days >= 0", name="days"),
    _one_of("term", codes.ABSENCE_TERMS),
    _period_ok(),
)

supplier_order = Table(
    "supplier_order",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    _fk("citizen_id", "citizen"),
    _fk("professional_id", "professional", nullable=True),
    Column("supplier", String(200), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("activities", Text),
    Column("report_every_days", Integer),
    *_period(),
    CheckConstraint("report_every_days IS NULL OR report_every_days > 0", name="cadence"),
    _period_ok(),
)

progress_report = Table(
    "progress_report",
    metadata,
    Column("id", Integer, primary_key=True),
    _fk("order_id", "supplier_order"),
    Column("due_date", Date, nullable=False),
    Column("received_date", Date),
    Column("acted_on_date", Date),
    UniqueConstraint("order_id", "due_date"),
    CheckConstraint(
        "acted_on_date IS NULL OR (received_date IS NOT NULL AND acted_on_date >= received_date)",
        name="acted_after_received",
    ),
)

medical_request = Table(
    "medical_request",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    _fk("citizen_id", "citizen"),
    _fk("professional_id", "professional", nullable=True),
    Column("kind", String(24), nullable=False),
    Column("questions", Integer, nullable=False),
    Column("sent_date", Date, nullable=False),
    Column("reminder_date", Date),
    Column("answered_date", Date),
    Column("followed_up_date", Date),
    _one_of("kind", codes.MEDICAL_KINDS),
    CheckConstraint("questions >= 0", name="questions"),
    CheckConstraint(
        "answered_date IS NULL OR answered_date >= sent_date", name="answer_after_sent"
    ),
    CheckConstraint(
        "followed_up_date IS NULL OR "
        "(answered_date IS NOT NULL AND followed_up_date >= answered_date)",
        name="follow_up_after_answer",
    ),
)

preparatory_plan = Table(
    "preparatory_plan",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    _fk("citizen_id", "citizen"),
    _fk("professional_id", "professional", nullable=True),
    Column("started_date", Date, nullable=False),
    Column("completed_date", Date),
    CheckConstraint(
        "completed_date IS NULL OR completed_date >= started_date", name="completed_after_start"
    ),
)

rehabilitation_recommendation = Table(
    "rehabilitation_recommendation",
    metadata,
    Column("id", Integer, primary_key=True),
    _fk("plan_id", "preparatory_plan"),
    Column("meeting_date", Date, nullable=False),
    Column("recommendation", String(24), nullable=False),
    UniqueConstraint("plan_id", "meeting_date"),
    _one_of("recommendation", codes.RECOMMENDATIONS),
)

company_placement = Table(
    "company_placement",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    _fk("citizen_id", "citizen"),
    _fk("professional_id", "professional", nullable=True),
    Column("kind", String(24), nullable=False),
    Column("company", String(200), nullable=False),
    *_period(),
    # the work agreement (arbejdsaftale)
    Column("weekly_hours", Float, nullable=False),
    Column("reassessment_date", Date),
    Column("tasks", Text),
    Column("follow_up_every_weeks", Integer),
    _one_of("kind", codes.PLACEMENT_KINDS),
    CheckConstraint("weekly_hours >= 0 AND weekly_hours <= 60", name="weekly_hours"),
    _period_ok(),
)

paid_hours = Table(
    "paid_hours",
    metadata,
    Column("id", Integer, primary_key=True),
    _fk("citizen_id", "citizen"),
    Column("month", Date, nullable=False),
    Column("hours", Float, nullable=False),
    UniqueConstraint("citizen_id", "month"),
    CheckConstraint("hours >= 0", name="hours"),
)

trial = Table(
    "trial",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("unit", String(16), nullable=False, default="citizen"),
    *_period(),
    Column("outcome_end_date", Date),
    Column("scheme", Text),
    Column("seed", String(64)),
    Column("created_by", String(200)),
    Column("created_at", DateTime),
    _one_of("unit", codes.TRIAL_UNITS),
    _period_ok(),
)

trial_assignment = Table(
    "trial_assignment",
    metadata,
    Column("id", Integer, primary_key=True),
    _fk("trial_id", "trial"),
    _fk("citizen_id", "citizen"),
    Column("arm", String(16), nullable=False),
    Column("probability", Float, nullable=False),
    Column("block", String(200)),
    Column("cluster", String(64)),
    Column("assigned_date", Date, nullable=False),
    Column("assigned_by", String(200)),
    Column("assigned_at", DateTime),
    UniqueConstraint("trial_id", "citizen_id"),
    _one_of("arm", codes.ARMS),
    CheckConstraint("probability > 0 AND probability < 1", name="probability"),
)


# --- the serve face: accounts, sessions, the audit trail, case notes, stored plans -------

account = Table(
    "account",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    # caseworkers and leaders are professionals in the register; analysts and admins are not
    _fk("professional_id", "professional", nullable=True),
    Column("lang", String(2), nullable=False, default="da"),
    Column("password_hash", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("password_changed_at", DateTime, nullable=False),
    Column("disabled_at", DateTime),
    _one_of("role", codes.ACCOUNT_ROLES),
    CheckConstraint("lang = 'da' OR lang = 'en'", name="lang_code"),
)

account_department = Table(
    "account_department",
    metadata,
    Column("id", Integer, primary_key=True),
    _fk("account_id", "account"),
    _fk("department_id", "department"),
    UniqueConstraint("account_id", "department_id"),
)

api_token = Table(
    "api_token",
    metadata,
    Column("id", Integer, primary_key=True),
    _fk("account_id", "account"),
    Column("name", String(100), nullable=False),
    # SHA-256 of the token; the token itself is shown once and never stored
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_used_at", DateTime),
    Column("revoked_at", DateTime),
    _one_of("role", codes.ACCOUNT_ROLES),
)

web_session = Table(
    "web_session",
    metadata,
    Column("id", Integer, primary_key=True),
    # SHA-256 of the random session id the (signed) cookie carries
    Column("session_hash", String(64), nullable=False, unique=True),
    _fk("account_id", "account"),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
)

login_attempt = Table(
    "login_attempt",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False, index=True),
    # a keyed hash of the username tried (a mistyped CPR number in the field is not kept)
    Column("username_key", String(64), nullable=False, index=True),
    Column("client", String(64), nullable=False, index=True),
    Column("succeeded", Boolean, nullable=False),
)

audit_event = Table(
    "audit_event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("request_id", String(64), nullable=False),
    Column("account_id", Integer),
    Column("username", String(64)),
    Column("role", String(16)),
    Column("action", String(64), nullable=False, index=True),
    # the citizen's pseudonymous code, never a CPR number
    Column("citizen", String(64), index=True),
    Column("client", String(64)),
    Column("status", Integer),
    Column("detail", Text),
)

serve_secret = Table(
    "serve_secret",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(32), nullable=False, unique=True),
    Column("value", String(128), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

case_note = Table(
    "case_note",
    metadata,
    Column("id", Integer, primary_key=True),
    _fk("citizen_id", "citizen"),
    # the note's own id; an edit adds a row with the same code and the next version
    Column("code", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("body", Text, nullable=False),
    Column("due_date", Date),
    Column("written_at", DateTime, nullable=False),
    Column("written_by", String(200), nullable=False),
    UniqueConstraint("code", "version"),
    CheckConstraint("version > 0", name="version_positive"),
    CheckConstraint("length(trim(body)) > 0", name="body_given"),
    _one_of("kind", codes.NOTE_KINDS),
)

allocation_plan = Table(
    "allocation_plan",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    _fk("department_id", "department"),
    Column("as_of", Date, nullable=False),
    # the request (cap, role, weights …) and the plan as JSON; the fingerprint is a SHA-256
    # of everything the plan was made from
    Column("settings", Text, nullable=False),
    Column("plan", Text, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(200)),
    Column("applied_at", DateTime),
    Column("applied_by", String(200)),
    _one_of("kind", codes.PLAN_KINDS),
)


# --- case review: a sample of cases, their reviewers and scores (review/) ------------------

review = Table(
    "review",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("as_of", Date, nullable=False),
    # the period a reviewer reads (the case timeline) and the indicators cover
    Column("window_start", Date, nullable=False),
    Column("stratify_by", String(16), nullable=False),
    _fk("trial_id", "trial", nullable=True),
    Column("per_stratum", Integer, nullable=False),
    Column("seed", String(64), nullable=False),
    Column("reviewers_per_case", Integer, nullable=False),
    # the rubric as it was when the review was drawn (JSON: review/rubric.py)
    Column("rubric", Text, nullable=False),
    Column("created_by", String(200)),
    Column("created_at", DateTime, nullable=False),
    _one_of("stratify_by", codes.REVIEW_STRATA),
    CheckConstraint("per_stratum > 0", name="per_stratum_positive"),
    CheckConstraint("reviewers_per_case BETWEEN 1 AND 5", name="reviewers_per_case_range"),
    CheckConstraint("window_start <= as_of", name="window_ok"),
)

review_case = Table(
    "review_case",
    metadata,
    Column("id", Integer, primary_key=True),
    _fk("review_id", "review"),
    _fk("citizen_id", "citizen"),
    # what reviewers see instead of the citizen: a code in a seeded order, nothing derived
    Column("label", String(16), nullable=False),
    # the stratum (arm, department code or caseworker code): never shown to a reviewer
    Column("stratum", String(200), nullable=False),
    # its place in its stratum's seeded order (the sample is a prefix: it can be extended)
    Column("draw", Integer, nullable=False),
    UniqueConstraint("review_id", "citizen_id"),
    UniqueConstraint("review_id", "label"),
)

review_assignment = Table(
    "review_assignment",
    metadata,
    Column("id", Integer, primary_key=True),
    _fk("review_case_id", "review_case"),
    _fk("account_id", "account"),
    # 1: the case's first rating, 2: its second (weighted kappa pairs them)
    Column("slot", Integer, nullable=False),
    Column("arm_guess", String(16)),
    Column("saved_at", DateTime),
    UniqueConstraint("review_case_id", "slot"),
    UniqueConstraint("review_case_id", "account_id"),
    CheckConstraint("slot > 0", name="slot_positive"),
    _one_of("arm_guess", codes.ARM_GUESSES),
)

review_score = Table(
    "review_score",
    metadata,
    Column("id", Integer, primary_key=True),
    _fk("review_assignment_id", "review_assignment"),
    Column("item", String(64), nullable=False),
    Column("score", Integer, nullable=False),
    Column("saved_at", DateTime, nullable=False),
    UniqueConstraint("review_assignment_id", "item"),
)
