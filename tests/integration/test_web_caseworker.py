"""The caseworker's day in a real browser (Debian's Chromium through Playwright) against a
real server, on SQLite and PostgreSQL: signing in, the overdue meetings on "my caseload",
a held job meeting registered with its next booking in at most five clicks or key presses
after opening the citizen (by mouse, and by keyboard alone), the due date moving, and a
citizen outside the caseworker's scope refused when the address is typed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, select

from caseload.domain.rhythm import booking_day
from caseload.operate.case import case
from caseload.operate.rhythm import rule_for
from caseload.store import schema as s
from tests.api import DAY, PASSWORD
from tests.web import Counted, served, sign_in

TARGET = 5
"""Clicks or key presses after opening the citizen (issue: at most five)."""


@pytest.fixture
def site(api_register: Engine) -> Iterator[str]:
    with served(api_register) as base:
        yield base


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    opened = context.new_page()
    yield opened
    context.close()


def _due(engine: Engine, citizen: str) -> date | None:
    with engine.connect() as conn:
        found = case(conn, citizen, DAY).next_job_meeting
    return found.due if found else None


def _overdue_codes(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "tr.overdue th a", "links => links.map(a => a.textContent.trim())"
    )


def test_a_held_meeting_with_its_next_booking_in_one_click(
    site: str, page: Any, api_register: Engine
) -> None:
    sign_in(page, site, "caseworker", PASSWORD)
    assert page.url.endswith("/caseload")
    rows = page.eval_on_selector_all("#worklist tbody th a", "a => a.map(x => x.textContent)")
    assert sorted(rows) == ["C000001", "C000002"]
    overdue = _overdue_codes(page)
    assert overdue, "the example register has an overdue job meeting on the day"
    citizen = overdue[0]
    before = _due(api_register, citizen)
    assert before is not None and before < DAY

    counted = Counted(page)
    page.click(f"a[href='/citizens/{citizen}']")  # opening the citizen: not counted
    page.wait_for_load_state("networkidle")
    counted.start()
    counted.click("#register")  # held, at the job centre, 45 minutes, next one booked
    page.wait_for_selector("[role=status]")
    assert counted.actions <= TARGET

    with api_register.connect() as conn:
        cid = conn.execute(select(s.citizen.c.id).where(s.citizen.c.code == citizen)).scalar_one()
        rule = rule_for(conn, cid)
        planned = (
            conn.execute(
                select(s.meeting.c.scheduled_date).where(
                    s.meeting.c.citizen_id == cid, s.meeting.c.status == "planned"
                )
            )
            .scalars()
            .all()
        )
    after = _due(api_register, citizen)
    assert after is not None and after > DAY > before  # the due date moved past the day
    assert booking_day(DAY, rule) in planned  # the next meeting booked on the day offered
    shown = page.inner_text("#due")
    assert re.search(r"\d{4}", shown) and "overdue" not in shown
    # back on the list, the citizen is no longer overdue
    page.click("a[href='/caseload']")
    page.wait_for_selector("#worklist")
    listed = page.eval_on_selector_all("#worklist tbody th a", "a => a.map(x => x.textContent)")
    assert citizen in listed and citizen not in _overdue_codes(page)


def test_the_keyboard_alone_registers_a_meeting(site: str, page: Any, api_register: Engine) -> None:
    sign_in(page, site, "caseworker", PASSWORD)
    page.goto(f"{site}/citizens/C000002")
    before = _due(api_register, "C000002")
    counted = Counted(page)
    counted.start()
    counted.press("Enter")  # the duration field has the focus: Enter sends the form
    page.wait_for_selector("[role=status]")
    assert counted.actions <= TARGET
    after = _due(api_register, "C000002")
    assert before is not None and after is not None and after > before


def test_a_citizen_outside_the_scope_is_not_found(site: str, page: Any) -> None:
    sign_in(page, site, "caseworker", PASSWORD)
    answer = page.goto(f"{site}/citizens/C000003")
    assert answer.status == 404
    assert "no such citizen among yours" in page.inner_text("main")
    assert "C000003" not in page.inner_text("main")
    unknown = page.goto(f"{site}/citizens/C999999")
    assert unknown.status == 404


def test_a_page_without_a_session_asks_to_sign_in_first(site: str, page: Any) -> None:
    page.goto(f"{site}/citizens/C000001")
    assert "/login" in page.url and "next=%2Fcitizens%2FC000001" in page.url
    page.fill("#username", "caseworker")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/citizens/C000001")
