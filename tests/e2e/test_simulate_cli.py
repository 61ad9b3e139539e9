"""`caseload simulate` end to end: English and Danish, the JSON fields, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run

SMALL = ("--citizens", "1000", "--reps", "20", "--workers", "1")


def test_simulate_in_english_writes_json_csv_and_figures(tmp_path: Path) -> None:
    out, csv, fig_r, fig_m = (tmp_path / n for n in ("o.json", "o.csv", "r.svg", "m.svg"))
    result = run(
        "simulate",
        *SMALL,
        "--lang",
        "en",
        "--json",
        str(out),
        "--csv",
        str(csv),
        "--plot-response",
        str(fig_r),
        "--plot-money",
        str(fig_m),
    )
    assert result.exit_code == 0, result.output
    assert "Microsimulation: 1,000 citizens" in result.output
    assert "as in Copenhagen" in result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["settings"]["policies"] == ["130", "50", "35"]
    assert data["settings"]["shapes"] == ["none", "weak", "copenhagen", "strong"]
    assert len(data["results"]) == 12
    row = data["results"][0]
    for field in ("exits", "exits_job", "months", "fte", "staff_cost", "transfer_cost", "net"):
        assert set(row[field]) == {"mean", "p2_5", "p50", "p97_5"}
        assert row[field]["p2_5"] <= row[field]["p50"] <= row[field]["p97_5"]
    assert row["net"]["mean"] == 0  # the reference against itself
    assert data["calibration"]["source"].startswith("trial CPH-2018")
    assert csv.read_text(encoding="utf-8").startswith("shape,policy,caseload")
    for fig in (fig_r, fig_m):
        assert fig.read_text(encoding="utf-8").lstrip().startswith("<svg")


def test_simulate_in_danish() -> None:
    result = run("simulate", *SMALL, "--lang", "da", "--shapes", "none,copenhagen")
    assert result.exit_code == 0, result.output
    assert "1.000" in result.output


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("--policies", "130,fifty"), "--policies"),
        (("--policies", "0"), "--policies"),
        (("--shapes", "medium"), "--shapes"),
        (("--reps", "0"), "--reps"),
        (("--displacement", "2"), "--displacement"),
        (("--trial", "X"), "--db"),
        (("--from", "2018-13-01", "--db", "nowhere.sqlite"), "--from"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(args: tuple[str, ...], option: str) -> None:
    result = run("simulate", *SMALL, "--lang", "en", *args)
    assert result.exit_code == 2, result.output
    assert option in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
