"""The case review in a real browser on the demo job centre (its review R1, drawn by
``caseload demo``): the reviewer reads only their own cases, blinded — nowhere on the page
an arm, a department, a professional's name or code, the citizen's code or a CPR-shaped
string — scores a case with the keyboard, saved as they go; a case not theirs is "not
found"; the leader reads the results, which no reviewer may."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from typer.testing import Result

from caseload.access import accounts
from caseload.store import schema as s
from caseload.store.database import connect, reader
from caseload.synth.review import DEMO_REVIEW, DEMO_REVIEWERS
from tests.api import PASSWORD
from tests.helpers import copy_register
from tests.integration.test_operate_demo import DAY
from tests.web import served, sign_in

CPR = re.compile(r"\b\d{6}-?\d{4}\b")


@pytest.fixture
def demo_copy(demo_build: tuple[Path, Result], tmp_path: Path) -> Iterator[Engine]:
    template, result = demo_build
    assert result.exit_code == 0, result.output
    engine = connect(copy_register(template, tmp_path / "demo.sqlite"))
    with engine.begin() as conn:
        accounts.set_password(conn, DEMO_REVIEWERS[0], PASSWORD)
        conn.execute(update(s.account).values(lang="en"))
        department = conn.execute(select(s.department.c.code).limit(1)).scalar_one()
        staff = conn.execute(select(s.professional.c.code).limit(1)).scalar_one()
        accounts.add_account(conn, "boss", "leader", PASSWORD, staff=staff,
                             departments=[department], lang="en")  # fmt: skip
    yield engine
    engine.dispose()


def secrets_of(engine: Engine) -> list[str]:
    """What a reviewer must never see: every professional's name and code, every
    department's name and code, every citizen's code, the trial's code and name."""
    p, d, c, t = s.professional, s.department, s.citizen, s.trial
    with reader(engine).connect() as conn:
        words = [str(w) for row in conn.execute(select(p.c.code, p.c.name)) for w in row]
        words += [str(w) for row in conn.execute(select(d.c.code, d.c.name)) for w in row]
        words += [str(w) for w in conn.execute(select(c.c.code)).scalars()]
        words += [str(w) for row in conn.execute(select(t.c.code, t.c.name)) for w in row]
    return [w for w in words if w]


def test_a_reviewer_reads_only_their_cases_blinded_and_scores_them(
    demo_copy: Engine, browser: Any
) -> None:
    hidden = secrets_of(demo_copy)
    with reader(demo_copy).connect() as conn:
        rc, ra, a = s.review_case, s.review_assignment, s.account
        mine = set(
            conn.execute(
                select(rc.c.label).join(ra, ra.c.review_case_id == rc.c.id)
                .join(a, a.c.id == ra.c.account_id).where(a.c.username == DEMO_REVIEWERS[0])
            ).scalars()
        )  # fmt: skip
        others = set(conn.execute(select(rc.c.label)).scalars()) - mine
    assert mine and others
    with served(demo_copy, day=DAY) as site:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        sign_in(page, site, DEMO_REVIEWERS[0], PASSWORD)
        assert page.url.endswith("/review")
        listed = page.inner_text("main")
        assert all(label in listed for label in mine)
        assert not [label for label in others if label in listed]
        first = sorted(mine)[0]
        page.click(f"a[href='/review/{DEMO_REVIEW}/{first}']")
        page.wait_for_selector("#answers")
        seen = page.content() + page.inner_text("body")
        assert page.locator("ol.timeline li").count() > 0
        leaked = [w for w in hidden if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", seen)]
        assert leaked == []
        assert not CPR.search(seen)
        for word in ("trial arm", "control arm", "Department", "department"):
            assert word not in page.inner_text("ol.timeline")
        # the keyboard: focus the first score, arrow to the next point (a radio group)
        radios = page.locator("input[name='item.information']")
        radios.first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "document.querySelector('#answers .status').textContent.startsWith('1 of')"
        )
        page.check("input[name='arm_guess'][value='unknown']")
        page.wait_for_function(
            "document.querySelector(\"input[name='arm_guess'][value='unknown']\").checked"
        )
        page.reload()
        assert page.locator("input[name='item.information'][value='2']").is_checked()
        assert page.locator("input[name='arm_guess'][value='unknown']").is_checked()
        # a case of the review that is not theirs is not found; so are the results
        other = page.goto(f"{site}/review/{DEMO_REVIEW}/{sorted(others)[0]}")
        assert other is not None and other.status == 404
        results = page.goto(f"{site}/reviews/{DEMO_REVIEW}")
        assert results is not None and results.status == 403
    with reader(demo_copy).connect() as conn:
        sc = s.review_score
        saved = conn.execute(
            select(sc.c.item, sc.c.score)
            .join(ra, ra.c.id == sc.c.review_assignment_id)
            .join(rc, rc.c.id == ra.c.review_case_id)
            .join(a, a.c.id == ra.c.account_id)
            .where(a.c.username == DEMO_REVIEWERS[0], rc.c.label == first)
        ).all()
    assert [tuple(r) for r in saved] == [("information", 2)]


def test_the_leader_reads_the_results_and_no_citizen(demo_copy: Engine, browser: Any) -> None:
    with reader(demo_copy).connect() as conn:
        citizens = [str(w) for w in conn.execute(select(s.citizen.c.code)).scalars()]
    with served(demo_copy, day=DAY) as site:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        sign_in(page, site, "boss", PASSWORD)
        page.goto(f"{site}/reviews")
        assert DEMO_REVIEW in page.inner_text("main")
        page.click(f"a[href='/reviews/{DEMO_REVIEW}']")
        page.wait_for_selector("figure svg")
        text = page.inner_text("main")
        assert "Agreement between reviewers" in text and "trial arm" in text
        assert not [c for c in citizens if re.search(rf"\b{re.escape(c)}\b", text)]
        assert not CPR.search(text)
