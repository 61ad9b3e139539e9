"""Case review in the web app. A reviewer's pages: the cases assigned to them, and one case
at a time, blinded (review/blind.py), with the rubric to score and the arm to guess, each
answer saved as it is given (htmx) or with the form's button. A leader's and an analyst's
pages: the reviews and each one's results. Every read of a case is audited."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from caseload.access import audit, scope
from caseload.domain.labels import label
from caseload.i18n import Message, Said, translator
from caseload.operate.refusals import NotFound
from caseload.review import blind, report, results, scores
from caseload.review.sample import ReviewError
from caseload.serve import db
from caseload.serve.guard import Caller, page_guard
from caseload.serve.pages.common import context, see_other
from caseload.serve.pages.templating import page

router = APIRouter(tags=["pages"], include_in_schema=False)


def _mine(request: Request, caller: Caller, code: str, label: str) -> scores.Assigned:
    with db.reading(request) as conn:
        found = scores.assignment(conn, caller.principal.account.id, code, label)
    if found is None:  # not assigned to this reviewer: as if it did not exist
        raise NotFound(Message("no such case for review"))
    return found


@router.get("/review", response_class=HTMLResponse)
def my_reviews(request: Request, caller: Caller = page_guard("review.score")) -> HTMLResponse:
    """The cases assigned to me, review by review, with how far I have come."""
    with db.reading(request) as conn:
        found = scores.assigned(conn, caller.principal.account.id)
        items = {
            code: len(scores.review(conn, code).rubric.keys) for code in {a.review for a in found}
        }
    return page(request, "review_list.html.j2", context(request, caller, cases=found, items=items))


def _shown(value: object, lang: str) -> str:
    """A fact's value in the reader's words: a date or number in their locale, a code as
    its label, a text as written."""
    tr = translator(lang)
    if isinstance(value, date):
        return tr.date(value)
    if isinstance(value, bool):
        return tr.gettext("yes") if value else tr.gettext("no")
    if isinstance(value, int | float):
        return tr.number(value)
    return label(str(value), lang)


def _case_page(
    request: Request, caller: Caller, code: str, label: str, error: str | None, status: int
) -> HTMLResponse:
    mine = _mine(request, caller, code, label)
    with db.reading(request) as conn:
        found = scores.review(conn, code)
        shown = blind.blinded(conn, mine.case_id)
        given = scores.scores_of(conn, mine.assignment_id)
        listed = [a for a in scores.assigned(conn, caller.principal.account.id) if a.review == code]
        citizen = blind.citizen_code(conn, mine.case_id)  # for the audit trail only
    with db.writing(request) as conn:
        audit.record(conn, caller.event("review.case", citizen, status, review=code, case=label))
    labels = [a.label for a in listed]
    at = labels.index(label)
    values = context(
        request,
        caller,
        whats=blind.WHATS,
        facts=blind.FACTS,
        shown=lambda value: _shown(value, caller.lang),
        review=found,
        case=shown,
        mine=mine,
        given=given,
        error=error,
        previous=labels[at - 1] if at > 0 else None,
        following=labels[at + 1] if at + 1 < len(labels) else None,
        position=at + 1,
        total=len(labels),
    )
    return page(request, "review_case.html.j2", values, block="answers", status_code=status)


@router.get("/review/{code}/{label}", response_class=HTMLResponse)
def review_case(
    request: Request, code: str, label: str, caller: Caller = page_guard("review.score")
) -> HTMLResponse:
    """One case, blinded: its timeline in the review's window, the rubric, the arm guess."""
    return _case_page(request, caller, code, label, None, 200)


@router.post("/review/{code}/{label}", response_class=HTMLResponse)
async def save_answers(
    request: Request, code: str, label: str, caller: Caller = page_guard("review.score")
) -> Response:
    """Save what the form sends: an item's score (``item.<key>``: a point of the scale, or
    empty to clear it) and the arm guess (``arm_guess``); then the case again (htmx: its
    answers), or the next case when asked (``go=next``)."""
    form = await request.form()
    mine = _mine(request, caller, code, label)
    try:
        with db.writing(request) as conn:
            found = scores.review(conn, code).rubric
            for key in found.keys:
                field = f"item.{key}"
                if field in form:
                    text = str(form[field]).strip()
                    if text and not text.lstrip("-").isdigit():
                        raise ReviewError(Message("not a whole number"))
                    scores.save_score(
                        conn, found, mine.assignment_id, key, int(text) if text else None
                    )
            if "arm_guess" in form:
                guess = str(form["arm_guess"]).strip() or None
                scores.save_guess(conn, mine.assignment_id, guess)
    except Said as error:
        return _case_page(request, caller, code, label, error.text(caller.lang), 400)
    if form.get("go") == "next":
        with db.reading(request) as conn:
            mine_all = scores.assigned(conn, caller.principal.account.id)
        following = [a.label for a in mine_all if a.review == code]
        at = following.index(label)
        if at + 1 < len(following):
            return see_other(f"/review/{code}/{following[at + 1]}")
        return see_other("/review")
    if request.headers.get("hx-request") == "true":
        return _case_page(request, caller, code, label, None, 200)
    return see_other(f"/review/{code}/{label}?saved=1")


@router.get("/reviews", response_class=HTMLResponse)
def review_list(request: Request, caller: Caller = page_guard("review.results")) -> HTMLResponse:
    """The case reviews, newest first, with how far their reviewers have come."""
    with db.reading(request) as conn:
        found = [results.progress(conn, code) for code in scores.reviews(conn)]
    return page(request, "reviews.html.j2", context(request, caller, reviews=found))


@router.get("/reviews/{code}", response_class=HTMLResponse)
def review_results(
    request: Request, code: str, caller: Caller = page_guard("review.results")
) -> HTMLResponse:
    """A review's results as its report shows them: labels and groups, never a citizen."""
    try:
        with db.reading(request) as conn:
            design = scores.review(conn, code)
            only = scope.review_groups(conn, caller.principal, design.stratify_by)
            found = results.results(conn, code, only=only)
    except ReviewError:
        raise NotFound(Message("no case review {code}", {"code": code})) from None
    body = report.section(found, caller.lang)
    with db.writing(request) as conn:
        audit.record(conn, caller.event("review.results", None, 200, review=code))
    return page(request, "review_results.html.j2", context(request, caller, found=found, body=body))
