"""The statutory meeting rhythm for one citizen (domain.rhythm.next_due), by hand.

Every expected date below is worked out by hand in the comment next to it. Unless a test says
otherwise the rule is the built-in default: first meeting 30 days after entry, then every
3 calendar months after a held one, a missed meeting followed up within 14 days, outreach
after 2 meetings missed by the citizen.
"""

from __future__ import annotations

from datetime import date

import pytest

from caseload.domain.rhythm import DEFAULT_RULE, Contact, Due, MeetingRule, next_due

ENTRY = date(2020, 1, 10)


def test_default_rule_numbers() -> None:
    assert MeetingRule(3, 30, 14, 2) == DEFAULT_RULE


def test_no_meetings_due_thirty_days_after_entry() -> None:
    # 2020-01-10 + 30 days: 21 days to 31 Jan, 9 more -> 2020-02-09
    due = next_due(ENTRY, [], date(2020, 1, 20), DEFAULT_RULE)
    assert due == Due(date(2020, 2, 9), None, 0, False)


def test_held_meeting_next_due_three_months_later() -> None:
    # held 2020-02-15 -> 2020-05-15
    meetings = [Contact("held", date(2020, 2, 15))]
    due = next_due(ENTRY, meetings, date(2020, 3, 1), DEFAULT_RULE)
    assert due == Due(date(2020, 5, 15), date(2020, 2, 15), 0, False)


def test_latest_held_meeting_counts() -> None:
    # held 2020-02-01 and 2020-04-20 (given out of order) -> 2020-04-20 + 3 months = 2020-07-20
    meetings = [Contact("held", date(2020, 4, 20)), Contact("held", date(2020, 2, 1))]
    due = next_due(ENTRY, meetings, date(2020, 5, 1), DEFAULT_RULE)
    assert due == Due(date(2020, 7, 20), date(2020, 4, 20), 0, False)


def test_held_on_the_entry_day_counts() -> None:
    # held on entry 2020-01-10 -> 2020-04-10 (not entry + 30)
    due = next_due(ENTRY, [Contact("held", ENTRY)], date(2020, 1, 20), DEFAULT_RULE)
    assert due.due == date(2020, 4, 10)
    assert due.last_held == ENTRY


@pytest.mark.parametrize(
    ("held", "months", "expected"),
    [
        # 2019-11-30 + 3 months = "2020-02-30" -> clamped to 2020-02-29 (leap year)
        (date(2019, 11, 30), 3, date(2020, 2, 29)),
        # 2020-12-31 + 3 months = 2021-03-31 (March has 31 days: no clamping)
        (date(2020, 12, 31), 3, date(2021, 3, 31)),
        # 2021-01-31 + 1 month = "2021-02-31" -> 2021-02-28 (not a leap year)
        (date(2021, 1, 31), 1, date(2021, 2, 28)),
        # 2020-11-30 + 3 months = "2021-02-30" -> 2021-02-28
        (date(2020, 11, 30), 3, date(2021, 2, 28)),
        # 2020-05-31 + 1 month = "2020-06-31" -> 2020-06-30
        (date(2020, 5, 31), 1, date(2020, 6, 30)),
        # 2019-10-31 + 3 months = 2020-01-31 (across the year end)
        (date(2019, 10, 31), 3, date(2020, 1, 31)),
    ],
)
def test_month_end_clamping(held: date, months: int, expected: date) -> None:
    rule = MeetingRule(interval_months=months)
    entry = date(2019, 1, 1)
    due = next_due(entry, [Contact("held", held)], held, rule)
    assert due.due == expected


def test_meetings_before_entry_are_ignored() -> None:
    # entry 2020-03-01; a held meeting and a no-show before it belong to an earlier stretch:
    # due = 2020-03-01 + 30 days = 2020-03-31, nothing held, nothing missed
    entry = date(2020, 3, 1)
    meetings = [
        Contact("held", date(2020, 2, 20)),
        Contact("no_show", date(2020, 2, 25)),
        Contact("cancelled_by_citizen", date(2020, 2, 28)),
    ]
    due = next_due(entry, meetings, date(2020, 3, 15), DEFAULT_RULE)
    assert due == Due(date(2020, 3, 31), None, 0, False)


