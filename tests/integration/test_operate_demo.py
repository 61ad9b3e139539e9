"""The operate face on the demo job centre: overdue, sparring, timeliness per arm and a
rebalance, checked against direct counts and the synthetic truth."""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from caseload.cli.main import app
from caseload.operate import allocation, rhythm, sparring
from caseload.register.contacts import primary_contact
from caseload.store import schema as s
from caseload.store.database import reader
from caseload.synth import calibration as cal
from caseload.synth import jobcentre

DAY = date(2019, 3, 1)


def _db(demo: Engine) -> str:
    return str(demo.url.database)


def test_timeliness_per_arm_recovers_the_synthetic_truth(demo: Engine) -> None:
    """The generator holds each arm's meetings by the deadline with the published share
    (trial 90 %, control 82 %, Table 7): each arm's share lies within 4 binomial SE."""
    with reader(demo).connect() as conn:
        weeks = rhythm.timeliness(conn, cal.START, cal.TRIAL_END, "arm", jobcentre.TRIAL_CODE)
    totals = {
        g: (h, t)
        for g, h, t in weeks.group_by("group")
        .agg(pl.col("held").sum(), pl.col("timely").sum())
        .iter_rows()
    }
    targets = cal.arm_targets()
    for arm in ("trial", "control"):
        held, timely = totals[arm]
        p = targets[arm].timely
        assert abs(timely / held - p) < 4 * math.sqrt(p * (1 - p) / held), arm
    assert totals["trial"][1] / totals["trial"][0] > totals["control"][1] / totals["control"][0]
    # weekly rows add up to the totals, and each share is timely / held
    assert (weeks["timely"] / weeks["held"] - weeks["share"]).abs().max() == 0


def test_timeliness_cli_plots_both_arms(demo: Engine, tmp_path: Path) -> None:
    figure = tmp_path / "timely.svg"
    result = CliRunner().invoke(
        app,
        [
            "timeliness",
            "--db",
            _db(demo),
            "--from",
            "2018-01-01",
            "--to",
            "2019-12-31",
            "--by",
            "arm",
            "--trial",
            jobcentre.TRIAL_CODE,
            "--plot",
            str(figure),
        ],
    )
    assert result.exit_code == 0, result.output
    svg = figure.read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    for arm in ("trial", "control"):
        row = re.search(arm + r"\s+│\s+([\d,]+)\s+│\s+([\d,]+)\s+│\s+(\d+\.\d)%", result.output)
        assert row is not None, arm
        held, timely, share = int(row[1].replace(",", "")), int(row[2].replace(",", "")), row[3]
        assert share == f"{100 * timely / held:.1f}"
        assert f">{arm} ({share} %)<" in svg  # each line's label carries its overall share


def test_overdue_counts_add_up_to_the_due_dates(demo: Engine) -> None:
    with reader(demo).connect() as conn:
        rows, listed = rhythm.overdue(conn, DAY, 14)
        due = rhythm.due_frame(conn, DAY)
        on_caseload = conn.execute(
            select(func.count(func.distinct(s.responsibility.c.citizen_id))).where(
                s.responsibility.c.start_date <= DAY,
                (s.responsibility.c.end_date.is_(None)) | (s.responsibility.c.end_date >= DAY),
            )
        ).scalar_one()
    assert due.height == on_caseload
    assert sum(r.citizens for r in rows) == due.height
    assert sum(r.overdue for r in rows) == int((due["due"] < DAY).sum()) > 0
    soon = (due["due"] >= DAY) & (due["due"] <= date(2019, 3, 15))
    assert sum(r.due_soon for r in rows) == int(soon.sum()) > 0
    assert listed.height == int(((due["due"] <= date(2019, 3, 15)) | due["outreach"]).sum())
    # a meeting is overdue only if none was held after the last one + 3 months
    late = due.filter(pl.col("due") < DAY)
    assert late.filter(pl.col("last_held") >= DAY).height == 0


def test_sparring_has_a_page_per_citizen_of_the_caseworker(demo: Engine) -> None:
    staff = "JI6-KS-0001"
    with reader(demo).connect() as conn:
        pid = conn.execute(
            select(s.professional.c.id).where(s.professional.c.code == staff)
        ).scalar_one()
        pc = primary_contact(DAY)
        mine = set(
            conn.execute(select(pc.c.citizen_id).where(pc.c.professional_id == pid)).scalars()
        )
        codes = set(
            conn.execute(select(s.citizen.c.code).where(s.citizen.c.id.in_(mine))).scalars()
        )
        result = sparring.sheet(conn, staff, DAY)
        due = rhythm.due_frame(conn, DAY, pid)
        last_held = dict(
            conn.execute(
                select(s.citizen.c.code, func.max(s.meeting.c.held_date))
                .join(s.meeting, s.meeting.c.citizen_id == s.citizen.c.id)
                .where(
                    s.citizen.c.id.in_(mine),
                    s.meeting.c.status == "held",
                    s.meeting.c.held_date <= DAY,
                )
                .group_by(s.citizen.c.code)
            ).all()
        )
        code_of = dict(
            conn.execute(
                select(s.citizen.c.id, s.citizen.c.code).where(s.citizen.c.id.in_(mine))
            ).all()
        )
    assert len(result.pages) == len(mine) > 30
    assert {p.code for p in result.pages} == codes
    due_of = {code_of[r["citizen_id"]]: r["due"] for r in due.iter_rows(named=True)}
    for page in result.pages:
        assert page.due == due_of[page.code]
        assert page.last_contact == last_held.get(page.code)
        if page.last_contact:
            assert page.days_since_contact == (DAY - page.last_contact).days
        assert page.overdue_days == max(0, (DAY - page.due).days)  # type: ignore[operator]
    html = sparring.render(result, "da")
    assert html.count('<section class="page">') == len(mine)
    assert "Hvor er vi nu" in html and "Næste skridt" in html
    assert "Where are we now" in sparring.render(result, "en")


