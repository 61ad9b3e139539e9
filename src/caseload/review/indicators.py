"""What the register already knows about a reviewed case: five objective indicators per
citizen over a window, shown beside the reviewers' rubric scores so the two can be compared.

Each indicator takes its definition from the operate face, over the window [start, end]
(both days inclusive):

- ``report_to_action_days``: the mean of ``caseflow.days_to_act`` (days from a progress
  report's receipt to the action taken on it) over the citizen's reports received in the
  window and acted on (on any day: the register as it stands). Null when none.
- ``medical_followed_within_7``: the share (0–1) of the citizen's medical information
  answered (received) in the window whose follow-up came within ``caseflow.FOLLOW_UP_DAYS``
  (7) days of the answer (``caseflow.days_to_follow_up``); one never followed up counts as
  not within. Null when none was received.
- ``outreach_after_cancellations``: the share of the citizen's episodes of repeated
  cancellations in the window that were followed by an outreach contact. An episode begins
  on a day D in the window on which the worklist's outreach flag rises (``operate.rhythm``,
  rule 5 of ``domain.rhythm``): the citizen is on a caseload on D, and D's missed job
  meeting brings the job meetings missed by the citizen (cancelled or no-show, absence not
  accepted; counted on their scheduled day, else their due day) since their entry and since
  their last job meeting held to their meeting rule's ``outreach_after_missed`` (2 unless a
  rule says otherwise), from fewer before D. It is followed by an outreach contact when a
  meeting of any kind is held where the citizen lives (``OUTREACH_PLACES``: home, or a
  residence) from D to ``follow_up_within_days`` (the rule's follow-up window for a missed
  meeting, 14 days unless a rule says otherwise) after D. The domain's other outreach, a
  contact through social services, is not recorded in the register. Null when there was
  no episode.
- ``passive_days``: days of the window on a caseload without a running effort (a supplier
  course or a company placement): the worklist's passive flag over days, counted as the
  case-flow tables count them (``caseflow.stays``, ``caseflow.effort_spans``,
  ``caseflow.passive_days``: the stay runs from the first start to the last end of the
  citizen's responsibilities in the window). 0 for a citizen not on a caseload in it.
- ``caseworker_changes``: the days of the window on which the citizen's primary contact
  (``register.contacts``' choice: the coordinating caseworker, else the company consultant,
  else the mentor; the lowest id in a tie) is another professional than the day before;
  covers are left out, since a cover runs beside the absent colleague, who keeps the
  citizen (``operate.status.NOT_A_CHANGE``). A first contact after none, and a stay's end,
  are no change. 0 when none.

The citizens are given as one parameter (``store.sql.listed_ids``); the indicators are four
statements for any number of citizens: one for the first three and the last, three for the
passive days (the stays and the two kinds of effort, merged in Polars as the case-flow
tables merge them).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Final

import polars as pl
from sqlalchemy import (
    CTE,
    Connection,
    Float,
    and_,
    case,
    cast,
    exists,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.sql import ColumnElement, Select, Subquery

from caseload.i18n import N_
from caseload.operate import caseflow
from caseload.operate.rhythm import missed_by_citizen, missed_day, rule_select, stay_on
from caseload.register.contacts import best_contact, contact_rank
from caseload.store import schema as s
from caseload.store.sql import add_days, listed_ids, rows_frame

INDICATORS: Final = (
    "report_to_action_days",
    "medical_followed_within_7",
    "outreach_after_cancellations",
    "passive_days",
    "caseworker_changes",
)
"""The indicators, in the order of the frame's columns after ``citizen_id``."""

LABELS: Final[dict[str, str]] = {
    "report_to_action_days": N_("Days from progress report to action"),
    "medical_followed_within_7": N_("Medical information followed up within 7 days"),
    "outreach_after_cancellations": N_("Outreach after repeated cancellations"),
    "passive_days": N_("Passive days"),
    "caseworker_changes": N_("Caseworker changes"),
}
"""Each indicator's label (msgids), by its column name."""

