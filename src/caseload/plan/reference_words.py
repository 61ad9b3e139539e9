"""The published reference models' names and the union's target groups as messages, so
that a Danish reader reads them in Danish (caseload_models.json holds them in English, as
the sources name them). ``tests/unit/test_workload.py`` checks every name in the data is
here. ``position_label`` and ``role_words`` name positions and roles (no figure library:
the commands load this module on every start)."""

from __future__ import annotations

from caseload.domain.labels import label
from caseload.i18n import N_, translator

NAMES = frozenset(
    {
        N_("Copenhagen JKI trial department 2018-2019"),
        N_("Copenhagen JKI ordinary departments during the trial"),
        N_("Copenhagen JKI ordinary departments before 2018"),
        N_("Copenhagen JKI company consultants (both arms)"),
        N_("JobFirst"),
        N_("JobFirst, all professionals"),
        N_("IPS (Individual Placement and Support)"),
        N_("Håndholdt indsats i ressourceforløb"),
        N_("Bedre Ressourceforløb"),
        N_("Supported Employment (Norway)"),
        N_("Flere skal med (case municipalities with good results)"),
        N_(
            "Dansk Socialrådgiverforening, older recommendation for citizens far from the "
            "labour market"
        ),
        N_("job-ready over 30 (jobparate)"),
        N_("activity-ready over 30 (aktivitetsparate)"),
        N_("job- or education-ready under 30"),
        N_("activity-ready under 30"),
        N_("sickness benefit (sygedagpenge)"),
        N_("resource course (ressourceforløb)"),
        N_("flex job (fleksjob)"),
        N_("integration"),
    }
)


def position_label(name: str, lang: str) -> str:
    """``company_consultant+mentor`` as "company consultant + mentor" in ``lang``."""
    return " + ".join(label(role, lang) for role in name.split("+"))


OTHER_ROLES = {
    "any": N_("any"),
    "ips_consultant": N_("IPS consultant"),
    "job_specialist": N_("job specialist"),
}
"""Roles of the reference models that the register does not have."""


def role_words(name: str, lang: str) -> str:
    if name in OTHER_ROLES:
        return translator(lang).gettext(OTHER_ROLES[name])
    return position_label(name, lang)
