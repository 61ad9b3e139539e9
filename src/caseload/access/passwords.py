"""Password hashing with Argon2id (argon2-cffi): hashes carry their own parameters, so a
hash made under older parameters is re-made at the next successful sign-in."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from caseload.access.errors import AccountError
from caseload.i18n import Message

MIN_LENGTH = 12
MAX_LENGTH = 1024

_HASHER = PasswordHasher()
"""argon2-cffi's defaults (RFC 9106's low-memory profile: Argon2id, t=3, m=64 MiB, p=4)."""


def check_strength(password: str) -> None:
    """Refuse a password too short to be safe, or absurdly long (a denial of service)."""
    if len(password) < MIN_LENGTH:
        raise AccountError(Message("a password needs at least {n} characters", {"n": MIN_LENGTH}))
    if len(password) > MAX_LENGTH:
        raise AccountError(Message("a password has at most {n} characters", {"n": MAX_LENGTH}))
    if not password.strip():
        raise AccountError(Message("a password cannot be only spaces"))


def hash_password(password: str, hasher: PasswordHasher = _HASHER) -> str:
    return hasher.hash(password)


def verify(stored: str, password: str, hasher: PasswordHasher = _HASHER) -> tuple[bool, str | None]:
    """Whether ``password`` matches ``stored``, and a new hash when the stored one was made
    with other parameters than ``hasher``'s (None when it needs no rehash)."""
    if len(password) > MAX_LENGTH:
        return False, None
    try:
        hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    if hasher.check_needs_rehash(stored):
        return True, hasher.hash(password)
    return True, None


def dummy_verify(password: str) -> None:
    """Spend the time a real check takes, so that an unknown username is not told apart
    from a wrong password by the answer's speed."""
    verify(_dummy(), password)


@cache
def _dummy() -> str:
    return _HASHER.hash("not a password anyone has")
