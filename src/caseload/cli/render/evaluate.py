"""Binary results from totals, a per-unit analysis, and the evaluate command's stages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table

if TYPE_CHECKING:  # the estimators import SciPy: loaded when a command runs
    from caseload.evaluate.binary import BinaryResult

_HEADERS = {
    "en": ("Outcome", "Trial", "Control", "Difference (95 % CI)", "Risk ratio", "p", "Holm p"),
    "da": ("Udfald", "Forsøg", "Kontrol", "Forskel (95 % KI)", "Relativ risiko", "p", "Holm p"),
}
_WORDS = {
    "en": {
        "verdict": "Verdict",
        "significant": "significant",
        "of": "of",
        "none": "no effect found; could not find one below {mde}",
        "report": "Report",
        "cohort": "Building the cohort in the database…",
        "estimates": "Estimating effects, spells and competing exits…",
        "writing": "Writing the report…",
    },
    "da": {
        "verdict": "Konklusion",
        "significant": "signifikant",
        "of": "af",
        "none": "ingen effekt fundet; kunne ikke finde en under {mde}",
        "report": "Rapport",
        "cohort": "Danner kohorten i databasen…",
        "estimates": "Beregner effekter, forløb og konkurrerende afgange…",
        "writing": "Skriver rapporten…",
    },
}


def _pp(value: float) -> str:
    return f"{100 * value:+.1f} pp"


def verdict(result: BinaryResult, lang: str) -> str:
    words = _WORDS[lang]
    if result.significant:
        return words["significant"]
    return words["none"].format(mde=f"{100 * result.minimum_detectable_effect:.1f} pp")


def binary(results: list[BinaryResult], lang: str) -> Table:
    of = _WORDS[lang]["of"]
    out = Table()
    for header in _HEADERS[lang]:
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


def word(key: str, lang: str) -> str:
    """A word of the evaluate commands (the stages shown while the report is built …)."""
    return _WORDS[lang][key]


def analysis(data: dict[str, Any], lang: str) -> Table:
    """The outcomes of ``caseload analyze`` (its JSON form) as one table."""
    out = Table()
    for header in _ANALYZE_HEADERS[lang]:
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


_ANALYZE_HEADERS = {
    "en": ("Outcome", "Treated", "Control", "Difference (95 % CI)", "p", "Holm p", "Adjusted"),
    "da": ("Udfald", "Behandlet", "Kontrol", "Forskel (95 % KI)", "p", "Holm p", "Justeret"),
}
