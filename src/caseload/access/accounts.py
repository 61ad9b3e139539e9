"""Local accounts: made, listed, given a new password and disabled on the command line and
by admins through the API. A caseworker's or leader's account is linked to their
professional in the register; a leader reads their own department and any listed on the
account. Analysts and admins are linked to nobody."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Row, Select, delete, insert, select, update

from caseload.access import passwords
from caseload.access.clock import utcnow
from caseload.access.errors import AccountError
from caseload.domain import codes
from caseload.domain.cpr import has_cpr_shape
from caseload.i18n import Message
from caseload.store import schema as s

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
LINKED_ROLES = ("caseworker", "leader")
"""Roles whose account belongs to a professional in the register."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    role: str
    staff: str | None
    """The professional's staff code (caseworkers and leaders)."""
    professional_id: int | None
    departments: tuple[str, ...]
    """A leader's departments (their own and any listed); empty for other roles."""
    department_ids: tuple[int, ...]
    lang: str
    created_at: datetime
    disabled_at: datetime | None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


def _check_username(username: str) -> str:
    name = username.strip().lower()
    if has_cpr_shape(name):
        raise AccountError(Message("a username is never a CPR number"))
    if not USERNAME.match(name):
        raise AccountError(
            Message(
                "a username has 2–64 characters: lower-case letters, digits and . _ @ -, "
                "starting with a letter or digit"
            )
        )
    return name


def _check_role(role: str) -> None:
    if role not in codes.ACCOUNT_ROLES:
        raise AccountError(
            Message(
                "{role} is not a role; the roles are {roles}",
                {"role": repr(role), "roles": ", ".join(codes.ACCOUNT_ROLES)},
            )
        )


def _professional(conn: Connection, staff: str) -> tuple[int, int]:
    p = s.professional
    row = conn.execute(select(p.c.id, p.c.department_id).where(p.c.code == staff)).first()
    if row is None:
        raise AccountError(Message("no professional {staff} in the register", {"staff": staff}))
    return int(row.id), int(row.department_id)


def _department_ids(conn: Connection, departments: Iterable[str]) -> list[int]:
    d = s.department
    wanted = list(dict.fromkeys(departments))
    found: dict[str, int] = {
        str(code): int(i)
        for code, i in conn.execute(select(d.c.code, d.c.id).where(d.c.code.in_(wanted)))
    }
    missing = [code for code in wanted if code not in found]
    if missing:
        raise AccountError(
            Message("no department {codes} in the register", {"codes": ", ".join(missing)})
        )
    return [int(found[code]) for code in wanted]


def add_account(
    conn: Connection,
    username: str,
    role: str,
    password: str,
    display_name: str | None = None,
    staff: str | None = None,
    departments: Sequence[str] = (),
    lang: str = "da",
) -> Account:
    """A new account; refused for a taken name, a weak password, a caseworker or leader
    without their professional (or an analyst or admin with one). A reviewer may name the
    professional they are (a colleague reviewing cases): the review then never gives them
    their own citizens or their department's."""
    name = _check_username(username)
    _check_role(role)
    if display_name is not None and has_cpr_shape(display_name):
        raise AccountError(Message("a name shown for an account is never a CPR number"))
    if lang not in ("da", "en"):
        raise AccountError(Message("the language is da or en"))
    passwords.check_strength(password)
    a = s.account
    if conn.execute(select(a.c.id).where(a.c.username == name)).first() is not None:
        raise AccountError(Message("the username {name} is taken", {"name": name}))
    professional_id = department_id = None
    if role in LINKED_ROLES:
        if not staff:
            raise AccountError(
                Message(
                    "a {role}'s account belongs to a professional: give their staff code",
                    {"role": role},
                )
            )
        professional_id, department_id = _professional(conn, staff)
    elif staff and role == "reviewer":
        professional_id, _ = _professional(conn, staff)
    elif staff:
        raise AccountError(
            Message("an {role}'s account belongs to no professional", {"role": role})
        )
    if departments and role != "leader":
        raise AccountError(Message("only a leader's account lists departments"))
    now = utcnow()
    account_id = conn.execute(
        insert(a)
        .values(
            username=name,
            display_name=(display_name or name).strip() or name,
            role=role,
            professional_id=professional_id,
            lang=lang,
            password_hash=passwords.hash_password(password),
            created_at=now,
            password_changed_at=now,
        )
        .returning(a.c.id)
    ).scalar_one()
    if role == "leader":
        ids = _department_ids(conn, departments)
        own = [department_id] if department_id is not None else []
        for dep in dict.fromkeys([*own, *ids]):
            conn.execute(
                insert(s.account_department).values(account_id=account_id, department_id=dep)
            )
    return by_id(conn, int(account_id))


@cache
def account_query() -> Select[Any]:
    """The accounts with their professional's staff code and their departments (a row per
    department, one row without any): ``accounts_of`` turns the rows into accounts."""
    a, p, ad, d = s.account, s.professional, s.account_department, s.department
    return (
        select(
            a,
            p.c.code.label("staff"),
            d.c.id.label("department_id"),
            d.c.code.label("department_code"),
        )
        .outerjoin(p, p.c.id == a.c.professional_id)
        .outerjoin(ad, ad.c.account_id == a.c.id)
        .outerjoin(d, d.c.id == ad.c.department_id)
        .order_by(a.c.username, ad.c.id)
    )


