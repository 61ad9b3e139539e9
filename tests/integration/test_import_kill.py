"""Imports under kill -9: all rows or none, a sound database, and the same file imports again.

A few kills per backend (benchmarks/kill_imports.py runs the same probe a hundred times and
more; docs/reliability.md has its figures): ``caseload import meetings`` runs as a real child
process and is SIGKILLed at a seeded random moment: from its start, or from its write's.
"""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import Engine

from tests import kill_probe

KILLS = 5
ROWS = 10_000
SEED = 2026


def test_a_killed_import_writes_all_rows_or_none(
    migrated_url: str, engine: Engine, tmp_path: Path
) -> None:
    kill_probe.prepare(engine)
    span = kill_probe.calibrate(migrated_url, engine, tmp_path, ROWS, SEED)
    rng = random.Random(SEED)
    outcomes = []
    for run in range(1, KILLS + 1):
        delay, from_write = kill_probe.kill_moment(rng, span)
        outcome = kill_probe.probe(
            migrated_url, engine, tmp_path, run, delay, ROWS, SEED, run % 2 == 0, from_write
        )
        since = "the write started" if from_write else "the start"
        said = f"run {run}, killed {delay:.2f} s after {since} ({outcome.kill.phase})"
        assert outcome.written in ("none", "all"), f"{said}: {outcome.after - outcome.before}"
        if not outcome.kill.mid_import:
            assert outcome.written == "all", said
        assert outcome.integrity == "ok", said
        assert outcome.lingering == 0, said
        assert outcome.reimport_error == "", said
        assert outcome.reimport is not None
        expected = (ROWS, 0, 0) if outcome.written == "none" else (0, 0, ROWS)
        result = outcome.reimport
        assert (result.inserted, result.updated, result.unchanged) == expected, said
        assert outcome.final == outcome.before + ROWS, said
        outcomes.append(outcome)
    # the delays fall inside an uninterrupted import's span: most kills land mid-import
    assert sum(o.kill.mid_import for o in outcomes) >= 2
    assert kill_probe.count(engine) == outcomes[-1].final
