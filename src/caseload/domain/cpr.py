"""Danish CPR numbers: validation, derived traits and a keyed hash.

A CPR number is ``DDMMYY-SSSS``. The 7th digit together with the year gives
the century (CPR-kontoret's table); the last digit's parity gives the legal
sex (odd: male). caseload never stores the number itself, only an HMAC of it
under a key the municipality holds, plus the birth date and sex.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date

from caseload.i18n import N_, Message


class CprError(ValueError):
    """The reason a CPR number is invalid. Never carries the number itself."""


@dataclass(frozen=True)
class CprTraits:
    birth_date: date
    sex: str


def _century(year2: int, seventh: int) -> int:
    if seventh <= 3:
        return 1900
    if seventh in (4, 9):
        return 2000 if year2 <= 36 else 1900
    # 5-8
    return 2000 if year2 <= 57 else 1800


def normalise(cpr: str) -> str:
    """Strip the optional dash and surrounding space; the result still needs :func:`parse`."""
    return cpr.strip().replace("-", "")


def parse(cpr: str) -> CprTraits:
    """Validate a CPR number and return the traits derived from it.

    >>> parse("010180-1234").birth_date
    datetime.date(1980, 1, 1)
    """
    digits = normalise(cpr)
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        raise CprError(N_("must be ten digits (DDMMYY-SSSS)"))
    day, month, year2 = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    year = _century(year2, int(digits[6])) + year2
    try:
        born = date(year, month, day)
    except ValueError:
        raise CprError(N_("the first six digits are not a real birth date")) from None
    sex = "male" if int(digits[9]) % 2 == 1 else "female"
    return CprTraits(birth_date=born, sex=sex)


_CANDIDATE = re.compile(r"(?<!\d)(\d{6})-?(\d{4})(?!\d)")
"""Ten digits, or six, a hyphen and four, not part of a longer run of digits."""

CANDIDATE_PATTERN = r"\d{6}-?\d{4}"
"""A cheap, vectorisable first filter: every CPR-like text contains a match of it."""


def looks_like_cpr(text: str) -> bool:
    """Whether ``text`` holds something that may be a CPR number: ten digits (a hyphen
    allowed after the sixth), standing alone, whose first six are a real birth date under
    the century rule. The check digit is not required: numbers issued since 2007 may fail
    modulus 11, and a false alarm costs a user a renamed id, a leak costs far more."""
    for match in _CANDIDATE.finditer(text):
        try:
            parse(match.group(1) + match.group(2))
        except CprError:
            continue
        return True
    return False


def held_in(value: str | None, option: str) -> Message | None:
    """Why a text the user typed for ``option`` (a free text, a name, a code) is refused:
    it holds what looks like a CPR number, which would be stored and shown again (the
    number is not repeated); None when it does not."""
    if value is None or not looks_like_cpr(value):
        return None
    return Message(
        "{option} holds what looks like a CPR number, which is never stored: write it "
        "without the number",
        {"option": option},
    )


MASK = "xxxxxx-xxxx"
"""What ``masked`` writes in place of a CPR-like number."""


def masked(text: str) -> str:
    """``text`` with every run that ``looks_like_cpr`` would find written as ``MASK``: for
    a message that repeats what a user typed (a code, a value in a file)."""

    def one(match: re.Match[str]) -> str:
        try:
            parse(match.group(1) + match.group(2))
        except CprError:
            return match.group(0)
        return MASK

    return _CANDIDATE.sub(one, text)


_CPR_SHAPE = re.compile(r"\d{6}\D?\d{4}")


def has_cpr_shape(text: str) -> bool:
    """Whether ``text`` may hold a CPR number, counting a typo's invalid date too: a valid
    one (``looks_like_cpr``) or any six digits and four more. For what is kept or shown
    (usernames, audit rows): there a false alarm costs nothing."""
    return looks_like_cpr(text) or _CPR_SHAPE.search(text) is not None


MIN_KEY_BYTES = 32
"""A hashing key carries at least this many random bytes: with a short key, the key and a
CPR number were recovered from one stored hash in under a second (there are only about
3,000 CPR numbers per birth date and sex, so the key is the whole protection)."""


def key_bytes(text: str) -> int:
    """How many bytes a key written as hexadecimal or base64 holds once decoded (0 for a
    key in neither form). The HMAC uses the key's text as given, so registers hashed
    before this rule keep their hashes."""
    text = text.strip()
    if re.fullmatch(r"(?:[0-9a-fA-F]{2})+", text):
        return len(text) // 2
    try:
        return len(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        return 0


def strong_key(text: str) -> bool:
    return key_bytes(text) >= MIN_KEY_BYTES


def new_key() -> str:
    """A fresh key: 32 random bytes as 64 hexadecimal characters."""
    return secrets.token_hex(MIN_KEY_BYTES)


def keyed_hash(cpr: str, key: bytes) -> str:
    """HMAC-SHA256 of the normalised number: stable for joins, useless without the key."""
    if not key:
        raise CprError(N_("no hashing key configured"))
    return hmac.new(key, normalise(cpr).encode("ascii"), hashlib.sha256).hexdigest()
