"""Staff sick leave per department (Tables 8-9): short spells and long-term spells."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from caseload.synth import calibration as cal

SHORT_DAYS = (1, 3)
LONG_DAYS = (15, 35)
"""Spell lengths in working days, drawn uniformly (long spells exceed 14 calendar days)."""
_PERIODS = (
    (date(2018, 1, 1), date(2018, 12, 31), "2018-05-01"),
    (date(2019, 1, 1), cal.WINDOW_END, "2019-01-01"),
)


def _workdays_end(start: date, workdays: int) -> date:
    end = np.busday_offset(np.datetime64(start, "D"), workdays - 1, roll="forward")
    return date.fromisoformat(str(end))


def absence(staff: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Spells whose sick days per FTE match each department's published rates in expectation.

    ``staff``: code, department, fte, start_date, end_date.
    """
    names = {d.code: d.name for d in cal.departments()}
    rows: list[tuple[str, date, date, float, str]] = []
    for person in staff.iter_rows(named=True):
        rates = cal.sick_days(names[person["department"]])
        for first, last, period in _PERIODS:
            short_fte, long_fte, months = rates[period]
            begin = max(first, person["start_date"])
            end = min(last, person["end_date"] or last)
            if end <= begin:
                continue
            share = ((end - begin).days / 30.44) / months * person["fte"]
            span = (end - begin).days
            for term, per_fte, lengths in (
                ("short", short_fte, SHORT_DAYS),
                ("long", long_fte, LONG_DAYS),
            ):
                mean_length = (lengths[0] + lengths[1]) / 2
                for _ in range(rng.poisson(per_fte * share / mean_length)):
                    length = int(rng.integers(lengths[0], lengths[1] + 1))
                    day = begin + timedelta(days=int(rng.integers(0, span + 1)))
                    day = date.fromisoformat(
                        str(np.busday_offset(np.datetime64(day, "D"), 0, roll="forward"))
                    )
                    rows.append(
                        (person["code"], day, _workdays_end(day, length), float(length), term)
                    )
    frame = pl.DataFrame(
        rows,
        schema={
            "staff_id": pl.Utf8,
            "start_date": pl.Date,
            "end_date": pl.Date,
            "days": pl.Float64,
            "term": pl.Utf8,
        },
        orient="row",
    )
    # one spell per person and start day (the natural key): keep the first drawn
    return frame.unique(["staff_id", "start_date"], keep="first", maintain_order=True)
