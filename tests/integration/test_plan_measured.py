"""The measured alternative and staffing (plan/measured.py, plan/staffing.py) on a small
hand-built register, on SQLite and PostgreSQL: the expected counts, citizen-months, minutes,
inflow and spells are computed here in Python from the same rows the register is filled
with."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine

from caseload.plan import config
from caseload.plan.measured import measured_minutes
from caseload.plan.staffing import LEAST_ENDED, Doubt, forecast_doubts, staffing
from caseload.plan.workload import ConfigError
from caseload.store import schema as s
from caseload.store.database import reader
from tests.conftest import CopyOf
from tests.helpers import add_row

KS, VK, MENTOR = "coordinating_caseworker", "company_consultant", "mentor"
FIRST, LAST = date(2024, 3, 1), date(2024, 4, 30)

MODEL = """
[scenario]
name = "test"
[hours]
weekly_hours = 37
holiday_days = 30
public_holidays = 9
absence_days = 10
non_case_share = 0.2
[complexity]
simple = 1
complex = 0
very_complex = 0
[districts.all]
travel_minutes = 20
share = 1
[[positions]]
roles = ["coordinating_caseworker"]
role_model = "buddy_pair"
[[positions]]
roles = ["company_consultant", "mentor"]
role_model = "buddy_pair"
[[tasks]]
name = "job meeting"
role = "coordinating_caseworker"
counted_as = "job_meeting"
per_month = 1
minutes = 30
preparation_minutes = 5
documentation_minutes = 5
[[tasks]]
name = "order"
role = "coordinating_caseworker"
counted_as = "supplier_order"
per_month = 0.5
minutes = 20
[[tasks]]
name = "report"
role = "coordinating_caseworker"
counted_as = "progress_report"
per_month = 0.5
minutes = 10
[[tasks]]
name = "medical"
role = "coordinating_caseworker"
counted_as = "medical_request"
per_month = 0.1
minutes = 60
[[tasks]]
name = "missed"
role = "coordinating_caseworker"
counted_as = "missed_meeting"
per_month = 0.1
minutes = 15
[[tasks]]
name = "phone"
role = "coordinating_caseworker"
per_month = 2
minutes = 5
[[tasks]]
name = "mentor meeting"
role = "mentor"
counted_as = "follow_up"
per_month = 2
minutes = 40
away_share = 0.5
[[tasks]]
name = "placement"
role = "company_consultant"
counted_as = "company_placement"
per_month = 0.2
minutes = 90
"""

# professional: department, FTE, roles
STAFF = {"P1": ("A", 1.0, (KS,)), "P2": ("A", 0.8, (VK, MENTOR)), "P3": ("B", 1.0, (KS,))}
# citizen, professional, role, start, end (inclusive; None: open), reason
RESP: list[tuple[str, str, str, date, date | None, str]] = [
    ("C1", "P1", KS, date(2023, 1, 1), None, "intake"),
    ("C1", "P2", VK, date(2024, 3, 10), None, "handoff"),
    ("C1", "P2", MENTOR, date(2024, 3, 10), None, "intake"),
    ("C2", "P1", KS, date(2024, 3, 15), date(2024, 4, 10), "intake"),
    ("C2", "P1", KS, date(2024, 4, 11), date(2024, 4, 20), "reallocation"),  # touches: 1 spell
    ("C3", "P3", KS, date(2023, 6, 1), date(2024, 3, 31), "intake"),
    ("C4", "P3", KS, date(2024, 4, 1), None, "intake"),
    ("C4", "P1", KS, date(2024, 4, 5), date(2024, 4, 6), "cover"),  # a cover: not counted
]
# meetings: citizen, professional, kind, status, day, minutes, place
MEETINGS: list[tuple[str, str | None, str, str, date, int | None, str | None]] = [
    ("C1", "P1", "job_meeting", "held", date(2024, 3, 5), 45, "job_centre"),
    ("C1", "P1", "job_meeting", "held", date(2024, 4, 5), None, "home"),
    ("C1", "P1", "job_meeting", "held", date(2024, 2, 5), 45, "job_centre"),  # before
    ("C2", "P1", "job_meeting", "held", date(2024, 3, 20), 60, "home"),
    ("C2", "P1", "job_meeting", "no_show", date(2024, 4, 2), None, None),
    ("C1", "P2", "follow_up", "held", date(2024, 3, 12), 50, "workplace"),
    ("C1", "P2", "follow_up", "held", date(2024, 4, 12), None, "phone"),
    ("C3", "P3", "job_meeting", "held", date(2024, 3, 7), 25, "job_centre"),
    ("C4", None, "job_meeting", "held", date(2024, 4, 8), 30, "job_centre"),  # nobody's
    ("C4", "P3", "three_party", "held", date(2024, 4, 9), 30, "job_centre"),  # no task
]
ORDERS = [("C1", "P1", date(2024, 3, 3), [date(2024, 3, 20), date(2024, 5, 2)])]
MEDICAL = [("C1", "P1", date(2024, 4, 1)), ("C3", "P3", date(2024, 2, 1))]
PLACEMENTS = [("C1", "P2", date(2024, 3, 25))]


def _add(conn: Connection, table: Any, **values: Any) -> int:
    return add_row(conn, table, **values)


def fill(engine: Engine, _folder: Path) -> None:
    with engine.begin() as conn:
        depts = {c: _add(conn, s.department, code=c, name=c, is_trial=False) for c in "AB"}
        pid = {}
        for code, (dept, fte, roles) in STAFF.items():
            pid[code] = _add(
                conn, s.professional, code=code, name=code, department_id=depts[dept],
                fte=fte, start_date=date(2020, 1, 1),
            )  # fmt: skip
            for role in roles:
                _add(
                    conn, s.professional_role, professional_id=pid[code], role=role,
                    start_date=date(2020, 1, 1),
                )  # fmt: skip
        traits = {"birth_date": date(1980, 1, 1), "sex": "female", "origin": "danish"}
        cid = {
            c: _add(conn, s.citizen, code=c, target_group="activity_ready_30_plus", **traits)
            for c in ("C1", "C2", "C3", "C4")
        }
        for citizen, prof, role, start, end, reason in RESP:
            _add(
                conn, s.responsibility, citizen_id=cid[citizen], professional_id=pid[prof],
                role=role, start_date=start, end_date=end, reason=reason,
                covers_professional_id=pid["P3"] if reason == "cover" else None,
            )  # fmt: skip
        for k, (citizen, prof, kind, status, day, minutes, place) in enumerate(MEETINGS):
            _add(
                conn, s.meeting, code=f"M{k}", citizen_id=cid[citizen],
                professional_id=None if prof is None else pid[prof], kind=kind, status=status,
                scheduled_date=day, held_date=day if status == "held" else None,
                duration_minutes=minutes, place=place,
            )  # fmt: skip
        for k, (citizen, prof, start, reports) in enumerate(ORDERS):
            order = _add(
                conn, s.supplier_order, code=f"O{k}", citizen_id=cid[citizen],
                professional_id=pid[prof], supplier="S", purpose="p", start_date=start,
            )  # fmt: skip
            for day in reports:
                _add(conn, s.progress_report, order_id=order, due_date=day, received_date=day)
        for k, (citizen, prof, sent) in enumerate(MEDICAL):
            _add(
                conn, s.medical_request, code=f"L{k}", citizen_id=cid[citizen],
                professional_id=pid[prof], kind="le145", questions=2, sent_date=sent,
            )  # fmt: skip
        for k, (citizen, prof, start) in enumerate(PLACEMENTS):
            _add(
                conn, s.company_placement, code=f"V{k}", citizen_id=cid[citizen],
                professional_id=pid[prof], kind="work_placement", company="X",
                start_date=start, weekly_hours=5,
            )  # fmt: skip


def _days(first: date, last: date) -> set[date]:
    return {first + timedelta(days=k) for k in range((last - first).days + 1)}


def _citizen_days(prof: str) -> int:
    """Days in the period each citizen was held by ``prof`` (in any role, covers aside)."""
    held: dict[str, set[date]] = defaultdict(set)
    for citizen, p, _role, start, end, reason in RESP:
        if p == prof and reason != "cover":
            held[citizen] |= _days(max(start, FIRST), min(end or LAST, LAST))
    return sum(len(days) for days in held.values())


def _spells(role: str | None, day: date) -> list[tuple[str, date, date]]:
    """(citizen, first day, last day up to ``day``) of each spell in ``role`` (None: any)."""
    out: list[tuple[str, date, date]] = []
    for citizen in sorted({r[0] for r in RESP}):
        spans = sorted(
            (start, min(end or day, day))
            for c, _p, r, start, end, reason in RESP
            if c == citizen and reason != "cover" and (role is None or r == role) and start <= day
        )
        for start, end in spans:
            if out and out[-1][0] == citizen and start <= out[-1][2] + timedelta(days=1):
                out[-1] = (citizen, out[-1][1], max(out[-1][2], end))
            else:
                out.append((citizen, start, end))
    return out


@pytest.fixture
def register(register_copy: CopyOf) -> Engine:
    return register_copy(fill)


def test_minutes_per_citizen_month_by_role(register: Engine) -> None:
    model = config.loads(MODEL, "test.toml")
    with reader(register).connect() as conn:
        result = measured_minutes(conn, FIRST, LAST, model)
    groups = {g.group: g for g in result.groups}
    assert set(groups) == {KS, f"{VK}+{MENTOR}"}
    in_period = [m for m in MEETINGS if FIRST <= m[4] <= LAST]

    ks = groups[KS]
    assert ks.professionals == 2
    month = 365.25 / 12
    assert ks.citizen_months == pytest.approx((_citizen_days("P1") + _citizen_days("P3")) / month)
    counts = {c.counted_as: c for c in ks.counts}
    held = [m for m in in_period if m[1] in ("P1", "P3") and m[3] == "held"]
    jobs = [m for m in held if m[2] == "job_meeting"]
    assert counts["job_meeting"].n == len(jobs)
    assert counts["job_meeting"].recorded_minutes == sum(m[5] or 0 for m in jobs)
    # recorded: duration + preparation 5 + documentation 5 (+ travel 20 away from the desk);
    # none recorded: the model's 30 + 5 + 5 and the travel for a meeting away
    expected = sum(
        (m[5] + 10 if m[5] is not None else 40) + (20 if m[6] not in ("job_centre", "phone") else 0)
        for m in jobs
    )
    assert counts["job_meeting"].minutes == pytest.approx(expected)
    three = counts["three_party"]
    assert (three.n, three.minutes, three.without_minutes) == (1, 30, 0)
    assert counts["missed_meeting"].n == 1 and counts["missed_meeting"].minutes == 15
    assert counts["supplier_order"].n == 1 and counts["supplier_order"].minutes == 20
    in_time = [d for *_, reports in ORDERS for d in reports if FIRST <= d <= LAST]
    assert counts["progress_report"].n == len(in_time)
    assert counts["medical_request"].n == 1 and counts["medical_request"].minutes == 60
    assert ks.unmeasured_minutes == pytest.approx(2 * 5)  # phone; no coordination minutes
    total = sum(c.minutes for c in ks.counts)
    assert ks.minutes_per_citizen_month == pytest.approx(total / ks.citizen_months)
    hours = (365.25 / 7 * 5 - 49) * 37 / 5 / 12 * 0.8
    assert ks.caseload == pytest.approx(hours * 60 / (total / ks.citizen_months + 10))

    pair = groups[f"{VK}+{MENTOR}"]
    assert pair.citizen_months == pytest.approx(_citizen_days("P2") / month)
    pc = {c.counted_as: c for c in pair.counts}
    assert pc["follow_up"].n == 2
    assert pc["follow_up"].minutes == pytest.approx((50 + 20) + 40)  # workplace; phone: desk
    assert pc["company_placement"].minutes == 90
    assert result.meetings_without_duration == sum(
        1 for m in in_period if m[3] == "held" and m[5] is None
    )
    assert result.unattributed == 1


def test_by_department_and_one_department(register: Engine) -> None:
    model = config.loads(MODEL, "test.toml")
    with reader(register).connect() as conn:
        by_dept = measured_minutes(conn, FIRST, LAST, model, by="department")
        only_b = measured_minutes(conn, FIRST, LAST, model, department="B")
        with pytest.raises(ConfigError, match="--department: Z: no such department"):
            measured_minutes(conn, FIRST, LAST, model, department="Z")
    groups = {g.group: g for g in by_dept.groups}
    assert set(groups) == {"A", "B"}
    assert groups["A"].professionals == 2
    assert groups["B"].citizen_months == pytest.approx(_citizen_days("P3") / (365.25 / 12))
    (b,) = only_b.groups
    assert {c.counted_as: c.n for c in b.counts} == {"job_meeting": 1, "three_party": 1}
    assert only_b.unattributed == 0


def test_staffing_today_and_in_steady_state(register: Engine) -> None:
    day = date(2024, 4, 15)
    with reader(register).connect() as conn:
        st = staffing(conn, {KS: 2.0, MENTOR: 4.0}, as_of=day)
        given = staffing(conn, {KS: 2.0}, as_of=day, inflow=3.0, months=5.0)
        dept_a = staffing(conn, {KS: 2.0}, department="A", as_of=day)
    roles = {r.role: r for r in st.roles}
    on_day = {
        role: {c for c, _p, r, start, end, reason in RESP
               if r == role and reason != "cover" and start <= day <= (end or day)}
        for role in (KS, MENTOR)
    }  # fmt: skip
    assert roles[KS].citizens == len(on_day[KS]) == 3  # C1, C2, C4
    assert roles[KS].fte_needed == pytest.approx(3 / 2)
    assert roles[KS].fte_employed == pytest.approx(2.0)  # P1 and P3
    assert roles[MENTOR].fte_employed == pytest.approx(0.4)  # P2: 0.8 over two roles
    assert roles[KS].gap == pytest.approx(-0.5)
    assert roles[KS].cost_needed == pytest.approx(1.5 * 650_000)
    # spells: a citizen's responsibilities in the role merged where they touch, up to the day
    first = day - timedelta(days=364)
    spells = _spells(KS, day)
    window = 365 / (365.25 / 12)
    started = [sp for sp in spells if sp[1] >= first]
    assert roles[KS].inflow_measured == pytest.approx(len(started) / window)
    ended = [(e - b).days + 1 for _c, b, e in spells if first <= e < day]
    assert roles[KS].spells_ended == len(ended) == 1  # C3; C2 runs to the 20th
    assert roles[KS].months_on_caseload == pytest.approx(sum(ended) / len(ended) / (365.25 / 12))
    assert roles[KS].steady_citizens == pytest.approx(
        roles[KS].inflow_measured * roles[KS].months_on_caseload
    )
    running = [sp for sp in spells if sp[2] >= day]
    assert roles[KS].spells_running == len(running)
    assert roles[KS].running_before_window == len([sp for sp in running if sp[1] < first])
    # one spell ended: too few to measure the months on the caseload by (given: no doubt)
    assert Doubt(KS, "few_ended", 1, LEAST_ENDED) in forecast_doubts(st)
    assert Doubt(MENTOR, "none_ended", 0, LEAST_ENDED) in forecast_doubts(st)
    assert forecast_doubts(given) == []
    # given: 3 new citizens a month, shared between the roles as new citizens were
    new_any = {c for c, b, _e in _spells(None, day) if b >= first}
    (g,) = given.roles
    assert g.steady_citizens == pytest.approx(g.inflow_per_month * 5.0)
    assert g.steady_fte == pytest.approx(g.steady_citizens / 2.0)
    assert given.new_citizens_per_month == pytest.approx(len(new_any) / window)
    assert g.inflow_per_month == pytest.approx(3.0 * len(started) / len(new_any))
    (a,) = dept_a.roles
    assert a.citizens == 2  # C1, C2 with P1
