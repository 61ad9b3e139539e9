"""The Danish catalogue is complete: every message the source uses (Python and templates,
as Babel extracts them) has a Danish translation with the same placeholders, and the
catalogue holds nothing the source no longer uses."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "caseload"
DANISH = PACKAGE / "locale" / "da" / "LC_MESSAGES" / "caseload.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "Message": None, "help_text": None}
"""Babel's keywords (_, gettext, ngettext, pgettext, N_ ...), caseload.i18n.Message and
caseload.cli.common.help_text, as `make messages` passes them (-k Message -k help_text)."""

Key = tuple[str | None, str]


def _fields(text: str) -> list[str]:
    """The placeholders a text fills (each once: a plural's forms are joined into one)."""
    return sorted({name for _, name, _, _ in string.Formatter().parse(text) if name})


def _source() -> dict[Key, list[str]]:
    """Every message in the source: (context, msgid) -> where it is used."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[Key, list[str]] = {}
    for file, line, message, _comments, context in extract_from_dir(
        str(PACKAGE), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        ids = (message,) if isinstance(message, str) else message
        for msgid in ids:
            if msgid:
                found.setdefault((context, msgid), []).append(f"{file}:{line}")
    return found


@pytest.fixture(scope="module")
def source() -> dict[Key, list[str]]:
    return _source()


@pytest.fixture(scope="module")
def danish() -> dict[Key, tuple[str, bool]]:
    with DANISH.open("rb") as handle:
        catalog = read_po(handle)
    out: dict[Key, tuple[str, bool]] = {}
    for m in catalog:
        if not m.id:
            continue
        ids = (m.id,) if isinstance(m.id, str) else m.id  # a plural: singular and plural
        string_ = m.string if isinstance(m.string, str) else " ".join(m.string)
        for msgid in ids:
            out[(m.context, msgid)] = (string_, m.fuzzy)
    return out


def test_the_source_has_messages(source: dict[Key, list[str]]) -> None:
    assert len(source) > 300
    assert (None, "Evaluation of {name}") in source  # a template
    assert (None, "social assistance (kontanthjælp)") in source  # an N_-marked label
    assert (None, "no citizen {code} in the register") in source  # a Message


def test_every_message_has_a_danish_translation(
    source: dict[Key, list[str]], danish: dict[Key, tuple[str, bool]]
) -> None:
    missing = [f"{key} ({where[0]})" for key, where in source.items() if key not in danish]
    empty = [str(key) for key, (text, _) in danish.items() if key in source and not text.strip()]
    fuzzy = [str(key) for key, (_, is_fuzzy) in danish.items() if is_fuzzy]
    assert not missing, "no Danish for:\n" + "\n".join(missing)
    assert not empty, "empty Danish for:\n" + "\n".join(empty)
    assert not fuzzy, "fuzzy (unchecked) Danish for:\n" + "\n".join(fuzzy)


def test_the_placeholders_match(danish: dict[Key, tuple[str, bool]]) -> None:
    wrong = [
        f"{key[1]!r} -> {text!r}"
        for key, (text, _) in danish.items()
        if _fields(key[1]) != _fields(text)
    ]
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_nothing_obsolete(
    source: dict[Key, list[str]], danish: dict[Key, tuple[str, bool]]
) -> None:
    obsolete = [str(key) for key in danish if key not in source]
    assert not obsolete, "no longer used by the source (run `make messages`):\n" + "\n".join(
        obsolete
    )


def test_the_catalogue_compiles_without_errors() -> None:
    """What `pybabel compile` checks (make's set-up step fails on any of it): e.g. a
    "90 % or" read as a %-format with an octal conversion, against "90 % eller"."""
    with DANISH.open("rb") as handle:
        catalog = read_po(handle)
    problems = [f"{m.id!r}: {errors}" for m, errors in catalog.check() if errors]
    assert not problems, "\n".join(problems)
