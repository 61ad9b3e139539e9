"""Files as Danish offices have them, for every import table: UTF-8 with and without a
byte-order mark, Danish Excel's semicolon CSV in Windows-1252 (told in one line), Excel's
tab-separated "Unicode text" in UTF-16, and --encoding; read back exactly as the original."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from caseload.i18n import Message
from caseload.register import catalogue, readers
from caseload.register.problems import ImportRejected
from tests.conftest import EXAMPLES

TABLES = [spec.name for spec in catalogue.SPECS]


def _rows(table: str) -> list[list[str]]:
    with (EXAMPLES / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _as(rows: list[list[str]], separator: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


KINDS = {
    # the bytes a text becomes in each kind of file
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8 with BOM": lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    "windows-1252": lambda text: text.encode("cp1252"),
    "utf-16 with BOM": lambda text: text.encode("utf-16"),
}
SEPARATORS = {"utf-8": ",", "utf-8 with BOM": ",", "windows-1252": ";", "utf-16 with BOM": "\t"}


def test_every_table_has_an_example() -> None:
    assert all((EXAMPLES / f"{table}.csv").exists() for table in TABLES)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("table", TABLES)
def test_every_table_reads_the_same_in_every_encoding(
    table: str, kind: str, tmp_path: Path
) -> None:
    rows = _rows(table)
    path = tmp_path / f"{table}.csv"
    path.write_bytes(KINDS[kind](_as(rows, SEPARATORS[kind])))
    notes: list[Message] = []
    frame = readers.read(path, notes=notes)
    original = readers.read(EXAMPLES / f"{table}.csv")
    assert frame.drop(readers.ROW).rows() == original.drop(readers.ROW).rows()
    assert frame.columns == original.columns
    assert not any("\ufffd" in str(v) for row in frame.rows() for v in row)
    if kind == "windows-1252" and any(ord(c) > 127 for row in rows for c in "".join(row)):
        assert [note.msgid.split(":")[0] for note in notes] == ["{file} is not UTF-8"]
    else:
        assert notes == []


def test_norrebro_in_danish_excels_csv_is_not_mangled(tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_bytes("staff_id;name;district\nKS-1;Søren Ærø;Nørrebro\n".encode("cp1252"))
    frame = readers.read(path)
    assert frame.select("name", "district").rows() == [("Søren Ærø", "Nørrebro")]


def test_encoding_given_overrides_the_guess(tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_bytes("staff_id,district\nKS-1,Nørrebro\n".encode("latin-1"))
    assert readers.read(path, "latin-1").get_column("district").to_list() == ["Nørrebro"]
    with pytest.raises(ImportRejected) as caught:
        readers.read(path, "utf-8")
    assert "line 2 cannot be read as utf-8" in caught.value.problems[0].reason
    with pytest.raises(ImportRejected) as unknown:
        readers.read(path, "klingon")
    assert "unknown encoding" in unknown.value.problems[0].reason


def test_bytes_no_encoding_can_read_are_refused_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_bytes(b"staff_id,district\nKS-1,N\x81rrebro\n")  # 0x81: not in Windows-1252
    with pytest.raises(ImportRejected) as caught:
        readers.read(path)
    assert "line 2 cannot be read as cp1252" in caught.value.problems[0].reason


def test_an_empty_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_bytes(b"\xef\xbb\xbf \n")
    with pytest.raises(ImportRejected) as caught:
        readers.read(path)
    assert caught.value.problems[0].reason == "the file is empty"


def test_a_row_with_more_cells_than_the_header_is_named_in_words(tmp_path: Path) -> None:
    """Not the library's "Consider setting truncate_ragged_lines=True"."""
    path = tmp_path / "staff.csv"
    path.write_bytes(b"staff_id,name\nKS-1,Ann\nKS-2,Bo,extra,more\n")
    with pytest.raises(ImportRejected) as caught:
        readers.read(path)
    problem = caught.value.problems[0]
    assert (problem.row, problem.reason) == (
        3,
        "this row has 4 cells but the header names 2 columns",
    )
