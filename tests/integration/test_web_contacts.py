"""Contact changes from the case page in a real browser, on SQLite and PostgreSQL: a
handoff to a company consultant, refused by the rules in words and made with an override
reason; a cover offered only to colleagues the citizen knows. On the example register:
caseworker KS-001 holds C000001 and C000002, VK-001 is JI6's company consultant."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select

from caseload.store import schema as s
from tests.api import DAY, PASSWORD
from tests.web import served, sign_in


@pytest.fixture
def page(api_register: Engine, browser: Any) -> Iterator[tuple[Any, str]]:
    with served(api_register) as site:
        opened = browser.new_page(viewport={"width": 1366, "height": 900})
        sign_in(opened, site, "caseworker", PASSWORD)
        yield opened, site
        opened.close()


def _holders(engine: Engine, citizen: str) -> set[tuple[str, str, str]]:
    r, p, c = s.responsibility, s.professional, s.citizen
    with engine.connect() as conn:
        rows = conn.execute(
            select(p.c.code, r.c.role, r.c.reason)
            .join(r, r.c.professional_id == p.c.id)
            .join(c, c.c.id == r.c.citizen_id)
            .where(
                c.c.code == citizen,
                r.c.start_date <= DAY,
                (r.c.end_date.is_(None)) | (r.c.end_date >= DAY),
            )
        ).all()
    return {tuple(row) for row in rows}  # type: ignore[misc]


def test_the_cover_is_offered_only_to_colleagues_the_citizen_knows(
    page: tuple[Any, str], api_register: Engine
) -> None:
    opened, site = page
    opened.goto(f"{site}/citizens/C000002")
    offered = opened.eval_on_selector_all("#cover-staff option", "o => o.map(x => x.value)")
    everyone = opened.eval_on_selector_all("#move-staff option", "o => o.map(x => x.value)")
    r, p, c = s.responsibility, s.professional, s.citizen
    with api_register.connect() as conn:
        known = set(
            conn.execute(
                select(p.c.code)
                .join(r, r.c.professional_id == p.c.id)
                .join(c, c.c.id == r.c.citizen_id)
                .where(c.c.code == "C000002")
            ).scalars()
        )
    assert offered and set(offered) <= known
    assert set(offered) <= set(everyone)


def test_a_handoff_refused_then_made_with_an_override(
    page: tuple[Any, str], api_register: Engine
) -> None:
    """VK-001 holds one citizen as company consultant; with the role's cap at 1 a handoff
    of a second is refused (the cap), then made with an override reason."""
    cap = s.caseload_cap
    with api_register.begin() as conn:
        changed = conn.execute(
            cap.update().where(cap.c.role == "company_consultant").values(cap=1)
        ).rowcount
    assert changed >= 1
    opened, site = page
    opened.goto(f"{site}/citizens/C000001")
    before = _holders(api_register, "C000001")
    opened.check("input[name=reason][value=handoff]")
    opened.select_option("#move-role", "company_consultant")
    opened.select_option("#move-staff", "VK-001")
    opened.click("#move")
    refusal = opened.locator("#contact-error").inner_text()
    assert "cap" in refusal and "VK-001" in refusal
    assert _holders(api_register, "C000001") == before  # nothing written
    # the refusal's page settled (htmx swapped it in), the override is typed into it
    opened.wait_for_load_state("networkidle")
    opened.fill("#move-override", "the citizen asked for it at the meeting")
    opened.click("#move")
    assert opened.locator("#contact-done").inner_text() == "The contact is changed."
    assert ("VK-001", "company_consultant", "handoff") in _holders(api_register, "C000001")
    r = s.responsibility
    with api_register.connect() as conn:
        reasons = (
            conn.execute(
                select(r.c.override_reason).where(r.c.reason == "handoff", r.c.start_date == DAY)
            )
            .scalars()
            .all()
        )
    assert "the citizen asked for it at the meeting" in reasons
