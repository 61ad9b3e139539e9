"""Case notes and next steps by hand: a caseworker writes a note on a citizen's case (or a
next step, with the day it is due), and edits it later.

- caseload gives each note its id (N0000001), unique when several users write at once
  (``operate.given_codes``, as meeting ids).
- An edit never changes a stored row: it adds the note's next version (the same id), so
  what was written before stays readable (``Note.history``).
- Every write bumps the citizen's case version like any edit of the case: one carrying the
  ``version`` the user read is refused with ``Conflict`` when someone changed the case
  since, and nothing is written.
- Refused: a blank text, one over ``MAX_BODY`` characters, an unknown kind, a due date on
  anything but a next step, and a text holding a CPR-like number (a CPR number never goes
  into a note; the refusal does not repeat it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, func, insert, select

from caseload.domain import codes
from caseload.domain.cpr import looks_like_cpr
from caseload.i18n import Message
from caseload.operate.casework import bump
from caseload.operate.given_codes import insert_with_code
from caseload.operate.refusals import Conflict, NotFound, Refused, shown_id
from caseload.store import schema as s

__all__ = [
    "CODE_PREFIX",
    "MAX_BODY",
    "Conflict",
    "EarlierVersion",
    "NotFound",
    "Note",
    "Refused",
    "Written",
    "add_note",
    "current_notes",
    "notes",
    "revise_note",
]

CODE_PREFIX = "N"
"""Note ids caseload gives: ``N`` and a zero-padded number (N0000001)."""
CODE_WIDTH = 7
MAX_BODY = 10_000
"""A note's text has at most this many characters."""
MAX_BY = 200
"""Who wrote it (a username or staff code): at most this many characters (the column's)."""


@dataclass(frozen=True)
class Written:
    """A note written or edited."""

    citizen: str
    note: str
    """The note's id (the one caseload gave)."""
    note_version: int
    """1 for a new note, then one more per edit."""
    kind: str
    due: date | None
    version: int
    """The citizen's case version after the edit (what the next edit should carry)."""


@dataclass(frozen=True)
class EarlierVersion:
    """A note as it stood before an edit."""

    version: int
    body: str
    due: date | None
    written_at: datetime
    written_by: str


@dataclass(frozen=True)
class Note:
    """A note's current version, with its earlier versions (newest first)."""

    code: str
    kind: str
    version: int
    body: str
    due: date | None
    written_at: datetime
    """When the current version was written (UTC)."""
    written_by: str
    first_written_at: datetime
    history: tuple[EarlierVersion, ...]


def _locked_citizen(conn: Connection, code: str) -> int:
    """The citizen's id, the row locked until the transaction ends (edits of one case take
    turns, as every edit of a case does)."""
    c = s.citizen
    found = conn.execute(select(c.c.id).where(c.c.code == code).with_for_update()).first()
    if found is None:
        raise NotFound(Message("no citizen {code} in the register", {"code": shown_id(code)}))
    return int(found[0])


def _refuse_text(kind: str, body: str, by: str, due: date | None) -> None:
    """Refuse what no case could take, before anything is read or locked."""
    if kind not in codes.NOTE_KINDS:
        raise Refused(
            Message(
                "unknown note kind {value}; one of: {allowed}",
                {"value": shown_id(kind), "allowed": ", ".join(codes.NOTE_KINDS)},
            )
        )
    if not body.strip():
        raise Refused(Message("a note needs a text"))
    if len(body) > MAX_BODY:
        raise Refused(
            Message(
                "a note has at most {most} characters; this one has {length}",
                {"most": MAX_BODY, "length": len(body)},
            )
        )
    if looks_like_cpr(body):
        # the number is not repeated: refusals are shown and may be logged
        raise Refused(
            Message(
                "the note holds what looks like a CPR number, and a CPR number never goes "
                "into a note: write it without the number"
            )
        )
    if not by.strip() or len(by) > MAX_BY or looks_like_cpr(by):
        raise Refused(
            Message(
                "who writes the note (a username or staff code, at most {most} characters, "
                "never a CPR number) is needed",
                {"most": MAX_BY},
            )
        )
    if due is not None and kind != "next_step":
        raise Refused(Message("only a next step has a due date"))


def _next_number(conn: Connection) -> int:
    """Where the search for a free note id begins: after the number of notes written (an
    edit adds a row, not a note)."""
    n = s.case_note
    written = conn.execute(select(func.count()).select_from(n).where(n.c.version == 1))
    return int(written.scalar_one()) + 1


