"""The statutory meeting rhythm: when a citizen's next job meeting is due.

The rule, for a citizen on a caseload on day D (operate.rhythm computes the same in SQL for
every citizen at once; this is the one-citizen statement of it, and its test reference):

1. The first job meeting is due ``first_within_days`` after entry (the start of the
   citizen's latest intake onto a caseload).
2. After a job meeting held on day H, the next is due ``interval_months`` calendar months
   later (clamped to the month's end).
3. A job meeting missed after H (cancelled by either side or a no-show) must be followed up
   within ``follow_up_within_days`` of its date: the due date moves forward to that if it is
   sooner.
4. A missed meeting whose absence the job centre accepted is neither late nor a
   cancellation: it opens a fresh follow-up window, so the due date is at least
   ``follow_up_within_days`` after it.
5. ``outreach_after_missed`` meetings missed by the citizen (cancelled or no-show, not
   accepted) since the last held one flag the citizen for outreach: a home visit, contact
   through social services.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from caseload.domain import codes
from caseload.domain.dates import add_months


@dataclass(frozen=True)
class MeetingRule:
    interval_months: int = 3
    first_within_days: int = 30
    follow_up_within_days: int = 14
    outreach_after_missed: int = 2


DEFAULT_RULE = MeetingRule()


@dataclass(frozen=True)
class Contact:
    """A job meeting: its status, the day it happened or was meant to, accepted absence."""

    status: str
    day: date
    absence_accepted: bool = False


@dataclass(frozen=True)
class Due:
    due: date
    last_held: date | None
    missed_by_citizen: int
    outreach: bool

    def overdue(self, day: date) -> bool:
        return self.due < day

    def days_left(self, day: date) -> int:
        return (self.due - day).days


def next_due(entry: date, meetings: Iterable[Contact], day: date, rule: MeetingRule) -> Due:
    """The due date on ``day`` of a citizen who entered on ``entry``."""
    past = [m for m in meetings if m.day <= day]
    held = [m.day for m in past if m.status == "held" and m.day >= entry]
    last = max(held) if held else None
    due = (
        add_months(last, rule.interval_months)
        if last
        else entry + timedelta(rule.first_within_days)
    )
    since = last or entry
    missed = [m for m in past if m.status in codes.MISSED_STATUSES and m.day >= since]
    if last is not None:
        missed = [m for m in missed if m.day > last]
    follow = timedelta(rule.follow_up_within_days)
    plain = [m.day for m in missed if not m.absence_accepted]
    accepted = [m.day for m in missed if m.absence_accepted]
    if plain:
        due = min(due, min(plain) + follow)
    if accepted:
        due = max(due, max(accepted) + follow)
    by_citizen = sum(
        1 for m in missed if m.status in codes.CITIZEN_MISSED and not m.absence_accepted
    )
    return Due(due, last, by_citizen, by_citizen >= rule.outreach_after_missed)


def booking_day(held: date, rule: MeetingRule) -> date:
    """The day to book the next job meeting when one is held on ``held``: the statutory
    deadline (the rule's interval later, as ``next_due`` counts it), moved back to the
    Friday before when it falls on a weekend, so that it is a working day in time."""
    deadline = add_months(held, rule.interval_months)
    return deadline - timedelta(days=max(0, deadline.weekday() - 4))