def test_meetings_after_the_day_are_ignored() -> None:
    # day 2020-03-01: the meeting held 2020-03-05 and the no-show 2020-03-02 have not happened
    # yet -> due stays entry + 30 = 2020-02-09, already overdue
    meetings = [Contact("held", date(2020, 3, 5)), Contact("no_show", date(2020, 3, 2))]
    due = next_due(ENTRY, meetings, date(2020, 3, 1), DEFAULT_RULE)
    assert due == Due(date(2020, 2, 9), None, 0, False)


def test_meeting_on_the_day_counts() -> None:
    # a meeting held on the day itself: 2020-03-01 + 3 months = 2020-06-01
    due = next_due(ENTRY, [Contact("held", date(2020, 3, 1))], date(2020, 3, 1), DEFAULT_RULE)
    assert due.due == date(2020, 6, 1)


def test_cancellation_after_held_pulls_the_due_date_forward() -> None:
    # held 2020-02-15 -> 2020-05-15; cancelled by the citizen 2020-03-10 -> 2020-03-24 (sooner)
    meetings = [
        Contact("held", date(2020, 2, 15)),
        Contact("cancelled_by_citizen", date(2020, 3, 10)),
    ]
    due = next_due(ENTRY, meetings, date(2020, 3, 20), DEFAULT_RULE)
    assert due == Due(date(2020, 3, 24), date(2020, 2, 15), 1, False)


def test_cancellation_by_the_job_centre_also_pulls_forward() -> None:
    # held 2020-02-15 -> 2020-05-15; cancelled by the job centre 2020-04-01 -> 2020-04-15;
    # not the citizen's doing: missed_by_citizen 0
    meetings = [
        Contact("held", date(2020, 2, 15)),
        Contact("cancelled_by_job_centre", date(2020, 4, 1)),
    ]
    due = next_due(ENTRY, meetings, date(2020, 4, 2), DEFAULT_RULE)
    assert due == Due(date(2020, 4, 15), date(2020, 2, 15), 0, False)


def test_cancellation_moves_the_due_date_only_when_sooner() -> None:
    # held 2020-02-15 -> 2020-05-15; no-show 2020-05-10 -> 2020-05-24 is later: stays 2020-05-15
    meetings = [Contact("held", date(2020, 2, 15)), Contact("no_show", date(2020, 5, 10))]
    due = next_due(ENTRY, meetings, date(2020, 5, 12), DEFAULT_RULE)
    assert due == Due(date(2020, 5, 15), date(2020, 2, 15), 1, False)


def test_first_of_several_missed_meetings_sets_the_follow_up() -> None:
    # no held meeting: entry + 30 = 2020-02-09; missed 2020-01-20 -> 2020-02-03,
    # missed 2020-01-25 -> 2020-02-08; the earliest wins: 2020-02-03
    meetings = [
        Contact("cancelled_by_job_centre", date(2020, 1, 25)),
        Contact("cancelled_by_job_centre", date(2020, 1, 20)),
    ]
    due = next_due(ENTRY, meetings, date(2020, 1, 30), DEFAULT_RULE)
    assert due == Due(date(2020, 2, 3), None, 0, False)


def test_cancellation_before_held_is_ignored() -> None:
    # no-show 2020-02-01 and a cancellation on the very day of the held meeting 2020-02-15:
    # neither is after H -> due 2020-05-15, nothing missed
    meetings = [
        Contact("no_show", date(2020, 2, 1)),
        Contact("cancelled_by_citizen", date(2020, 2, 15)),
        Contact("held", date(2020, 2, 15)),
    ]
    due = next_due(ENTRY, meetings, date(2020, 3, 1), DEFAULT_RULE)
    assert due == Due(date(2020, 5, 15), date(2020, 2, 15), 0, False)


def test_missed_on_the_entry_day_counts_without_held() -> None:
    # entry 2020-01-10, no-show that same day -> 2020-01-24 (sooner than 2020-02-09)
    due = next_due(ENTRY, [Contact("no_show", ENTRY)], date(2020, 1, 11), DEFAULT_RULE)
    assert due == Due(date(2020, 1, 24), None, 1, False)


def test_accepted_absence_extends_the_due_date() -> None:
    # no held meeting: entry + 30 = 2020-02-09; accepted absence 2020-02-05 -> 2020-02-19;
    # due = max(2020-02-09, 2020-02-19) = 2020-02-19
    meetings = [Contact("no_show", date(2020, 2, 5), absence_accepted=True)]
    due = next_due(ENTRY, meetings, date(2020, 2, 6), DEFAULT_RULE)
    assert due == Due(date(2020, 2, 19), None, 0, False)


