"""The few distribution functions the estimators need, from scipy.special (scipy.stats
takes a second to import; these are the same functions underneath)."""

from __future__ import annotations

from typing import Any

from scipy import special


def norm_ppf(q: Any) -> Any:
    return special.ndtri(q)


def norm_sf(x: Any) -> Any:
    return special.ndtr(-x)


def t_sf(x: Any, df: Any) -> Any:
    return special.stdtr(df, -x)


def t_ppf(q: Any, df: Any) -> Any:
    return special.stdtrit(df, q)


def chi2_sf(x: Any, df: Any) -> Any:
    return special.chdtrc(df, x)
