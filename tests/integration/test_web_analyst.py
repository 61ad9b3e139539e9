"""The analyst in a real browser on the demo job centre: the trials, a trial's dashboard
evaluated from the register (findings, figures), the whole report, and the tables as CSV
and one Excel workbook — and nowhere on those pages a CPR-shaped string or a name. A
caseworker asking for the dashboard is refused."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from typer.testing import Result

from caseload.access import accounts
from caseload.store import schema as s
from caseload.store.database import connect
from caseload.synth.jobcentre import TRIAL_CODE
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
        accounts.add_account(conn, "ana", "analyst", PASSWORD, lang="en")
        staff = conn.execute(select(s.professional.c.code).limit(1)).scalar_one()
        accounts.add_account(conn, "cw", "caseworker", PASSWORD, staff=staff, lang="en")
    yield engine
    engine.dispose()


def test_the_analyst_reads_the_trial_live_with_no_name_or_cpr(
    demo_copy: Engine, browser: Any
) -> None:
    with demo_copy.connect() as conn:
        names = [n for n in conn.execute(select(s.professional.c.name)).scalars() if n]
    with served(demo_copy, day=DAY) as site:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        sign_in(page, site, "ana", PASSWORD)
        assert page.url.endswith("/trials")
        page.click(f"a[href='/trials/{TRIAL_CODE}']")
        page.wait_for_selector("#xlsx")
        dashboard = page.inner_text("body")
        assert page.locator(".figure svg").count() >= 3
        assert "What the trial shows" in dashboard
        report = page.goto(f"{site}/trials/{TRIAL_CODE}/report")
        assert report is not None and report.status == 200
        for text in (dashboard, page.inner_text("body")):
            assert not CPR.search(text)
            assert not [n for n in names if n in text]

        cookies = {c["name"]: c["value"] for c in page.context.cookies()}
        with httpx.Client(base_url=site, cookies=cookies) as client:
            book = client.get(f"/trials/{TRIAL_CODE}/tables.xlsx")
            assert book.status_code == 200
            assert book.headers["content-type"].startswith("application/vnd.openxml")
            sheets = load_workbook(io.BytesIO(book.content)).sheetnames
            assert {"balance", "exits", "spells", "money"} <= set(sheets)
            exits = client.get(f"/trials/{TRIAL_CODE}/tables/exits.csv")
            assert exits.status_code == 200
            rows = list(csv.DictReader(io.StringIO(exits.text)))
            assert rows and {"name", "difference", "p_value"} <= set(rows[0])
            assert not CPR.search(exits.text)
            assert client.get(f"/trials/{TRIAL_CODE}/tables/nothing.csv").status_code == 404

        other = browser.new_page()
        sign_in(other, site, "cw", PASSWORD)
        refused = other.goto(f"{site}/trials/{TRIAL_CODE}")
        assert refused is not None and refused.status == 403
