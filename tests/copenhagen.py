"""The Copenhagen report's published counts, for the unit test of the estimators and the
end-to-end test of `caseload analyze-counts` (kept apart from helpers.py, which loads the CLI)."""

from __future__ import annotations

from caseload.data import published


def published_counts() -> dict[str, object]:
    """The Copenhagen report's published counts as an `analyze-counts` input file holds them."""
    pub = published()
    t3, t4, t5 = (
        pub["table_3_exits_work_education"],
        pub["table_4_company_placement_2018_2019"],
        pub["table_5_exits_other_benefits"],
    )
    outcomes: dict[str, object] = {
        k: {"trial": t3["trial"][k], "control": t3["control"][k]}
        for k in ("job", "small_job", "education")
    }
    outcomes["placement"] = {
        arm: [t4[arm]["placed"], t4[arm]["placed"] + t4[arm]["not_placed"]]
        for arm in ("trial", "control")
    }
    outcomes |= {
        k: {"trial": t5["trial"][k], "control": t5["control"][k]}
        for k in ("resource_course", "flex_job", "disability_pension")
    }
    return {"arms": pub["arms"], "outcomes": outcomes}
