"""The docs that are made from code, and the README, stay true to the code."""

from __future__ import annotations

from pathlib import Path

from caseload.register import catalogue
from caseload.register.docs import import_format

ROOT = Path(__file__).resolve().parents[2]


def test_import_format_doc_is_current() -> None:
    committed = (ROOT / "docs" / "import-format.md").read_text(encoding="utf-8")
    assert committed == import_format(), (
        "run: python -m caseload.register.docs > docs/import-format.md"
    )


def test_every_import_table_has_an_example_file() -> None:
    assert sorted(p.stem for p in (ROOT / "examples").glob("*.csv")) == sorted(catalogue.BY_NAME)


def test_readme_starts_with_the_two_commands() -> None:
    first = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:6]
    assert any(line.startswith("make demo") for line in first)
    assert any(line.startswith("make test") for line in first)


def test_api_doc_is_current() -> None:
    from caseload.serve.docs import markdown

    committed = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert committed == markdown(), "run: python -m caseload.serve.docs > docs/api.md"
