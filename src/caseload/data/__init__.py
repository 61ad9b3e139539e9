"""Published figures shipped with caseload (copies of shared/data/published)."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any


@cache
def published(name: str = "copenhagen_2018_2019") -> dict[str, Any]:
    text = files(__package__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
