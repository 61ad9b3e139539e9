"""The leader in a real browser, on SQLite and PostgreSQL: their department's caseloads
against the caps (table and plot), a rebalance made as a plan (nothing written), applied
after confirming, the caseloads and the plot changed, and each moved citizen in the audit
trail. The register is test_plans' department: K1 holds 8 citizens, N1 and N2 none; a cap
of 5 moves exactly 3 of K1's citizens."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select

from caseload.access import accounts
from caseload.store import schema as s
from tests.api import PASSWORD
from tests.integration.test_allocation import DAY
from tests.integration.test_plans import build
from tests.web import Counted, served, sign_in


@pytest.fixture
def site(engine: Engine) -> Iterator[str]:
    with engine.begin() as conn:
        build(conn)
        accounts.add_account(conn, "lea", "leader", PASSWORD, staff="D1-N1", lang="en")
    with served(engine, day=DAY) as base:
        yield base


def _citizens(page: Any, staff: str) -> int:
    # the staff code is a link to their sparring sheet
    row = page.locator(f"table.list tr:has(th a:text-is('{staff}'))")
    return int(row.locator("td").nth(3).inner_text())


def test_a_leader_rebalances_and_the_caseloads_change(
    site: str, browser: Any, engine: Engine
) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    sign_in(page, site, "lea", PASSWORD)
    page.click("a[href='/departments/D1']")
    page.wait_for_load_state("networkidle")
    assert _citizens(page, "D1-K1") == 8 and _citizens(page, "D1-N1") == 0
    plot_before = page.inner_html(".figure .svg")
    assert "<svg" in plot_before

    counted = Counted(page)
    counted.start()
    page.fill("#plan-cap", "5")
    counted.click("#make-plan")
    page.wait_for_selector("#moves")
    assert page.inner_text("#moves") == "3"
    assert "<svg" in page.inner_html(".figure .svg")
    with engine.connect() as conn:  # a dry run: nothing written yet
        held = conn.execute(select(s.responsibility.c.id)).all()
    assert len(held) == 8
    counted.click("#apply")  # without the confirmation: the browser asks for it
    assert page.url.endswith(tuple(f"/plans/P000000{i}" for i in range(1, 10)))
    counted.click("#confirm")
    counted.click("#apply")
    page.wait_for_selector("[role=status]")
    assert "Applied" in page.inner_text("[role=status]")
    assert counted.actions == 4

    page.click("a[href='/departments/D1']")
    page.wait_for_load_state("networkidle")
    assert _citizens(page, "D1-K1") == 5
    assert _citizens(page, "D1-N1") + _citizens(page, "D1-N2") == 3
    assert page.inner_html(".figure .svg") != plot_before

    a = s.audit_event
    with engine.connect() as conn:
        moved = (
            conn.execute(select(a.c.citizen).where(a.c.action == "plan.apply", a.c.status == 200))
            .scalars()
            .all()
        )
    assert len(moved) == 3 and all(re.fullmatch(r"[A-Za-z0-9_-]+", c) for c in moved)
