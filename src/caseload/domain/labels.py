"""English and Danish labels of the register's codes (DOMAIN.md glossary), for what users
read; the codes themselves stay as stored."""

from __future__ import annotations

from typing import Final

LABELS: Final[dict[str, tuple[str, str]]] = {
    # target groups
    "activity_ready_30_plus": ("activity-ready, 30+", "aktivitetsparat, 30+"),
    "activity_ready_under_30": ("activity-ready, under 30", "aktivitetsparat, under 30"),
    "job_ready_30_plus": ("job-ready, 30+", "jobparat, 30+"),
    "job_or_education_ready_under_30": (
        "job- or education-ready, under 30",
        "job- eller uddannelsesparat, under 30",
    ),
    "sickness_benefit": ("sickness benefit", "sygedagpenge"),
    "integration": ("integration", "integration"),
    # benefits and recommendations
    "kontanthjaelp": ("social assistance (kontanthjælp)", "kontanthjælp"),
    "resource_course": ("resource course", "ressourceforløb"),
    "flex_job": ("flex job", "fleksjob"),
    "disability_pension": ("disability pension", "førtidspension"),
    "education": ("education", "uddannelse"),
    "job": ("job", "job"),
    "small_job": ("small job", "småjob"),
    "postponed": ("postponed", "udsat"),
    "rejected": ("rejected", "afvist"),
    "other": ("other", "andet"),
    # complexity
    "simple": ("simple", "enkel"),
    "complex": ("complex", "kompleks"),
    "very_complex": ("very complex", "meget kompleks"),
    # meetings
    "job_meeting": ("job meeting", "jobsamtale"),
    "follow_up": ("follow-up", "opfølgning"),
    "three_party": ("three-party meeting", "trepartssamtale"),
    "rehabilitation_team": ("rehabilitation team", "rehabiliteringsteam"),
    "company_visit": ("company visit", "virksomhedsbesøg"),
    "phone_contact": ("phone contact", "telefonisk kontakt"),
    # placements and medical information
    "work_placement": ("work placement", "virksomhedspraktik"),
    "wage_subsidy": ("wage subsidy", "løntilskud"),
    "le145": ("LÆ 145", "LÆ 145"),
    "status_certificate": ("status certificate", "statusattest"),
    "specialist_statement": ("specialist statement", "speciallægeerklæring"),
    # roles
    "coordinating_caseworker": ("coordinating caseworker", "koordinerende sagsbehandler"),
    "company_consultant": ("company consultant", "virksomhedskonsulent"),
    "mentor": ("mentor", "mentor"),
}


def label(code: str | None, lang: str) -> str:
    """The label in ``lang`` ("da" or "en"); an unknown code is shown as it is."""
    if code is None:
        return "–"
    english, danish = LABELS.get(code, (code, code))
    return danish if lang == "da" else english
