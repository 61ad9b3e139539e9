"""Numbers a small or uniform register cannot define — a standardised difference of a
trait the same for everyone, a proportional-hazards check without enough events, a ratio
over zero events — never sink a report: they become ``None`` (shown as – in the report,
``null`` in evaluation.json and empty in the CSV), and each one is listed with its table,
row, field and reason under ``undefined`` in the JSON."""

from __future__ import annotations

import math
from typing import Any

REASONS = {
    "smd": "the trait does not vary within the arms, so it has no standardised difference",
    "ph_p_value": "too few events to check proportional hazards",
    "ph_global_p": "too few events to check proportional hazards",
    "risk_ratio": "no events in the control arm",
    "risk_ratio_low": "no events in an arm",
    "risk_ratio_high": "no events in an arm",
}
DEFAULT_REASON = "not defined for these data (too few units or events)"


def _undefined(value: Any) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def clean(
    tables: dict[str, list[dict[str, Any]]],
) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """The tables with every undefined number as None, and the list of what was undefined."""
    found: list[dict[str, Any]] = []
    cleaned: dict[str, list[dict[str, Any]]] = {}
    for table, rows in tables.items():
        cleaned[table] = []
        for index, row in enumerate(rows):
            new = dict(row)
            for field, value in row.items():
                if _undefined(value):
                    new[field] = None
                    found.append(
                        {
                            "table": table,
                            "row": row.get("name", row.get("trait", index)),
                            "field": field,
                            "reason": REASONS.get(field, DEFAULT_REASON),
                        }
                    )
            cleaned[table].append(new)
    return cleaned, found
