"""English labels of the register's codes (DOMAIN.md glossary), for what users read; the
codes themselves stay as stored. The labels are msgids (``N_``): the Danish is in the
catalogue, and :func:`label` translates for the reader."""

from __future__ import annotations

from typing import Final

from caseload.i18n import N_, translator

LABELS: Final[dict[str, str]] = {
    # target groups
    "activity_ready_30_plus": N_("activity-ready, 30+"),
    "activity_ready_under_30": N_("activity-ready, under 30"),
    "job_ready_30_plus": N_("job-ready, 30+"),
    "job_or_education_ready_under_30": N_("job- or education-ready, under 30"),
    "sickness_benefit": N_("sickness benefit"),
    "integration": N_("integration"),
    # benefits and recommendations
    "kontanthjaelp": N_("social assistance (kontanthjælp)"),
    "resource_course": N_("resource course"),
    "flex_job": N_("flex job"),
    "disability_pension": N_("disability pension"),
    "education": N_("education"),
    "job": N_("job"),
    "small_job": N_("small job"),
    "postponed": N_("postponed"),
    "rejected": N_("rejected"),
    "other": N_("other"),
    # complexity
    "simple": N_("simple"),
    "complex": N_("complex"),
    "very_complex": N_("very complex"),
    # meetings
    "job_meeting": N_("job meeting"),
    "follow_up": N_("follow-up"),
    "three_party": N_("three-party meeting"),
    "rehabilitation_team": N_("rehabilitation team"),
    "company_visit": N_("company visit"),
    "phone_contact": N_("phone contact"),
    # placements and medical information
    "work_placement": N_("work placement"),
    "wage_subsidy": N_("wage subsidy"),
    "le145": N_("LÆ 145"),
    "status_certificate": N_("status certificate"),
    "specialist_statement": N_("specialist statement"),
    # roles
    "coordinating_caseworker": N_("coordinating caseworker"),
    "company_consultant": N_("company consultant"),
    "mentor": N_("mentor"),
    # meeting statuses and places, why a responsibility started, trial arms (the case view)
    "planned": N_("planned"),
    "held": N_("held"),
    "cancelled_by_citizen": N_("cancelled by the citizen"),
    "no_show": N_("no-show"),
    "cancelled_by_job_centre": N_("cancelled by the job centre"),
    "job_centre": N_("job centre"),
    "home": N_("home"),
    "supplier": N_("supplier"),
    "residence": N_("residence"),
    "hospital": N_("hospital"),
    "workplace": N_("workplace"),
    "phone": N_("phone"),
    "video": N_("video"),
    "intake": N_("intake"),
    "reallocation": N_("reallocation"),
    "staff_exit": N_("staff exit"),
    "staff_leave": N_("staff leave"),
    "cover": N_("cover"),
    "handoff": N_("handoff"),
    "cap_change": N_("cap change"),
    "citizen_moved": N_("citizen moved"),
    "citizen_request": N_("citizen's request"),
    "trial": N_("trial"),
    "control": N_("control"),
}


def label(code: str | None, lang: str) -> str:
    """The label in ``lang`` ("da" or "en"); an unknown code is shown as it is."""
    if code is None:
        return "–"
    english = LABELS.get(code)
    return code if english is None else translator(lang).gettext(english)
