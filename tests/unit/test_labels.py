"""Every code a page shows has an English and a Danish label."""

from __future__ import annotations

import pytest

from caseload.domain import codes
from caseload.domain.labels import LABELS, label

SHOWN = (
    codes.TARGET_GROUPS,
    codes.BENEFITS,
    codes.COMPLEXITY_TIERS,
    codes.MEETING_KINDS,
    codes.PLACEMENT_KINDS,
    codes.MEDICAL_KINDS,
    codes.RECOMMENDATIONS,
    codes.ROLES,
    codes.NOTE_KINDS,
)


@pytest.mark.parametrize("code", sorted({c for group in SHOWN for c in group}))
def test_every_shown_code_has_both_labels(code: str) -> None:
    # the English label is the msgid; tests/unit/test_catalogue.py checks its Danish exists
    english, danish = LABELS[code], label(code, "da")
    assert english and danish


def test_labels_in_each_language() -> None:
    assert label("kontanthjaelp", "da") == "kontanthjælp"
    assert label("very_complex", "en") == "very complex"
    assert label("work_placement", "da") == "virksomhedspraktik"
    assert label(None, "da") == "–"
    assert label("not_a_code", "en") == "not_a_code"
