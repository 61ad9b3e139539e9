"""Meetings by hand: record one (caseload gives it an id when the user gives none), mark a
planned one held, cancelled or missed later, and correct a recorded one with a reason.

Every edit runs in the caller's single transaction, is checked before anything is written,
and bumps the citizen's case version (optimistic concurrency: an edit carrying the
``version`` the user read is refused with ``Conflict`` when someone changed the case since).

- A meeting falls on a day the citizen is on a caseload (not before their entry, not after
  they left); a meeting id is recorded once and never looks like a CPR number.
- Only a planned meeting is marked held, cancelled or no-show; anything else is corrected.
- A job meeting's due date is the one the rhythm gave on its day (the day it was held, or
  the day it was to take place), so a planned meeting marked held counts in the rhythm and
  in timeliness exactly as one recorded held on that day.
- A correction needs a reason; the meeting's earlier values, the reason, when and by whom
  are kept in ``meeting_correction``, one row per correction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from caseload.domain import codes
from caseload.domain.labels import LABELS
from caseload.domain.rhythm import Contact, Due, MeetingRule, next_due
from caseload.i18n import N_, Message
from caseload.operate.casework import bump
from caseload.operate.given_codes import code_taken, insert_with_code
from caseload.operate.refusals import Conflict, NotFound, Refused, refuse_cpr, shown_id
from caseload.operate.rhythm import rule_for
from caseload.register.lookup import professional_id
from caseload.store import schema as s

__all__ = [
    "CODE_PREFIX",
    "Conflict",
    "Corrected",
    "Marked",
    "NotFound",
    "Recorded",
    "Refused",
    "correct_meeting",
    "is_recorded",
    "mark_meeting",
    "record_meeting",
    "rhythm_on",
]

CODE_PREFIX = "M"
"""Ids caseload gives: ``M`` and a zero-padded number (M0000042), as the demo's meetings."""
CODE_WIDTH = 7

CORRECTED_FIELDS = ("kind", "status", "day", "minutes", "place", "staff", "absence_accepted")
"""What a correction may change, by the names the results report."""


@dataclass(frozen=True)
class Recorded:
    """A meeting recorded: its id (the one given, or the one caseload gave)."""

    citizen: str
    meeting: str
    status: str
    day: date
    due: date | None
    """A job meeting's due date (the rhythm's on ``day``), else None."""
    version: int
    """The citizen's case version after the edit (what the next edit should carry)."""


@dataclass(frozen=True)
class Marked:
    """A planned meeting marked held, cancelled or no-show."""

    citizen: str
    meeting: str
    status: str
    day: date
    """The day it was held, or the day it was to take place."""
    due: date | None
    version: int


@dataclass(frozen=True)
class Corrected:
    """A recorded meeting corrected: what changed, and why."""

    citizen: str
    meeting: str
    changed: tuple[str, ...]
    """The fields changed, in the order of ``CORRECTED_FIELDS``."""
    reason: str
    version: int


def _locked_citizen(conn: Connection, code: str) -> tuple[int, int]:
    """The citizen's id and case version, the row locked until the transaction ends (two
    edits of one case take turns; SQLite writers take the database lock at BEGIN)."""
    c = s.citizen
    row = conn.execute(
        select(c.c.id, c.c.version).where(c.c.code == code).with_for_update()
    ).first()
    if row is None:
        raise NotFound(Message("no citizen {code} in the register", {"code": shown_id(code)}))
    return int(row[0]), int(row[1])


def _word(code: str) -> Message | str:
    """A code as a word in the reader's language (nested in a message), else the code."""
    english = LABELS.get(code)
    return code if english is None else Message(english)


def _refuse_codes(kind: str | None, status: str | None, place: str | None) -> None:
    for value, allowed, unknown in (
        (kind, codes.MEETING_KINDS, N_("unknown meeting kind {value}; one of: {allowed}")),
        (status, codes.MEETING_STATUSES, N_("unknown meeting status {value}; one of: {allowed}")),
        (place, codes.MEETING_PLACES, N_("unknown meeting place {value}; one of: {allowed}")),
    ):
        if value is not None and value not in allowed:
            # named here: the database's constraint would say only "clashes with a row"
            raise Refused(
                Message(unknown, {"value": shown_id(value), "allowed": ", ".join(allowed)})
            )


MAX_MINUTES = 24 * 60
"""A meeting lasts at most a day; more is a typing error (and beyond the column's range)."""


