"""Reviewers' scores and arm guesses: saved one at a time from the review page, or imported
from a file, all or nothing.

A scores file has one row per case and reviewer: ``case`` (the review's label, such as
``R1-007``), ``reviewer`` (the account's username), ``arm_guess`` (``trial``, ``control``
or ``unknown``; optional) and one column per rubric item, named by the item's key, holding
a point of the rubric's scale or nothing (not scored). Every problem is reported with the
file, row, column and reason, and nothing is written unless the whole file is right; a file
imported again replaces the scores it names (the same file twice gives the same result).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from caseload.domain import codes
from caseload.i18n import Message
from caseload.register import readers
from caseload.register.problems import ImportRejected, Problem
from caseload.review import rubric as rubrics
from caseload.review.sample import ReviewError
from caseload.store import schema as s
from caseload.store.sql import upsert

CASE, REVIEWER, GUESS = "case", "reviewer", "arm_guess"


@dataclass(frozen=True)
class Review:
    id: int
    code: str
    as_of: Any
    window_start: Any
    stratify_by: str
    trial_id: int | None
    per_stratum: int
    seed: str
    reviewers_per_case: int
    rubric: rubrics.Rubric


@dataclass(frozen=True)
class Assigned:
    """One case as its reviewer sees it in their list: no citizen, no stratum."""

    assignment_id: int
    review: str
    label: str
    case_id: int
    scored: int
    """Items scored so far."""
    guess: str | None


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def review(conn: Connection, code: str) -> Review:
    row = conn.execute(select(s.review).where(s.review.c.code == code)).first()
    if row is None:
        raise ReviewError(Message("no case review {code}", {"code": code}))
    return Review(
        row.id,
        row.code,
        row.as_of,
        row.window_start,
        row.stratify_by,
        row.trial_id,
        row.per_stratum,
        row.seed,
        row.reviewers_per_case,
        rubrics.from_json(json.loads(row.rubric), f"review {code}"),
    )


def reviews(conn: Connection) -> list[str]:
    """Every review's code, newest first."""
    rv = s.review
    return [str(c) for c in conn.execute(select(rv.c.code).order_by(rv.c.id.desc())).scalars()]


def assigned(conn: Connection, account_id: int) -> list[Assigned]:
    """The cases assigned to a reviewer account, review by review, in label order."""
    rc, ra, rv, sc = s.review_case, s.review_assignment, s.review, s.review_score
    scored = (
        select(sc.c.review_assignment_id, func.count().label("n"))
        .group_by(sc.c.review_assignment_id)
        .subquery()
    )
    rows = conn.execute(
        select(
            ra.c.id, rv.c.code, rc.c.label, rc.c.id, func.coalesce(scored.c.n, 0), ra.c.arm_guess
        )
        .join(rc, rc.c.id == ra.c.review_case_id)
        .join(rv, rv.c.id == rc.c.review_id)
        .outerjoin(scored, scored.c.review_assignment_id == ra.c.id)
        .where(ra.c.account_id == account_id)
        .order_by(rv.c.id.desc(), rc.c.label)
    )
    return [Assigned(int(a), str(r), str(lb), int(c), int(n), g) for a, r, lb, c, n, g in rows]


def assignment(conn: Connection, account_id: int, review_code: str, label: str) -> Assigned | None:
    """The account's assignment to the case ``label`` of ``review_code``; None when the case
    is not assigned to it (the page then says "not found", whether or not it exists)."""
    for found in assigned(conn, account_id):
        if found.review == review_code and found.label == label:
            return found
    return None


def scores_of(conn: Connection, assignment_id: int) -> dict[str, int]:
    sc = s.review_score
    rows = conn.execute(
        select(sc.c.item, sc.c.score).where(sc.c.review_assignment_id == assignment_id)
    )
    return {str(i): int(v) for i, v in rows}


def _check_score(found: rubrics.Rubric, item: str, score: int) -> Message | None:
    if item not in found.keys:
        return Message(
            "not an item of the rubric; its items are: {items}", {"items": ", ".join(found.keys)}
        )
    if score not in found.scale:
        return Message(
            "{score} is not a point of the scale {low} to {high}",
            {"score": score, "low": found.lowest, "high": found.highest},
        )
    return None


def save_score(
    conn: Connection, found: rubrics.Rubric, assignment_id: int, item: str, score: int | None
) -> None:
    """One item's score (None: clears it), as the review page saves it; one statement, so a
    page that sends the same answer twice at once keeps one row."""
    sc = s.review_score
    if score is None:
        conn.execute(
            delete(sc).where(sc.c.review_assignment_id == assignment_id, sc.c.item == item)
        )
        return
    wrong = _check_score(found, item, score)
    if wrong is not None:
        raise ReviewError(wrong)
    stamp = now()
    values = {"review_assignment_id": assignment_id, "item": item, "score": score}
    conn.execute(
        upsert(
            conn.dialect.name,
            sc,
            {**values, "saved_at": stamp},
            ["review_assignment_id", "item"],
            ["score", "saved_at"],
        )
    )
    conn.execute(
        update(s.review_assignment)
        .where(s.review_assignment.c.id == assignment_id)
        .values(saved_at=stamp)
    )


