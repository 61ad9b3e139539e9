"""Binary results from totals, a per-unit analysis, and the evaluate command's stages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table

from caseload.i18n import N_, translator

if TYPE_CHECKING:  # the estimators import SciPy: loaded when a command runs
    from caseload.evaluate.binary import BinaryResult

STAGES: dict[str, str] = {
    "cohort": N_("Building the cohort in the database…"),
    "estimates": N_("Estimating effects, spells and competing exits…"),
    "writing": N_("Writing the report…"),
}
"""What the evaluate command shows while it works, by stage (msgids)."""


def _pp(value: float) -> str:
    return f"{100 * value:+.1f} pp"


def verdict(result: BinaryResult, lang: str) -> str:
    _ = translator(lang).gettext
    if result.significant:
        return _("significant")
    mde = f"{100 * result.minimum_detectable_effect:.1f} pp"
    return _("no effect found; could not find one below {mde}", mde=mde)


def binary(results: list[BinaryResult], lang: str) -> Table:
    _ = translator(lang).gettext
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
        ratio = f"{r.risk_ratio:.2f}" if r.risk_ratio is not None else "-"
        out.add_row(
            r.name,
            f"{100 * r.treated.rate:.1f} % {of} {r.treated.n}",
            f"{100 * r.control.rate:.1f} % {of} {r.control.n}",
            f"{_pp(r.difference)} ({100 * r.ci[0]:+.1f}; {100 * r.ci[1]:+.1f})",
            ratio,
            f"{r.p_value:.3g}" + (" (Fisher)" if r.test == "fisher" else ""),
            f"{r.p_value_holm:.3g}" if r.p_value_holm is not None else "-",
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
    for row in data["outcomes"]:
        if row["kind"] == "time_to_event":
            effect = f"HR {row['hazard_ratio']:.2f} ({row['ci'][0]:.2f}; {row['ci'][1]:.2f})"
            adjusted = f"HR {row['adjusted']['hazard_ratio']:.2f}" if "adjusted" in row else "-"
            out.add_row(row["name"], "-", "-", effect, f"{row['p_value']:.3g}", "-", adjusted)
            continue
        key = "rate" if row["kind"] == "binary" else "mean"
        scale = 100 if key == "rate" else 1
        unit = " %" if key == "rate" else ""
        out.add_row(
            row["name"],
            f"{scale * row['treated'][key]:.2f}{unit}",
            f"{scale * row['control'][key]:.2f}{unit}",
            f"{scale * row['difference']:+.2f} ({scale * row['ci'][0]:+.2f}; "
            f"{scale * row['ci'][1]:+.2f})",
            f"{row['p_value']:.3g}",
            f"{row['p_value_holm']:.3g}",
            f"{scale * row['adjusted']['difference']:+.2f}" if "adjusted" in row else "-",
        )
    return out