def _refuse_sizes(code: str | None, minutes: int | None) -> None:
    """An id longer than the register's column, minutes beyond a day: refused in words, the
    same on SQLite (which would store them) and PostgreSQL (which would fail)."""
    longest = getattr(s.meeting.c.code.type, "length", None)
    if code is not None and longest is not None and len(code) > longest:
        raise Refused(Message("a meeting id has at most {most} characters", {"most": longest}))
    if minutes is not None and not 0 < minutes <= MAX_MINUTES:
        raise Refused(
            Message("minutes must be between 1 and {most} (a day)", {"most": MAX_MINUTES})
        )


def _refuse_absence(accepted: bool, status: str) -> None:
    if accepted and status not in codes.MISSED_STATUSES:
        raise Refused(Message("only a cancelled or missed meeting can have its absence accepted"))


def _stretches(conn: Connection, cid: int) -> Sequence[Row[Any]]:
    """The citizen's responsibilities: first day, last day, reason."""
    r = s.responsibility
    return conn.execute(
        select(r.c.start_date, r.c.end_date, r.c.reason).where(r.c.citizen_id == cid)
    ).all()


def _refuse_off_caseload(starts: Sequence[Row[Any]], day: date) -> None:
    """Refuse a meeting before the citizen's entry or on a day they are on no caseload
    (``starts``: their responsibilities' first and last days)."""
    if not starts or day < min(row[0] for row in starts):
        raise Refused(
            Message(
                "a meeting on {day} comes before the citizen's entry onto a caseload", {"day": day}
            )
        )
    if not any(row[0] <= day and (row[1] is None or row[1] >= day) for row in starts):
        left = max(row[1] for row in starts if row[1] is not None and row[1] < day)
        raise Refused(
            Message(
                "on {day} the citizen is on no caseload (they left on {left})",
                {"day": day, "left": left},
            )
        )


def _entry(starts: Sequence[Sequence[Any]], day: date) -> date:
    """The citizen's entry as the rhythm counts it on ``day``: their latest intake."""
    intakes: list[date] = [row[0] for row in starts if row[2] == "intake" and row[0] <= day]
    first: date = min(row[0] for row in starts)
    return max(intakes) if intakes else first


def _history(conn: Connection, cid: int, besides: int | None = None) -> list[Contact]:
    """The citizen's job meetings held, cancelled or missed (``besides``: one left out)."""
    m = s.meeting
    where = [m.c.citizen_id == cid, m.c.kind == "job_meeting", m.c.status != "planned"]
    if besides is not None:
        where.append(m.c.id != besides)
    rows = conn.execute(
        select(
            m.c.status, m.c.held_date, m.c.scheduled_date, m.c.due_date, m.c.absence_accepted
        ).where(*where)
    ).all()
    return contacts(rows)


def contacts(rows: Iterable[Sequence[Any]]) -> list[Contact]:
    """Job meetings held, cancelled or missed as the rhythm counts them, from rows of
    (status, held, scheduled, due, absence accepted): the day it happened or was meant to."""
    return [
        Contact(st, held if st == "held" else (sched or dd), bool(acc))
        for st, held, sched, dd, acc in rows
        if (held or sched or dd)
    ]


def _job_meeting_due(
    conn: Connection, cid: int, starts: Sequence[Row[Any]], day: date, besides: int | None = None
) -> date:
    """The due date the rhythm gave on ``day``: from the latest entry (intake) and the job
    meetings held, cancelled or missed before it (``besides``: a meeting left out, the one
    being marked or corrected)."""
    before = [h for h in _history(conn, cid, besides) if h.day < day]
    return next_due(_entry(starts, day), before, day, rule_for(conn, cid)).due


def due_on(
    starts: Sequence[Sequence[Any]], history: Iterable[Contact], day: date, rule: MeetingRule
) -> Due | None:
    """``rhythm_on``'s due date from rows read already: ``starts`` the citizen's
    responsibilities (first day, last day, reason), ``history`` their job meetings held,
    cancelled or missed (``contacts``); None off every caseload on ``day``."""
    begun = [row for row in starts if row[0] <= day]
    if not any(row[1] is None or row[1] >= day for row in begun):
        return None
    return next_due(_entry(begun, day), history, day, rule)


