"""The import tables, in the order they must be loaded (a table may name only earlier ones)."""

from __future__ import annotations

from caseload.domain import codes
from caseload.i18n import N_
from caseload.register import jobcentres, rules
from caseload.register.spec import (
    Field,
    TableSpec,
    code_field,
    end_field,
    ref_field,
    staff_field,
    start_field,
)
from caseload.store import schema as s

CITIZEN = ref_field("citizen_id", "citizens", "the citizen's pseudonymous id", example="C000001")
JOBCENTRE = ref_field(
    jobcentres.COLUMN,
    jobcentres.TABLE,
    "the job centre; empty: the register's one job centre (refused empty when it has several)",
    required=False,
    example="101",
    store_as="jobcentre_id",
)

JOBCENTRES = TableSpec(
    jobcentres.TABLE,
    s.jobcentre,
    "Job centres (jobcentre), one per municipality (kommune). The code is the municipality "
    "number as text (101 is København), though any text is accepted. A register with one "
    "job centre needs no file: departments and citizens that name none belong to it, and a "
    f"register holding none gets the default job centre (`{jobcentres.DEFAULT_CODE}`, "
    f"{jobcentres.DEFAULT_NAME}) with its first department or citizen. A register with "
    "several needs the `jobcentre` column in every department and citizen row.",
    (
        code_field("jobcentre_id", "job centre code, such as the municipality number", "101"),
        Field("name", "text", "name", required=True, example="Jobcenter København"),
    ),
    key=("jobcentre_id",),
)

DEPARTMENTS = TableSpec(
    "departments",
    s.department,
    "Departments (afdelinger); one or more may be trial departments.",
    (
        code_field("department_id", "department code", "JI6"),
        Field("name", "text", "name", required=True, example="JKI Job og Indsats 6"),
        Field(
            "is_trial",
            "bool",
            "a trial department (true/false, ja/nej)",
            example="true",
            default="false",
        ),
        Field(
            "role_model",
            "code",
            "how roles are split (seed 004)",
            codes=codes.ROLE_MODELS,
            example="all_apart",
            default="all_apart",
        ),
        JOBCENTRE,
    ),
    key=("department_id",),
)

TEAMS = TableSpec(
    "teams",
    s.team,
    "Teams within departments.",
    (
        code_field("team_id", "team code", "JI6-A"),
        ref_field("department_id", "departments", "department", example="JI6"),
        Field("name", "text", "name", required=True, example="Team A"),
    ),
    key=("team_id",),
)

STAFF = TableSpec(
    "staff",
    s.professional,
    "Professionals: employment period, FTE and how they left.",
    (
        code_field("staff_id", "staff code (no CPR)", "KS-001"),
        Field("name", "text", "name or initials", required=True, example="Anna Holm"),
        ref_field("department_id", "departments", "department", example="JI6"),
        ref_field("team_id", "teams", "team", required=False, example="JI6-A"),
        Field(
            "fte",
            "float",
            "full-time equivalent, 0 < fte <= 1.5 (decimal comma allowed)",
            required=True,
            example="1.0",
        ),
        start_field("employment start"),
        end_field("last day employed; empty while employed"),
        Field(
            "exit_kind",
            "code",
            "external (left the municipality) or internal; needs end_date",
            codes=codes.EXIT_KINDS,
            example="",
        ),
        Field("district", "text", "district the professional covers", example="Nørrebro"),
    ),
    key=("staff_id",),
    periods=(("start_date", "end_date"),),
    rules=(rules.exit_needs_end, rules.fte_in_range),
)

ROLES = TableSpec(
    "roles",
    s.professional_role,
    "Roles a professional holds over a period (several allowed).",
    (
        staff_field(required=True),
        Field(
            "role",
            "code",
            "role",
            required=True,
            codes=codes.ROLES,
            example="coordinating_caseworker",
        ),
        start_field(),
        end_field(),
    ),
    key=("staff_id", "role", "start_date"),
    periods=(("start_date", "end_date"),),
    rules=(
        rules.no_overlap(
            "staff_id",
            N_("overlaps another role period with the same staff_id and role in this file"),
        ),
    ),
)

CAPS = TableSpec(
    "caps",
    s.caseload_cap,
    "Caseload caps per role: for one person (staff_id), a department (department_id) or the "
    "whole job centre (neither).",
    (
        Field(
            "role",
            "code",
            "role capped",
            required=True,
            codes=codes.ROLES,
            example="coordinating_caseworker",
        ),
        ref_field(
            "department_id", "departments", "department scope", required=False, example="JI6"
        ),
        staff_field(),
        Field(
            "cap",
            "int",
            "most citizens at once (a positive whole number)",
            required=True,
            example="50",
        ),
        start_field(),
        end_field(),
    ),
    key=("role", "department_id", "staff_id", "start_date"),
    periods=(("start_date", "end_date"),),
    rules=(rules.one_cap_scope, rules.cap_positive),
)

