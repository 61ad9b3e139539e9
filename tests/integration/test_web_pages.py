"""Every main page of the web app, for each role, in Danish and in English, on the demo
job centre in a real browser: axe-core (vendored in tests/assets, injected by the test)
finds no serious or critical accessibility violation; a Danish page shows no raw code of
the register (such as ``wage_subsidy``) and no sentence that the catalogue has in Danish
but the page shows in English; and on a phone's screen (390 px) no page is wider than the
screen. With CASELOAD_TEST_SCREENSHOTS=DIR a full-page screenshot of each page is saved in
DIR, for a person to look over (they take a third of the test's time: not on every run)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import Engine, select
from typer.testing import Result

from caseload.access import accounts
from caseload.domain.labels import LABELS
from caseload.operate import plans
from caseload.store import schema as s
from caseload.store.database import connect
from caseload.synth.accounts import add_demo_accounts
from caseload.synth.jobcentre import TRIAL_CODE
from tests.helpers import copy_register
from tests.web import served, sign_in

DAY = date(2019, 3, 1)
"""The day the demo is served on (``caseload demo --serve``)."""
AXE = Path(__file__).resolve().parents[1] / "assets" / "axe.min.js"
DANISH = Path(__file__).resolve().parents[2] / "src/caseload/locale/da/LC_MESSAGES/caseload.po"


def _english_only() -> list[str]:
    """Sentences the catalogue has in Danish (different from the English): one of them on
    a Danish page means a text was not translated. Only texts of three words or more, and
    without placeholders, so that a name or a code cannot match by chance."""
    with DANISH.open("rb") as handle:
        catalog = read_po(handle)
    found = []
    for m in catalog:
        if not m.id or not isinstance(m.id, str) or "{" in m.id or len(m.id.split()) < 3:
            continue
        if isinstance(m.string, str) and m.string and m.string != m.id:
            found.append(m.id)
    return found


@pytest.fixture(scope="module")
def demo_site(
    demo_build: tuple[Path, Result], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str], dict[str, str]]]:
    template, result = demo_build
    assert result.exit_code == 0, result.output
    engine: Engine = connect(
        copy_register(template, tmp_path_factory.mktemp("pages") / "demo.sqlite")
    )
    with engine.begin() as conn:
        made = add_demo_accounts(conn, DAY, "da")
        leader = accounts.by_username(conn, "demo-leader")
        assert leader is not None
        department = leader.departments[0]
        plan = plans.propose(conn, "rebalance", department, DAY, by="demo-leader").code
        citizen = conn.execute(
            select(s.citizen.c.code)
            .join(s.responsibility, s.responsibility.c.citizen_id == s.citizen.c.id)
            .join(s.professional, s.professional.c.id == s.responsibility.c.professional_id)
            .where(
                s.professional.c.code == next(a.staff for a in made if a.role == "caseworker"),
                s.responsibility.c.start_date <= DAY,
                (s.responsibility.c.end_date.is_(None)) | (s.responsibility.c.end_date >= DAY),
            )
            .limit(1)
        ).scalar_one()
    passwords = {a.role: a.password for a in made}
    pages = {
        "caseworker": f"/caseload /citizens/{citizen} /account /caseload/sparring",
        "leader": f"/caseload /departments/{department} /departments/{department}/flow"
        f" /plans/{plan} /planning",
        "analyst": f"/trials /trials/{TRIAL_CODE} /planning",
        "admin": "/admin/accounts /admin/register/caps /admin/register/caseload_rules"
        " /admin/imports /admin/audit",
    }
    with served(engine, lang="da", day=DAY) as base:
        yield base, passwords, pages
    engine.dispose()


@pytest.fixture(scope="module")
def shots() -> Path | None:
    """The folder for the pages' screenshots (CASELOAD_TEST_SCREENSHOTS), or None."""
    given = os.environ.get("CASELOAD_TEST_SCREENSHOTS")
    if not given:
        return None
    folder = Path(given)
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots of every main page: {folder}")
    return folder


def _axe(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.help + ' (' + v.nodes.length + ')')"
    )
    return list(found)


RAW_CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("role", ["caseworker", "leader", "analyst", "admin"])
def test_every_page_is_accessible_and_in_the_readers_language(
    demo_site: tuple[str, dict[str, str], dict[str, str]],
    browser: Any,
    shots: Path | None,
    role: str,
    lang: str,
) -> None:
    base, passwords, pages = demo_site
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        sign_in(page, base, f"demo-{role}", passwords[role])
        shown = page.locator("header form button[name=lang]").get_attribute("value")
        if shown == lang:  # the button offers the other language: switch to ``lang``
            page.click("header form button[name=lang]")
            page.wait_for_load_state("networkidle")
        problems: list[str] = []
        english = _english_only() if lang == "da" else []
        codes = set(LABELS)
        for path in ["/login", *pages[role].split()]:
            if path == "/login":
                login = browser.new_page(locale="da-DK" if lang == "da" else "en-GB")
                login.set_extra_http_headers({"Accept-Language": lang})
                login.goto(base + path)
                target = login
            else:
                answer = page.goto(base + path)
                assert answer is not None and answer.status == 200, (path, answer and answer.status)
                target = page
            name = path.strip("/").replace("/", "-") or "start"
            if shots is not None:
                target.screenshot(path=str(shots / f"{role}-{lang}-{name}.png"), full_page=True)
            problems += [f"{path}: {v}" for v in _axe(target)]
            if lang == "da":
                text = target.inner_text("body")
                raw = sorted({c for c in RAW_CODE.findall(text) if c in codes})
                problems += [f"{path}: raw code {c}" for c in raw]
                problems += [f"{path}: English {e!r}" for e in english if e in text]
            if target is not page:
                target.close()
        if lang == "da":  # readable on a phone: nothing wider than the screen but a table
            page.set_viewport_size({"width": 390, "height": 844})
            for path in pages[role].split():
                page.goto(base + path)
                wide = page.evaluate(
                    "() => document.documentElement.scrollWidth - window.innerWidth"
                )
                if wide > 0:
                    problems.append(f"{path}: {wide} px wider than a phone's screen")
        assert not problems, "\n".join(problems)
    finally:
        context.close()
