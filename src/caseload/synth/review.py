"""Simulated scores for a drawn case review, with a known difference between its groups
(for the demo's review and the tests of the arm comparison).

Each case has a true quality on the rubric's scale: ``base``, plus ``difference`` in the
trial arm (or in the first group, when not drawn by arm), plus a case effect N(0, ``case_sd``)
and an item effect per case N(0, ``item_sd``); each reviewer scores it with their own error
N(0, ``rater_sd``), rounded and kept on the scale. A reviewer guesses the case's arm right
with ``guess_right``, wrong with ``guess_wrong``, and does not know otherwise.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import Connection, insert, select, update

from caseload.access import accounts
from caseload.review import rubric as rubrics
from caseload.review.sample import Design, draw
from caseload.review.scores import now
from caseload.store import schema as s


@dataclass(frozen=True)
class Simulated:
    base: float = 3.0
    difference: float = 0.6
    case_sd: float = 0.8
    item_sd: float = 0.3
    rater_sd: float = 0.35
    guess_right: float = 0.45
    guess_wrong: float = 0.2


def simulate_scores(
    conn: Connection,
    code: str,
    settings: Simulated | None = None,
    seed: int = 2018,
    skip: Collection[str] = (),
) -> int:
    """Score every assignment of review ``code`` (but those of the usernames in ``skip``);
    the number of scores written."""
    settings = settings or Simulated()
    rv, rc, ra, a = s.review, s.review_case, s.review_assignment, s.account
    review = conn.execute(select(rv).where(rv.c.code == code)).one()
    found = rubrics.from_json(json.loads(review.rubric))
    rows = conn.execute(
        select(ra.c.id, rc.c.id.label("case_id"), rc.c.stratum, a.c.username)
        .join(rc, rc.c.id == ra.c.review_case_id)
        .join(a, a.c.id == ra.c.account_id)
        .where(rc.c.review_id == review.id)
        .order_by(rc.c.id, ra.c.slot)
    ).all()
    rng = np.random.default_rng(seed)
    strata = sorted({str(r.stratum) for r in rows})
    lifted = "trial" if review.stratify_by == "arm" else (strata[0] if strata else "")
    truth: dict[int, np.ndarray] = {}
    scores, stamp = [], now()
    for r in rows:
        if r.case_id not in truth:
            level = settings.base + (settings.difference if r.stratum == lifted else 0.0)
            level += rng.normal(0, settings.case_sd)
            truth[r.case_id] = level + rng.normal(0, settings.item_sd, len(found.keys))
        if r.username in skip:
            continue
        said = np.rint(truth[r.case_id] + rng.normal(0, settings.rater_sd, len(found.keys)))
        said = np.clip(said, found.lowest, found.highest)
        scores += [
            {"review_assignment_id": r.id, "item": key, "score": int(v), "saved_at": stamp}
            for key, v in zip(found.keys, said, strict=True)
        ]
        if review.stratify_by == "arm":
            draw = rng.random()
            right, wrong = str(r.stratum), "control" if r.stratum == "trial" else "trial"
            guess = (
                right
                if draw < settings.guess_right
                else wrong
                if draw < settings.guess_right + settings.guess_wrong
                else "unknown"
            )
            conn.execute(update(ra).where(ra.c.id == r.id).values(arm_guess=guess, saved_at=stamp))
    if scores:
        conn.execute(insert(s.review_score), scores)
    return len(scores)


DEMO_REVIEW = "R1"
DEMO_REVIEWERS = ("demo-reviewer", "demo-reviewer-2", "demo-reviewer-3")


def demo_review(conn: Connection, day: date, lang: str) -> int:
    """The demo's case review: three reviewer accounts (passwords made here and never shown;
    ``caseload demo --serve`` gives demo-reviewer a new one), 20 cases per arm drawn on
    ``day``, and simulated scores from all but demo-reviewer, whose cases wait in the web
    app. The cases drawn."""
    for username in DEMO_REVIEWERS:
        if accounts.by_username(conn, username) is None:
            accounts.add_account(conn, username, "reviewer", secrets.token_urlsafe(12), lang=lang)
    drawn = draw(conn, Design(DEMO_REVIEW, day, "arm", 20, "2018", 2))
    simulate_scores(conn, DEMO_REVIEW, skip={DEMO_REVIEWERS[0]})
    return drawn.added
