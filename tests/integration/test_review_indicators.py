"""The case review's register indicators (review.indicators) on the demo job centre, on
SQLite and PostgreSQL: for a sample of citizens every value equals the one worked out here
in plain Python from the raw rows (read with simple SELECTs), never from the module's own
statements; the outreach flag's episodes are checked against the rule's one-citizen
statement, domain.rhythm.next_due.

The demo holds no repeated cancellations (each missed meeting is followed up), so a few
episodes are added to five citizens, in quiet stretches of their cases: each with the
share it must give, worked out by hand in the comments."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import Connection, Engine, event, insert, select
from typer.testing import Result

from caseload.domain import codes
from caseload.domain.rhythm import DEFAULT_RULE, Contact, MeetingRule, next_due
from caseload.review.indicators import (
    DESCRIPTIONS,
    INDICATORS,
    LABELS,
    OUTREACH_PLACES,
    indicators,
)
from caseload.store import schema as s
from caseload.store.database import connect, reader
from caseload.synth import jobcentre
from tests.conftest import BACKENDS, _Databases
from tests.helpers import add_row, copy_register

START, END = date(2018, 7, 1), date(2019, 6, 30)
BEFORE_THE_REGISTER = (date(2017, 1, 1), date(2017, 6, 30))  # the demo starts in 2018
QUIET = 40
"""Days after a held job meeting without any other meeting, where episodes are added."""


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _days(first: date, last: date) -> Iterator[date]:
    for n in range((last - first).days + 1):
        yield first + timedelta(days=n)


# --- the raw rows of some citizens, read with plain SELECTs ------------------------------


@dataclass
class Rows:
    responsibilities: list[tuple[int, int, str, date, date | None, str]]
    """citizen, professional, role, start, end, reason"""
    meetings: list[tuple[int, str, str, date | None, date | None, date | None, str | None, bool]]
    """citizen, kind, status, due, scheduled, held, place, absence accepted"""
    reports: list[tuple[int, date | None, date | None]]
    """citizen, received, acted on"""
    medical: list[tuple[int, date | None, date | None]]
    """citizen, answered, followed up"""
    efforts: list[tuple[int, date, date | None]]
    """citizen, start, end of supplier courses and company placements"""
    rules: dict[int, MeetingRule]

    def of(self, table: str, citizen: int) -> list[Any]:
        return [row for row in getattr(self, table) if row[0] == citizen]


def read(conn: Connection, citizens: Sequence[int]) -> Rows:
    r, m, o, pr, mr = (
        s.responsibility,
        s.meeting,
        s.supplier_order,
        s.progress_report,
        s.medical_request,
    )
    ids = list(citizens)
    responsibilities = [
        (c, p, role, _day(a), _day(b), reason)
        for c, p, role, a, b, reason in conn.execute(
            select(r.c.citizen_id, r.c.professional_id, r.c.role, r.c.start_date,
                   r.c.end_date, r.c.reason).where(r.c.citizen_id.in_(ids))
        )
    ]  # fmt: skip
    meetings = [
        (c, kind, status, _day(due), _day(scheduled), _day(held), place, bool(accepted))
        for c, kind, status, due, scheduled, held, place, accepted in conn.execute(
            select(m.c.citizen_id, m.c.kind, m.c.status, m.c.due_date, m.c.scheduled_date,
                   m.c.held_date, m.c.place, m.c.absence_accepted).where(m.c.citizen_id.in_(ids))
        )
    ]  # fmt: skip
    reports = [
        (c, _day(received), _day(acted))
        for c, received, acted in conn.execute(
            select(o.c.citizen_id, pr.c.received_date, pr.c.acted_on_date)
            .join(pr, pr.c.order_id == o.c.id)
            .where(o.c.citizen_id.in_(ids))
        )
    ]
    medical = [
        (c, _day(answered), _day(followed))
        for c, answered, followed in conn.execute(
            select(mr.c.citizen_id, mr.c.answered_date, mr.c.followed_up_date).where(
                mr.c.citizen_id.in_(ids)
            )
        )
    ]
    efforts = [
        (c, _day(a), _day(b))
        for t in (o, s.company_placement)
        for c, a, b in conn.execute(
            select(t.c.citizen_id, t.c.start_date, t.c.end_date).where(t.c.citizen_id.in_(ids))
        )
    ]
    stored = {
        group: MeetingRule(a, b, c, d)
        for group, a, b, c, d in conn.execute(
            select(s.meeting_rule.c.target_group, s.meeting_rule.c.interval_months,
                   s.meeting_rule.c.first_within_days, s.meeting_rule.c.follow_up_within_days,
                   s.meeting_rule.c.outreach_after_missed)
        )
    }  # fmt: skip
    rules = {
        c: stored.get(group, stored.get(None, DEFAULT_RULE))
        for c, group in conn.execute(
            select(s.citizen.c.id, s.citizen.c.target_group).where(s.citizen.c.id.in_(ids))
        )
    }
    return Rows(responsibilities, meetings, reports, medical, efforts, rules)


# --- the indicators worked out in Python --------------------------------------------------


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def report_days(rows: Rows, c: int, start: date, end: date) -> float | None:
    return _mean(
        [
            (acted - received).days
            for _, received, acted in rows.of("reports", c)
            if received is not None and start <= received <= end and acted is not None
        ]
    )


def medical_share(rows: Rows, c: int, start: date, end: date) -> float | None:
    received = [
        (answered, followed)
        for _, answered, followed in rows.of("medical", c)
        if answered is not None and start <= answered <= end
    ]
    within = [f for a, f in received if f is not None and (f - a).days <= 7]
    return len(within) / len(received) if received else None


def _running(rows: Rows, c: int, day: date) -> list[tuple[Any, ...]]:
    return [
        x for x in rows.of("responsibilities", c) if x[3] <= day and (x[4] is None or x[4] >= day)
    ]


def _job_contacts(rows: Rows, c: int) -> list[Contact]:
    out = []
    for _, kind, status, due, scheduled, held, _place, accepted in rows.of("meetings", c):
        day = held if status == "held" else (scheduled or due)
        if kind == "job_meeting" and status != "planned" and day is not None:
            out.append(Contact(status, day, accepted))
    return out


def episodes(rows: Rows, c: int, start: date, end: date) -> list[tuple[date, bool]]:
    """(day the outreach flag rose, followed by an outreach contact) in the window: the
    flag by next_due on the day with every job meeting, against next_due on the day with
    the meetings before it only."""
    contacts = _job_contacts(rows, c)
    rule = rows.rules[c]
    candidates = sorted(
        {
            m.day
            for m in contacts
            if start <= m.day <= end and m.status in codes.CITIZEN_MISSED and not m.absence_accepted
        }
    )
    found = []
    for day in candidates:
        if not _running(rows, c, day):
            continue
        started = [x for x in rows.of("responsibilities", c) if x[3] <= day]
        intakes = [x[3] for x in started if x[5] == "intake"]
        entry = max(intakes) if intakes else min(x[3] for x in started)
        now = next_due(entry, contacts, day, rule).missed_by_citizen
        before = next_due(entry, [m for m in contacts if m.day < day], day, rule)
        if now >= rule.outreach_after_missed > before.missed_by_citizen:
            last = day + timedelta(days=rule.follow_up_within_days)
            reached = any(
                status == "held" and place in OUTREACH_PLACES and held and day <= held <= last
                for _, _kind, status, _due, _sch, held, place, _acc in rows.of("meetings", c)
            )
            found.append((day, reached))
    return found


def outreach_share(rows: Rows, c: int, start: date, end: date) -> float | None:
    found = episodes(rows, c, start, end)
    return sum(reached for _, reached in found) / len(found) if found else None


def passive(rows: Rows, c: int, start: date, end: date) -> int:
    """Days from the first start to the last end of the responsibilities in the window (the
    case-flow tables' stay), within the window, that no course or placement covers."""
    held = [
        (a, b or end)
        for _, _p, _role, a, b, _reason in rows.of("responsibilities", c)
        if a <= end and (b is None or b >= start)
    ]
    if not held:
        return 0
    first, last = max(start, min(a for a, _ in held)), min(end, max(b for _, b in held))
    covered = {
        day
        for _, a, b in rows.of("efforts", c)
        for day in _days(max(a, first), min(b or end, last))
    }
    return sum(1 for day in _days(first, last) if day not in covered)


def contact(rows: Rows, c: int, day: date) -> int | None:
    """The primary contact on the day, covers aside: the first role in codes.ROLES, the
    lowest professional id."""
    held = [
        (codes.ROLES.index(role), p)
        for _, p, role, _a, _b, reason in _running(rows, c, day)
        if reason != "cover"
    ]
    return min(held)[1] if held else None


def changes(rows: Rows, c: int, start: date, end: date) -> int:
    n = 0
    for day in _days(start, end):
        now, before = contact(rows, c, day), contact(rows, c, day - timedelta(days=1))
        n += now is not None and before is not None and now != before
    return n


def expected(rows: Rows, c: int, start: date, end: date) -> dict[str, Any]:
    return {
        "citizen_id": c,
        "report_to_action_days": report_days(rows, c, start, end),
        "medical_followed_within_7": medical_share(rows, c, start, end),
        "outreach_after_cancellations": outreach_share(rows, c, start, end),
        "passive_days": passive(rows, c, start, end),
        "caseworker_changes": changes(rows, c, start, end),
    }


def same(frame: pl.DataFrame, wanted: list[dict[str, Any]]) -> None:
    got = frame.to_dicts()
    assert [g["citizen_id"] for g in got] == [w["citizen_id"] for w in wanted]
    for g, w in zip(got, wanted, strict=True):
        for name in INDICATORS:
            if w[name] is None:
                assert g[name] is None, (w["citizen_id"], name, g[name])
            else:
                assert g[name] == pytest.approx(w[name], abs=1e-12), (w["citizen_id"], name)


# --- episodes of repeated cancellations, added to quiet stretches of five cases -------------

Added = tuple[str, str, date, str, bool]
"""kind, status, day (held or scheduled), place, absence accepted"""


def _quiet(rows: Rows, c: int, after: date, until: date) -> date | None:
    """A job meeting held on or before ``after`` — the last one held before ``until`` —
    after which the citizen has no meeting up to ``until``, is on a caseload every day with
    no new intake; the day it was held, or None."""
    days = [(m[5] or m[4] or m[3], m) for m in rows.of("meetings", c)]
    held = [d for d, m in days if m[1] == "job_meeting" and m[2] == "held" and d and d <= after]
    if not held:
        return None
    last = max(held)
    if any(d is not None and last < d <= until for d, _ in days):
        return None
    for day in _days(last, until):
        running = _running(rows, c, day)
        if not running or any(x[3] == day and x[5] == "intake" for x in running):
            return None
    return last


SCENARIOS: list[list[tuple[str, str, int, str, bool]]] = [
    # A: two missed, the flag rises on day 12; a home visit 8 days later: 1.0
    [("job_meeting", "no_show", 5, "job_centre", False),
     ("job_meeting", "cancelled_by_citizen", 12, "job_centre", False),
     ("follow_up", "held", 20, "home", False)],
    # B: the flag rises on day 9; a meeting at the job centre, and a home visit on day 24,
    # one day after the 14 days: 0.0
    [("job_meeting", "no_show", 5, "job_centre", False),
     ("job_meeting", "no_show", 9, "job_centre", False),
     ("follow_up", "held", 15, "job_centre", False),
     ("follow_up", "held", 24, "home", False)],
    # C: a visit to the residence the day the flag rises (day 6), a third miss (no new
    # episode), a job meeting held on day 15 (the count starts again), a second episode on
    # day 25 without outreach: 1 of 2, 0.5
    [("job_meeting", "cancelled_by_citizen", 3, "job_centre", False),
     ("job_meeting", "no_show", 6, "job_centre", False),
     ("follow_up", "held", 6, "residence", False),
     ("job_meeting", "no_show", 10, "job_centre", False),
     ("job_meeting", "held", 15, "job_centre", False),
     ("job_meeting", "no_show", 20, "job_centre", False),
     ("job_meeting", "no_show", 25, "job_centre", False)],
    # D: an accepted absence and a cancellation by the job centre do not count: one miss by
    # the citizen, no episode: null
    [("job_meeting", "no_show", 5, "job_centre", True),
     ("job_meeting", "cancelled_by_citizen", 8, "job_centre", False),
     ("job_meeting", "cancelled_by_job_centre", 10, "job_centre", False),
     ("follow_up", "held", 12, "home", False)],
]  # fmt: skip
"""Meetings added after a job meeting held in the window (days after it), one list for
each of four citizens."""
ACROSS_THE_START: list[tuple[str, str, int, str, bool]] = [
    # E: the first miss before the window, the second on its second day, when the flag
    # rises; a home visit follows: 1.0
    ("job_meeting", "no_show", -3, "job_centre", False),
    ("job_meeting", "no_show", 1, "job_centre", False),
    ("follow_up", "held", 4, "home", False),
]
"""Meetings added around the window's start (days after it), for a fifth citizen."""


def _dated(scenario: list[tuple[str, str, int, str, bool]], day: date) -> list[Added]:
    return [(k, status, day + timedelta(days=n), p, a) for k, status, n, p, a in scenario]


def _plans(rows: Rows, citizens: Sequence[int]) -> dict[int, list[Added]]:
    """Five citizens' added meetings: ``SCENARIOS`` in quiet stretches of four, then
    ``ACROSS_THE_START`` in a quiet stretch around the window's start of a fifth."""
    plans: dict[int, list[Added]] = {}
    for c in citizens:
        if len(plans) == len(SCENARIOS):
            break
        for held in sorted({m[5] for m in rows.of("meetings", c) if m[5] and m[5] >= START}):
            until = held + timedelta(days=QUIET)
            if until <= END and _quiet(rows, c, held, until) == held:
                plans[c] = _dated(SCENARIOS[len(plans)], held)
                break
    for c in citizens:
        if c not in plans and _quiet(rows, c, START - timedelta(days=8), START + timedelta(30)):
            plans[c] = _dated(ACROSS_THE_START, START)
            break
    assert len(plans) == 5, "the demo has no quiet stretches left for the episodes"
    return plans


SHARES = (1.0, 0.0, 0.5, None, 1.0)
"""The outreach shares of the five citizens of ``_plans``, in their order."""


def add_episodes(engine: Engine) -> list[int]:
    """The added meetings' citizens, in the order of ``SHARES``."""
    with engine.connect() as conn:
        everyone = sorted(conn.execute(select(s.citizen.c.id)).scalars())
        rows = read(conn, everyone[::7])
    plans = _plans(rows, everyone[::7])
    values = [
        {
            "code": f"REVIEW{c}-{n}",
            "citizen_id": c,
            "kind": kind,
            "status": status,
            "scheduled_date": day,
            "held_date": day if status == "held" else None,
            "place": place,
            "absence_accepted": accepted,
        }
        for c, added in plans.items()
        for n, (kind, status, day, place, accepted) in enumerate(added)
    ]
    with engine.begin() as conn:
        conn.execute(insert(s.meeting), values)
    return list(plans)


KS, VK = "coordinating_caseworker", "company_consultant"
CONTACTS: list[tuple[str, int, date, date | None, str]] = [
    # role, professional (of four), start, end, reason
    (KS, 0, date(2018, 9, 1), date(2018, 10, 14), "intake"),
    # the consultant is the primary contact from 15 October, when the caseworker's ends:
    # a change on a day nothing starts
    (VK, 1, date(2018, 9, 1), None, "intake"),
    # a colleague covers for the consultant in November: no change (a cover is none)
    (VK, 2, date(2018, 11, 1), date(2018, 11, 20), "cover"),
    # a caseworker again from 10 January: a change
    (KS, 3, date(2019, 1, 10), None, "reallocation"),
]
"""A citizen added by hand, with two changes of primary contact in the window."""


def add_contacts(engine: Engine) -> int:
    with engine.begin() as conn:
        staff = list(
            conn.execute(
                select(s.professional.c.id).order_by(s.professional.c.id).limit(4)
            ).scalars()
        )
        citizen = add_row(
            conn, s.citizen, code="REVIEW-CONTACTS", birth_date=date(1980, 5, 1), sex="female",
            origin="danish", target_group="activity_ready_30_plus",
        )  # fmt: skip
        for role, who, start, end, reason in CONTACTS:
            add_row(
                conn, s.responsibility, citizen_id=citizen, professional_id=staff[who], role=role,
                start_date=start, end_date=end, reason=reason,
                covers_professional_id=staff[1] if reason == "cover" else None,
            )  # fmt: skip
    return citizen


# --- the registers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Register:
    engine: Engine
    episodes: list[int]
    contacts: int
    sample: list[int]


@pytest.fixture(scope="module", params=BACKENDS)
def register(
    request: pytest.FixtureRequest,
    demo_build: tuple[Path, Result],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Register]:
    """The demo (`caseload demo`'s job centre) with the added episodes: on SQLite a copy of
    the session's demo, on PostgreSQL the same job centre written into a new database."""
    if request.param == "sqlite":
        template, result = demo_build
        assert result.exit_code == 0, result.output
        engine = connect(copy_register(template, tmp_path_factory.mktemp("review") / "d.sqlite"))
    else:
        databases: _Databases = request.getfixturevalue("postgres_databases")
        url = databases.new(template=request.getfixturevalue("postgres_template"))
        databases.retire_at_end(url)
        engine = connect(url)
        jobcentre.write(engine, jobcentre.simulate(None, 2018))
    added = add_episodes(engine)
    by_hand = add_contacts(engine)
    with engine.connect() as conn:
        everyone = sorted(conn.execute(select(s.citizen.c.id)).scalars())
    # every 23rd citizen and the six added to, in no particular order
    sample = list(dict.fromkeys([*added, by_hand, *everyone[3::23]]))
    sample = sample[1::2] + sample[::2]
    yield Register(engine, added, by_hand, sample)
    engine.dispose()


def _rows(register: Register, start: date = START, end: date = END) -> tuple[pl.DataFrame, Rows]:
    with reader(register.engine).connect() as conn:
        return indicators(conn, register.sample, start, end), read(conn, register.sample)


def test_the_indicators_equal_those_worked_out_from_the_raw_rows(register: Register) -> None:
    frame, rows = _rows(register)
    assert frame.columns == ["citizen_id", *INDICATORS]
    assert frame.height == len(register.sample) > 350
    same(frame, [expected(rows, c, START, END) for c in register.sample])
    # the sample is no trivial one: every indicator has values, and values that differ
    values = {name: frame.get_column(name).drop_nulls() for name in INDICATORS}
    assert values["report_to_action_days"].len() > 80
    assert values["report_to_action_days"].n_unique() > 10
    assert values["medical_followed_within_7"].len() > 40
    assert 0.0 < values["medical_followed_within_7"].mean() < 1.0  # type: ignore[operator]
    assert (values["caseworker_changes"] > 0).sum() > 30
    assert (values["caseworker_changes"] > 1).sum() > 0
    days = (END - START).days + 1
    assert ((values["passive_days"] > 0) & (values["passive_days"] < days)).sum() > 100
    assert (values["passive_days"] == days).sum() > 0


def test_the_added_episodes_give_the_shares_worked_out_by_hand(register: Register) -> None:
    with reader(register.engine).connect() as conn:
        frame = indicators(conn, register.episodes, START, END)
        rows = read(conn, register.episodes)
    assert frame.get_column("outreach_after_cancellations").to_list() == list(SHARES)
    # the reference sees the same episodes: C's two, the others' one, D's none
    found = [len(episodes(rows, c, START, END)) for c in register.episodes]
    assert found == [1, 1, 2, 0, 1]
    # E's episode begins in the window; a window ending before it has none
    e = register.episodes[4]
    with reader(register.engine).connect() as conn:
        before = indicators(conn, [e], START - timedelta(days=30), START)
    assert before.get_column("outreach_after_cancellations").to_list() == [None]


@pytest.mark.parametrize(
    ("first", "last", "changes"),
    [
        (START, END, 2),
        # the first day of a window is in it: the change on 15 October
        (date(2018, 10, 15), date(2018, 10, 15), 1),
        (date(2018, 10, 16), date(2019, 1, 9), 0),  # the cover
        (date(2019, 1, 10), date(2019, 1, 10), 1),
        (date(2019, 1, 11), END, 0),
    ],
)
def test_changes_of_primary_contact_worked_out_by_hand(
    register: Register, first: date, last: date, changes: int
) -> None:
    with reader(register.engine).connect() as conn:
        frame = indicators(conn, [register.contacts], first, last)
        rows = read(conn, [register.contacts])
    assert frame.get_column("caseworker_changes").to_list() == [changes]
    same(frame, [expected(rows, register.contacts, first, last)])


def test_a_citizen_without_reports_or_medical_information_gets_nulls(register: Register) -> None:
    frame, rows = _rows(register)
    received = {
        c
        for table in ("reports", "medical")
        for c, day, _ in getattr(rows, table)
        if day is not None and START <= day <= END
    }
    without = [c for c in register.sample if c not in received]
    assert len(without) > 50
    nulls = frame.filter(pl.col("citizen_id").is_in(without))
    assert nulls.height == len(without)
    assert nulls.get_column("report_to_action_days").null_count() == len(without)
    assert nulls.get_column("medical_followed_within_7").null_count() == len(without)
    # they still have passive days and their caseworker changes counted
    assert nulls.get_column("passive_days").sum() > 0


def test_a_window_without_data_gives_nulls_and_zeros(register: Register) -> None:
    first, last = BEFORE_THE_REGISTER
    frame, rows = _rows(register, first, last)
    same(frame, [expected(rows, c, first, last) for c in register.sample])
    assert frame.select(INDICATORS[:3]).null_count().row(0) == (frame.height,) * 3
    assert frame.get_column("passive_days").to_list() == [0] * frame.height
    assert frame.get_column("caseworker_changes").to_list() == [0] * frame.height


def test_a_bounded_number_of_statements_for_any_number_of_citizens(register: Register) -> None:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    counts = []
    for n in (1, 10, len(register.sample)):
        seen.clear()
        with reader(register.engine).connect() as conn:
            event.listen(conn, "before_cursor_execute", count)
            indicators(conn, register.sample[:n], START, END)
            event.remove(conn, "before_cursor_execute", count)
        queries = [text for text in seen if text.lstrip().upper().startswith(("SELECT", "WITH"))]
        counts.append(len(queries))
    assert counts == [4, 4, 4]


def test_the_order_given_once_each_and_unknown_citizens(register: Register) -> None:
    a, b = register.sample[:2]
    with reader(register.engine).connect() as conn:
        frame = indicators(conn, [b, a, b, 10**9], START, END)
        empty = indicators(conn, [], START, END)
        with pytest.raises(ValueError, match="before it starts"):
            indicators(conn, [a], END, START)
    assert frame.get_column("citizen_id").to_list() == [b, a, 10**9]
    assert frame.row(2) == (10**9, None, None, None, 0, 0)
    assert empty.columns == ["citizen_id", *INDICATORS] and empty.height == 0


def test_every_indicator_has_a_label_and_a_description() -> None:
    assert set(LABELS) == set(DESCRIPTIONS) == set(INDICATORS)
    assert all(LABELS[name] and DESCRIPTIONS[name].endswith(".") for name in INDICATORS)
