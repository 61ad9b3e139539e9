"""What a person reads is words and the reader's numbers: every reading command and the
evaluation report, in Danish and English, on the demo job centre.

The check strips the HTML to its visible text (figures are drawn elsewhere and left out) and
fails on any register code or snake_case identifier; Danish pages must also write numbers,
money and dates the Danish way. Files meant for machines (evaluation.json, the report's CSVs,
``--json``) keep ISO dates and a dot as the decimal mark.
"""

from __future__ import annotations

import csv
import html
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import Result

from caseload.domain import codes
from caseload.evaluate.enrolment import STRATA
from caseload.i18n import translator
from caseload.store import schema
from caseload.store.database import connect
from tests.conftest import BACKENDS
from tests.copenhagen import published_counts
from tests.helpers import copy_register, plain_environment, run, write

DAY = "2019-06-30"
TRIAL = "CPH-2018"
CITIZEN = "C0001036"
"""A citizen of JI6-KS-0001's caseload in the demo (seed 2018)."""

SNAKE = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b")
"""An identifier as code writes it (``wage_subsidy``, ``benefit_years``)."""

CODES = {
    code
    for group in (
        codes.ROLES,
        codes.ROLE_MODELS,
        codes.EXIT_KINDS,
        codes.COMPLEXITY_TIERS,
        codes.ORIGINS,
        codes.SEXES,
        codes.TARGET_GROUPS,
        codes.RESPONSIBILITY_REASONS,
        codes.MEETING_KINDS,
        codes.MEETING_PLACES,
        codes.MEETING_STATUSES,
        codes.BENEFITS,
        codes.ABSENCE_TERMS,
        codes.MEDICAL_KINDS,
        codes.RECOMMENDATIONS,
        codes.PLACEMENT_KINDS,
        codes.ARMS,
        codes.TRIAL_UNITS,
    )
    for code in group
} | set(STRATA)
DANISH_WORDS = {"job", "mentor", "integration", "video", "team", "hospital"}
"""Codes that are Danish words too: they may stand in a Danish text."""
NEVER_ENGLISH = {"kontanthjaelp", "le145"}
"""Single-word codes that are no English word: an English text shows their label."""


def visible(page: str) -> str:
    """An HTML page's visible text: no style, no figure, no tags, entities decoded."""
    page = re.sub(r"<(style|svg|script)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<title>.*?</title>", " ", page, flags=re.S)  # repeats the h1
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def raw_codes(text: str, lang: str) -> set[str]:
    """Every code or identifier in ``text`` that a reader of ``lang`` should not see."""
    found = set(SNAKE.findall(text))
    words = set(re.findall(r"\b[A-Za-z0-9]+\b", text.lower()))
    if lang == "da":
        found |= (CODES - DANISH_WORDS) & words
    found |= NEVER_ENGLISH & words
    return found


