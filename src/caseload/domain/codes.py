"""The code lists of the case register (DOMAIN.md glossary).

Each code list is a tuple of the codes stored in the database and accepted in
import files. Danish and English labels live in :mod:`caseload.domain.labels` (roles also in i18n).
"""

from __future__ import annotations

from typing import Final

ROLES: Final = ("coordinating_caseworker", "company_consultant", "mentor")
"""koordinerende sagsbehandler, virksomhedskonsulent, mentor (a person may hold several)."""

ROLE_MODELS: Final = ("all_apart", "buddy_pair", "all_inclusive")
"""Seed 004: three professionals, a VK/mentor + KS pair, or one person holding all roles."""

EXIT_KINDS: Final = ("external", "internal")
"""A staff exit out of the municipality (external) or to another unit (internal)."""

COMPLEXITY_TIERS: Final = ("simple", "complex", "very_complex")
"""How heavy a citizen's case is (the union's weighting); an unassessed case weighs 1."""

ORIGINS: Final = ("danish", "western", "non_western")
SEXES: Final = ("female", "male")

TARGET_GROUPS: Final = (
    "activity_ready_30_plus",
    "activity_ready_under_30",
    "job_ready_30_plus",
    "job_or_education_ready_under_30",
    "sickness_benefit",
    "resource_course",
    "flex_job",
    "integration",
)
"""Target groups of the union's recommended caseloads (caseload_models.json)."""

RESPONSIBILITY_REASONS: Final = (
    "intake",
    "reallocation",
    "staff_exit",
    "staff_leave",
    "cover",
    "handoff",
    "cap_change",
    "citizen_moved",
    "citizen_request",
    "other",
)
"""Why a responsibility started. Every reason but ``intake`` is a caseworker change."""

MEETING_KINDS: Final = (
    "job_meeting",
    "follow_up",
    "three_party",
    "rehabilitation_team",
    "company_visit",
    "phone_contact",
    "other",
)
MISSED_STATUSES: Final = ("cancelled_by_citizen", "no_show", "cancelled_by_job_centre")
"""A meeting that did not take place; each must be followed up."""
CITIZEN_MISSED: Final = ("cancelled_by_citizen", "no_show")
"""Missed by the citizen: repeated, they call for outreach (home visit, social services)."""
MEETING_PLACES: Final = (
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
MEETING_STATUSES: Final = (
    "planned",
    "held",
    "cancelled_by_citizen",
    "no_show",
    "cancelled_by_job_centre",
)

BENEFITS: Final = (
    "kontanthjaelp",
    "resource_course",
    "flex_job",
    "disability_pension",
    "education",
    "job",
    "small_job",
    "other",
)
"""Benefit status (DREAM-like). ``job`` is self-supporting; ``small_job`` is a few paid hours
beside benefit."""

ABSENCE_TERMS: Final = ("short", "long")
LONG_TERM_ABSENCE_DAYS: Final = 14
"""Absence longer than this many calendar days counts as long-term when the file leaves it out."""
LONG_TERM_RECIPIENT_YEARS: Final = 3
"""A long-term recipient has been on kontanthjælp at least this many whole years (Table 2)."""

MEDICAL_KINDS: Final = ("le145", "status_certificate", "specialist_statement", "other")
RECOMMENDATIONS: Final = (
    "resource_course",
    "flex_job",
    "disability_pension",
    "postponed",
    "rejected",
    "other",
)
PLACEMENT_KINDS: Final = ("work_placement", "wage_subsidy")
ARMS: Final = ("trial", "control")
TRIAL_UNITS: Final = ("citizen", "caseworker", "team")

# the serve face: who uses caseload, and what a case note is
ACCOUNT_ROLES: Final = ("caseworker", "leader", "analyst", "admin", "reviewer")
REVIEW_STRATA: Final = ("arm", "department", "caseworker")
"""What a case review's sample is stratified by (the arm of the trial running on the day,
the citizen's department, or their coordinating caseworker)."""
ARM_GUESSES: Final = ("trial", "control", "unknown")
"""A reviewer's guess of a case's arm (for Bang's blinding index)."""
NOTE_KINDS: Final = ("note", "next_step")
PLAN_KINDS: Final = ("rebalance", "assign")
