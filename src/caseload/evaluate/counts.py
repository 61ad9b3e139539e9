"""Published aggregate counts (``caseload analyze-counts FILE.json``).

Format (documented in docs/evaluation.md)::

    {
      "arms": {"trial": 917, "control": 856},
      "alpha": 0.05,
      "outcomes": {
        "job": {"trial": 102, "control": 89},
        "placement": {"trial": [451, 917], "control": [400, 855]}
      }
    }

An outcome's arm is a number of events (out of the arm's size in ``arms``) or a pair
``[events, n]`` when the outcome was counted on another base.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from caseload.evaluate.binary import BinaryResult, Counts, compare, family
from caseload.i18n import Message, Said

ARMS = ("trial", "control")


class CountsError(Said, ValueError):
    """A counts file that cannot be used; the message names the place and the reason."""


def _counts(value: Any, arm_size: int | None, where: Message) -> Counts:
    if isinstance(value, list) and len(value) == 2:
        events, n = value
    elif isinstance(value, int) and not isinstance(value, bool):
        events, n = value, arm_size
    else:
        raise CountsError(
            Message("{where}: give events (a whole number) or [events, n]", {"where": where})
        )
    if n is None:
        raise CountsError(
            Message(
                "{where}: no arm size in 'arms' and none given as [events, n]", {"where": where}
            )
        )
    if not isinstance(events, int) or not isinstance(n, int):
        raise CountsError(Message("{where}: events and n must be whole numbers", {"where": where}))
    if n <= 0:
        raise CountsError(
            Message("{where}: the arm has no units (n = {n})", {"where": where, "n": n})
        )
    if not 0 <= events <= n:
        raise CountsError(
            Message(
                "{where}: events ({events}) must be between 0 and n ({n})",
                {"where": where, "events": events, "n": n},
            )
        )
    return Counts(events, n)


def parse(data: Any, source: str = "counts") -> tuple[list[tuple[str, Counts, Counts]], float]:
    if not isinstance(data, dict) or not isinstance(data.get("outcomes"), dict):
        raise CountsError(Message("{source}: needs an object with 'outcomes'", {"source": source}))
    arms = data.get("arms", {})
    if not isinstance(arms, dict):
        raise CountsError(
            Message("{source}: 'arms' must map trial/control to sizes", {"source": source})
        )
    alpha = data.get("alpha", 0.05)
    if not isinstance(alpha, float | int) or not 0 < alpha < 1:
        raise CountsError(Message("{source}: 'alpha' must be between 0 and 1", {"source": source}))
    if not data["outcomes"]:
        raise CountsError(Message("{source}: 'outcomes' is empty", {"source": source}))
    out = []
    for name, arms_counts in data["outcomes"].items():
        if not isinstance(arms_counts, dict) or set(arms_counts) != set(ARMS):
            raise CountsError(
                Message(
                    "{source}: outcome {name!r} needs exactly 'trial' and 'control'",
                    {"source": source, "name": name},
                )
            )
        treated, control = (
            _counts(
                arms_counts[arm],
                arms.get(arm),
                Message(
                    "{source}: outcome {name!r}, arm {arm!r}",
                    {"source": source, "name": name, "arm": arm},
                ),
            )
            for arm in ARMS
        )
        out.append((name, treated, control))
    return out, float(alpha)


def analyze(data: Any, source: str = "counts") -> list[BinaryResult]:
    outcomes, alpha = parse(data, source)
    return family([compare(name, t, c, alpha) for name, t, c in outcomes])


def load(path: Path) -> list[BinaryResult]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CountsError(Message("{path}: file not found", {"path": str(path)})) from None
    except UnicodeDecodeError:
        raise CountsError(
            Message("{path}: not a JSON text file (it is not UTF-8)", {"path": str(path)})
        ) from None
    except json.JSONDecodeError as error:
        raise CountsError(
            Message(
                "{path}: not JSON ({reason}, line {line})",
                {"path": str(path), "reason": error.msg, "line": error.lineno},
            )
        ) from None
    return analyze(data, str(path))


def to_json(result: BinaryResult) -> dict[str, Any]:
    return {
        "name": result.name,
        "kind": "binary",
        "treated": {
            "n": result.treated.n,
            "events": result.treated.events,
            "rate": result.treated.rate,
        },
        "control": {
            "n": result.control.n,
            "events": result.control.events,
            "rate": result.control.rate,
        },
        "difference": result.difference,
        "ci": list(result.ci),
        "risk_ratio": result.risk_ratio,
        "risk_ratio_ci": list(result.risk_ratio_ci) if result.risk_ratio_ci else None,
        "p_value": result.p_value,
        "test": result.test,
        "p_value_holm": result.p_value_holm,
        "significant": result.significant,
        "minimum_detectable_effect": result.minimum_detectable_effect,
    }