def _now(now: datetime | None) -> datetime:
    """The time written, as a UTC time without its zone (as the register stores times)."""
    moment = now or datetime.now(UTC)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def add_note(
    conn: Connection,
    citizen: str,
    kind: str,
    body: str,
    by: str,
    due: date | None = None,
    version: int | None = None,
    now: datetime | None = None,
) -> Written:
    """Write a note (or a next step, due on ``due``) on the case of ``citizen`` (their code);
    caseload gives the note its id."""
    _refuse_text(kind, body, by, due)
    cid = _locked_citizen(conn, citizen)
    new_version = bump(conn, cid, version)
    values = {
        "citizen_id": cid,
        "version": 1,
        "kind": kind,
        "body": body,
        "due_date": due,
        "written_at": _now(now),
        "written_by": by,
    }
    made = insert_with_code(conn, s.case_note, CODE_PREFIX, CODE_WIDTH, _next_number, values)
    if made is None:
        raise Conflict(Message("no free note id was found; nothing was saved: try again"))
    return Written(citizen, made, 1, kind, due, new_version)


def revise_note(
    conn: Connection,
    code: str,
    body: str,
    by: str,
    due: date | None = None,
    version: int | None = None,
    now: datetime | None = None,
    citizen: str | None = None,
) -> Written:
    """Edit note ``code``: its next version with ``body`` (and a next step's ``due``; without
    one, its due date stays). The earlier versions stay as they were. With ``citizen``, a
    note of another citizen is not found."""
    n, c = s.case_note, s.citizen
    found = conn.execute(
        select(c.c.code, n.c.kind)
        .join(n, n.c.citizen_id == c.c.id)
        .where(n.c.code == code, n.c.version == 1)
    ).first()
    if found is None or (citizen is not None and str(found[0]) != citizen):
        raise NotFound(Message("no note {code} in the register", {"code": shown_id(code)}))
    citizen, kind = str(found[0]), str(found[1])
    _refuse_text(kind, body, by, due)
    cid = _locked_citizen(conn, citizen)
    latest = conn.execute(
        select(n.c.version, n.c.body, n.c.due_date)
        .where(n.c.code == code)
        .order_by(n.c.version.desc())
        .limit(1)
    ).one()
    new_due = latest.due_date if due is None else due
    if body == latest.body and new_due == latest.due_date:
        raise Refused(Message("nothing to change: the note says this already"))
    new_version = bump(conn, cid, version)
    conn.execute(
        insert(n).values(
            citizen_id=cid,
            code=code,
            version=int(latest.version) + 1,
            kind=kind,
            body=body,
            due_date=new_due,
            written_at=_now(now),
            written_by=by,
        )
    )
    return Written(citizen, code, int(latest.version) + 1, kind, new_due, new_version)


def current_notes(conn: Connection, citizen_ids: Iterable[int]) -> dict[int, tuple[Note, ...]]:
    """Citizen id → their notes, the current version of each with its history, the note
    written or edited last first (read in one query for all of them)."""
    ids = list(citizen_ids)
    if not ids:
        return {}
    n = s.case_note
    rows = conn.execute(
        select(n)
        .where(n.c.citizen_id.in_(ids))
        .order_by(n.c.citizen_id, n.c.code, n.c.version.desc())
    ).all()
    versions: dict[tuple[int, str], list[EarlierVersion]] = defaultdict(list)
    kinds: dict[tuple[int, str], str] = {}
    for row in rows:
        key = (int(row.citizen_id), str(row.code))
        kinds[key] = str(row.kind)
        versions[key].append(
            EarlierVersion(int(row.version), row.body, row.due_date, row.written_at, row.written_by)
        )
    found: dict[int, list[Note]] = defaultdict(list)
    for (cid, code), written in versions.items():
        now, *before = written
        found[cid].append(
            Note(
                code,
                kinds[(cid, code)],
                now.version,
                now.body,
                now.due,
                now.written_at,
                now.written_by,
                written[-1].written_at,
                tuple(before),
            )
        )
    return {
        cid: tuple(sorted(listed, key=lambda x: (x.written_at, x.code), reverse=True))
        for cid, listed in found.items()
    }


def notes(conn: Connection, citizen: str) -> tuple[Note, ...]:
    """The notes on the case of ``citizen`` (their code), newest first; ``NotFound`` for an
    unknown citizen."""
    c = s.citizen
    found = conn.execute(select(c.c.id).where(c.c.code == citizen)).first()
    if found is None:
        raise NotFound(Message("no citizen {code} in the register", {"code": shown_id(citizen)}))
    return current_notes(conn, [int(found[0])]).get(int(found[0]), ())