def test_accepted_absence_never_shortens() -> None:
    # held 2020-02-15 -> 2020-05-15; accepted absence 2020-03-10 -> 2020-03-24 is sooner;
    # due = max(2020-05-15, 2020-03-24) = 2020-05-15
    meetings = [
        Contact("held", date(2020, 2, 15)),
        Contact("cancelled_by_citizen", date(2020, 3, 10), absence_accepted=True),
    ]
    due = next_due(ENTRY, meetings, date(2020, 3, 20), DEFAULT_RULE)
    assert due == Due(date(2020, 5, 15), date(2020, 2, 15), 0, False)


def test_accepted_absence_after_a_plain_miss_wins() -> None:
    # held 2020-02-15 -> 2020-05-15; no-show 2020-03-10 -> 2020-03-24 (sooner);
    # accepted 2020-03-20 -> 2020-04-03; due = max(2020-03-24, 2020-04-03) = 2020-04-03
    meetings = [
        Contact("held", date(2020, 2, 15)),
        Contact("no_show", date(2020, 3, 10)),
        Contact("no_show", date(2020, 3, 20), absence_accepted=True),
    ]
    due = next_due(ENTRY, meetings, date(2020, 3, 25), DEFAULT_RULE)
    assert due == Due(date(2020, 4, 3), date(2020, 2, 15), 1, False)


def test_latest_accepted_absence_counts() -> None:
    # no held: entry + 30 = 2020-02-09; accepted 2020-02-01 -> 02-15, accepted 2020-02-10 ->
    # 02-24; due = 2020-02-24
    meetings = [
        Contact("no_show", date(2020, 2, 10), absence_accepted=True),
        Contact("cancelled_by_citizen", date(2020, 2, 1), absence_accepted=True),
    ]
    due = next_due(ENTRY, meetings, date(2020, 2, 11), DEFAULT_RULE)
    assert due == Due(date(2020, 2, 24), None, 0, False)


def test_accepted_absence_does_not_count_toward_outreach() -> None:
    # held 2020-02-15; no-show 2020-03-01 (plain) and no-show 2020-03-05 (accepted):
    # one missed by the citizen, below 2 -> no outreach.
    # due: min(2020-05-15, 2020-03-15) = 2020-03-15, then max(2020-03-15, 2020-03-19) = 03-19
    meetings = [
        Contact("held", date(2020, 2, 15)),
        Contact("no_show", date(2020, 3, 1)),
        Contact("no_show", date(2020, 3, 5), absence_accepted=True),
    ]
    due = next_due(ENTRY, meetings, date(2020, 3, 10), DEFAULT_RULE)
    assert due == Due(date(2020, 3, 19), date(2020, 2, 15), 1, False)


def test_two_no_shows_flag_outreach() -> None:
    # held 2020-02-15; no-shows 2020-03-01 and 2020-03-08 -> missed_by_citizen 2 >= 2: outreach;
    # due = min(2020-05-15, 2020-03-15) = 2020-03-15
    meetings = [
        Contact("held", date(2020, 2, 15)),
        Contact("no_show", date(2020, 3, 1)),
        Contact("no_show", date(2020, 3, 8)),
    ]
    due = next_due(ENTRY, meetings, date(2020, 3, 10), DEFAULT_RULE)
    assert due == Due(date(2020, 3, 15), date(2020, 2, 15), 2, True)


def test_no_show_and_citizen_cancellation_flag_outreach() -> None:
    # no held: entry + 30 = 2020-02-09; cancelled by citizen 2020-01-15 -> 01-29, no-show
    # 2020-01-29 -> 02-12; due 2020-01-29; two missed by the citizen -> outreach
    meetings = [
        Contact("cancelled_by_citizen", date(2020, 1, 15)),
        Contact("no_show", date(2020, 1, 29)),
    ]
    due = next_due(ENTRY, meetings, date(2020, 1, 30), DEFAULT_RULE)
    assert due == Due(date(2020, 1, 29), None, 2, True)