def rhythm_on(conn: Connection, citizen_id: int, day: date) -> tuple[Due, date | None] | None:
    """One citizen's statutory rhythm on ``day`` (``domain.rhythm``, the one-citizen statement
    of what ``operate.rhythm.due_dates`` computes for everyone): the due date, last held,
    missed and outreach, and their next planned job meeting; None off every caseload."""
    starts = [row for row in _stretches(conn, citizen_id) if row[0] <= day]
    if not any(row[1] is None or row[1] >= day for row in starts):
        return None
    due = next_due(_entry(starts, day), _history(conn, citizen_id), day, rule_for(conn, citizen_id))
    m = s.meeting
    planned = conn.execute(
        select(func.min(m.c.scheduled_date)).where(
            m.c.citizen_id == citizen_id,
            m.c.kind == "job_meeting",
            m.c.status == "planned",
            m.c.scheduled_date >= day,
        )
    ).scalar()
    return due, planned


def _staff_id(conn: Connection, staff: str | None) -> int | None:
    if staff is None:
        return None
    pid = professional_id(conn, staff)
    if pid is None:
        raise NotFound(Message("no professional {code} in the register", {"code": shown_id(staff)}))
    return pid


def _next_number(conn: Connection) -> int:
    """Where the search for a free meeting id begins: after the highest meeting row id (an
    imported meeting may hold that id already; the next free one is taken then)."""
    return int(conn.execute(select(func.coalesce(func.max(s.meeting.c.id), 0))).scalar_one()) + 1


def is_recorded(conn: Connection, code: str) -> bool:
    """Whether a meeting with this id is in the register."""
    return code_taken(conn, s.meeting.c.code, code)


def record_meeting(
    conn: Connection,
    citizen: str,
    code: str | None,
    kind: str,
    status: str,
    day: date,
    staff: str | None = None,
    minutes: int | None = None,
    place: str | None = None,
    absence_accepted: bool = False,
    version: int | None = None,
) -> Recorded:
    """A meeting held, planned or missed on ``day``; a job meeting's due date is the one the
    rhythm gave on that day. Without ``code`` caseload gives the meeting an id (unique when
    several users record at once). Refused on a day the citizen is on no caseload."""
    _refuse_codes(kind, status, place)
    _refuse_sizes(code, minutes)
    _refuse_absence(absence_accepted, status)
    if code is not None:
        shown = shown_id(code)
        if not code.strip():
            raise Refused(Message("a meeting id cannot be blank; give none and caseload gives one"))
        if isinstance(shown, Message):
            raise Refused(Message("a meeting id is never a CPR number: {code}", {"code": shown}))
    cid, _ = _locked_citizen(conn, citizen)
    read = _Read(cid, _stretches(conn, cid))
    return _record(
        conn,
        read,
        citizen,
        code,
        kind,
        status,
        day,
        staff,
        minutes,
        place,
        absence_accepted,
        version,
    )


@dataclass
class _Read:
    """What recording a meeting reads of the citizen (row locked), kept for a second
    meeting of the same edit: their responsibilities, and once needed their staff id, job
    meeting history and rule."""

    cid: int
    starts: Sequence[Row[Any]]
    staff: dict[str | None, int | None] = field(default_factory=dict)
    history: list[Contact] | None = None
    rule: MeetingRule | None = None


def _record(
    conn: Connection,
    read: _Read,
    citizen: str,
    code: str | None,
    kind: str,
    status: str,
    day: date,
    staff: str | None,
    minutes: int | None,
    place: str | None,
    absence_accepted: bool,
    version: int | None,
) -> Recorded:
    cid = read.cid
    _refuse_off_caseload(read.starts, day)
    if code is not None and is_recorded(conn, code):
        raise Refused(Message("a meeting with id {code} is already recorded", {"code": code}))
    if staff not in read.staff:
        read.staff[staff] = _staff_id(conn, staff)
    pid = read.staff[staff]
    due = None
    if kind == "job_meeting":
        if read.history is None:
            read.history = _history(conn, cid)
        if read.rule is None:
            read.rule = rule_for(conn, cid)
        before = [h for h in read.history if h.day < day]
        due = next_due(_entry(read.starts, day), before, day, read.rule).due
    new_version = bump(conn, cid, version)
    values = {
        "citizen_id": cid,
        "professional_id": pid,
        "kind": kind,
        "due_date": due,
        "scheduled_date": day,
        "held_date": day if status == "held" else None,
        "duration_minutes": minutes,
        "place": place,
        "status": status,
        "absence_accepted": absence_accepted,
    }
    if read.history is not None and kind == "job_meeting" and status != "planned":
        # the next meeting of the same edit counts this one (as a new read would)
        read.history += contacts([(status, values["held_date"], day, due, absence_accepted)])
    if code is not None:
        conn.execute(insert(s.meeting).values(code=code, **values))
        return Recorded(citizen, code, status, day, due, new_version)
    made = insert_with_code(conn, s.meeting, CODE_PREFIX, CODE_WIDTH, _next_number, values)
    if made is not None:
        return Recorded(citizen, made, status, day, due, new_version)
    raise Conflict(Message("no free meeting id was found; nothing was saved: try again"))


