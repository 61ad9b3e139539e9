"""The small national register the tests share: 3 job centres (København, Aarhus, Aalborg),
about 3,000 citizens, the trial in the 2 largest (so one centre runs none)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from caseload.register.dataset import load_dataset
from caseload.synth import national

CENTRES = 3
CITIZENS = 3_000
TRIAL_CENTRES = 2
SEED = 2018


def generate(folder: Path, seed: int = SEED) -> national.National:
    return national.generate(folder, CENTRES, CITIZENS, TRIAL_CENTRES, seed)


def national_register(engine: Engine, folder: Path) -> None:
    """A register_copy fill: the national register generated into ``folder`` and loaded."""
    generate(folder / "dataset")
    load_dataset(engine, folder / "dataset")
