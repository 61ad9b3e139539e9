"""The evaluation report and the sparring sheet print on A4: Debian's Chromium (driven by
Playwright, never a downloaded browser) prints them to PDF, and the pages are A4; the
sparring sheet is a cover page (the caseworker, the day, their citizens with their flags)
and then exactly one page per citizen; no table row, figure or card is split, and table
headers repeat on every page."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from caseload.i18n import translator
from caseload.operate import sparring
from caseload.store.database import reader
from tests.helpers import run
from tests.integration.test_allocation import DAY, add_caseworker, add_department

A4_MM = (210.0, 297.0)
POINT_MM = 25.4 / 72


def printed(browser: Any, html: Path) -> list[tuple[float, float]]:
    """Print ``html`` as Chromium does (the page size from the document's CSS, Letter if it
    names none) and return each page's (width, height) in millimetres."""
    page = browser.new_page()
    try:
        page.goto(html.as_uri())
        data: bytes = page.pdf(prefer_css_page_size=True, print_background=True)
    finally:
        page.close()
    kids = re.findall(rb"/Type\s*/Page\b(?!s)", data)
    boxes = [
        (float(x1) - float(x0), float(y1) - float(y0))
        for x0, y0, x1, y1 in re.findall(
            rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", data
        )
    ]
    assert len(boxes) == len(kids) > 0
    return [(w * POINT_MM, h * POINT_MM) for w, h in boxes]


def assert_a4(sizes: list[tuple[float, float]]) -> None:
    for width, height in sizes:
        assert width == pytest.approx(A4_MM[0], abs=1) and height == pytest.approx(
            A4_MM[1], abs=1
        ), (width, height)


def assert_print_rules(html: str) -> None:
    style = html[html.index("<style>") : html.index("</style>")]
    compact = re.sub(r"\s+", " ", style)
    assert re.search(r"@page \{ size: A4; margin: [^}]+\}", compact)
    assert re.search(r"tr, figure, \.card[^{]*\{ break-inside: avoid;", compact)
    assert "thead { display: table-header-group; }" in compact
    # every table whose first row is a header row keeps it in a <thead> (so it repeats)
    for table in re.findall(r"<table[^>]*>(.*?)</table>", html, flags=re.S):
        first = table.lstrip()
        if first.startswith(("<thead>", "<tr><th>")) or "<th>" in first.split("</tr>")[0]:
            assert first.startswith("<thead>"), first[:120]


# --- the sparring sheet on a small register, both backends --------------------------------


@pytest.fixture
def five(engine: Engine) -> Engine:
    """K1 in D1 holds five citizens on DAY (no meetings, courses or requests yet)."""
    with engine.begin() as conn:
        dept = add_department(conn, "D1", cap=30)
        add_caseworker(conn, dept, "K1", 5)
    return engine


@pytest.mark.parametrize("lang", ["en", "da"])
def test_the_sparring_sheet_prints_a_cover_and_a_page_per_citizen(
    five: Engine, browser: Any, tmp_path: Path, lang: str
) -> None:
    with reader(five).connect() as conn:
        sheet = sparring.sheet(conn, "K1", DAY)
    assert len(sheet.pages) == 5
    html = sparring.render(sheet, lang)
    assert_print_rules(html)
    cover = html[html.index('<section class="page cover">') : html.index('<section class="page">')]
    # the cover: the caseworker, the day, and every citizen in the order of the pages
    tr = translator(lang)
    assert "K1 (Staff K1)" in cover
    assert any(day in cover for day in (DAY.isoformat(), tr.date(DAY), tr.date(DAY, "long")))
    rows = re.findall(r"<tr>\s*<td>([^<]+)</td>", cover)
    assert rows == [p.code for p in sheet.pages]
    # the flags the sheet computes: nobody has a course or placement, nor a meeting held
    passive, never = {"en": ("passive", "none since entry"), "da": ("passiv", "ingen siden start")}[
        lang
    ]
    assert cover.count(f'<span class="flag">{passive}</span>') == 5
    assert cover.count(f'<span class="flag">{never}</span>') == 5
    assert sheet.flagged == 5
    overdue = sum(1 for p in sheet.pages if p.overdue_days)
    soon = sum(1 for p in sheet.pages if p.due_soon)
    assert cover.count('<span class="soon">') == soon
    late = {"en": "overdue by", "da": "overskredet med"}[lang]
    assert cover.count(late) == overdue
    path = tmp_path / "sparring.html"
    path.write_text(html, encoding="utf-8")
    sizes = printed(browser, path)
    assert_a4(sizes)
    assert len(sizes) == 1 + 5


def test_an_empty_sheet_prints_its_cover_alone(five: Engine, browser: Any, tmp_path: Path) -> None:
    with reader(five).connect() as conn:
        sheet = sparring.sheet(conn, "K1", date(2019, 1, 1))  # before anyone was held
    html = sparring.render(sheet, "en")
    assert "No citizens have this caseworker as their primary contact on this day." in html
    path = tmp_path / "empty.html"
    path.write_text(html, encoding="utf-8")
    assert len(printed(browser, path)) == 1


# --- the demo: a real caseload and the evaluation report ------------------------------------


def _db(demo: Engine) -> str:
    return str(demo.url.database)


def test_a_demo_caseworkers_sheet_fits_the_cover_and_one_page_each(
    demo: Engine, browser: Any, tmp_path: Path
) -> None:
    """JI6-KS-0001 holds 48 citizens on 1 March 2019: the cover lists them on one page and
    each citizen's page fits on one page, so 49 pages."""
    out = tmp_path / "sparring.html"
    result = run(
        "sparring",
        "--db",
        _db(demo),
        "--caseworker",
        "JI6-KS-0001",
        "--as-of",
        "2019-03-01",
        "--out",
        str(out),
        "--lang",
        "da",
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    citizens = html.count('<section class="page">')
    assert citizens == 48
    sizes = printed(browser, out)
    assert_a4(sizes)
    assert len(sizes) == 1 + citizens


@pytest.mark.parametrize("lang", ["en", "da"])
def test_the_evaluation_report_prints_on_a4(
    demo: Engine, browser: Any, tmp_path: Path, lang: str
) -> None:
    out = tmp_path / "report"
    result = run(
        "evaluate", "--db", _db(demo), "--trial", "CPH-2018", "--out", str(out), "--lang", lang
    )
    assert result.exit_code == 0, result.output
    page = out / "report.html"
    html = page.read_text(encoding="utf-8")
    assert_print_rules(html)
    assert html.count("<thead>") >= 10  # every table but the money account (no header)
    sizes = printed(browser, page)
    assert_a4(sizes)
    assert 5 <= len(sizes) <= 12
