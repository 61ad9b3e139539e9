"""Commands of the evaluate face."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from caseload.cli.common import EXIT_INPUT, LangOption, console, errors, lang_of
from caseload.trial import counts
from caseload.trial.binary import BinaryResult

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
    },
    "da": {
        "verdict": "Konklusion",
        "significant": "signifikant",
        "of": "af",
        "none": "ingen effekt fundet; kunne ikke finde en under {mde}",
    },
}


def _pp(value: float) -> str:
    return f"{100 * value:+.1f} pp"


def verdict(result: BinaryResult, lang: str) -> str:
    words = _WORDS[lang]
    if result.significant:
        return words["significant"]
    return words["none"].format(mde=f"{100 * result.minimum_detectable_effect:.1f} pp")


def table(results: list[BinaryResult], lang: str) -> Table:
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


def analyze_counts(
    file: Annotated[Path, typer.Argument(help="JSON with arm sizes and events per outcome")],
    json_out: Annotated[Path | None, typer.Option("--json", help="Write results here")] = None,
    lang: LangOption = "",
) -> None:
    """Binary outcomes from published totals: rates, differences, tests, power."""
    language = lang_of(lang)
    try:
        results = counts.load(file)
    except counts.CountsError as error:
        errors.print(f"[red]{error}[/red]", markup=True)
        raise typer.Exit(EXIT_INPUT) from None
    console.print(table(results, language))
    console.print(f"{_WORDS[language]['verdict']}:")
    for r in results:
        console.print(f"  {r.name}: {verdict(r, language)}")
    if json_out:
        json_out.write_text(json.dumps([counts.to_json(r) for r in results], indent=2))