CITIZENS = TableSpec(
    "citizens",
    s.citizen,
    "Citizens on the caseloads. The CPR number is optional; only its keyed hash, birth date "
    "and sex are stored. A CPR number is one citizen within a job centre: two job centres "
    "may each hold it, one job centre only once.",
    (
        code_field("citizen_id", "stable pseudonymous id", "C000001"),
        Field(
            "cpr",
            "cpr",
            "CPR number DDMMYY-SSSS (optional; needs CASELOAD_CPR_KEY)",
            sensitive=True,
            example="",
        ),
        Field("birth_date", "date", "birth date; required without cpr", example="1972-05-14"),
        Field(
            "sex", "code", "female/male; required without cpr", codes=codes.SEXES, example="female"
        ),
        Field(
            "origin",
            "code",
            "Danish, Western or non-Western origin",
            required=True,
            codes=codes.ORIGINS,
            example="danish",
        ),
        Field(
            "target_group",
            "code",
            "target group",
            required=True,
            codes=codes.TARGET_GROUPS,
            example="activity_ready_30_plus",
        ),
        Field("district", "text", "district or area", example="Nørrebro"),
        Field(
            "public_benefit_since",
            "date",
            "first day of the current stretch on public benefit",
            example="2012-09-01",
        ),
        Field(
            "kontanthjaelp_since",
            "date",
            "first day of the current kontanthjælp stretch",
            example="2015-03-01",
        ),
        Field(
            "complexity",
            "code",
            "how heavy the case is (weights in caseload_rules); empty weighs 1",
            codes=codes.COMPLEXITY_TIERS,
            example="complex",
        ),
        JOBCENTRE,
    ),
    key=("citizen_id",),
    rules=(rules.birth_date_or_cpr, rules.sex_or_cpr, rules.cpr_key_present, rules.same_cpr_twice),
    derive=rules.derive_from_cpr,
    derived_columns=("cpr_hash", "birth_date", "sex"),
    stored_rules=(rules.strong_key_for_new_register,),
)

RESPONSIBILITIES = TableSpec(
    "responsibilities",
    s.responsibility,
    "Who holds which role for a citizen, from when to when, and why it started. Every row "
    "whose reason is not intake is a caseworker change.",
    (
        CITIZEN,
        staff_field(required=True),
        Field(
            "role",
            "code",
            "role held",
            required=True,
            codes=codes.ROLES,
            example="coordinating_caseworker",
        ),
        start_field(),
        end_field(),
        Field(
            "reason",
            "code",
            "why it started",
            required=True,
            codes=codes.RESPONSIBILITY_REASONS,
            example="intake",
        ),
        Field(
            "override_reason",
            "text",
            "why a change the rules refuse (over cap, takeover) was made anyway",
            sensitive=True,
            example="",
        ),
        ref_field(
            "covers_staff_id",
            "staff",
            "reason cover: the absent colleague whose citizen this is",
            required=False,
            example="",
            store_as="covers_professional_id",
        ),
    ),
    key=("citizen_id", "role", "start_date"),
    periods=(("start_date", "end_date"),),
    rules=(
        rules.no_overlap(
            "citizen_id",
            N_("overlaps another responsibility with the same citizen_id and role in this file"),
        ),
        rules.cover_names_colleague,
    ),
    stored_rules=(rules.no_overlap_with_stored,),
)

MEETINGS = TableSpec(
    "meetings",
    s.meeting,
    "Meetings with citizens: due, planned and held, where and how long.",
    (
        code_field("meeting_id", "meeting id", "M0000001"),
        CITIZEN,
        staff_field(),
        Field(
            "kind",
            "code",
            "kind of meeting",
            required=True,
            codes=codes.MEETING_KINDS,
            example="job_meeting",
        ),
        Field("due_date", "date", "statutory deadline", example="2018-03-31"),
        Field("scheduled_date", "date", "date booked", example="2018-03-20"),
        Field(
            "held_date", "date", "date held (required when status is held)", example="2018-03-20"
        ),
        Field("duration_minutes", "int", "minutes", example="45"),
        Field("place", "code", "where", codes=codes.MEETING_PLACES, example="job_centre"),
        Field(
            "status", "code", "outcome", required=True, codes=codes.MEETING_STATUSES, example="held"
        ),
        Field(
            "follow_up_of",
            "ref",
            "the earlier meeting this follows up",
            ref="meetings",
            store_as="follow_up_of_id",
            example="",
        ),
        Field(
            "absence_accepted",
            "bool",
            "a missed meeting whose absence was accepted (not late, not towards outreach)",
            example="false",
            default="false",
        ),
    ),
    key=("meeting_id",),
    rules=(rules.held_needs_date, rules.duration_positive, rules.accepted_only_when_missed),
    self_refs=("follow_up_of",),
    stored_rules=(rules.held_after_entry,),
)

