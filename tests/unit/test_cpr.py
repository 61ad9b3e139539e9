"""CPR numbers: century rule, sex, invalid numbers and the keyed hash."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

import pytest

from caseload.domain import cpr

KEY = b"municipality-secret"


def _digits_of(number: str) -> list[str]:
    """Fragments of a CPR number that must never show up in a message."""
    plain = number.strip().replace("-", "")
    return [number.strip(), plain, plain[:6], plain[6:]]


# --- century rule (CPR-kontoret's table) -------------------------------------------------


@pytest.mark.parametrize(
    ("number", "born"),
    [
        # 7th digit 0-3: always 1900s
        ("010100-0000", date(1900, 1, 1)),
        ("010136-1000", date(1936, 1, 1)),
        ("311299-2000", date(1999, 12, 31)),
        ("150557-3000", date(1957, 5, 15)),
        ("150558-3000", date(1958, 5, 15)),
        # 7th digit 4 and 9: 2000s up to YY=36, else 1900s
        ("010100-4000", date(2000, 1, 1)),
        ("010136-4000", date(2036, 1, 1)),
        ("010137-4000", date(1937, 1, 1)),
        ("010199-4000", date(1999, 1, 1)),
        ("010100-9000", date(2000, 1, 1)),
        ("010136-9000", date(2036, 1, 1)),
        ("010137-9000", date(1937, 1, 1)),
        ("010199-9000", date(1999, 1, 1)),
        # 7th digit 5-8: 2000s up to YY=57, else 1800s
        ("010100-5000", date(2000, 1, 1)),
        ("010157-5000", date(2057, 1, 1)),
        ("010158-5000", date(1858, 1, 1)),
        ("010199-5000", date(1899, 1, 1)),
        ("010157-6000", date(2057, 1, 1)),
        ("010158-6000", date(1858, 1, 1)),
        ("010157-7000", date(2057, 1, 1)),
        ("010158-7000", date(1858, 1, 1)),
        ("010157-8000", date(2057, 1, 1)),
        ("010158-8000", date(1858, 1, 1)),
    ],
)
def test_century_from_seventh_digit_and_year(number: str, born: date) -> None:
    assert cpr.parse(number).birth_date == born


def test_docstring_example() -> None:
    assert cpr.parse("010180-1234").birth_date == date(1980, 1, 1)


def test_leap_day_depends_on_century() -> None:
    # 2000 is a leap year, 1900 is not: the century decides whether 29 Feb exists
    assert cpr.parse("290200-4000").birth_date == date(2000, 2, 29)
    assert cpr.parse("290204-1000").birth_date == date(1904, 2, 29)
    with pytest.raises(cpr.CprError, match="not a real birth date"):
        cpr.parse("290200-1000")


# --- sex -----------------------------------------------------------------------------------


@pytest.mark.parametrize("last", list(range(10)))
def test_sex_from_parity_of_last_digit(last: int) -> None:
    expected = "male" if last % 2 == 1 else "female"
    assert cpr.parse(f"010180-123{last}").sex == expected


# --- format --------------------------------------------------------------------------------


def test_dash_is_optional() -> None:
    assert cpr.parse("0101801233") == cpr.parse("010180-1233")
    assert cpr.parse("0101801233") == cpr.CprTraits(date(1980, 1, 1), "male")


def test_surrounding_space_is_ignored() -> None:
    assert cpr.parse("  010180-1234 ") == cpr.CprTraits(date(1980, 1, 1), "female")


def test_normalise_strips_dash_and_space() -> None:
    assert cpr.normalise(" 010180-1234\t") == "0101801234"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("", "ten digits"),
        ("01018-1234", "ten digits"),  # nine digits
        ("010180-12345", "ten digits"),  # eleven digits
        ("0101801", "ten digits"),
        ("01O180-1234", "ten digits"),  # letter O, not zero
        ("010180-12a4", "ten digits"),
        ("abcdef-ghij", "ten digits"),
        ("010180 1234", "ten digits"),  # inner space is not a separator
        ("010180/1234", "ten digits"),
        ("+10180-1234", "ten digits"),
        ("310280-1234", "not a real birth date"),  # 31 February
        ("300280-1234", "not a real birth date"),  # 30 February
        ("290201-1234", "not a real birth date"),  # 29 February 1901
        ("290281-1234", "not a real birth date"),  # 29 February 1981
        ("310480-1234", "not a real birth date"),  # 31 April
        ("000180-1234", "not a real birth date"),  # day 0
        ("011380-1234", "not a real birth date"),  # month 13
        ("010080-1234", "not a real birth date"),  # month 0
    ],
)
def test_invalid_numbers_are_refused(number: str, reason: str) -> None:
    with pytest.raises(cpr.CprError, match=reason):
        cpr.parse(number)


@pytest.mark.parametrize(
    "number",
    [
        "０１０１８０-１２３４",  # full-width digits
        "010180-12٣4",  # Arabic-Indic digit three
        "010180-²234",  # superscript two: isdigit() but not a decimal digit
    ],
    ids=["full-width", "arabic-indic", "superscript"],
)
def test_only_ascii_digits_are_accepted(number: str) -> None:
    # str.isdigit() is true for these; a CPR number is ten ASCII digits
    with pytest.raises(cpr.CprError, match="ten digits"):
        cpr.parse(number)


def test_cpr_error_is_a_value_error() -> None:
    assert issubclass(cpr.CprError, ValueError)


@pytest.mark.parametrize(
    "number",
    ["310280-1234", "290201-1234", "010180-12345", "01O180-1234", "011380-9876", "1234567"],
)
def test_error_message_never_contains_the_digits(number: str) -> None:
    with pytest.raises(cpr.CprError) as caught:
        cpr.parse(number)
    message = str(caught.value)
    for fragment in _digits_of(number):
        assert fragment not in message
    assert not any(ch.isdigit() for ch in message), message
    assert all(number not in str(arg) for arg in caught.value.args)


# --- keyed hash ----------------------------------------------------------------------------


def test_keyed_hash_is_hmac_sha256_of_normalised_number() -> None:
    expected = hmac.new(KEY, b"0101801234", hashlib.sha256).hexdigest()
    assert cpr.keyed_hash("010180-1234", KEY) == expected
    assert len(expected) == 64
    assert int(expected, 16) >= 0  # lower-case hex


def test_keyed_hash_is_stable_for_the_same_key() -> None:
    assert cpr.keyed_hash("010180-1234", KEY) == cpr.keyed_hash("010180-1234", KEY)
    assert cpr.keyed_hash("010180-1234", KEY) == cpr.keyed_hash("010180-1234", bytes(KEY))


def test_keyed_hash_differs_between_keys() -> None:
    assert cpr.keyed_hash("010180-1234", KEY) != cpr.keyed_hash("010180-1234", b"other-key")


def test_keyed_hash_differs_between_numbers() -> None:
    assert cpr.keyed_hash("010180-1234", KEY) != cpr.keyed_hash("010180-1235", KEY)


def test_keyed_hash_ignores_the_dash_and_space() -> None:
    hashed = cpr.keyed_hash("010180-1234", KEY)
    assert cpr.keyed_hash("0101801234", KEY) == hashed
    assert cpr.keyed_hash(" 010180-1234 ", KEY) == hashed


def test_keyed_hash_does_not_reveal_the_number() -> None:
    hashed = cpr.keyed_hash("010180-1234", KEY)
    for fragment in _digits_of("010180-1234"):
        assert fragment not in hashed
    # not the unkeyed hash either
    assert hashed != hashlib.sha256(b"0101801234").hexdigest()


@pytest.mark.parametrize("key", [b"", None])
def test_keyed_hash_refuses_an_empty_key(key: bytes | None) -> None:
    with pytest.raises(cpr.CprError, match="no hashing key") as caught:
        cpr.keyed_hash("010180-1234", key)  # type: ignore[arg-type]
    assert "0101801234" not in str(caught.value)
    assert "010180" not in str(caught.value)


def test_has_cpr_shape_counts_an_invalid_date_too() -> None:
    from caseload.domain.cpr import has_cpr_shape, looks_like_cpr

    assert has_cpr_shape("anna-010180-1233") and looks_like_cpr("anna-010180-1233")
    # 31 February is no birth date, but a typed CPR number with a typo is still kept out
    assert has_cpr_shape("310280-1234") and not looks_like_cpr("310280-1234")
    assert has_cpr_shape("3102801234")
    assert not has_cpr_shape("C0000042") and not has_cpr_shape("anna.holm")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("no trial '010190-1234' in the register", "no trial 'xxxxxx-xxxx' in the register"),
        ("case R1-001 is not assigned to 0101901234", "case R1-001 is not assigned to xxxxxx-xxxx"),
        ("rows 1234567890 and 9999999999", "rows 1234567890 and 9999999999"),  # no birth date
        ("/tmp/pytest-123456/1234.csv", "/tmp/pytest-123456/1234.csv"),  # a path, not a number
        ("01019012345", "01019012345"),  # eleven digits
    ],
)
def test_a_cpr_like_number_is_masked_in_a_message_and_nothing_else(text: str, shown: str) -> None:
    assert cpr.masked(text) == shown
    assert not cpr.looks_like_cpr(cpr.masked(text))
