"""All import tables, in load order."""

from __future__ import annotations

import difflib

from caseload.register import caseflow_tables as cf
from caseload.register import tables as t
from caseload.register.spec import TableSpec

SPECS: tuple[TableSpec, ...] = (
    t.JOBCENTRES,
    t.DEPARTMENTS,
    t.TEAMS,
    t.STAFF,
    t.ROLES,
    t.CAPS,
    t.CITIZENS,
    t.RESPONSIBILITIES,
    t.MEETINGS,
    t.SPELLS,
    t.ABSENCE,
    cf.ORDERS,
    cf.PROGRESS_REPORTS,
    cf.MEDICAL_REQUESTS,
    cf.PLANS,
    cf.RECOMMENDATIONS,
    cf.PLACEMENTS,
    cf.PAID_HOURS,
    cf.TRIALS,
    cf.ASSIGNMENTS,
    # operate's rules, last so the synthetic job centre's random streams stay as they were
    t.CASELOAD_RULES,
    t.BUDDY_PAIRS,
    t.MEETING_RULES,
)
BY_NAME: dict[str, TableSpec] = {spec.name: spec for spec in SPECS}


def spec(name: str) -> TableSpec:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; choose one of: {', '.join(BY_NAME)}") from None


def nearest(name: str) -> str | None:
    """The import table whose name is closest to a mistyped one ("staf" → "staff")."""
    found = difflib.get_close_matches(name.strip().lower(), BY_NAME, n=1, cutoff=0.6)
    return found[0] if found else None