SPELLS = TableSpec(
    "spells",
    s.benefit_spell,
    "Benefit spells (DREAM-like status) with start and end.",
    (
        CITIZEN,
        Field(
            "benefit",
            "code",
            "benefit or status",
            required=True,
            codes=codes.BENEFITS,
            example="kontanthjaelp",
        ),
        start_field(),
        end_field(),
    ),
    key=("citizen_id", "benefit", "start_date"),
    periods=(("start_date", "end_date"),),
)

ABSENCE = TableSpec(
    "absence",
    s.staff_absence,
    "Staff sick leave. days defaults to working days in the period; "
    f"term defaults to long when the period exceeds {codes.LONG_TERM_ABSENCE_DAYS} calendar days.",
    (
        staff_field(required=True),
        start_field(),
        Field("end_date", "date", "last day (inclusive)", required=True, example="2018-05-04"),
        Field("days", "float", "sick days (decimal comma allowed)", example="5"),
        Field("term", "code", "short or long term", codes=codes.ABSENCE_TERMS, example="short"),
    ),
    key=("staff_id", "start_date"),
    periods=(("start_date", "end_date"),),
    rules=(rules.non_negative("days"),),
    derive=rules.absence_defaults,
    derived_columns=("days", "term"),
)


MEETING_RULES = TableSpec(
    "meeting_rules",
    s.meeting_rule,
    "The statutory meeting rhythm per target group; a row without target_group is the "
    "job centre's default (built in: every 3 months, first within 30 days of entry, "
    "follow-up within 14 days of a missed meeting, outreach after 2 missed by the citizen).",
    (
        Field(
            "target_group",
            "code",
            "target group; empty for the default",
            codes=codes.TARGET_GROUPS,
            example="activity_ready_30_plus",
        ),
        Field(
            "interval_months",
            "int",
            "a job meeting at least every N months",
            required=True,
            example="3",
        ),
        Field(
            "first_within_days",
            "int",
            "first job meeting within N days of entry",
            required=True,
            example="30",
        ),
        Field(
            "follow_up_within_days",
            "int",
            "a missed meeting is followed up within N days",
            required=True,
            example="14",
        ),
        Field(
            "outreach_after_missed",
            "int",
            "flag for outreach after N meetings missed by the citizen since the last one held",
            required=True,
            example="2",
        ),
    ),
    key=("target_group",),
    rules=(
        rules.positive("interval_months"),
        rules.positive("first_within_days"),
        rules.positive("follow_up_within_days"),
        rules.positive("outreach_after_missed"),
    ),
)

CASELOAD_RULES = TableSpec(
    "caseload_rules",
    s.caseload_rule,
    "How caseloads are weighed against caps, per department or (no department_id) for the "
    "job centre: weights per complexity tier, a lower cap for newly started staff, and caps "
    "pro rata to FTE. Without any rule a cap is a plain count of citizens.",
    (
        ref_field(
            "department_id",
            "departments",
            "department; empty for the default",
            required=False,
            example="JI6",
        ),
        Field("weight_simple", "float", "weight of a simple case", required=True, example="1"),
        Field("weight_complex", "float", "weight of a complex case", required=True, example="1.5"),
        Field(
            "weight_very_complex",
            "float",
            "weight of a very complex case",
            required=True,
            example="2",
        ),
        Field(
            "new_staff_months",
            "int",
            "months a new professional has a lower cap",
            required=True,
            example="6",
        ),
        Field(
            "new_staff_share",
            "float",
            "share of the cap they carry meanwhile (0-1]",
            required=True,
            example="0.6",
        ),
        Field(
            "pro_rata_fte",
            "bool",
            "part-time staff carry the cap times their FTE",
            example="true",
            default="true",
        ),
    ),
    key=("department_id",),
    rules=(
        rules.positive("weight_simple"),
        rules.positive("weight_complex"),
        rules.positive("weight_very_complex"),
        rules.non_negative("new_staff_months"),
        rules.share_in_range("new_staff_share"),
    ),
)

BUDDY_PAIRS = TableSpec(
    "buddy_pairs",
    s.buddy_pair,
    "Buddy pairs (makkerpar): a coordinating caseworker and a company consultant or mentor "
    "sharing one caseload, in departments whose role model is buddy_pair.",
    (
        ref_field("caseworker_id", "staff", "the coordinating caseworker", example="KS-001"),
        ref_field("partner_id", "staff", "the company consultant or mentor", example="VK-001"),
        start_field(),
        end_field(),
    ),
    key=("caseworker_id", "start_date"),
    periods=(("start_date", "end_date"),),
    rules=(rules.two_people,),
)
