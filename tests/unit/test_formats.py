"""Numbers, money, p-values and dates as each reader writes them (Babel's da_DK and en_GB),
from the one place every page and table takes them: the translator."""

from __future__ import annotations

from datetime import date

import pytest

from caseload.domain.labels import label, outcome_name
from caseload.i18n import Message, template_globals, translator

DA, EN = translator("da"), translator("en")


def test_money_in_each_locale() -> None:
    assert DA.money(18_018_639) == "18.018.639 kr."
    assert EN.money(18_018_639) == "DKK 18,018,639"


def test_decimals_and_shares() -> None:
    assert DA.decimal(1.4712, 2) == "1,47" and EN.decimal(1.4712, 2) == "1.47"
    assert DA.share(0.8964) == "89,6 %" and EN.share(0.8964) == "89.6%"
    assert DA.count(8500) == "8.500" and EN.count(8500) == "8,500"
    assert DA.decimal(None) == "–" and DA.decimal(float("nan")) == "–"


def test_signed_differences_and_percentage_points() -> None:
    assert DA.signed(1.25, 2) == "+1,25" and DA.signed(-0.3) == "-0,3"
    assert DA.pp(0.112) == "+11,2 pct.-point" and EN.pp(-0.009) == "-0.9 pp"
    assert DA.pp(0.045, sign=False) == "4,5 pct.-point"


@pytest.mark.parametrize(
    ("p", "da", "en"),
    [
        (0.0004, "p < 0,001", "p < 0.001"),
        (0.000999, "p < 0,001", "p < 0.001"),
        (0.001, "p = 0,001", "p = 0.001"),
        (0.0234, "p = 0,023", "p = 0.023"),
        (0.56, "p = 0,560", "p = 0.560"),
    ],
)
def test_p_values_below_a_thousandth_are_said_as_such(p: float, da: str, en: str) -> None:
    assert DA.p(p) == da and EN.p(p) == en
    assert DA.pvalue(p) == da.removeprefix("p ").removeprefix("= ")


def test_dates_in_the_medium_form() -> None:
    day = date(2026, 12, 6)
    assert DA.date(day) == "6. dec. 2026" and EN.date(day) == "6 Dec 2026"
    assert DA.date("2018-06-30") == "30. jun. 2018"  # an ISO day from a JSON-able summary
    assert DA.date(None) == "–"


def test_large_sums_share_one_scale_with_their_interval() -> None:
    assert (
        DA.money_interval(18_018_639, 12_100_000, 23_900_000)
        == "18,0 mio. kr. (95 %-KI 12,1 til 23,9 mio. kr.)"
    )
    assert (
        EN.money_interval(18_018_639, 12_100_000, 23_900_000)
        == "DKK 18.0 million (95 % CI 12.1 to DKK 23.9 million)"
    )
    # the interval's widest end sets the scale for the estimate too
    assert DA.money_interval(400_000, -3_866_967, 10_580_331) == (
        "0,4 mio. kr. (95 %-KI -3,9 til 10,6 mio. kr.)"
    )
    assert DA.money_interval(45_000, 12_000, 80_000) == "45 t. kr. (95 %-KI 12 til 80 t. kr.)"
    assert DA.money_interval(4_500, 1_200, 8_000) == "4.500 kr. (95 %-KI 1.200 til 8.000 kr.)"


def test_templates_get_the_same_helpers() -> None:
    helpers = template_globals(DA)
    assert helpers["p"](0.0001) == "p < 0,001"
    assert helpers["share"](0.5) == "50,0 %"
    assert helpers["money_interval"](2_000_000, 1_000_000, 3_000_000).startswith("2,0 mio. kr.")


@pytest.mark.parametrize(
    ("code", "da", "en"),
    [
        ("wage_subsidy", "løntilskud", "wage subsidy"),
        ("work_placement", "virksomhedspraktik", "work placement"),
        ("flex_job", "fleksjob", "flex job"),
        ("staff_exit", "medarbejderfratræden", "staff exit"),
        ("cancelled_by_citizen", "aflyst af borgeren", "cancelled by the citizen"),
        ("job_centre", "jobcenter", "job centre"),
        ("control", "kontrol", "control"),
    ],
)
def test_codes_read_as_words(code: str, da: str, en: str) -> None:
    assert label(code, "da") == da and label(code, "en") == en


def test_covariates_and_outcomes_read_as_words() -> None:
    assert outcome_name("benefit_years", "da") == "År på offentlig forsørgelse"
    assert outcome_name("long_term_at_start", "en") == "Kontanthjælp ≥ 3 years at the start"
    assert outcome_name("placement", "da") == "Virksomhedspraktik"
    assert outcome_name("my_own_column", "da") == "my_own_column"  # the user's own name


def test_a_messages_days_in_the_readers_form_and_iso_in_str() -> None:
    m = Message(
        "--as-of {day} is before the trial's start {start}",
        {"day": date(2019, 6, 30), "start": "2019-07-01"},
    )
    assert DA.message(m) == "--as-of 30. jun. 2019 ligger før forsøgets start 1. jul. 2019"
    assert EN.message(m) == "--as-of 30 Jun 2019 is before the trial's start 1 Jul 2019"
    assert str(m) == "--as-of 2019-06-30 is before the trial's start 2019-07-01"  # logs
    not_a_day = Message(m.msgid, {"day": "2019-02-30", "start": "2019-07-01"})
    assert DA.message(not_a_day).startswith("--as-of 2019-02-30 ")  # as the user wrote it


def test_numbers_in_a_msgid_take_the_readers_marks() -> None:
    text = "{load:g} against {cap:,}; {share:.2f}; seed {seed}"
    values = {"load": 41.5, "cap": 8500, "share": 0.256, "seed": 2018}
    assert DA.gettext(text, **values) == "41,5 against 8.500; 0,26; seed 2018"
    assert EN.gettext(text, **values) == "41.5 against 8,500; 0.26; seed 2018"
    m = Message("{staff} would carry {load:g} against a cap of {limit:g}", {"load": 51.5})
    assert DA.message(Message(m.msgid, {"staff": "KS", "load": 51.5, "limit": 50})) == (
        DA.gettext(m.msgid, staff="KS", load=51.5, limit=50)
    )
    assert "51,5" in DA.message(Message(m.msgid, {"staff": "KS", "load": 51.5, "limit": 50}))