@dataclass(frozen=True)
class Booking:
    """The next meeting booked together with a registered one."""

    day: date
    place: str | None = None
    kind: str = "job_meeting"


def register_with_next(
    conn: Connection,
    citizen: str,
    kind: str,
    status: str,
    day: date,
    staff: str | None,
    minutes: int | None,
    place: str | None,
    absence_accepted: bool,
    version: int,
    next: Booking | None = None,
) -> tuple[Recorded, Recorded | None]:
    """A meeting registered (the server gives its id) and, with ``next``, the next one
    booked as planned — one edit of the case: the booking carries the version the first
    left, so both are saved or neither."""
    _refuse_codes(kind, status, place)
    _refuse_sizes(None, minutes)
    _refuse_absence(absence_accepted, status)
    cid, _ = _locked_citizen(conn, citizen)
    # the second meeting reuses what the first read: the citizen, their responsibilities,
    # staff id, rule, and the history with the first meeting added
    read = _Read(cid, _stretches(conn, cid))
    first = _record(
        conn,
        read,
        citizen,
        None,
        kind,
        status,
        day,
        staff,
        minutes,
        place,
        absence_accepted,
        version,
    )
    if next is None:
        return first, None
    _refuse_codes(next.kind, "planned", next.place)
    booked = _record(
        conn,
        read,
        citizen,
        None,
        next.kind,
        "planned",
        next.day,
        staff,
        None,
        next.place,
        False,
        first.version,
    )
    return first, booked


def _meeting_row(conn: Connection, code: str, citizen: str | None) -> tuple[Row[Any], str, int]:
    """The meeting (row locked), its citizen's code and id; the citizen's row is locked
    first, as every edit of a case does."""
    m, c = s.meeting, s.citizen
    found = conn.execute(
        select(c.c.code).join(m, m.c.citizen_id == c.c.id).where(m.c.code == code)
    ).first()
    if found is None:
        raise NotFound(Message("no meeting {code} in the register", {"code": shown_id(code)}))
    owner = str(found[0])
    if citizen is not None and citizen != owner:
        raise Refused(
            Message(
                "meeting {code} is not a meeting of {citizen}",
                {"code": code, "citizen": shown_id(citizen)},
            )
        )
    cid, _ = _locked_citizen(conn, owner)
    row = conn.execute(select(m).where(m.c.code == code).with_for_update()).one()
    return row, owner, cid


def mark_meeting(
    conn: Connection,
    code: str,
    status: str,
    day: date | None = None,
    staff: str | None = None,
    minutes: int | None = None,
    place: str | None = None,
    absence_accepted: bool = False,
    version: int | None = None,
    citizen: str | None = None,
) -> Marked:
    """Mark the planned meeting ``code`` held on ``day`` (with its minutes, place and staff),
    or cancelled or missed (on ``day``, by default the day it was planned for). A meeting
    that is no longer planned is corrected instead (``correct_meeting``)."""
    _refuse_codes(None, status, place)
    _refuse_sizes(code, minutes)
    row, owner, cid = _meeting_row(conn, code, citizen)
    if row.status != "planned":
        raise Refused(
            Message(
                "meeting {code} is already recorded as {status}: only a planned meeting is "
                "marked held, cancelled or no-show; correct it instead, giving a reason",
                {"code": code, "status": _word(row.status)},
            )
        )
    if status == "planned":
        raise Refused(
            Message(
                "meeting {code} is planned already: mark it held, cancelled or no-show",
                {"code": code},
            )
        )
    _refuse_absence(absence_accepted, status)
    if status != "held" and minutes is not None:
        raise Refused(Message("only a held meeting has minutes"))
    when = day if day is not None else (row.scheduled_date or row.due_date)
    if when is None:
        raise Refused(Message("give the day of the meeting"))
    starts = _stretches(conn, cid)
    _refuse_off_caseload(starts, when)
    pid = _staff_id(conn, staff)
    due = (
        _job_meeting_due(conn, cid, starts, when, besides=row.id)
        if row.kind == "job_meeting"
        else row.due_date
    )
    new_version = bump(conn, cid, version)
    values: dict[str, Any] = {"status": status, "due_date": due, "absence_accepted": False}
    if status == "held":
        values["held_date"] = when
    else:
        values["scheduled_date"] = when
        values["absence_accepted"] = absence_accepted
    if pid is not None:
        values["professional_id"] = pid
    if minutes is not None:
        values["duration_minutes"] = minutes
    if place is not None:
        values["place"] = place
    conn.execute(update(s.meeting).where(s.meeting.c.id == row.id).values(**values))
    return Marked(owner, code, status, when, due, new_version)