def accounts_of(rows: Iterable[Row[Any]]) -> list[Account]:
    """Accounts from ``account_query``'s rows (in their order)."""
    found: dict[int, tuple[Row[Any], list[tuple[int, str]]]] = {}
    for r in rows:
        deps = found.setdefault(int(r.id), (r, []))[1]
        if r.department_id is not None:
            deps.append((int(r.department_id), str(r.department_code)))
    return [
        Account(
            id=int(r.id),
            username=r.username,
            display_name=r.display_name,
            role=r.role,
            staff=r.staff,
            professional_id=r.professional_id,
            departments=tuple(code for _, code in deps),
            department_ids=tuple(dep for dep, _ in deps),
            lang=r.lang,
            created_at=r.created_at,
            disabled_at=r.disabled_at,
        )
        for r, deps in found.values()
    ]


def _accounts(conn: Connection, *where: object) -> list[Account]:
    # one statement: the departments come joined (a round trip each cost more)
    return accounts_of(conn.execute(account_query().where(*where)))  # type: ignore[arg-type]


def accounts(conn: Connection, role: str | None = None) -> list[Account]:
    """Every account (or one role's), by username."""
    a = s.account
    return _accounts(conn, *([a.c.role == role] if role else []))


def by_id(conn: Connection, account_id: int) -> Account:
    found = _accounts(conn, s.account.c.id == account_id)
    if not found:
        raise AccountError(Message("no such account"))
    return found[0]


def by_username(conn: Connection, username: str) -> Account | None:
    found = _accounts(conn, s.account.c.username == username.strip().lower())
    return found[0] if found else None


def _existing(conn: Connection, username: str) -> Account:
    found = by_username(conn, username)
    if found is None:
        raise AccountError(Message("no account {name}", {"name": _safe(username)}))
    return found


def _safe(username: str) -> str:
    return "(?)" if has_cpr_shape(username) else username


def set_password(conn: Connection, username: str, password: str) -> Account:
    """A new password; the account's sessions end (its tokens stay: they are not passwords)."""
    found = _existing(conn, username)
    passwords.check_strength(password)
    now = utcnow()
    conn.execute(
        update(s.account)
        .where(s.account.c.id == found.id)
        .values(password_hash=passwords.hash_password(password), password_changed_at=now)
    )
    end_sessions(conn, found.id, now)
    return found


def rehash(conn: Connection, account_id: int, new_hash: str) -> None:
    """Store a password hash re-made under the current parameters (at sign-in)."""
    conn.execute(
        update(s.account).where(s.account.c.id == account_id).values(password_hash=new_hash)
    )


def disable(conn: Connection, username: str) -> Account:
    """No more sign-ins; its sessions end and its tokens are revoked. Kept for the audit."""
    found = _existing(conn, username)
    now = utcnow()
    conn.execute(
        update(s.account)
        .where(s.account.c.id == found.id, s.account.c.disabled_at.is_(None))
        .values(disabled_at=now)
    )
    end_sessions(conn, found.id, now)
    t = s.api_token
    conn.execute(
        update(t).where(t.c.account_id == found.id, t.c.revoked_at.is_(None)).values(revoked_at=now)
    )
    return by_id(conn, found.id)


def set_lang(conn: Connection, account_id: int, lang: str) -> None:
    """The language the account reads pages and messages in."""
    if lang not in ("da", "en"):
        raise AccountError(Message("the language is da or en"))
    conn.execute(update(s.account).where(s.account.c.id == account_id).values(lang=lang))


def enable(conn: Connection, username: str) -> Account:
    """Sign-ins again for a disabled account (back from leave, say); the sessions and tokens
    ended when it was disabled stay ended."""
    found = _existing(conn, username)
    conn.execute(update(s.account).where(s.account.c.id == found.id).values(disabled_at=None))
    return by_id(conn, found.id)


def set_departments(conn: Connection, username: str, departments: Sequence[str]) -> Account:
    """A leader's departments: their own and those listed."""
    found = _existing(conn, username)
    if found.role != "leader":
        raise AccountError(Message("only a leader's account lists departments"))
    ids = _department_ids(conn, departments)
    own = []
    if found.professional_id is not None:
        own = [
            int(
                conn.execute(
                    select(s.professional.c.department_id).where(
                        s.professional.c.id == found.professional_id
                    )
                ).scalar_one()
            )
        ]
    ad = s.account_department
    conn.execute(delete(ad).where(ad.c.account_id == found.id))
    for dep in dict.fromkeys([*own, *ids]):
        conn.execute(insert(ad).values(account_id=found.id, department_id=dep))
    return by_id(conn, found.id)


def end_sessions(conn: Connection, account_id: int, now: datetime) -> None:
    w = s.web_session
    conn.execute(
        update(w).where(w.c.account_id == account_id, w.c.ended_at.is_(None)).values(ended_at=now)
    )
