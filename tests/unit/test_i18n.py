"""What users read exists in Danish and English, with the same values in both, and the
operate face's refusals read in either language without repeating a CPR number."""

from __future__ import annotations

import string

import pytest

from caseload import i18n
from caseload.operate.refusals import Conflict, NotFound, Refused, shown_id
from caseload.operate.words import WORDS


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(i18n._TEXT))
def test_every_text_has_both_languages_with_the_same_values(key: str) -> None:
    english, danish = i18n._TEXT[key]
    assert english.strip() and danish.strip()
    assert _fields(english) == _fields(danish)


def test_the_sparring_sheet_words_match_in_both_languages() -> None:
    assert WORDS["en"].keys() == WORDS["da"].keys()
    for key, english in WORDS["en"].items():
        assert _fields(english) == _fields(WORDS["da"][key]), key


def test_a_refusal_reads_in_either_language_and_joins_its_reasons() -> None:
    error = Refused.of([("takeover_not_attached", {"staff": "KS2"}), ("override_hint", {})])
    assert str(error) == (
        "a takeover during absence goes only to a professional already attached to the "
        "citizen; KS2 is not (seed 004); to go ahead anyway, give an override reason"
    )
    assert error.message("da").startswith("en overtagelse under fravær går kun til")
    assert isinstance(error, ValueError)
    assert str(Conflict("stale_version", now=3, expected=2)).startswith(
        "the case was changed by someone else (version 3, you had 2)"
    )


@pytest.mark.parametrize("typed", ["0101801234", "010180-1234", " 010180-1234 "])
def test_an_id_that_looks_like_a_cpr_number_is_never_repeated(typed: str) -> None:
    error = NotFound("no_citizen", code=shown_id(typed))
    for lang in ("en", "da"):
        assert "1234" not in error.message(lang)
    assert str(NotFound("no_citizen", code=shown_id("C000042"))) == (
        "no citizen 'C000042' in the register"
    )
