"""The figures the command line writes (``--plot``) stand alone, on both backends: the
rebalance figure draws before, plan and greedy in panels of their own and states on the
figure how many citizens were not placed and how many full-time professionals are missing;
the status and timeliness figures carry their title, axes, day or period and source."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select

from caseload.operate import allocation
from caseload.store import schema as s
from caseload.store.database import reader
from tests.helpers import run
from tests.integration.test_allocation import DAY, add_caseworker, add_department

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    return ["".join(t.itertext()).strip() for t in ET.fromstring(svg).iter(f"{SVG}text")]


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def crowded(engine: Engine) -> Engine:
    """D1 (cap 30): K1 holds 40 citizens, K2 35; at the cap there is room for 60 of 75."""
    with engine.begin() as conn:
        dept = add_department(conn, "D1", cap=30)
        add_caseworker(conn, dept, "K1", 40)
        add_caseworker(conn, dept, "K2", 35)
        # the register records the day asked about (a report beyond its last day is refused)
        first = conn.execute(select(func.min(s.citizen.c.id))).scalar_one()
        conn.execute(
            insert(s.benefit_spell).values(
                citizen_id=first, benefit="kontanthjaelp", start_date=DAY
            )
        )
    return engine


WORDS = {
    "en": (
        "Rebalancing D1: load per professional against the cap",
        "Day: 3 Jun 2024",
        "Source: caseload register, D1, coordinating caseworker, 3 Jun 2024",
        "Not placed under the caps: 15 citizen(s); 0.5 more full-time professional(s) "
        "needed at cap 30.",
        ("Before", "optimiser (min-cost flow)", "greedy baseline"),
        "15 citizen(s) not placed",
        ("Professional (staff code)", "Weighted load / cap (%)"),
    ),
    "da": (
        "Omfordeling i D1: belastning pr. medarbejder mod loftet",
        "Dag: 3. jun. 2024",
        "Kilde: caseload-registret, D1, koordinerende sagsbehandler, 3. jun. 2024",
        "Ikke placeret under lofterne: 15 borger(e); der mangler 0,5 fuldtidsmedarbejder(e) "
        "ved loft 30.",
        ("Før", "optimering (min-cost flow)", "grådig sammenligning"),
        "15 borger(e) ikke placeret",
        ("Medarbejder (medarbejderkode)", "Vægtet belastning / loft (%)"),
    ),
}


@pytest.mark.parametrize("lang", ["en", "da"])
def test_the_rebalance_figure_states_who_was_not_placed_and_the_staff_missing(
    crowded: Engine, tmp_path: Path, lang: str
) -> None:
    with reader(crowded).connect() as conn:
        summary = allocation.rebalance(conn, "D1", DAY).summary()
    assert summary["plan"]["unplaced"] == 15 == summary["greedy_baseline"]["unplaced"]
    assert summary["missing_fte"] == 0.5
    figure = tmp_path / "rebalance.svg"
    result = run(
        "rebalance",
        "--db",
        _url(crowded),
        "--department",
        "D1",
        "--as-of",
        DAY.isoformat(),
        "--dry-run",
        "--plot",
        str(figure),
        "--lang",
        lang,
    )
    assert result.exit_code == 0, result.output
    shown = texts(figure.read_text(encoding="utf-8"))
    title, day, source, note, panels, unplaced, axes = WORDS[lang]
    for text in (title, day, source, note, *panels, *axes):
        assert text in shown, (text, shown)
    # the plan's and the greedy baseline's panels each say who was left out; before, nobody
    assert shown.count(unplaced) == 2
    # a tick label per professional in each of the three panels
    assert shown.count("K1") == shown.count("K2") == 3


def test_the_status_figure_names_its_day_and_source(crowded: Engine, tmp_path: Path) -> None:
    figure = tmp_path / "status.svg"
    result = run(
        "status",
        "--db",
        _url(crowded),
        "--as-of",
        DAY.isoformat(),
        "--plot",
        str(figure),
        "--lang",
        "da",
    )
    assert result.exit_code == 0, result.output
    shown = texts(figure.read_text(encoding="utf-8"))
    for text in (
        "Vægtet sagsstamme pr. medarbejder, efter afdeling og rolle",
        "Dag: 3. jun. 2024",
        "Kilde: caseload-registret, alle afdelinger, 3. jun. 2024",
        "Vægtet belastning (borgere, vægtet)",
        "Afdeling og rolle",
    ):
        assert text in shown, (text, shown)
