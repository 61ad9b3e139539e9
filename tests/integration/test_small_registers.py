"""`caseload evaluate` on the registers job centres start with — hand-built, small and
uniform: one target group, everyone a long-term recipient, no meetings, no staff or
absence tables, no placements, an arm without a single event for a destination — each a
complete report (HTML, JSON, CSV) on SQLite and PostgreSQL, with what cannot be defined
said to be undefined instead of sinking the report."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tests.helpers import run

DESTINATIONS = ("job", "education", "resource_course", "flex_job", "disability_pension")


def _write(folder: Path, name: str, header: str, rows: list[str]) -> Path:
    path = folder / f"{name}.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _trial_files(folder: Path, n: int, with_staff: bool, exits: bool, seed: int) -> list[Path]:
    """A trial of ``n`` citizens, one target group, all on kontanthjælp since 2012 (long-term
    at the start); half of them leave to a job in the control arm only when ``exits``."""
    rng = random.Random(seed)
    arms = ["trial" if i % 2 else "control" for i in range(n)]
    files = [
        _write(
            folder,
            "trials",
            "trial_id,name,unit,start_date,end_date,outcome_end_date,scheme,seed,created_by",
            ["T1,Small,citizen,2018-01-01,2019-12-31,2020-04-30,complete,1,me"],
        )
    ]
    if with_staff:
        files += [
            _write(
                folder,
                "departments",
                "department_id,name,is_trial,role_model",
                ["D1,One department,false,all_apart"],
            ),
            _write(
                folder,
                "staff",
                "staff_id,name,department_id,fte,start_date",
                ["K1,Kim,D1,1,2017-01-01", "K2,Lea,D1,1,2017-01-01"],
            ),
            _write(
                folder,
                "roles",
                "staff_id,role,start_date",
                ["K1,coordinating_caseworker,2017-01-01", "K2,coordinating_caseworker,2017-01-01"],
            ),
        ]
    files.append(
        _write(
            folder,
            "citizens",
            "citizen_id,birth_date,sex,origin,target_group,public_benefit_since,kontanthjaelp_since",
            [
                f"C{i:03d},{1970 + i % 20}-03-0{1 + i % 8},"
                f"{rng.choice(['female', 'male'])},danish,activity_ready_30_plus,"
                "2010-01-01,2012-01-01"
                for i in range(n)
            ],
        )
    )
    if with_staff:
        files.append(
            _write(
                folder,
                "responsibilities",
                "citizen_id,staff_id,role,start_date,reason",
                [
                    f"C{i:03d},K{1 + i % 2},coordinating_caseworker,2017-06-01,intake"
                    for i in range(n)
                ],
            )
        )
    spells, after = [], []
    for i, arm in enumerate(arms):
        leaves = exits and arm == "control" and i % 4 == 0
        spells.append(f"C{i:03d},kontanthjaelp,2012-01-01,{'2018-09-30' if leaves else ''}")
        if leaves:
            after.append(f"C{i:03d},job,2018-10-01,")
    files.append(_write(folder, "spells", "citizen_id,benefit,start_date,end_date", spells + after))
    files.append(
        _write(
            folder,
            "assignments",
            "trial_id,citizen_id,arm,probability,block,assigned_date",
            [f"T1,C{i:03d},{arm},0.5,,2018-01-01" for i, arm in enumerate(arms)],
        )
    )
    return files


@pytest.mark.parametrize(
    ("shape", "with_staff", "exits"),
    [
        ("no staff, no meetings, no exits at all", False, False),
        ("one department, no meetings, jobs only in the control arm", True, True),
    ],
)
def test_a_small_uniform_register_gets_a_complete_report(
    migrated_url: str, tmp_path: Path, shape: str, with_staff: bool, exits: bool
) -> None:
    db = ("--db", migrated_url)
    for path in _trial_files(tmp_path, 40, with_staff, exits, seed=len(shape)):
        done = run("import", path.stem, str(path), *db)
        assert done.exit_code == 0, (path.stem, done.output)
    out = tmp_path / "report"
    result = run("evaluate", *db, "--trial", "T1", "--out", str(out))
    assert result.exit_code == 0, (shape, result.output)
    data = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))
    assert data["design"], shape
    # everyone long-term and of Danish origin: no standardised difference, said so
    undefined = {(u["table"], u["row"], u["field"]) for u in data["undefined"]}
    assert ("balance", "danish_origin", "smd") in undefined
    assert ("balance", "kontanthjaelp_3_years_or_more", "smd") in undefined
    assert all(u["reason"] for u in data["undefined"])
    balance = {row["trait"]: row for row in data["balance"]}
    assert balance["danish_origin"]["smd"] is None
    exits_found = {row["name"]: row for row in data["exits"]}
    assert set(DESTINATIONS) <= set(exits_found)
    if exits:
        assert (
            exits_found["job"]["control_events"] == 10 and exits_found["job"]["trial_events"] == 0
        )
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "nan" not in html.lower().split("<style")[0] and "inf" not in html.split()
    assert (out / "undefined.csv").exists() and (out / "balance.csv").exists()