DESCRIPTIONS: Final[dict[str, str]] = {
    "report_to_action_days": N_(
        "Mean days from receiving a supplier's progress report to acting on it, for reports "
        "received in the period."
    ),
    "medical_followed_within_7": N_(
        "Share of medical information received in the period that was followed up within "
        "7 days of the answer."
    ),
    "outreach_after_cancellations": N_(
        "Share of repeated cancellations or no-shows in the period followed by a meeting "
        "where the citizen lives within the follow-up window."
    ),
    "passive_days": N_(
        "Days in the period on a caseload without a supplier course or company placement."
    ),
    "caseworker_changes": N_("Changes of the citizen's primary contact in the period."),
}
"""Each indicator in one line (msgids), by its column name."""

OUTREACH_PLACES: Final = ("home", "residence")
"""Where a held meeting is an outreach contact: where the citizen lives (a home visit)."""

SCHEMA: Final = {
    "citizen_id": pl.Int64,
    "report_to_action_days": pl.Float64,
    "medical_followed_within_7": pl.Float64,
    "outreach_after_cancellations": pl.Float64,
    "passive_days": pl.Int64,
    "caseworker_changes": pl.Int64,
}

_IDS = "citizens"
"""The bound parameter holding the citizens' ids as JSON."""


def indicators(
    conn: Connection, citizen_ids: Sequence[int], start: date, end: date
) -> pl.DataFrame:
    """One row per citizen of ``citizen_ids`` (in their order, each once): ``citizen_id`` and
    the five ``INDICATORS`` over [``start``, ``end``], as the module's docstring defines
    them. A citizen the register does not know gets nulls and zeros, as one without data."""
    if end < start:
        raise ValueError(f"the window ends ({end}) before it starts ({start})")
    ids = list(dict.fromkeys(int(i) for i in citizen_ids))
    if not ids:
        return pl.DataFrame(schema=SCHEMA)
    dialect = conn.dialect.name
    given = json.dumps(ids)
    counted = rows_frame(conn, _counts(dialect, start, end).params({_IDS: given}))
    passive = _passive(conn, start, end, given)
    shares = counted.select(
        pl.col("citizen_id").cast(pl.Int64),
        pl.col("report_to_action_days").cast(pl.Float64),
        _share("medical_followed_within_7", "medical_within", "medical_received"),
        _share("outreach_after_cancellations", "outreach_reached", "outreach_episodes"),
        pl.col("caseworker_changes").cast(pl.Int64).fill_null(0),
    )
    order = pl.DataFrame({"citizen_id": ids}, schema={"citizen_id": pl.Int64})
    return (
        order.join(shares, on="citizen_id", how="left", maintain_order="left")
        .join(passive, on="citizen_id", how="left", maintain_order="left")
        .with_columns(
            pl.col("passive_days").fill_null(0), pl.col("caseworker_changes").fill_null(0)
        )
        .select(list(SCHEMA))
        .cast(SCHEMA)  # type: ignore[arg-type]
    )


def _share(name: str, part: str, whole: str) -> pl.Expr:
    """``part`` / ``whole`` as ``name``; null when ``whole`` is none."""
    total = pl.col(whole).cast(pl.Float64).fill_null(0.0)
    return (
        pl.when(total > 0)
        .then(pl.col(part).cast(pl.Float64).fill_null(0.0) / total)
        .otherwise(None)
        .alias(name)
    )


def _ids(dialect: str) -> CTE:
    """The citizens given, one row each (the parameter ``citizens``)."""
    return select(listed_ids(_IDS, dialect).label("citizen_id")).distinct().cte("given")


def _counts(dialect: str, start: date, end: date) -> Select[Any]:
    """One statement: per citizen given, the mean days to act on a report, medical
    information received and followed up within 7 days, outreach episodes and those followed
    by an outreach contact, and the caseworker changes."""
    given = _ids(dialect)
    among = select(given.c.citizen_id)
    reports = _reports(dialect, start, end, among)
    medical = _medical(dialect, start, end, among)
    outreach = _outreach(dialect, start, end, among)
    changes = _changes(dialect, start, end, among)
    return (
        select(
            given.c.citizen_id,
            reports.c.report_to_action_days,
            medical.c.medical_received,
            medical.c.medical_within,
            outreach.c.outreach_episodes,
            outreach.c.outreach_reached,
            changes.c.caseworker_changes,
        )
        .select_from(given)
        .outerjoin(reports, reports.c.citizen_id == given.c.citizen_id)
        .outerjoin(medical, medical.c.citizen_id == given.c.citizen_id)
        .outerjoin(outreach, outreach.c.citizen_id == given.c.citizen_id)
        .outerjoin(changes, changes.c.citizen_id == given.c.citizen_id)
    )