@pytest.fixture(scope="module", params=BACKENDS)
def demo_db(
    request: pytest.FixtureRequest,
    demo_build: tuple[Path, Result],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """The demo job centre on each backend: a copy of the session's SQLite demo, or the
    demo built once more on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        template, result = demo_build
        assert result.exit_code == 0, result.output
        yield copy_register(template, tmp_path_factory.mktemp("words") / "demo.sqlite")
        return
    databases = request.getfixturevalue("postgres_databases")
    url = databases.new()
    with pytest.MonkeyPatch.context() as patch:
        plain_environment(patch)
        result = run("demo", "--db", url, "--fresh")
    assert result.exit_code == 0, result.output
    yield url
    databases.retire(url)


def reading(db: str, folder: Path, lang: str) -> dict[str, str]:
    """What each reading command shows a reader of ``lang`` (the folder's paths taken out:
    they are the test's, not the product's)."""
    counts = write(folder, "counts.json", json.dumps(published_counts()))
    period = ("--from", "2018-01-01", "--to", "2018-12-31")
    commands: dict[str, list[str]] = {
        "status": ["status", "--as-of", DAY, "--all"],
        "rebalance": [
            "rebalance",
            "--department",
            "JI6",
            "--cap",
            "45",
            "--dry-run",
            "--as-of",
            DAY,
        ],
        "assign": ["assign", "--department", "JI6", "--dry-run", "--as-of", DAY],
        "overdue": ["overdue", "--as-of", DAY, "--caseworker", "JI6-KS-0001"],
        "timeliness-arm": ["timeliness", *period, "--by", "arm", "--trial", TRIAL],
        "timeliness": ["timeliness", *period],
        "caseflow": ["caseflow", *period],
        "sparring": [
            "sparring",
            "--caseworker",
            "JI6-KS-0001",
            "--as-of",
            DAY,
            "--out",
            str(folder / "sparring.html"),
        ],
        "evaluate": ["evaluate", "--out", str(folder / "report")],
        "randomise": [
            "randomise",
            "--trial",
            "NEW",
            "--name",
            "New",
            "--start",
            "2019-06-01",
            "--department",
            "JI6",
            "--block",
            "duration",
            "--block",
            "sex",
            "--seed",
            "7",
            "--dry-run",
            "--as-of",
            DAY,
        ],
        "tables": ["tables"],
    }
    shown: dict[str, str] = {}
    # a next step and a note on a case of the caseworker's (before the sparring sheet): what
    # the writes say, the list and the sheet show them in words
    for name, args in {
        "note add next step": ["--kind", "next_step", "--text", "Call the employer", "--due", DAY],
        "note add": ["--text", "Talked about courses", "--by", "tester"],
    }.items():
        result = run("note", "add", "--citizen", CITIZEN, *args, "--db", db, "--lang", lang)
        assert result.exit_code == 0, (name, result.output)
        shown[name] = result.output
    commands["note list"] = ["note", "list", "--citizen", CITIZEN]
    for name, args in commands.items():
        needs_db = name != "tables"
        result = run(*args, *(("--db", db) if needs_db else ()), "--lang", lang)
        assert result.exit_code == 0, (name, result.output)
        shown[name] = result.output
    # the two commands that write say what they did: a meeting and a contact change
    other = {"da": ("no_show", "JI6-KS-0002"), "en": ("cancelled_by_citizen", "JI6-KS-0003")}
    status, staff = other[lang]
    for name, args in {
        "meeting": [
            "meeting",
            "--id",
            f"MWORDS{lang.upper()}",
            "--status",
            status,
            "--place",
            "home",
        ],
        "contact": ["contact", "--to", staff, "--reason", "citizen_request", "--override", "test"],
    }.items():
        result = run(*args, "--citizen", CITIZEN, "--as-of", DAY, "--db", db, "--lang", lang)
        assert result.exit_code == 0, (name, result.output)
        shown[name] = result.output
    result = run("analyze-counts", str(counts), "--lang", lang)
    assert result.exit_code == 0, result.output
    shown["analyze-counts"] = result.output
    design = ("--arms", "917,856", "--base-rate", "0.10", "--effect", "0.03", "--sims", "200")
    result = run("diagnose", *design, "--lang", lang)
    assert result.exit_code == 0, result.output
    shown["diagnose"] = result.output
    # the plan face: caseloads from workload (no register), from the register, a policy
    result = run("plan", "caseload", "--lang", lang)
    assert result.exit_code == 0, result.output
    shown["plan caseload"] = result.output
    for name, args in {
        "plan measured": ["plan", "measured", "--from", "2018-06-01", "--to", DAY],
        "plan staffing": ["plan", "staffing", "--caseload", "50", "--as-of", DAY],
        "simulate": ["simulate", "--reps", "20", "--citizens", "500"],
    }.items():
        result = run(*args, "--db", db, "--lang", lang)
        assert result.exit_code == 0, (name, result.output)
        shown[name] = result.output
    shown["sparring.html"] = visible((folder / "sparring.html").read_text(encoding="utf-8"))
    shown["report.html"] = visible((folder / "report" / "report.html").read_text(encoding="utf-8"))
    return {
        name: without_data(text.replace(str(folder), "FOLDER"), db) for name, text in shown.items()
    }


def without_data(text: str, db: str) -> str:
    """``text`` without the register's own free text (suppliers, their courses' purposes,
    companies): the users wrote it, in their words, and it is shown as it is."""
    o, cp = schema.supplier_order, schema.company_placement
    engine = connect(db)
    try:
        with engine.connect() as conn:
            free = {
                str(value)
                for column in (o.c.supplier, o.c.purpose, cp.c.company)
                for value in conn.execute(select(column).distinct()).scalars()
                if value
            }
    finally:
        engine.dispose()
    for value in sorted(free, key=len, reverse=True):
        text = text.replace(value, "TEXT")
    return text


@pytest.fixture(scope="module", params=["da", "en"])
def shown(
    request: pytest.FixtureRequest, demo_db: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, dict[str, str], Path]:
    lang: str = request.param
    folder = tmp_path_factory.mktemp(f"words-{lang}")
    with pytest.MonkeyPatch.context() as patch:
        plain_environment(patch)  # wide consoles: no cell cut short
        return lang, reading(demo_db, folder, lang), folder


def test_no_raw_code_on_screen_or_in_a_report(shown: tuple[str, dict[str, str], Path]) -> None:
    lang, pages, _folder = shown
    # the tables command lists the import files' own column names: those are meant
    pages = {name: text for name, text in pages.items() if name != "tables"}
    raw = {name: sorted(raw_codes(text, lang)) for name, text in pages.items()}
    found = {name: codes for name, codes in raw.items() if codes}
    assert found == {}, found


def test_the_check_catches_a_raw_code() -> None:
    assert raw_codes("Virksomhedspraktik: wage_subsidy 12", "da") == {"wage_subsidy"}
    assert raw_codes("Grund: handoff, sygdom", "da") == {"handoff"}
    assert raw_codes("Back on kontanthjaelp", "en") == {"kontanthjaelp"}
    assert raw_codes("mentor og team, job", "da") == set()


def test_danish_numbers_money_and_dates(shown: tuple[str, dict[str, str], Path]) -> None:
    lang, pages, folder = shown
    data = json.loads((folder / "report" / "evaluation.json").read_text(encoding="utf-8"))
    money = data["money"][0]
    tr = translator(lang)
    report = " ".join(pages["report.html"].split())
    # known figures from the machine file, as the reader writes them
    assert tr.decimal(money["break_even_months_per_citizen"], 2) in report
    assert tr.money(money["savings_dkk"]) in report
    assert tr.money_interval(money["net_dkk"], money["net_ci_low"], money["net_ci_high"]) in report
    assert tr.date(date.fromisoformat(data["meta"]["start"])) in report
    if lang == "da":
        assert re.search(r"\d{1,3}(\.\d{3})+ kr\.", report)  # 18.018.639 kr.
        assert "p < 0,001" in report and "1. jan. 2018" in report
        assert re.search(r"\b\d+,\d+ %", pages["timeliness-arm"])  # 89,6 %
        assert "30. jun. 2019" in pages["status"]
        assert not re.search(r"\b\d+\.\d+ ?%", report + pages["timeliness-arm"])
        assert "næste skridt" in pages["note list"] and "30. jun. 2019" in pages["note list"]
        assert "skrevet; sagsversion" in pages["note add next step"]
    else:
        assert re.search(r"DKK \d{1,3}(,\d{3})+", report)
        assert "p < 0.001" in report and "1 Jan 2018" in report
        assert "30 Jun 2019" in pages["status"]
        assert "next step" in pages["note list"] and "30 Jun 2019" in pages["note list"]
        assert "written; case version" in pages["note add next step"]


def test_machine_files_keep_iso_dates_and_dot_decimals(
    shown: tuple[str, dict[str, str], Path], demo_db: str
) -> None:
    lang, _pages, folder = shown
    data = json.loads((folder / "report" / "evaluation.json").read_text(encoding="utf-8"))
    assert data["meta"]["start"] == "2018-01-01" and data["meta"]["language"] == lang
    assert isinstance(data["money"][0]["break_even_months_per_citizen"], float)
    with (folder / "report" / "money.csv").open(encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    assert float(row["break_even_months_per_citizen"]) == pytest.approx(
        data["money"][0]["break_even_months_per_citizen"]
    )
    assert "." in row["savings_dkk"] and "," not in row["savings_dkk"]
    with (folder / "report" / "staff.csv").open(encoding="utf-8") as handle:
        staff = list(csv.DictReader(handle))
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["period_start"]) for r in staff)
    plan = folder / "plan.json"
    result = run(
        "rebalance",
        "--db",
        demo_db,
        "--department",
        "JI6",
        "--cap",
        "45",
        "--dry-run",
        "--as-of",
        DAY,
        "--json",
        str(plan),
        "--lang",
        lang,
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(plan.read_text(encoding="utf-8"))
    assert summary["day"] == DAY and summary["department"] == "JI6"
    assert all(isinstance(row["capacity"], (int, float)) for row in summary["loads"])
    flow = folder / "flow.json"
    result = run(
        "caseflow",
        "--db",
        demo_db,
        "--from",
        "2018-01-01",
        "--to",
        "2018-12-31",
        "--json",
        str(flow),
        "--lang",
        lang,
    )
    assert result.exit_code == 0, result.output
    text = flow.read_text(encoding="utf-8")
    assert not re.search(r"\d,\d|\d\. jan\.|%", text)  # JSON numbers, nothing formatted
    assert isinstance(json.loads(text)["paid_hours"][0]["mean_hours_per_month"], float)
