"""Danish and English for what users read. Code and logs stay English."""

from __future__ import annotations

import os

LANGS = ("en", "da")
_TEXT: dict[str, tuple[str, str]] = {
    "caseloads_on": ("Caseloads on {day}", "Sagsstammer pr. {day}"),
    "department": ("Department", "Afdeling"),
    "trial": ("trial", "forsøg"),
    "role": ("Role", "Rolle"),
    "staff": ("Staff", "Medarbejder"),
    "professionals": ("Professionals", "Medarbejdere"),
    "citizens": ("Citizens", "Borgere"),
    "cap": ("Cap", "Loft"),
    "mean": ("Mean", "Gns."),
    "max": ("Max", "Maks."),
    "over_cap": ("Over cap", "Over loft"),
    "none_over_cap": ("No professional is over their cap.", "Ingen medarbejder er over loftet."),
    "over_cap_list": ("Over their cap", "Over loftet"),
    "continuity": (
        "Caseworker changes per citizen-year (year to {day})",
        "Sagsbehandlerskift pr. borgerår (året til {day})",
    ),
    "changes": ("Changes", "Skift"),
    "citizen_years": ("Citizen-years", "Borgerår"),
    "per_citizen_year": ("Per citizen-year", "Pr. borgerår"),
    "coordinating_caseworker": ("coordinating caseworker", "koordinerende sagsbehandler"),
    "company_consultant": ("company consultant", "virksomhedskonsulent"),
    "mentor": ("mentor", "mentor"),
    "imported": (
        "{table}: {inserted} inserted, {updated} updated, {unchanged} unchanged",
        "{table}: {inserted} indsat, {updated} opdateret, {unchanged} uændret",
    ),
    "rejected": (
        "{file}: {count} problem(s); nothing was imported",
        "{file}: {count} fejl; intet blev indlæst",
    ),
    "problem": ("row {row}, column {column}: {reason}", "række {row}, kolonne {column}: {reason}"),
    "more_problems": (
        "… and {count} more (use --errors FILE for all)",
        "… og {count} flere (brug --errors FIL for alle)",
    ),
    "randomise_done": (
        "{trial}: {assigned} citizen(s) assigned on {day}; {kept} already assigned kept their arm",
        "{trial}: {assigned} borger(e) fordelt {day}; "
        "{kept} allerede fordelte beholdt deres gruppe",
    ),
    "randomise_dry": (
        "{trial} (dry run, nothing stored): {assigned} citizen(s) would be assigned on {day}; "
        "{kept} already assigned",
        "{trial} (prøvekørsel, intet gemt): {assigned} borger(e) ville blive fordelt {day}; "
        "{kept} allerede fordelt",
    ),
    "clusters": ("{n} cluster(s) by {unit}", "{n} klynge(r) efter {unit}"),
    "stratum": ("Stratum", "Stratum"),
    "trial_arm": ("Trial", "Forsøg"),
    "control_arm": ("Control", "Kontrol"),
}


def default_lang() -> str:
    lang = os.environ.get("CASELOAD_LANG", "en")
    return lang if lang in LANGS else "en"


def t(key: str, lang: str, **values: object) -> str:
    english, danish = _TEXT[key]
    return (danish if lang == "da" else english).format(**values)