def _reports(dialect: str, start: date, end: date, among: Select[Any]) -> Subquery:
    o, pr = s.supplier_order, s.progress_report
    return (
        select(
            o.c.citizen_id,
            cast(func.avg(caseflow.days_to_act(dialect)), Float).label("report_to_action_days"),
        )
        .select_from(pr)
        .join(o, o.c.id == pr.c.order_id)
        .where(o.c.citizen_id.in_(among), pr.c.received_date >= start, pr.c.received_date <= end)
        .group_by(o.c.citizen_id)
        .subquery("reports")
    )


def _medical(dialect: str, start: date, end: date, among: Select[Any]) -> Subquery:
    m = s.medical_request
    within = caseflow.days_to_follow_up(dialect) <= caseflow.FOLLOW_UP_DAYS
    return (
        select(
            m.c.citizen_id,
            func.count().label("medical_received"),
            func.sum(case((within, 1), else_=0)).label("medical_within"),
        )
        .where(m.c.citizen_id.in_(among), m.c.answered_date >= start, m.c.answered_date <= end)
        .group_by(m.c.citizen_id)
        .subquery("medical")
    )


def _outreach(dialect: str, start: date, end: date, among: Select[Any]) -> Subquery:
    """Per citizen: the episodes (days the outreach flag rose) in the window, and how many
    of them an outreach contact followed."""
    m, r = s.meeting, s.responsibility
    # every job meeting missed by the citizen up to the window's end: a count since the last
    # one held may start before the window
    missed = (
        select(m.c.citizen_id, missed_day(m).label("day"))
        .where(
            m.c.kind == "job_meeting",
            missed_by_citizen(m.c.status, m.c.absence_accepted),
            m.c.citizen_id.in_(among),
            missed_day(m) <= end,
        )
        .cte("citizen_missed")
    )
    days = (
        select(missed.c.citizen_id, missed.c.day)
        .where(missed.c.day >= start)
        .distinct()
        .cte("missed_days")
    )
    entry, running = stay_on(days.c.day)
    stay = (
        select(days.c.citizen_id, days.c.day, entry.label("entry"))
        .join(r, and_(r.c.citizen_id == days.c.citizen_id, r.c.start_date <= days.c.day))
        .group_by(days.c.citizen_id, days.c.day)
        .having(running)
        .subquery("stay")
    )
    held = (
        select(days.c.citizen_id, days.c.day, func.max(m.c.held_date).label("held"))
        .join(
            m,
            and_(
                m.c.citizen_id == days.c.citizen_id,
                m.c.kind == "job_meeting",
                m.c.status == "held",
                m.c.held_date <= days.c.day,
            ),
        )
        .group_by(days.c.citizen_id, days.c.day)
        .subquery("last_held")
    )
    # the missed meetings counting on each day: since entry and the last held job meeting
    counted = (
        select(
            stay.c.citizen_id,
            stay.c.day,
            func.count().label("missed"),
            func.sum(case((missed.c.day < stay.c.day, 1), else_=0)).label("missed_before"),
        )
        .select_from(stay)
        .outerjoin(held, and_(held.c.citizen_id == stay.c.citizen_id, held.c.day == stay.c.day))
        .join(
            missed,
            and_(
                missed.c.citizen_id == stay.c.citizen_id,
                missed.c.day <= stay.c.day,
                missed.c.day >= stay.c.entry,
                or_(held.c.held.is_(None), missed.c.day > held.c.held),
            ),
        )
        .group_by(stay.c.citizen_id, stay.c.day)
        .subquery("counted")
    )
    rule = rule_select().where(s.citizen.c.id.in_(among)).subquery("rule")
    episodes = (
        select(counted.c.citizen_id, counted.c.day, rule.c.follow_up_within_days)
        .join(rule, rule.c.citizen_id == counted.c.citizen_id)
        .where(
            counted.c.missed >= rule.c.outreach_after_missed,
            counted.c.missed_before < rule.c.outreach_after_missed,
        )
        .subquery("episodes")
    )
    o = s.meeting.alias("outreach_contact")
    reached = (
        exists()
        .where(
            o.c.citizen_id == episodes.c.citizen_id,
            o.c.status == "held",
            o.c.place.in_(OUTREACH_PLACES),
            o.c.held_date >= episodes.c.day,
            o.c.held_date <= add_days(episodes.c.day, episodes.c.follow_up_within_days, dialect),
        )
        .correlate(episodes)
    )
    return (
        select(
            episodes.c.citizen_id,
            func.count().label("outreach_episodes"),
            func.sum(case((reached, 1), else_=0)).label("outreach_reached"),
        )
        .group_by(episodes.c.citizen_id)
        .subquery("outreach")
    )


