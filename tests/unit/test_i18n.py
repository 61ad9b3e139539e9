"""What users read exists in Danish and English, with the same values in both, and the
operate face's refusals read in either language without repeating a CPR number."""

from __future__ import annotations

import functools
import pickle
import string
from datetime import date
from importlib import resources

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from caseload.i18n import LANGS, Message, default_lang, translator
from caseload.i18n.translator import from_po
from caseload.operate.refusals import Conflict, NotFound, Refused, shown_id
from caseload.register.problems import Problem

LOCALE = resources.files("caseload").joinpath("locale")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@functools.cache  # read once: a test per text (nearly 2,000) would read it each time
def _danish() -> dict[tuple[str | None, str], str]:
    with LOCALE.joinpath("da", "LC_MESSAGES", "caseload.po").open("rb") as handle:
        catalog = read_po(handle)
    return {(m.context, str(m.id)): str(m.string) for m in catalog if m.id}


@pytest.mark.parametrize("key", sorted(_danish(), key=str))
def test_every_text_has_both_languages_with_the_same_values(
    key: tuple[str | None, str],
) -> None:
    english, danish = key[1], _danish()[key]
    assert english.strip() and danish.strip()
    assert _fields(english) == _fields(danish)


def test_the_sparring_sheet_words_match_in_both_languages() -> None:
    template = resources.files("caseload").joinpath("operate", "templates", "sparring.html.j2")
    danish = _danish()
    found = list(
        extract_from_file("jinja2", str(template), options={"extensions": "jinja2.ext.i18n"})
    )
    assert len(found) > 40
    for _line, message, _comments, context in found:
        english = message if isinstance(message, str) else message[0]
        assert (context, english) in danish, english
        assert _fields(english) == _fields(danish[(context, english)]), english


def test_a_refusal_reads_in_either_language_and_joins_its_reasons() -> None:
    error = Refused.of(
        [
            Message(
                "a takeover during absence goes only to a professional already attached to "
                "the citizen; {staff} is not (seed 004)",
                {"staff": "KS2"},
            ),
            Message("to go ahead anyway, give an override reason"),
        ]
    )
    assert str(error) == (
        "a takeover during absence goes only to a professional already attached to the "
        "citizen; KS2 is not (seed 004); to go ahead anyway, give an override reason"
    )
    assert error.message("da").startswith("en overtagelse under fravær går kun til")
    assert isinstance(error, ValueError)
    stale = Message(
        "the case was changed by someone else (version {now}, you had {expected}); nothing "
        "was saved: reload it and make the change again",
        {"now": 3, "expected": 2},
    )
    assert str(Conflict(stale)).startswith(
        "the case was changed by someone else (version 3, you had 2)"
    )


@pytest.mark.parametrize("typed", ["0101801234", "010180-1234", " 010180-1234 "])
def test_an_id_that_looks_like_a_cpr_number_is_never_repeated(typed: str) -> None:
    no_citizen = "no citizen {code} in the register"
    error = NotFound(Message(no_citizen, {"code": shown_id(typed)}))
    for lang in ("en", "da"):
        assert "1234" not in error.message(lang)
    assert str(NotFound(Message(no_citizen, {"code": shown_id("C000042")}))) == (
        "no citizen 'C000042' in the register"
    )


def test_a_message_is_english_until_a_reader_renders_it() -> None:
    m = Message("{staff} is not employed on {day}", {"staff": "KS-001", "day": date(2019, 3, 1)})
    assert str(m) == "KS-001 is not employed on 2019-03-01"
    assert translator("da").message(m) == "KS-001 er ikke ansat pr. 1. mar. 2019"
    assert Message.from_json(m.to_json()) == m


def test_plural_and_context() -> None:
    da = translator("da")
    # one English word, two Danish ones
    assert da.pgettext("sparring sheet", "due") == "frist"
    assert da.gettext("due") == "med frist"
    assert translator("en").ngettext("{n} citizen", "{n} citizens", 2) == "2 citizens"


def test_numbers_money_and_dates_in_the_readers_locale() -> None:
    da, en = translator("da"), translator("en")
    assert da.number(12345.5, 1) == "12.345,5" and en.number(12345.5, 1) == "12,345.5"
    assert da.percent(0.256, 1) == "25,6 %" and en.percent(0.256, 1) == "25.6%"
    assert da.money(12345) == "12.345 kr." and en.money(12345) == "DKK 12,345"
    assert da.date(date(2019, 3, 1)) == "1. mar. 2019"
    assert en.date(date(2019, 3, 1)) == "1 Mar 2019"


def test_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    assert LANGS == ("en", "da")
    monkeypatch.setenv("CASELOAD_LANG", "da")
    assert default_lang() == "da"
    monkeypatch.setenv("CASELOAD_LANG", "fr")
    assert default_lang() == "en"
    with pytest.raises(ValueError):
        translator("fr")


def test_the_po_serves_when_no_mo_was_built() -> None:
    catalogue = from_po(LOCALE.joinpath("da", "LC_MESSAGES", "caseload.po"), "da")
    assert catalogue.gettext("Citizen") == "Borger"
    assert catalogue.pgettext("sparring sheet", "completed") == "afsluttet"


def test_an_import_problem_reads_in_the_readers_language() -> None:
    problem = Problem(
        2, "cpr", Message("same CPR number as row {row}", {"row": "1"}), "citizens.csv"
    )
    assert problem.reason == "same CPR number as row 1"
    assert problem.text("da") == "samme CPR-nummer som række 1"
    assert str(problem) == "citizens.csv: row 2, column cpr: same CPR number as row 1"
    nested = Message(
        "not a valid CPR number: {error}", {"error": Message("must be ten digits (DDMMYY-SSSS)")}
    )
    assert translator("da").message(nested) == (
        "ikke et gyldigt CPR-nummer: skal være ti cifre (DDMMÅÅ-SSSS)"
    )


def test_a_said_error_is_english_as_text_and_danish_when_asked() -> None:
    from caseload.evaluate.randomise import DesignError, probability_of

    with pytest.raises(DesignError) as raised:
        probability_of(0.5, "1:1")
    assert str(raised.value) == "give --prob or --ratio, not both"
    assert raised.value.text("da") == "angiv --prob eller --ratio, ikke begge"
    assert translator("da").message(raised.value.message) == raised.value.text("da")
    assert isinstance(raised.value, ValueError)
    copy = pickle.loads(pickle.dumps(raised.value))
    assert copy.message == raised.value.message and str(copy) == str(raised.value)
