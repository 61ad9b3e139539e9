"""What `caseload diagnose` prints: the design in words, the diagnosands beside their
analytic counterparts, how they were made, and the power curve of --plot."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from caseload.i18n import translator

if TYPE_CHECKING:  # the simulation imports SciPy: loaded when the command runs
    from caseload.plan.diagnose import Diagnosis


def heading(d: Diagnosis, lang: str) -> str:
    """The design and the simulation in one sentence."""
    tr = translator(lang)
    design = d.design
    said = tr.gettext(
        "Design diagnosis: {treated} trial and {control} control units, base rate {rate}, "
        "true effect {effect}; {sims} simulated trials (seed {seed}).",
        treated=tr.count(design.treated),
        control=tr.count(design.control),
        rate=tr.share(design.base_rate),
        effect=tr.pp(d.effect, 2),
        sims=tr.count(d.sims),
        seed=d.seed,
    )
    if design.cluster_size is not None:
        said += " " + tr.gettext(
            "Whole clusters of {size} units are randomised (intra-cluster correlation {icc}).",
            size=tr.count(design.cluster_size),
            icc=tr.decimal(design.icc, 3),
        )
    return said


def diagnosands(d: Diagnosis, lang: str) -> Table:
    """Each diagnosand, simulated and analytic (the normal approximation)."""
    from caseload.plan.diagnose import analytic_power, analytic_se

    tr = translator(lang)
    _ = tr.gettext
    out = Table()
    for header in (_("Diagnosand"), _("Simulated"), _("Analytic")):
        out.add_column(header, no_wrap=True)
    level = tr.percent(1 - d.alpha)
    dash = "–"
    out.add_row(
        _("Power"), tr.share(d.power), tr.share(analytic_power(d.design, d.effect, d.alpha))
    )
    out.add_row(_("Bias"), tr.pp(d.bias, 2), tr.pp(0.0, 2))
    out.add_row(
        _("RMSE"),
        tr.pp(d.rmse, 2, sign=False),
        tr.pp(analytic_se(d.design, d.effect), 2, sign=False),
    )
    out.add_row(
        _("Coverage of the {level} interval", level=level),
        tr.share(d.coverage),
        tr.share(1 - d.alpha),
    )
    out.add_row(
        _("Type-S error (significant with the wrong sign)"),
        dash if d.type_s is None else tr.share(d.type_s),
        dash,
    )
    out.add_row(_("Mean estimate"), tr.pp(d.mean_estimate, 2), tr.pp(d.effect, 2))
    out.add_row(
        _("Minimum detectable effect ({power} power)", power=tr.percent(d.target_power)),
        dash if d.mde is None else tr.pp(d.mde, 2, sign=False),
        dash if d.mde_analytic is None else tr.pp(d.mde_analytic, 2, sign=False),
    )
    return out


def notes(d: Diagnosis, lang: str) -> list[str]:
    """How the numbers were made, and why one is missing."""
    from caseload.evaluate.clustered import FEW_CLUSTERS

    tr = translator(lang)
    _ = tr.gettext
    said = [
        _(
            "Simulation error (one standard error): power ± {power}, coverage ± {coverage}.",
            power=tr.pp(d.power_se, 2, sign=False),
            coverage=tr.pp(d.coverage_se, 2, sign=False),
        )
    ]
    if d.design.cluster_size is None:
        said.append(
            _(
                "Each simulated trial is analysed as caseload analyses a trial: Newcombe's "
                "interval and the two-proportion z test (Fisher's exact test when an expected "
                "count is below 5)."
            )
        )
    else:
        said.append(
            _(
                "Each simulated trial is analysed as caseload analyses a cluster-randomised "
                "trial: a cluster-robust (CR1) interval and test. The analytic column inflates "
                "the variance by the design effect, {deff}.",
                deff=tr.decimal(d.design.design_effect, 2),
            )
        )
        if d.design.clusters < FEW_CLUSTERS:
            said.append(
                _(
                    "Only {n} clusters (fewer than {few}): cluster-robust errors are too small "
                    "with so few, so the simulated trials reject too often; the power and "
                    "coverage above show by how much.",
                    n=tr.count(d.design.clusters),
                    few=FEW_CLUSTERS,
                )
            )
    if d.type_s is None:
        said.append(
            _("Type-S error is undefined for a true effect of 0.")
            if d.effect == 0
            else _("Type-S error is undefined: no simulated trial was significant.")
        )
    tolerance = tr.pp(d.tolerance, 2, sign=False)
    target = tr.percent(d.target_power)
    if d.mde is None:
        said.append(
            _(
                "No effect the base rate allows reaches {power} power in this design.",
                power=target,
            )
        )
    elif d.direction == "increase":
        said.append(
            _(
                "Minimum detectable effect: the smallest increase at which {power} of the "
                "simulated trials are significant in its direction, found by bisection to "
                "within {tolerance} on the same simulated trials for every effect.",
                power=target,
                tolerance=tolerance,
            )
        )
    else:
        said.append(
            _(
                "Minimum detectable effect: the smallest decrease at which {power} of the "
                "simulated trials are significant in its direction, found by bisection to "
                "within {tolerance} on the same simulated trials for every effect.",
                power=target,
                tolerance=tolerance,
            )
        )
    return said


def curve_effects(d: Diagnosis, points: int) -> list[float]:
    """Effects for the power curve, from 0 in the direction of the diagnosis to half again
    the larger of the effect and the MDE (within what the base rate allows)."""
    sign = 1.0 if d.direction == "increase" else -1.0
    largest = 1 - d.design.base_rate if sign > 0 else d.design.base_rate
    reach = 1.5 * max(abs(d.effect), d.mde or 0.0, d.mde_analytic or 0.0)
    top = min(reach if reach > 0 else largest, largest)
    return [sign * top * k / (points - 1) for k in range(points)]


def power_figure(d: Diagnosis, curve: list[tuple[float, float]], lang: str) -> str:
    """The power curve (simulated points, the analytic line) as SVG text."""
    from caseload.charts import Caption
    from caseload.plan.diagnose import analytic_power
    from caseload.plan.figures import power_curve

    tr = translator(lang)
    _ = tr.gettext
    last = curve[-1][0] if curve else 0.0
    analytic = [
        (last * k / 100, analytic_power(d.design, last * k / 100, d.alpha)) for k in range(101)
    ]
    words = Caption(
        lang,
        _("Power against the true effect"),
        heading(d, lang),
        _("Simulation: {sims} trials per effect (seed {seed})", sims=tr.count(d.sims), seed=d.seed),
    )
    sign = 1.0 if d.direction == "increase" else -1.0
    labels = {
        "x": _("True effect (percentage points)"),
        "y": _("Power"),
        "simulated": _("Simulated"),
        "analytic": _("Analytic (normal approximation)"),
        "target": _("Target power {power}", power=tr.percent(d.target_power)),
        "mde": _("Simulated minimum detectable effect"),
    }
    mde = None if d.mde is None else sign * d.mde
    return power_curve(curve, analytic, d.target_power, mde, labels, words)