def _changes(dialect: str, start: date, end: date, among: Select[Any]) -> Subquery:
    """Per citizen: the days of the window whose primary contact (covers aside) is another
    professional than the day before's. The contact can change only on a day a
    responsibility starts, or the day after one ends: those days are compared, not all."""
    r = s.responsibility
    kept = and_(r.c.citizen_id.in_(among), r.c.reason != "cover")
    starts = select(r.c.citizen_id, r.c.start_date.label("day")).where(
        kept, r.c.start_date >= start, r.c.start_date <= end
    )
    ends = select(r.c.citizen_id, add_days(r.c.end_date, 1, dialect).label("day")).where(
        kept, r.c.end_date >= start - timedelta(days=1), r.c.end_date < end
    )
    days = union(starts, ends).cte("change_days")

    def contact(day: ColumnElement[Any], name: str) -> Subquery:
        held = (
            select(days.c.citizen_id, days.c.day, r.c.professional_id, contact_rank().label("rank"))
            .join(
                r,
                and_(
                    r.c.citizen_id == days.c.citizen_id,
                    r.c.reason != "cover",
                    r.c.start_date <= day,
                    or_(r.c.end_date.is_(None), r.c.end_date >= day),
                ),
            )
            .subquery(f"{name}_held")
        )
        return best_contact(held, ("citizen_id", "day"), name)

    now = contact(days.c.day, "contact_now")
    before = contact(add_days(days.c.day, -1, dialect), "contact_before")
    return (
        select(now.c.citizen_id, func.count().label("caseworker_changes"))
        .join(before, and_(before.c.citizen_id == now.c.citizen_id, before.c.day == now.c.day))
        .where(before.c.professional_id != now.c.professional_id)
        .group_by(now.c.citizen_id)
        .subquery("changes")
    )


def _passive(conn: Connection, start: date, end: date, given: str) -> pl.DataFrame:
    """(citizen_id, passive_days) of the citizens given (JSON) on a caseload in the window."""
    period = caseflow.Period(start, end)
    among = select(_ids(conn.dialect.name).c.citizen_id)
    stays = rows_frame(conn, caseflow.stays(period, among).params({_IDS: given}))
    efforts = pl.concat(
        [
            _dated(rows_frame(conn, query.params({_IDS: given})))
            for query in caseflow.effort_spans(period, among)
        ],
        how="vertical_relaxed",
    )
    return caseflow.passive_days(_dated(stays), efforts, period).select(
        "citizen_id", "passive_days"
    )


def _dated(frame: pl.DataFrame) -> pl.DataFrame:
    """(citizen_id, start, end) typed: SQLite gives computed dates as text, and an empty
    result has null columns."""
    types = {"citizen_id": pl.Int64, "start": pl.Date, "end": pl.Date}
    if frame.is_empty():
        return pl.DataFrame(schema=types)
    return frame.select(
        pl.col(name).str.to_date() if frame.schema[name] == pl.Utf8 else pl.col(name).cast(kind)
        for name, kind in types.items()
    )