def test_sparring_cli_refuses_an_unknown_caseworker(demo: Engine, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            *("sparring", "--db", _db(demo), "--caseworker", "NOPE", "--as-of", "2019-03-01"),
            *("--out", str(tmp_path / "x.html")),
        ],
    )
    assert result.exit_code == 2
    assert "no professional 'NOPE'" in result.output
    assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize("cap", [50, 130])
def test_rebalance_dry_run_on_the_demo(demo: Engine, cap: int) -> None:
    """JI1 holds about 760 citizens with six caseworkers: at 50 there is room for 300 and
    the rest cannot be placed; at 130 nobody moves. The demo has no caseload rule, so a cap
    is a plain count (the 0.9 FTE caseworker carries the full cap too)."""
    with reader(demo).connect() as conn:
        result = allocation.rebalance(conn, "JI1", date(2019, 6, 1), cap=cap)
    summary = result.summary()
    capacity = sum(row["capacity"] for row in summary["loads"])
    assert summary["plan"]["over_cap"] == []
    assert capacity == 6 * cap
    if cap == 50:
        assert summary["plan"]["unplaced"] == summary["citizens"] - 300
        assert summary["plan"]["changes"] == 0  # nowhere to move anyone to
        assert summary["missing_fte"] == pytest.approx((summary["citizens"] - 300) / 50)
    else:
        assert summary["plan"]["changes"] == 0 and summary["plan"]["unplaced"] == 0
        assert summary["greedy_baseline"]["changes"] == 0


def test_rebalance_plots_the_caseload_distribution(demo: Engine, tmp_path: Path) -> None:
    """At 130, JI1's six caseworkers hold about 127 each: every share before (and after,
    nobody moves) is the caseworker's load / 130; the figure draws the three series with
    the cap, in Danish when asked."""
    with reader(demo).connect() as conn:
        result = allocation.rebalance(conn, "JI1", date(2019, 6, 1), cap=130)
    shares = result.load_shares()
    loads = {row["staff"]: row["before"] for row in result.summary()["loads"]}
    assert sorted(shares["before"]) == pytest.approx(sorted(v / 130 for v in loads.values()))
    assert shares["plan"] == shares["before"] == shares["greedy"]
    figure = tmp_path / "loads.svg"
    run = CliRunner().invoke(
        app,
        [
            "rebalance",
            "--db",
            _db(demo),
            "--department",
            "JI1",
            "--cap",
            "130",
            "--as-of",
            "2019-06-01",
            "--dry-run",
            "--plot",
            str(figure),
            "--lang",
            "da",
        ],
    )
    assert run.exit_code == 0, run.output
    svg = figure.read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    for text in (
        "Før",
        "optimering (min-cost flow)",
        "grådig sammenligning",
        "Loft",
        "Vægtet belastning / loft (%)",
    ):
        assert text in svg, text


def test_status_plots_a_dot_per_professional(demo: Engine, tmp_path: Path) -> None:
    """The caseload-distribution figure has a row per department and role and a point per
    professional there (their weighted load, the cap beside it), in Danish when asked."""
    from caseload.operate.status import load_points, status

    with reader(demo).connect() as conn:
        report = status(conn, date(2019, 6, 30))
    points = load_points(report)
    per_group: dict[tuple[str, bool, str], list[int]] = {}
    for c in report.caseloads:
        per_group.setdefault((c.department, c.is_trial, c.role), []).append(c.citizens)
    assert {k: len(v) for k, v in points.items()} == {k: len(v) for k, v in per_group.items()}
    # the demo has no caseload rule: the load is the count, the cap the cap in force
    ks6 = points[("JI6", True, "coordinating_caseworker")]
    assert sorted(load for load, _ in ks6) == sorted(
        per_group[("JI6", True, "coordinating_caseworker")]
    )
    assert {cap for _, cap in ks6} == {50.0}
    assert {cap for _, cap in points[("JI1", False, "coordinating_caseworker")]} == {130.0}
    figure = tmp_path / "caseloads.svg"
    run = CliRunner().invoke(
        app,
        [
            "status",
            "--db",
            _db(demo),
            "--as-of",
            "2019-06-30",
            "--plot",
            str(figure),
            "--lang",
            "da",
        ],
    )
    assert run.exit_code == 0, run.output
    svg = figure.read_text(encoding="utf-8")
    for text in (
        "JI6 (forsøg) koordinerende sagsbehandler",
        "JI1 virksomhedskonsulent",
        "Vægtet belastning",
        "Loft",
    ):
        assert text in svg, text
