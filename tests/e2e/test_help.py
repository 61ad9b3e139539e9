"""Help that explains: every option and argument of every command has a text, in English and
Danish; values are named for what they are (DAY, FILE, CODE, N), never ``<str>`` or
``BOOLEAN``; and no help points at the project's own notes ("seed 003's Table 7")."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import caseload

LANGS = ("en", "da")

DUMP = r"""
import json
import typer
from typer.testing import CliRunner
from caseload.cli.main import app

group = typer.main.get_command(app)
runner = CliRunner()
out = {"app": {"help": runner.invoke(app, ["--help"]).output, "params": []}}

def walk(path, group):
    for name, command in group.commands.items():
        params = []
        for param in command.params:
            params.append({
                "name": param.name,
                "kind": param.param_type_name,
                "opts": list(param.opts),
                "help": getattr(param, "help", None),
                "metavar": param.metavar,
                "flag": bool(getattr(param, "is_flag", False)),
            })
        shown = runner.invoke(app, [*path, name, "--help"])
        assert shown.exit_code == 0, shown.output
        key = " ".join([*path, name])
        out[key] = {"help": shown.output, "summary": command.help, "params": params}
        if hasattr(command, "commands"):  # a group (caseload note add …)
            walk([*path, name], command)

walk([], group)
print(json.dumps(out))
"""
"""Walks the click command tree (groups too) and draws every help page, in the language the
child was started in (help is built at import, from ``CASELOAD_LANG``)."""

NOISE = re.compile(r"<(bool|str|int|float|path|text)|\b(BOOLEAN|TEXT|INTEGER|FLOAT|PATH)\b")
"""Type names shown instead of what a value is."""

VALUE_NAMES = {"en": ("DAY", "FILE", "FOLDER"), "da": ("DAG", "FIL", "MAPPE")}
"""What a day, a file and a folder are called in the help, per language."""

INTERNAL = re.compile(r"seed 0\d|Table \d|Tabel \d|\bissue \d", re.IGNORECASE)
"""References to the project's notes, meaningless to a user."""


