"""English labels of the register's codes (DOMAIN.md glossary), for what users read; the
codes themselves stay as stored. The labels are msgids (``N_``): the Danish is in the
catalogue, and :func:`label` translates for the reader."""

from __future__ import annotations

from typing import Final

from caseload.i18n import N_, Message, translator

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
    # roles and role models
    "coordinating_caseworker": N_("coordinating caseworker"),
    "company_consultant": N_("company consultant"),
    "mentor": N_("mentor"),
    "all_apart": N_("all apart (three professionals)"),
    "buddy_pair": N_("buddy pair (company consultant/mentor and caseworker)"),
    "all_inclusive": N_("all inclusive (one professional)"),
    # why a responsibility started
    "intake": N_("intake"),
    "reallocation": N_("reallocation"),
    "staff_exit": N_("staff exit"),
    "staff_leave": N_("staff leave"),
    "cover": N_("cover"),
    "handoff": N_("handoff"),
    "cap_change": N_("cap change"),
    "citizen_moved": N_("citizen moved"),
    "citizen_request": N_("citizen's request"),
    # meeting places and statuses
    "job_centre": N_("job centre"),
    "home": N_("home"),
    "supplier": N_("supplier"),
    "residence": N_("residence"),
    "hospital": N_("hospital"),
    "workplace": N_("workplace"),
    "phone": N_("phone"),
    "video": N_("video"),
    "planned": N_("planned"),
    "held": N_("held"),
    "cancelled_by_citizen": N_("cancelled by the citizen"),
    "no_show": N_("no-show"),
    "cancelled_by_job_centre": N_("cancelled by the job centre"),
    # case notes
    "note": N_("note"),
    "next_step": N_("next step"),
    # staff exits and absence
    "external": N_("external"),
    "internal": N_("internal"),
    "short": N_("short"),
    "long": N_("long"),
    # citizens' traits
    "danish": N_("Danish origin"),
    "western": N_("Western origin"),
    "non_western": N_("non-Western origin"),
    "female": N_("woman"),
    "male": N_("man"),
    # trials: arms and units
    "trial": N_("trial"),
    "control": N_("control"),
    "citizen": N_("citizen"),
    "caseworker": N_("caseworker"),
    "team": N_("team"),
}


OUTCOMES: Final[dict[str, str]] = {
    # arms, outcomes, destinations, baseline traits and covariates, by their code in an
    # evaluation's tables (capitalised: each begins a row)
    "trial": N_("Trial"),
    "control": N_("Control"),
    "treated": N_("Trial"),
    "job": N_("Job"),
    "small_job": N_("Small job"),
    "education": N_("Education"),
    "resource_course": N_("Resource course"),
    "flex_job": N_("Flex job"),
    "disability_pension": N_("Disability pension"),
    "company_placement": N_("Company placement"),
    "placement": N_("Company placement"),
    "other": N_("Other"),
    "kontanthjaelp": N_("Back on kontanthjælp"),
    "preparatory_plan": N_("Preparatory plan"),
    "recommended_resource_course": N_("Team: resource course"),
    "recommended_flex_job": N_("Team: flex job"),
    "recommended_disability_pension": N_("Team: disability pension"),
    "recommended_postponed": N_("Team: postponed"),
    "recommended_rejected": N_("Team: rejected"),
    "long_term_still_on_kontanthjaelp": N_("Long-term, still on kontanthjælp"),
    "days_on_kontanthjaelp": N_("Days on kontanthjælp"),
    "meetings_held": N_("Meetings held"),
    "paid_hours": N_("Paid hours"),
    "women": N_("Women"),
    "danish_origin": N_("Danish origin"),
    "western_origin": N_("Western origin"),
    "non_western_origin": N_("Non-western origin"),
    "age_years": N_("Age (years)"),
    "years_on_public_benefit": N_("Years on public benefit"),
    "kontanthjaelp_3_years_or_more": N_("Kontanthjælp ≥ 3 years"),
    "female": N_("Woman"),
    "age": N_("Age"),
    "benefit_years": N_("Years on public benefit"),
    "long_term_at_start": N_("Kontanthjælp ≥ 3 years at the start"),
    "western": N_("Western origin"),
    "non_western": N_("Non-western origin"),
    # how an estimate's standard errors were computed
    "HC1": N_("robust standard errors (HC1)"),
    "cluster": N_("standard errors clustered by caseworker"),
    "model": N_("model-based standard errors"),
}
"""What an evaluation calls each code of its tables (msgids)."""


TRAITS: Final[dict[str, str]] = {
    "duration": N_("time on kontanthjælp"),
    "age": N_("age"),
    "origin": N_("origin"),
    "sex": N_("sex"),
    "department": N_("department"),
    "target_group": N_("target group"),
    "district": N_("district"),
}
"""What the baseline traits a randomisation blocks on are called (msgids), by their name in
a design (``--block duration``)."""


def trait_name(trait: str, lang: str) -> str:
    """A blocking trait's name in ``lang``; an unknown one as it is."""
    english = TRAITS.get(trait)
    return trait if english is None else translator(lang).gettext(english)


def outcome_names(lang: str) -> dict[str, str]:
    """Every evaluation code's name in ``lang``."""
    tr = translator(lang)
    return {code: tr.gettext(msgid) for code, msgid in OUTCOMES.items()}


def outcome_name(code: str, lang: str) -> str:
    """An outcome's (or trait's) name in ``lang``; a name the user chose (a column of their
    file) is shown as it is."""
    english = OUTCOMES.get(code)
    return code if english is None else translator(lang).gettext(english)


def word(code: str) -> Message | str:
    """A code as a message's parameter: its label, translated where the message is shown
    (``{"role": word(role)}``); an unknown code as it is."""
    english = LABELS.get(code)
    return code if english is None else Message(english)


def label(code: str | None, lang: str) -> str:
    """The label in ``lang`` ("da" or "en"); an unknown code is shown as it is (a department
    or staff code, a trait the register does not know)."""
    if code is None:
        return "–"
    english = LABELS.get(code)
    return code if english is None else translator(lang).gettext(english)
