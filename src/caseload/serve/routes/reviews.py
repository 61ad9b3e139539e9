"""Case review in the API. Leaders and analysts: the reviews and each one's results (the
JSON ``caseload review report`` writes). Reviewers: the cases assigned to them, one case
blinded (its timeline without arm, department, names or citizen), and their scores and arm
guess saved. A case not assigned to the caller is "not found". Each read is audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field

from caseload.access import audit, scope
from caseload.i18n import Message
from caseload.operate.refusals import NotFound, Refused
from caseload.review import blind, report, results, scores
from caseload.review.sample import ReviewError
from caseload.serve import db
from caseload.serve.guard import Caller, guard
from caseload.serve.problems import documented

router = APIRouter(prefix="/api/v1/reviews", tags=["reviews"])

Review = Path(
    min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$", description="The review's code"
)
Case = Path(
    min_length=1, max_length=80, pattern=r"^[A-Za-z0-9._-]+$", description="The case's label"
)


class ReviewOut(BaseModel):
    code: str
    as_of: date
    by: str
    cases: int
    assignments: int
    done: int = Field(description="Assignments with every item scored")


class AssignedOut(BaseModel):
    review: str
    case: str
    scored: int = Field(description="Items scored so far")
    arm_guess: str | None


class FactOut(BaseModel):
    key: str
    value: Any


class EntryOut(BaseModel):
    day: date
    what: str
    facts: list[FactOut]


class CaseOut(BaseModel):
    review: str
    case: str
    start: date
    as_of: date
    target_group: str
    complexity: str | None
    entries: list[EntryOut]
    scores: dict[str, int]
    arm_guess: str | None


class Answers(BaseModel):
    scores: dict[str, int | None] = Field(
        default_factory=dict, description="Item key → a point of the scale, or null to clear"
    )
    arm_guess: str | None = Field(
        None, description="trial, control or unknown; leave out to keep the one saved"
    )
    clear_guess: bool = Field(False, description="Clear the arm guess")


def _known(conn: Any, code: str) -> None:
    if code not in scores.reviews(conn):
        raise NotFound(Message("no case review {code}", {"code": code}))


@router.get("", response_model=list[ReviewOut], responses=documented(401, 403))
def list_reviews(request: Request, caller: Caller = guard("review.results")) -> list[ReviewOut]:
    """The case reviews, newest first, with how far their reviewers have come."""
    with db.reading(request) as conn:
        found = [results.progress(conn, code) for code in scores.reviews(conn)]
    return [
        ReviewOut(
            code=p.code,
            as_of=p.as_of,
            by=p.by,
            cases=p.cases,
            assignments=p.assignments,
            done=p.done,
        )
        for p in found
    ]


@router.get("/{review}/results", responses=documented(401, 403, 404))
def review_results(
    request: Request, review: str = Review, caller: Caller = guard("review.results")
) -> dict[str, Any]:
    """The review's results as review.json: design, means per group, agreement per item,
    the indicators' correlations, the blinding index. Labels and groups, never a citizen;
    a leader reads the groups of their own departments (a review by arm: every group)."""
    with db.reading(request) as conn:
        _known(conn, review)
        design = scores.review(conn, review)
        only = scope.review_groups(conn, caller.principal, design.stratify_by)
        found = results.results(conn, review, only=only)
    with db.writing(request) as conn:
        audit.record(conn, caller.event("review.results", None, 200, review=review))
    return report.to_json(found)


def _mine(conn: Any, caller: Caller, review: str, case: str) -> scores.Assigned:
    found = scores.assignment(conn, caller.principal.account.id, review, case)
    if found is None:
        raise NotFound(Message("no such case for review"))
    return found


@router.get(
    "/{review}/cases", response_model=list[AssignedOut], responses=documented(401, 403, 404)
)
def my_cases(
    request: Request, review: str = Review, caller: Caller = guard("review.score")
) -> list[AssignedOut]:
    """The caller's cases in the review (a reviewer's own), in label order."""
    with db.reading(request) as conn:
        _known(conn, review)
        found = [
            a for a in scores.assigned(conn, caller.principal.account.id) if a.review == review
        ]
    return [
        AssignedOut(review=a.review, case=a.label, scored=a.scored, arm_guess=a.guess)
        for a in found
    ]


def _case_out(conn: Any, caller: Caller, review: str, case: str) -> CaseOut:
    mine = _mine(conn, caller, review, case)
    shown = blind.blinded(conn, mine.case_id)
    return CaseOut(
        review=review,
        case=shown.label,
        start=shown.start,
        as_of=shown.as_of,
        target_group=shown.target_group,
        complexity=shown.complexity,
        entries=[
            EntryOut(
                day=e.day, what=e.what, facts=[FactOut(key=f.key, value=f.value) for f in e.facts]
            )
            for e in shown.entries
        ],
        scores=scores.scores_of(conn, mine.assignment_id),
        arm_guess=mine.guess,
    )


@router.get("/{review}/cases/{case}", response_model=CaseOut, responses=documented(401, 403, 404))
def review_case(
    request: Request,
    review: str = Review,
    case: str = Case,
    caller: Caller = guard("review.score"),
) -> CaseOut:
    """One of the caller's cases, blinded, with the scores and guess saved so far."""
    with db.reading(request) as conn:
        found = _case_out(conn, caller, review, case)
        mine = _mine(conn, caller, review, case)
        citizen = blind.citizen_code(conn, mine.case_id)
    with db.writing(request) as conn:
        audit.record(conn, caller.event("review.case", citizen, 200, review=review, case=case))
    return found


@router.put(
    "/{review}/cases/{case}", response_model=CaseOut, responses=documented(401, 403, 404, 409, 422)
)
def save_answers(
    answers: Answers,
    request: Request,
    review: str = Review,
    case: str = Case,
    caller: Caller = guard("review.score"),
) -> CaseOut:
    """Save scores (an item's point, or null to clear it) and the arm guess; the case as it
    stands after."""
    try:
        with db.writing(request) as conn:
            mine = _mine(conn, caller, review, case)
            rubric = scores.review(conn, review).rubric
            for item, score in answers.scores.items():
                scores.save_score(conn, rubric, mine.assignment_id, item, score)
            if answers.arm_guess is not None or answers.clear_guess:
                scores.save_guess(conn, mine.assignment_id, answers.arm_guess)
    except ReviewError as error:
        raise Refused(error.message) from None
    with db.reading(request) as conn:
        return _case_out(conn, caller, review, case)