def correct_meeting(
    conn: Connection,
    code: str,
    reason: str,
    by: str | None = None,
    *,
    kind: str | None = None,
    status: str | None = None,
    day: date | None = None,
    minutes: int | None = None,
    place: str | None = None,
    staff: str | None = None,
    absence_accepted: bool | None = None,
    version: int | None = None,
    citizen: str | None = None,
    at: datetime | None = None,
) -> Corrected:
    """Correct a recorded meeting: the values given replace the stored ones, whose earlier
    values are kept with the reason, the time (``at``, now by default) and ``by`` in
    ``meeting_correction``. ``day`` is the day it was held (a held meeting) or planned or
    missed (any other). A job meeting's due date follows its corrected day."""
    if not reason or not reason.strip():
        raise Refused(Message("a correction needs a reason: say why the meeting was wrong"))
    if by is not None and len(by) > 200:
        raise Refused(
            Message("who corrects it (--by) has at most {most} characters", {"most": 200})
        )
    refuse_cpr(reason, "--correct")
    refuse_cpr(by, "--by")
    _refuse_codes(kind, status, place)
    _refuse_sizes(code, minutes)
    row, owner, cid = _meeting_row(conn, code, citizen)
    new_status = status or row.status
    new_kind = kind or row.kind
    accepted = bool(row.absence_accepted) if absence_accepted is None else absence_accepted
    if new_status not in codes.MISSED_STATUSES and absence_accepted is None:
        accepted = False  # no longer missed: nothing left to accept
    _refuse_absence(accepted, new_status)
    held, scheduled = row.held_date, row.scheduled_date
    if new_status == "held":
        held = day or row.held_date or row.scheduled_date or row.due_date
        if day is not None and row.scheduled_date == row.held_date:
            scheduled = day  # recorded held on the day: planned for that day too
    else:
        held = None
        scheduled = day or row.scheduled_date
    when = held if new_status == "held" else (scheduled or row.due_date)
    if new_status == "held" and held is None:
        raise Refused(Message("give the day the meeting was held"))
    pid = _staff_id(conn, staff) if staff is not None else row.professional_id
    new = {
        "kind": new_kind,
        "status": new_status,
        "held_date": held,
        "scheduled_date": scheduled,
        "duration_minutes": row.duration_minutes if minutes is None else minutes,
        "place": place or row.place,
        "professional_id": pid,
        "absence_accepted": accepted,
    }
    changes = {
        "kind": new_kind != row.kind,
        "status": new_status != row.status,
        "day": (held, scheduled) != (row.held_date, row.scheduled_date),
        "minutes": new["duration_minutes"] != row.duration_minutes,
        "place": new["place"] != row.place,
        "staff": pid != row.professional_id,
        "absence_accepted": accepted != bool(row.absence_accepted),
    }
    changed = tuple(name for name in CORRECTED_FIELDS if changes[name])
    if not changed:
        raise Refused(Message("nothing to correct: the values given are the meeting's already"))
    starts = _stretches(conn, cid)
    if when is not None and (changes["day"] or changes["status"]):
        _refuse_off_caseload(starts, when)
    due = row.due_date
    if new_kind != "job_meeting":
        due = None
    elif when is not None and (changes["day"] or changes["status"] or changes["kind"]):
        due = _job_meeting_due(conn, cid, starts, when, besides=row.id)
    new["due_date"] = due
    new_version = bump(conn, cid, version)
    m, mc = s.meeting, s.meeting_correction
    conn.execute(
        insert(mc).values(
            meeting_id=row.id,
            reason=reason.strip(),
            corrected_at=at or datetime.now(UTC).replace(tzinfo=None),
            corrected_by=by,
            kind=row.kind,
            status=row.status,
            due_date=row.due_date,
            scheduled_date=row.scheduled_date,
            held_date=row.held_date,
            duration_minutes=row.duration_minutes,
            place=row.place,
            professional_id=row.professional_id,
            absence_accepted=bool(row.absence_accepted),
        )
    )
    conn.execute(update(m).where(m.c.id == row.id).values(**new))
    return Corrected(owner, code, changed, reason.strip(), new_version)