def test_held_meeting_resets_the_outreach_count() -> None:
    # two no-shows 2020-01-20, 2020-01-25, then held 2020-02-01: they were before the last
    # held meeting -> 0 missed, no outreach; due 2020-05-01
    meetings = [
        Contact("no_show", date(2020, 1, 20)),
        Contact("no_show", date(2020, 1, 25)),
        Contact("held", date(2020, 2, 1)),
    ]
    due = next_due(ENTRY, meetings, date(2020, 2, 2), DEFAULT_RULE)
    assert due == Due(date(2020, 5, 1), date(2020, 2, 1), 0, False)


def test_no_show_and_job_centre_cancellation_no_outreach() -> None:
    # held 2020-02-15; no-show 2020-03-01 -> 03-15; cancelled by the job centre 2020-03-05 ->
    # 03-19; due = 2020-03-15; only the no-show is the citizen's: 1 < 2, no outreach
    meetings = [
        Contact("held", date(2020, 2, 15)),
        Contact("no_show", date(2020, 3, 1)),
        Contact("cancelled_by_job_centre", date(2020, 3, 5)),
    ]
    due = next_due(ENTRY, meetings, date(2020, 3, 10), DEFAULT_RULE)
    assert due == Due(date(2020, 3, 15), date(2020, 2, 15), 1, False)


def test_planned_meetings_do_not_move_anything() -> None:
    # a planned meeting (past or future) is neither held nor missed: due entry + 30 = 2020-02-09
    meetings = [Contact("planned", date(2020, 1, 15)), Contact("planned", date(2020, 2, 1))]
    due = next_due(ENTRY, meetings, date(2020, 1, 20), DEFAULT_RULE)
    assert due == Due(date(2020, 2, 9), None, 0, False)


def test_target_group_rule() -> None:
    # a target group's own rule: 1 month, first within 10 days, follow up within 7, outreach
    # after 1 missed
    rule = MeetingRule(
        interval_months=1, first_within_days=10, follow_up_within_days=7, outreach_after_missed=1
    )
    # no meetings: 2020-01-10 + 10 = 2020-01-20
    assert next_due(ENTRY, [], date(2020, 1, 12), rule) == Due(date(2020, 1, 20), None, 0, False)
    # held 2020-01-31 -> 2020-02-29 (clamped, leap year)
    held = [Contact("held", date(2020, 1, 31))]
    assert next_due(ENTRY, held, date(2020, 2, 1), rule) == Due(
        date(2020, 2, 29), date(2020, 1, 31), 0, False
    )
    # + no-show 2020-02-10 -> 2020-02-17 (sooner); one citizen miss >= 1 -> outreach
    missed = [*held, Contact("no_show", date(2020, 2, 10))]
    assert next_due(ENTRY, missed, date(2020, 2, 11), rule) == Due(
        date(2020, 2, 17), date(2020, 1, 31), 1, True
    )
    # the same meetings under the default rule: 2020-04-30 vs 2020-02-24 -> 2020-02-24, no
    # outreach (1 < 2)
    assert next_due(ENTRY, missed, date(2020, 2, 11), DEFAULT_RULE) == Due(
        date(2020, 2, 24), date(2020, 1, 31), 1, False
    )


def test_meetings_may_be_any_iterable() -> None:
    # a generator is read once: held 2020-02-15 + cancellation 2020-03-10 -> 2020-03-24
    meetings = (
        c
        for c in [
            Contact("held", date(2020, 2, 15)),
            Contact("cancelled_by_citizen", date(2020, 3, 10)),
        ]
    )
    assert next_due(ENTRY, meetings, date(2020, 3, 20), DEFAULT_RULE).due == date(2020, 3, 24)


def test_due_overdue_and_days_left() -> None:
    due = Due(date(2020, 2, 9), None, 0, False)
    # before the due date: not overdue, days left to it
    assert not due.overdue(date(2020, 2, 1))
    assert due.days_left(date(2020, 2, 1)) == 8
    # on the due date: not yet overdue, 0 days left
    assert not due.overdue(date(2020, 2, 9))
    assert due.days_left(date(2020, 2, 9)) == 0
    # the day after: overdue, -1
    assert due.overdue(date(2020, 2, 10))
    assert due.days_left(date(2020, 2, 10)) == -1
    # across the leap day: 2020-02-09 to 2020-03-01 is 21 days
    assert due.days_left(date(2020, 3, 1)) == -21
