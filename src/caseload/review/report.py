"""A case review's report: HTML (with its figure), JSON and CSV, in Danish or English.

``review.html`` says what was drawn and how, the scores per group with intervals and tests,
the agreement per item with the flagged items in plain words, the scores beside the
register's indicators, and the blinding index; ``review.json`` holds the same numbers;
``cases.csv`` one row per case (its label, group, scores and indicators: no citizen) and
``items.csv`` one row per item and group.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import Any

import jinja2
import polars as pl

from caseload.charts import caption
from caseload.domain.labels import label
from caseload.i18n import N_, Translator, template_globals, translator
from caseload.review import figures
from caseload.review import indicators as measured
from caseload.review.results import OVERALL, Results

LEVELS = {
    "reliable": N_("reliable: alpha {alpha} is at least 0.800"),
    "tentative": N_(
        "tentative at best: alpha {alpha} is below 0.800; fit for tentative conclusions only"
    ),
    "unreliable": N_("not reliable: alpha {alpha} is below 0.667; do not use the item's scores"),
    "undefined": N_("cannot be judged: every rating is the same, so alpha is undefined"),
}
BY = {"arm": N_("arm"), "department": N_("department"), "caseworker": N_("caseworker")}
TESTS = {
    "welch": N_("Welch's t test"),
    "anova": N_("one-way analysis of variance"),
    "none": N_("no test: fewer than two cases in a group"),
}


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def group_name(results: Results, group: str, tr: Translator) -> str:
    if results.review.stratify_by == "arm":
        return tr.gettext("trial arm") if group == "trial" else tr.gettext("control arm")
    return group


def item_name(results: Results, item: str, lang: str) -> str:
    if item == OVERALL:
        return translator(lang).gettext("overall")
    return results.review.rubric.item(item).title_in(lang)


def level_words(level: str, alpha: float, tr: Translator) -> str:
    return tr.gettext(LEVELS[level], alpha=tr.decimal(alpha, 3) if math.isfinite(alpha) else "–")


def to_json(results: Results) -> dict[str, Any]:
    rv = results.review
    shaped: dict[str, Any] = _finite(
        {
            "review": rv.code,
            "design": {
                "as_of": rv.as_of.isoformat(),
                "window_start": rv.window_start.isoformat(),
                "stratify_by": rv.stratify_by,
                "per_stratum": rv.per_stratum,
                "seed": rv.seed,
                "reviewers_per_case": rv.reviewers_per_case,
                "items": list(rv.rubric.keys),
                "scale": list(rv.rubric.scale),
            },
            "cases": results.cases,
            "cases_rated": results.rated,
            "ratings": results.ratings,
            "comparisons": [asdict(c) for c in results.comparisons],
            "agreement": [{**asdict(a), "flagged": a.flagged} for a in results.agreement],
            "correlations": [asdict(c) for c in results.correlations],
            "blinding": {
                arm: {
                    "index": b.index,
                    "ci_low": b.ci_low,
                    "ci_high": b.ci_high,
                    "guesses": asdict(b.guesses),
                }
                for arm, b in results.blinding.items()
            },
        }
    )
    return shaped


def _figure(results: Results, lang: str) -> str:
    tr = translator(lang)
    rubric = results.review.rubric
    groups = [g.group for g in results.comparisons[0].groups] if results.comparisons else []
    words = caption(
        lang,
        tr.gettext("Mean score per item (95 % CI)"),
        tr.gettext("case review {code}", code=results.review.code),
        period=(results.review.window_start, results.review.as_of),
    )
    return figures.means(
        results.comparisons,
        [item_name(results, c.item, lang) for c in results.comparisons],
        [group_name(results, g, tr) for g in groups],
        (rubric.lowest, rubric.highest),
        tr.gettext("score ({low} to {high})", low=rubric.lowest, high=rubric.highest),
        words,
    )


def _environment(lang: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("caseload.review", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    env.globals.update(template_globals(translator(lang)))
    env.globals["label"] = lambda code: label(code, lang)
    return env


def _values(results: Results, lang: str) -> dict[str, Any]:
    tr = translator(lang)
    return {
        "r": results,
        "lang": lang,
        "by_name": tr.gettext(BY[results.review.stratify_by]),
        "figure": _figure(results, lang) if results.rated else "",
        "group_name": lambda g: group_name(results, g, tr),
        "item_name": lambda i: item_name(results, i, lang),
        "level_words": lambda a: level_words(a.level, a.alpha, tr),
        "test_name": lambda t: tr.gettext(TESTS[t]),
        "indicator_name": lambda n: tr.gettext(measured.LABELS[n]),
        "indicators": measured.INDICATORS,
        "isfinite": lambda v: v is not None and math.isfinite(v),
    }


def render(results: Results, lang: str) -> str:
    """The whole page (what ``caseload review report`` writes)."""
    return _environment(lang).get_template("review.html.j2").render(_values(results, lang))


def section(results: Results, lang: str) -> str:
    """The results alone (the web app's page shows them in its own frame)."""
    found = _environment(lang).get_template("review.html.j2")
    return "".join(found.blocks["review"](found.new_context(_values(results, lang))))


def items_frame(results: Results) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "item": c.item,
                "group": g.group,
                "cases": g.cases,
                "mean": g.mean,
                "ci_low": g.ci_low,
                "ci_high": g.ci_high,
                "test": c.test,
                "p_value": c.p_value,
                "difference": c.difference,
                "diff_low": c.diff_low,
                "diff_high": c.diff_high,
            }
            for c in results.comparisons
            for g in c.groups
        ]
    )


def files(results: Results, lang: str) -> dict[str, str]:
    """The report's files, name → text (the command writes them)."""
    return {
        "review.html": render(results, lang),
        "review.json": json.dumps(to_json(results), indent=2, ensure_ascii=False) + "\n",
        "cases.csv": results.per_case.write_csv(),
        "items.csv": items_frame(results).write_csv(),
    }