def save_guess(conn: Connection, assignment_id: int, guess: str | None) -> None:
    if guess is not None and guess not in codes.ARM_GUESSES:
        raise ReviewError(
            Message("an arm guess is one of {values}", {"values": ", ".join(codes.ARM_GUESSES)})
        )
    conn.execute(
        update(s.review_assignment)
        .where(s.review_assignment.c.id == assignment_id)
        .values(arm_guess=guess, saved_at=now())
    )


@dataclass(frozen=True)
class Imported:
    rows: int
    scores: int
    guesses: int


def import_scores(conn: Connection, code: str, path: Path) -> Imported:
    """Import ``path`` into review ``code`` in ``conn``'s transaction (all or nothing)."""
    found = review(conn, code)
    frame = readers.read(path)
    name = str(path)
    problems: list[Problem] = []
    for needed in (CASE, REVIEWER):
        if needed not in frame.columns:
            problems.append(Problem(1, needed, Message("missing"), name))
    known = {CASE, REVIEWER, GUESS, readers.ROW, *found.rubric.keys}
    for column in frame.columns:
        if column not in known:
            problems.append(
                Problem(
                    1,
                    column,
                    Message(
                        "not a column of a scores file; its columns are: {columns}",
                        {"columns": ", ".join([CASE, REVIEWER, GUESS, *found.rubric.keys])},
                    ),
                    name,
                )
            )
    if problems:
        raise ImportRejected(name, problems)
    rc, ra, a = s.review_case, s.review_assignment, s.account
    slots = {
        (str(label), str(user)): int(aid)
        for label, user, aid in conn.execute(
            select(rc.c.label, a.c.username, ra.c.id)
            .join(ra, ra.c.review_case_id == rc.c.id)
            .join(a, a.c.id == ra.c.account_id)
            .where(rc.c.review_id == found.id)
        )
    }
    labels = {label for label, _ in slots}
    seen: dict[int, int] = {}
    scores: list[dict[str, Any]] = []
    guesses: list[tuple[int, str | None]] = []
    for row in frame.iter_rows(named=True):
        number = int(row[readers.ROW])
        label, user = row.get(CASE), row.get(REVIEWER)
        if label is None or user is None:
            for column, value in ((CASE, label), (REVIEWER, user)):
                if value is None:
                    problems.append(Problem(number, column, Message("missing"), name))
            continue
        if (label, user) not in slots:
            column, reason = (
                (CASE, Message("no case {label} in review {code}", {"label": label, "code": code}))
                if label not in labels
                else (
                    REVIEWER,
                    Message(
                        "case {label} is not assigned to {reviewer}",
                        {"label": label, "reviewer": user},
                    ),
                )
            )
            problems.append(Problem(number, column, reason, name))
            continue
        aid = slots[(label, user)]
        if aid in seen:
            problems.append(
                Problem(
                    number,
                    CASE,
                    Message(
                        "case {label} and {reviewer} again (first on row {row})",
                        {"label": label, "reviewer": user, "row": seen[aid]},
                    ),
                    name,
                )
            )
            continue
        seen[aid] = number
        if GUESS in frame.columns:
            guess = row.get(GUESS)
            if guess is not None and guess not in codes.ARM_GUESSES:
                problems.append(
                    Problem(
                        number,
                        GUESS,
                        Message(
                            "an arm guess is one of {values}",
                            {"values": ", ".join(codes.ARM_GUESSES)},
                        ),
                        name,
                    )
                )
            else:
                guesses.append((aid, guess))
        for item in found.rubric.keys:
            text = row.get(item)
            if text is None:
                continue
            try:
                score = int(str(text))
            except ValueError:
                problems.append(Problem(number, item, Message("not a whole number"), name))
                continue
            wrong = _check_score(found.rubric, item, score)
            if wrong is not None:
                problems.append(Problem(number, item, wrong, name))
                continue
            scores.append({"review_assignment_id": aid, "item": item, "score": score})
    if problems:
        raise ImportRejected(name, problems)
    sc = s.review_score
    if seen:
        conn.execute(delete(sc).where(sc.c.review_assignment_id.in_(list(seen))))
    stamp = now()
    if scores:
        conn.execute(insert(sc), [{**row, "saved_at": stamp} for row in scores])
    for aid, guess in guesses:
        conn.execute(update(ra).where(ra.c.id == aid).values(arm_guess=guess, saved_at=stamp))
    return Imported(len(seen), len(scores), sum(1 for _, g in guesses if g is not None))
