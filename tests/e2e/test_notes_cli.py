"""`caseload note add`, `note edit` and `note list` end to end on the example register, on
SQLite and PostgreSQL: the ids caseload gives, every version kept, exit codes, JSON, both
languages, nothing written when refused and a CPR-like number never repeated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from caseload.store import schema as s
from caseload.store.database import connect
from tests.conftest import CopyOf
from tests.helpers import run
from tests.integration.test_case import _load_examples


def _db(register_copy: CopyOf) -> tuple[str, str]:
    engine = register_copy(_load_examples)
    return ("--db", engine.url.render_as_string(hide_password=False))


def _rows(db: str) -> list[dict[str, Any]]:
    engine = connect(db)
    try:
        with engine.connect() as conn:
            n = s.case_note
            return [
                dict(r._mapping) for r in conn.execute(select(n).order_by(n.c.code, n.c.version))
            ]
    finally:
        engine.dispose()


def test_add_edit_and_list_notes(register_copy: CopyOf, tmp_path: Path) -> None:
    db = _db(register_copy)
    note = run("note", "add", *db, "--citizen", "C000003", "--text", "Wants a bus licence.")
    assert note.exit_code == 0, note.output
    assert note.output.strip() == "C000003: note N0000001 written; case version 2"
    step = run(
        "note",
        "add",
        *db,
        "--citizen",
        "C000003",
        "--kind",
        "next_step",
        "--text",
        "Book the [bold]driving test[/x].",
        "--due",
        "2019-10-15",
        "--by",
        "KS-001",
        "--version",
        "2",
    )
    assert step.exit_code == 0, step.output
    assert "C000003: next step N0000002 written; case version 3" in step.output
    stale = run("note", "edit", *db, "--id", "N0000001", "--text", "Bus or taxi.", "--version", "2")
    assert stale.exit_code == 4
    assert "Conflict: the case was changed by someone else (version 3, you had 2)" in stale.output
    edited = run(
        "note",
        "edit",
        *db,
        "--id",
        "N0000001",
        "--text",
        "Bus or taxi.",
        "--by",
        "bo",
        "--version",
        "3",
    )
    assert edited.exit_code == 0, edited.output
    assert "C000003: note N0000001 edited (its version 2); case version 4" in edited.output
    out = tmp_path / "notes.json"
    listed = run("note", "list", *db, "--citizen", "C000003", "--json", str(out))
    assert listed.exit_code == 0, listed.output
    assert "Notes on the case of C000003" in listed.output
    assert "Book the [bold]driving test[/x]." in listed.output  # as written, not markup
    assert "next step" in listed.output and "15 Oct 2019" in listed.output
    assert "next_step" not in listed.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["citizen"] == "C000003"
    assert [(n["code"], n["kind"], n["version"], n["body"], n["due"]) for n in data["notes"]] == [
        ("N0000001", "note", 2, "Bus or taxi.", None),
        ("N0000002", "next_step", 1, "Book the [bold]driving test[/x].", "2019-10-15"),
    ]
    assert [(h["version"], h["body"]) for h in data["notes"][0]["history"]] == [
        (1, "Wants a bus licence.")
    ]
    assert data["notes"][0]["written_by"] == "bo"
    assert (out.stat().st_mode & 0o777) == 0o600  # the text of notes is the owner's only
    case = tmp_path / "case.json"
    shown = run("case", *db, "--citizen", "C000003", "--as-of", "2019-10-01", "--json", str(case))
    assert shown.exit_code == 0, shown.output
    assert "Notes and next steps" in shown.output and "Bus or taxi." in shown.output
    assert [n["code"] for n in json.loads(case.read_text(encoding="utf-8"))["notes"]] == [
        "N0000001",
        "N0000002",
    ]
    assert [(r["code"], r["version"]) for r in _rows(db[1])] == [
        ("N0000001", 1),
        ("N0000001", 2),
        ("N0000002", 1),
    ]


def test_notes_in_danish(register_copy: CopyOf) -> None:
    db = _db(register_copy)
    da = ("--lang", "da")
    step = run(
        "note",
        "add",
        *db,
        *da,
        "--citizen",
        "C000003",
        "--kind",
        "next_step",
        "--text",
        "Ring til arbejdsgiveren.",
        "--due",
        "2019-10-15",
    )
    assert step.exit_code == 0, step.output
    assert "C000003: næste skridt N0000001 skrevet; sagsversion 2" in step.output
    edited = run("note", "edit", *db, *da, "--id", "N0000001", "--text", "Ring i morgen.")
    assert "C000003: næste skridt N0000001 rettet (dets version 2); sagsversion 3" in (
        edited.output
    )
    listed = run("note", "list", *db, *da, "--citizen", "C000003")
    assert listed.exit_code == 0, listed.output
    for part in ("Notater på sagen for C000003", "næste skridt", "15. okt. 2019", "Frist"):
        assert part in listed.output, part
    wrong = run("note", "add", *db, *da, "--citizen", "C000003", "--text", "x", "--due", "2019-10")
    assert wrong.exit_code == 2 and "ikke en dato" in wrong.output
    due = run("note", "add", *db, *da, "--citizen", "C000003", "--text", "x", "--due", "2019-10-15")
    assert due.exit_code == 2
    assert due.output.strip() == "Afvist: kun et næste skridt har en frist"
    none = run("note", "list", *db, *da, "--citizen", "C000002")
    assert none.output.strip() == "C000002: ingen notater på sagen"


def test_refusals_are_one_line_and_write_nothing(register_copy: CopyOf) -> None:
    db = _db(register_copy)
    for lang in ("en", "da"):
        cpr = run(
            "note",
            "add",
            *db,
            "--citizen",
            "C000003",
            "--text",
            "Sister: 010180-1234",
            "--lang",
            lang,
        )
        assert cpr.exit_code == 2
        assert "1234" not in cpr.output and "CPR" in cpr.output
        assert len(cpr.output.strip().splitlines()) == 1
    cases = [
        (("add", "--citizen", "C999", "--text", "x"), "Refused: no citizen 'C999' in the register"),
        (("add", "--citizen", "C000003", "--text", " "), "Refused: a note needs a text"),
        (
            ("add", "--citizen", "C000003", "--text", "x", "--kind", "memo"),
            "Refused: unknown note kind 'memo'; one of: note, next_step",
        ),
        (
            ("edit", "--id", "N0000009", "--text", "x"),
            "Refused: no note 'N0000009' in the register",
        ),
        (("list", "--citizen", "C999"), "no citizen 'C999' in the register"),
    ]
    for args, said in cases:
        result = run("note", args[0], *db, *args[1:])
        assert result.exit_code == 2, result.output
        assert result.output.strip() == said
    assert _rows(db[1]) == []
    typed = run("note", "list", *db, "--citizen", "010180-1234")
    assert typed.exit_code == 2 and "1234" not in typed.output
