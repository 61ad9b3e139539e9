"""A case review under concurrent writers: real processes started together by a barrier,
on SQLite and PostgreSQL. Two first draws of one review, two extensions of it, and one
reviewer's page saving the same item twice at once each end with one consistent review:
no case twice, no reviewer twice on a case, one score per item — and no error."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from caseload.access import accounts
from caseload.review import sample
from caseload.review.sample import Design
from caseload.store import schema as s
from caseload.store.database import reader
from caseload.synth import jobcentre
from tests.concurrency import DAY, race
from tests.conftest import CopyOf

ROUNDS = 10


def fill(engine: Engine, _folder: Path) -> None:
    jobcentre.write(engine, jobcentre.simulate(1_500, 5))
    with engine.begin() as conn:
        for k in range(3):
            accounts.add_account(conn, f"rev-{k}", "reviewer", "a-long-enough-password-1")


@pytest.fixture
def register(register_copy: CopyOf) -> Engine:
    return register_copy(fill)


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _consistent(engine: Engine, code: str) -> tuple[int, int]:
    rc, ra, rv = s.review_case, s.review_assignment, s.review
    with reader(engine).connect() as conn:
        cases = conn.execute(
            select(rc.c.citizen_id).join(rv, rv.c.id == rc.c.review_id).where(rv.c.code == code)
        ).scalars().all()  # fmt: skip
        dealt = conn.execute(
            select(ra.c.review_case_id, ra.c.account_id)
            .join(rc, rc.c.id == ra.c.review_case_id)
            .join(rv, rv.c.id == rc.c.review_id)
            .where(rv.c.code == code)
        ).all()
    assert len(cases) == len(set(cases))
    assert len(dealt) == len(set(dealt)) == 2 * len(cases)
    return len(cases), len(dealt)


def _citizens(engine: Engine, code: str) -> set[int]:
    rc, rv = s.review_case, s.review
    with reader(engine).connect() as conn:
        return set(
            conn.execute(
                select(rc.c.citizen_id).join(rv, rv.c.id == rc.c.review_id).where(rv.c.code == code)
            ).scalars()
        )


def test_draws_and_extensions_at_once_make_one_review(register: Engine) -> None:
    """Even rounds: two first draws of one review at once (both go through, the second
    finds the first's cases). Odd rounds: a review of 3 per group extended to 4 and to 5 at
    once (the 5 always lands; the 4 lands first or is refused as a cut, in words)."""
    with register.begin() as conn:
        for r in range(1, ROUNDS, 2):
            sample.draw(conn, Design(f"R{r}", DAY, "department", 3, "race", 2))
    first = [("draw", f"R{r}", "3" if r % 2 == 0 else "4") for r in range(ROUNDS)]
    second = [("draw", f"R{r}", "3" if r % 2 == 0 else "5") for r in range(ROUNDS)]
    results = race(_url(register), first, second)
    for r, (one, two) in enumerate(results):
        if r % 2 == 0:
            assert (one, two) == ("ok", "ok"), (r, one, two)
        else:
            assert two == "ok" and one in ("ok", "refused:ReviewError"), (r, one, two)
    for r in range(ROUNDS):
        n = 3 if r % 2 == 0 else 5
        with register.begin() as conn:  # the same design drawn once, alone
            sample.draw(conn, Design(f"F{r}", DAY, "department", n, "race", 2))
        assert _citizens(register, f"R{r}") == _citizens(register, f"F{r}")
        _consistent(register, f"R{r}")


def test_the_same_answer_twice_at_once_keeps_one_score(register: Engine) -> None:
    with register.begin() as conn:
        sample.draw(conn, Design("R1", DAY, "department", 2, "x", 2))
        assignment = conn.execute(select(func.min(s.review_assignment.c.id))).scalar_one()
    first = [("score", str(assignment), "information", str(1 + r % 5)) for r in range(ROUNDS)]
    second = [("score", str(assignment), "information", str(5 - r % 5)) for r in range(ROUNDS)]
    results = race(_url(register), first, second)
    assert all(outcome == "ok" for pair in results for outcome in pair), results
    with reader(register).connect() as conn:
        rows = conn.execute(
            select(s.review_score.c.score).where(
                s.review_score.c.review_assignment_id == assignment
            )
        ).scalars().all()  # fmt: skip
    assert len(rows) == 1 and rows[0] in (1 + (ROUNDS - 1) % 5, 5 - (ROUNDS - 1) % 5)