@cache
def _pages(lang: str) -> dict[str, Any]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("FORCE_COLOR", "PY_COLORS", "GITHUB_ACTIONS", "TERMINAL_WIDTH")
    }
    env["CASELOAD_LANG"] = lang
    env["COLUMNS"] = "200"
    source = str(Path(caseload.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", DUMP],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    pages: dict[str, Any] = json.loads(done.stdout)
    return pages


@pytest.mark.parametrize("lang", LANGS)
def test_every_parameter_of_every_command_has_help(lang: str) -> None:
    missing = [
        f"{command} {param['opts'][0]}"
        for command, page in _pages(lang).items()
        for param in page["params"]
        if not (param["help"] or "").strip()
    ]
    assert missing == []


@pytest.mark.parametrize("lang", LANGS)
def test_every_value_is_named_for_what_it_is(lang: str) -> None:
    """An option that takes a value, and every argument, has a metavar (DAY, FILE …)."""
    unnamed = [
        f"{command} {param['opts'][0]}"
        for command, page in _pages(lang).items()
        for param in page["params"]
        if not param["flag"] and not param["metavar"]
    ]
    assert unnamed == []


@pytest.mark.parametrize("lang", LANGS)
def test_help_pages_show_no_type_noise(lang: str) -> None:
    noisy = {
        command: NOISE.findall(page["help"])
        for command, page in _pages(lang).items()
        if NOISE.search(page["help"])
    }
    assert noisy == {}
    status = _pages(lang)["status"]["help"]
    day, file, folder = VALUE_NAMES[lang]
    assert re.search(rf"--as-of\s+{day}\s", status)
    assert re.search(rf"--json\s+{file}\s", status)
    assert re.search(rf"--csv\s+{folder}\s", status)
    assert re.search(r"--all\s{2,}\S", status)  # a flag: its help follows, no type between


@pytest.mark.parametrize("lang", LANGS)
def test_help_makes_no_internal_references(lang: str) -> None:
    referring = {
        command: INTERNAL.findall(page["help"])
        for command, page in _pages(lang).items()
        if INTERNAL.search(page["help"])
    }
    assert referring == {}


def test_the_note_group_is_walked_and_its_help_is_danish() -> None:
    english, danish = _pages("en"), _pages("da")
    assert {"note", "note add", "note edit", "note list"} <= set(english)
    assert re.search(r"--text\s+NOTE\s", english["note add"]["help"])
    assert re.search(r"--text\s+NOTAT\s", danish["note add"]["help"])
    assert "Sagsnotater og næste skridt" in " ".join(danish["app"]["help"].split())
    assert "Ret et notat" in " ".join(danish["note"]["help"].split())


def test_timeliness_says_what_the_published_share_is() -> None:
    english = " ".join(_pages("en")["timeliness"]["help"].split())
    assert "the timeliness share the Copenhagen trial reported" in english
    danish = " ".join(_pages("da")["timeliness"]["help"].split())
    assert "rettidighed" in danish


def test_danish_help_is_danish() -> None:
    """Every option's help has a Danish text (the catalogue's), not the English left over."""
    english = {
        (command, param["name"]): param["help"]
        for command, page in _pages("en").items()
        for param in page["params"]
    }
    same = [
        f"{command} {name}"
        for command, page in _pages("da").items()
        for param in page["params"]
        if (name := param["name"]) != "help"
        and param["help"] == english[(command, name)]
        and not _is_code_list(param["help"])
    ]
    assert same == []


def _is_code_list(text: str) -> bool:
    """Help that is only codes and punctuation reads the same in both languages."""
    return re.fullmatch(r"[a-z_, ]+", text) is not None


def _wrong(lang: str, *args: str) -> str:
    """``caseload ARGS`` that Typer refuses: exit code 2, what it says (both streams)."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "PY_COLORS")}
    env["CASELOAD_LANG"] = lang
    env["COLUMNS"] = "200"
    source = str(Path(caseload.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-m", "caseload.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    return " ".join((done.stdout + done.stderr).split())


WRONG = (
    (
        ("statu",),
        "No such command 'statu'. Did you mean 'status'?",
        "Kommandoen 'statu' findes ikke. Mente du 'status'?",
    ),
    (
        ("status", "--dry"),
        "No such option: --dry (Possible options: --db)",
        "Tilvalget findes ikke: --dry (Mulige tilvalg: --db)",
    ),
    (("timeliness", "--from", "2019-01-01"), "Missing option '--to'.", "Tilvalget '--to' mangler."),
    (("import",), "Missing argument 'TABLE'.", "Argumentet 'TABEL' mangler."),
    (
        ("overdue", "--within", "x"),
        "Invalid value for '--within': not a whole number",
        "Ugyldig værdi for '--within': ikke et helt tal",
    ),
    (
        ("evaluate", "--alpha", "0,05"),
        "not a number (write decimals with a dot, e.g. 0.05)",
        "ikke et tal (skriv decimaler med punktum, fx 0.05)",
    ),
    (
        ("rebalance", "--department", "JI6", "--cap", "0"),
        "Invalid value for '--cap': at least 1",
        "Ugyldig værdi for '--cap': mindst 1",
    ),
)
"""A wrong command line and what Typer says about it, in English and in Danish."""


@pytest.mark.parametrize(("args", "english", "danish"), WRONG)
def test_typers_own_words_follow_the_language(
    args: tuple[str, ...], english: str, danish: str
) -> None:
    said = _wrong("en", *args)
    assert english in said
    assert "Usage: " in said and "Error" in said and "for help." in said
    said = _wrong("da", *args)
    assert danish in said
    assert "Brug: " in said and "Fejl" in said and "for at få hjælp." in said
    assert "Usage" not in said and "Error" not in said
    assert "[TILVALG]" in said and "[OPTIONS]" not in said
