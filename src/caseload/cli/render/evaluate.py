"""Binary results from totals, a per-unit analysis, and the evaluate command's stages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table

from caseload.domain.labels import outcome_name
from caseload.i18n import N_, translator

if TYPE_CHECKING:  # the estimators import SciPy: loaded when a command runs
    from caseload.evaluate.binary import BinaryResult

STAGES: dict[str, str] = {
    "cohort": N_("Building the cohort in the database…"),
    "estimates": N_("Estimating effects, spells and competing exits…"),
    "writing": N_("Writing the report…"),
}
"""What the evaluate command shows while it works, by stage (msgids)."""


def verdict(result: BinaryResult, lang: str) -> str:
    tr = translator(lang)
    if result.significant:
        return tr.gettext("significant")
    mde = tr.pp(result.minimum_detectable_effect, sign=False)
    return tr.gettext("no effect found; could not find one below {mde}", mde=mde)


def binary(results: list[BinaryResult], lang: str) -> Table:
    tr = translator(lang)
    _ = tr.gettext
    of = _("of")
    out = Table()
    for header in (
        _("Outcome"),
        _("Trial"),
        _("Control"),
        _("Difference (95 % CI)"),
        _("Risk ratio"),
        _("p"),
        _("Holm p"),
    ):
        out.add_column(header, no_wrap=True)
    for r in results:
        out.add_row(
            outcome_name(r.name, lang),
            f"{tr.share(r.treated.rate)} {of} {tr.count(r.treated.n)}",
            f"{tr.share(r.control.rate)} {of} {tr.count(r.control.n)}",
            f"{tr.pp(r.difference)} "
            + tr.interval(tr.signed(100 * r.ci[0]), tr.signed(100 * r.ci[1])),
            tr.decimal(r.risk_ratio, 2),
            tr.pvalue(r.p_value) + (" (Fisher)" if r.test == "fisher" else ""),
            tr.pvalue(r.p_value_holm),
        )
    return out


def stage(name: str, lang: str) -> str:
    """What the evaluate command is doing, in the reader's language."""
    return translator(lang).gettext(STAGES[name]) if name in STAGES else name


def analysis(data: dict[str, Any], lang: str) -> Table:
    """The outcomes of ``caseload analyze`` (its JSON form) as one table."""
    _ = translator(lang).gettext
    out = Table()
    for header in (
        _("Outcome"),
        _("Treated"),
        _("Control"),
        _("Difference (95 % CI)"),
        _("p"),
        _("Holm p"),
        _("Adjusted"),
    ):
        out.add_column(header)
    tr = translator(lang)
    for row in data["outcomes"]:
        name = outcome_name(row["name"], lang)
        if row["kind"] == "time_to_event":
            effect = f"HR {tr.decimal(row['hazard_ratio'], 2)} " + tr.interval(
                tr.decimal(row["ci"][0], 2), tr.decimal(row["ci"][1], 2)
            )
            adjusted = (
                f"HR {tr.decimal(row['adjusted']['hazard_ratio'], 2)}" if "adjusted" in row else "–"
            )
            out.add_row(name, "–", "–", effect, tr.pvalue(row["p_value"]), "–", adjusted)
            continue
        if row["kind"] == "binary":
            treated, control = tr.share(row["treated"]["rate"]), tr.share(row["control"]["rate"])
            difference = (
                tr.pp(row["difference"])
                + " "
                + tr.interval(tr.signed(100 * row["ci"][0]), tr.signed(100 * row["ci"][1]))
            )
            adjusted = tr.pp(row["adjusted"]["difference"]) if "adjusted" in row else "–"
        else:
            treated = tr.decimal(row["treated"]["mean"], 2)
            control = tr.decimal(row["control"]["mean"], 2)
            difference = (
                tr.signed(row["difference"], 2)
                + " "
                + tr.interval(tr.signed(row["ci"][0], 2), tr.signed(row["ci"][1], 2))
            )
            adjusted = tr.signed(row["adjusted"]["difference"], 2) if "adjusted" in row else "–"
        out.add_row(
            name,
            treated,
            control,
            difference,
            tr.pvalue(row["p_value"]),
            tr.pvalue(row["p_value_holm"]),
            adjusted,
        )
    return out


def errors_said(data: dict[str, Any], lang: str) -> list[str]:
    """Which errors the intervals and tests used, in words; with few clusters, that
    cluster-robust errors are unreliable, and the cluster permutation test of each outcome."""
    tr = translator(lang)
    _ = tr.gettext
    rows = [row for row in data["outcomes"] if "errors" in row]
    clustered = [row for row in rows if row["errors"]["kind"] == "cluster"]
    if not clustered:
        return [_("Standard errors treat the units as independent (no clusters given).")]
    clusters = clustered[0]["errors"]["clusters"]
    said = [
        _(
            "Every interval and test accounts for the {n} clusters: cluster-robust (CR1) errors "
            "for differences, the Wald test of the Cox model with cluster-robust errors for time "
            "to an event.",
            n=tr.count(clusters),
        )
    ]
    if not clustered[0]["errors"]["few_clusters"]:
        return said
    said.append(
        _(
            "With only {n} clusters (fewer than 20) cluster-robust errors are unreliable: they "
            "tend to be too small. A cluster permutation test, which deals the arms to whole "
            "clusters again, is given beside them:",
            n=tr.count(clusters),
        )
    )
    for row in clustered:
        errors = row["errors"]
        name = outcome_name(row["name"], lang)
        if errors["permutation"] is None:
            why = (
                _("  {outcome}: no permutation test, since an arm has no event", outcome=name)
                if errors["no_permutation"] == "an arm has no event"
                else _(
                    "  {outcome}: no permutation test, since the arm varies within clusters",
                    outcome=name,
                )
            )
            said.append(why)
            continue
        permutation = errors["permutation"]
        said.append(
            _(
                "  {outcome}: permutation {p} ({dealings} dealings, {how})",
                outcome=name,
                p=tr.p(permutation["p_value"]),
                dealings=tr.count(permutation["dealings"]),
                how=_("all of them") if permutation["exact"] else _("drawn at random"),
            )
        )
    return said
