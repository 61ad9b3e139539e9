"""Case review through the API, on SQLite and PostgreSQL: a reviewer lists and reads only
the cases assigned to them, blinded (no arm, department, staff or citizen code in the
answer), saves scores and a guess, and is refused a case not theirs (404) and the results
(403); a leader reads the results as review.json."""

from __future__ import annotations

import json

from sqlalchemy import Engine, select

from caseload.access import accounts
from caseload.review import sample
from caseload.review.sample import Design
from caseload.store import schema as s
from caseload.store.database import reader
from tests.api import DAY, PASSWORD, Api


def every_case(engine: Engine, shown: int) -> bool:
    """Whether ``shown`` is the number of R1's cases in the leader's departments."""
    with reader(engine).connect() as conn:
        leader = accounts.by_username(conn, "leader")
        assert leader is not None
        strata = list(conn.execute(select(s.review_case.c.stratum)).scalars())
    return shown == sum(1 for st in strata if st in leader.departments)


def test_a_reviewer_reads_and_scores_only_their_cases(api: Api, api_register: Engine) -> None:
    with api_register.begin() as conn:
        accounts.add_account(conn, "reviewer-2", "reviewer", PASSWORD, lang="en")
        sample.draw(conn, Design("R1", DAY, "department", 5, "s", 1))
    with reader(api_register).connect() as conn:
        rc, ra, a = s.review_case, s.review_assignment, s.account
        dealt = conn.execute(
            select(rc.c.label, a.c.username)
            .join(ra, ra.c.review_case_id == rc.c.id)
            .join(a, a.c.id == ra.c.account_id)
        ).all()
        hidden = [str(w) for w in conn.execute(select(s.citizen.c.code)).scalars()]
        hidden += [str(w) for w in conn.execute(select(s.professional.c.code)).scalars()]
        hidden += [str(w) for w in conn.execute(select(s.department.c.code)).scalars()]
    mine = sorted(label for label, user in dealt if user == "reviewer")
    theirs = sorted(label for label, user in dealt if user != "reviewer")
    assert mine and theirs
    listed = api["reviewer"].get("/api/v1/reviews/R1/cases")
    assert listed.status_code == 200
    assert [c["case"] for c in listed.json()] == mine
    case = api["reviewer"].get(f"/api/v1/reviews/R1/cases/{mine[0]}")
    assert case.status_code == 200, case.text
    text = json.dumps(case.json())
    assert not [w for w in hidden if f'"{w}"' in text]
    assert '"trial"' not in text and '"control"' not in text
    saved = api["reviewer"].put(
        f"/api/v1/reviews/R1/cases/{mine[0]}",
        json={"scores": {"information": 4, "outreach": 2}, "arm_guess": "unknown"},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["scores"] == {"information": 4, "outreach": 2}
    assert saved.json()["arm_guess"] == "unknown"
    wrong = api["reviewer"].put(
        f"/api/v1/reviews/R1/cases/{mine[0]}", json={"scores": {"information": 9}}
    )
    assert wrong.status_code == 409 and "scale" in wrong.json()["detail"]
    assert api["reviewer"].get(f"/api/v1/reviews/R1/cases/{theirs[0]}").status_code == 404
    assert api["reviewer"].get("/api/v1/reviews/R1/results").status_code == 403
    assert api["reviewer"].get("/api/v1/reviews/NOPE/cases").status_code == 404
    assert api["caseworker"].get(f"/api/v1/reviews/R1/cases/{mine[0]}").status_code == 403
    results = api["leader"].get("/api/v1/reviews/R1/results")
    assert results.status_code == 200
    body = results.json()
    assert body["review"] == "R1" and every_case(api_register, body["cases"])
    assert not [w for w in hidden[: len(hidden) // 3] if f'"{w}"' in json.dumps(body)]
    listed_reviews = api["analyst"].get("/api/v1/reviews")
    assert [r["code"] for r in listed_reviews.json()] == ["R1"]
    # a review by department: the leader reads their own department's group only, the
    # analyst every group
    every = api["analyst"].get("/api/v1/reviews/R1/results").json()
    groups = {g["group"] for c in every["comparisons"] for g in c["groups"]}
    assert every["cases_rated"] == 1 and every["ratings"] == 1
    with reader(api_register).connect() as conn:
        leader = accounts.by_username(conn, "leader")
        assert leader is not None
        own = set(leader.departments)
        strata = set(conn.execute(select(s.review_case.c.stratum)).scalars())
    assert strata - own, "the test needs a group outside the leader's departments"
    assert groups == strata
    shown = {g["group"] for c in body["comparisons"] for g in c["groups"]}
    assert shown == strata & own
