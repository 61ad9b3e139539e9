"""Files a command writes: one clear line when the path cannot take them (a folder, a full
disk, no permission), a missing parent made, and row-level data kept to its owner."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.helpers import copy_register, run


@pytest.fixture
def db(tmp_path: Path, examples_register: Path) -> str:
    return copy_register(examples_register, tmp_path / "register.sqlite")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _one_line(output: str) -> str:
    """The refusal: the last line the command printed (after any tables), and no trace."""
    lines = [line for line in output.splitlines() if line.strip()]
    assert "Traceback" not in output and lines, output
    return lines[-1]


STATUS = ("status", "--as-of", "2019-06-30")


def test_json_into_a_folder_is_one_line(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    result = run(*STATUS, "--db", db, "--json", str(folder))
    assert result.exit_code == 2
    assert "is a folder: give a file name" in _one_line(result.output)
    assert list(folder.iterdir()) == []


def test_a_full_disk_is_one_line_and_leaves_nothing(db: str, tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("this system has no /dev/full to stand for a full disk")
    result = run(*STATUS, "--db", db, "--json", "/dev/full")
    assert result.exit_code == 2
    assert "No space left on device" in _one_line(result.output)


def test_no_permission_is_one_line(db: str, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        locked = Path("/proc/version")  # even root cannot write here
    else:
        folder = tmp_path / "locked"
        folder.mkdir(mode=0o500)
        locked = folder / "status.json"
    result = run(*STATUS, "--db", db, "--json", str(locked))
    assert result.exit_code == 2
    assert str(locked) in _one_line(result.output)


def test_a_missing_parent_is_made_for_the_owner_only(db: str, tmp_path: Path) -> None:
    target = tmp_path / "new" / "deeper" / "status.json"
    result = run(*STATUS, "--db", db, "--json", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("{")
    assert _mode(target) == 0o600
    assert _mode(target.parent) == 0o700 and _mode(target.parent.parent) == 0o700
    assert [p.name for p in target.parent.iterdir()] == ["status.json"]  # no temporary left


def test_an_export_folder_is_the_owners_only(db: str, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = run("export", "--db", db, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert _mode(out) == 0o700
    files = list(out.iterdir())
    assert files and all(_mode(f) == 0o600 for f in files)


def test_a_figure_is_readable_by_others(db: str, tmp_path: Path) -> None:
    plot = tmp_path / "figures" / "caseloads.svg"
    result = run(*STATUS, "--db", db, "--plot", str(plot))
    assert result.exit_code == 0, result.output
    assert "<svg" in plot.read_text(encoding="utf-8")
    assert _mode(plot) == 0o644


def test_a_rerun_replaces_its_own_file_but_not_an_unrelated_one(db: str, tmp_path: Path) -> None:
    target = tmp_path / "status.json"
    for _ in range(2):  # the command's own earlier output is replaced
        assert run(*STATUS, "--db", db, "--json", str(target)).exit_code == 0
    figure = tmp_path / "caseloads.svg"
    for _ in range(2):
        assert run(*STATUS, "--db", db, "--plot", str(figure)).exit_code == 0
    notes = tmp_path / "notes.json"
    notes.write_text('{"mine": "do not lose this"}', encoding="utf-8")
    refused = run(*STATUS, "--db", db, "--json", str(notes))
    assert refused.exit_code == 2
    assert "exists and is not this command's earlier output" in _one_line(refused.output)
    assert notes.read_text(encoding="utf-8") == '{"mine": "do not lose this"}'
    table = tmp_path / "overdue.csv"
    table.write_text("name,phone\nBo,12345678\n", encoding="utf-8")
    assert run("tables", "--csv", str(table)).exit_code == 2
    assert table.read_text(encoding="utf-8").startswith("name,phone")
    forced = run(*STATUS, "--db", db, "--json", str(notes), "--force")
    assert forced.exit_code == 0, forced.output
    assert '"as_of"' in notes.read_text(encoding="utf-8")


def test_a_report_folder_is_the_owners_only(
    tmp_path: Path, demo_build: tuple[Path, object]
) -> None:
    db = copy_register(demo_build[0], tmp_path / "demo.sqlite")
    out = tmp_path / "report"
    result = run("evaluate", "--db", db, "--trial", "CPH-2018", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert _mode(out) == 0o700
    assert all(_mode(f) == 0o600 for f in out.iterdir())
