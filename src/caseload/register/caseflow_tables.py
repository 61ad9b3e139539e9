"""Import tables for case flow (orders, medical information, plans, placements) and trials."""

from __future__ import annotations

from caseload.domain import codes
from caseload.register import rules
from caseload.register.spec import (
    Field,
    TableSpec,
    code_field,
    end_field,
    ref_field,
    staff_field,
    start_field,
)
from caseload.register.tables import CITIZEN
from caseload.store import schema as s

ORDERS = TableSpec(
    "orders",
    s.supplier_order,
    "Supplier orders (bestillinger): purpose, prioritised activities and report frequency.",
    (
        code_field("order_id", "order id", "O000001"),
        CITIZEN,
        staff_field(),
        Field("supplier", "text", "supplier (anden aktør)", required=True, example="Supplier 3"),
        Field(
            "purpose",
            "text",
            "purpose of the course",
            required=True,
            sensitive=True,
            example="clarify work capacity",
        ),
        Field("activities", "text", "prioritised activities", sensitive=True, example=""),
        Field("report_every_days", "int", "a progress report is due every N days", example="30"),
        start_field("course start"),
        end_field("course end"),
    ),
    key=("order_id",),
    periods=(("start_date", "end_date"),),
    rules=(rules.positive("report_every_days"),),
)

PROGRESS_REPORTS = TableSpec(
    "progress_reports",
    s.progress_report,
    "Progress reports from suppliers: due, received, and when the caseworker acted on them.",
    (
        ref_field("order_id", "orders", "the order", example="O000001"),
        Field("due_date", "date", "report due", required=True, example="2018-02-01"),
        Field("received_date", "date", "report received", example="2018-02-03"),
        Field("acted_on_date", "date", "caseworker acted on it", example="2018-02-06"),
    ),
    key=("order_id", "due_date"),
    periods=(("received_date", "acted_on_date"),),
    rules=(rules.acted_needs_received,),
)

MEDICAL_REQUESTS = TableSpec(
    "medical_requests",
    s.medical_request,
    "Requests for medical information (lægelige oplysninger). No health content is stored: "
    "only kind, number of questions and dates.",
    (
        code_field("request_id", "request id", "L000001"),
        CITIZEN,
        staff_field(),
        Field(
            "kind",
            "code",
            "kind of request",
            required=True,
            codes=codes.MEDICAL_KINDS,
            example="le145",
        ),
        Field("questions", "int", "number of questions asked", required=True, example="3"),
        Field("sent_date", "date", "sent", required=True, example="2018-02-01"),
        Field("reminder_date", "date", "reminder sent", example=""),
        Field("answered_date", "date", "answer received", example="2018-02-20"),
        Field("followed_up_date", "date", "caseworker followed up", example="2018-02-23"),
    ),
    key=("request_id",),
    periods=(("sent_date", "answered_date"), ("answered_date", "followed_up_date")),
    rules=(rules.non_negative("questions"), rules.follow_up_needs_answer),
)

PLANS = TableSpec(
    "plans",
    s.preparatory_plan,
    "Preparatory plans (forberedende planer) for the rehabilitation team.",
    (
        code_field("plan_id", "plan id", "P000001"),
        CITIZEN,
        staff_field(),
        Field("started_date", "date", "plan started", required=True, example="2018-04-01"),
        Field("completed_date", "date", "plan completed", example="2018-05-15"),
    ),
    key=("plan_id",),
    periods=(("started_date", "completed_date"),),
)

RECOMMENDATIONS = TableSpec(
    "recommendations",
    s.rehabilitation_recommendation,
    "Rehabilitation-team recommendations (indstillinger); each belongs to a preparatory plan.",
    (
        ref_field("plan_id", "plans", "the preparatory plan", example="P000001"),
        Field("meeting_date", "date", "team meeting", required=True, example="2018-06-01"),
        Field(
            "recommendation",
            "code",
            "what the team recommended",
            required=True,
            codes=codes.RECOMMENDATIONS,
            example="resource_course",
        ),
    ),
    key=("plan_id", "meeting_date"),
    stored_rules=(rules.team_after_plan,),
)

PLACEMENTS = TableSpec(
    "placements",
    s.company_placement,
    "Company placements (work placement, wage subsidy) and their work agreement.",
    (
        code_field("placement_id", "placement id", "V000001"),
        CITIZEN,
        staff_field(),
        Field(
            "kind",
            "code",
            "kind",
            required=True,
            codes=codes.PLACEMENT_KINDS,
            example="work_placement",
        ),
        Field("company", "text", "company", required=True, example="Company 12"),
        start_field(),
        end_field(),
        Field("weekly_hours", "float", "agreed hours a week", required=True, example="12"),
        Field("reassessment_date", "date", "agreed reassessment", example="2018-04-01"),
        Field("tasks", "text", "agreed tasks", sensitive=True, example=""),
        Field("follow_up_every_weeks", "int", "follow-up cadence in weeks", example="4"),
    ),
    key=("placement_id",),
    periods=(("start_date", "end_date"),),
    rules=(rules.weekly_hours_in_range, rules.positive("follow_up_every_weeks")),
)

PAID_HOURS = TableSpec(
    "paid_hours",
    s.paid_hours,
    "Ordinary paid hours (ordinære timer) per citizen and month.",
    (
        CITIZEN,
        Field(
            "month",
            "date",
            "any day of the month (stored as its first day)",
            required=True,
            example="2018-03-01",
        ),
        Field("hours", "float", "paid hours that month", required=True, example="20"),
    ),
    key=("citizen_id", "month"),
    rules=(rules.non_negative("hours"),),
    normalise=rules.first_of_month,
)

TRIALS = TableSpec(
    "trials",
    s.trial,
    "Randomised trials run on the register.",
    (
        code_field("trial_id", "trial code", "CPH-2018"),
        Field("name", "text", "name", required=True, example="Lower caseloads 2018-2019"),
        Field(
            "unit",
            "code",
            "unit randomised",
            codes=codes.TRIAL_UNITS,
            example="citizen",
            default="citizen",
        ),
        start_field("trial start: the cohort is frozen on this day"),
        end_field("trial end"),
        Field("outcome_end_date", "date", "end of the outcome window", example="2020-04-30"),
        Field(
            "scheme",
            "text",
            "randomisation design: free text, or the JSON that "
            "`caseload randomise` stores (needed to assign later entrants)",
            example="complete, 1:1",
        ),
        Field("seed", "text", "random seed", example="2018"),
        Field("created_by", "text", "who ran the randomisation", example="analyst"),
    ),
    key=("trial_id",),
    periods=(("start_date", "end_date"), ("start_date", "outcome_end_date")),
)

ASSIGNMENTS = TableSpec(
    "assignments",
    s.trial_assignment,
    "Each unit's arm and assignment probability in a trial.",
    (
        ref_field("trial_id", "trials", "trial", example="CPH-2018"),
        CITIZEN,
        Field("arm", "code", "trial or control", required=True, codes=codes.ARMS, example="trial"),
        Field(
            "probability",
            "float",
            "probability of the trial arm, 0 < p < 1",
            required=True,
            example="0.5",
        ),
        Field("block", "text", "randomisation block", example="kh_under_3y"),
        Field("assigned_date", "date", "day of assignment", required=True, example="2018-01-01"),
    ),
    key=("trial_id", "citizen_id"),
    rules=(rules.probability_in_range,),
)
