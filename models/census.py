"""Counts of a whole population: no sample, so no sampling error and no interval.

A roadmap milestone ("20 champions trained by month 3") or an audit of every certificate is
a count of everyone, not an estimate from some: the result says so and carries no interval.
"""

from __future__ import annotations

import math

import pandas as pd

from models.checks import require_columns
from models.results import Result, Term

CENSUS_METHOD = "census: every case counted, no sampling error"


def value(frame: pd.DataFrame, *, value: str, denominator: str | None = "denominator") -> Result:
    """The one row's ``value`` (a count, or a share of ``denominator`` when the frame has
    that column).

    Example
    -------
    >>> value(pd.DataFrame({"value": [20.0]}), value="value").estimate
    20.0
    """
    require_columns(frame, {"value": [value]})
    if len(frame) > 1:
        raise ValueError(f"value: expected one row, got {len(frame)}")
    if frame.empty or pd.isna(frame[value].iloc[0]):
        return Result(CENSUS_METHOD, f"{value}", 0, (Term("value", math.nan),), headline="value")
    number = float(frame[value].iloc[0])
    base = None
    if denominator and denominator in frame.columns and pd.notna(frame[denominator].iloc[0]):
        base = int(frame[denominator].iloc[0])
    n = base if base is not None else int(round(number))
    return Result(CENSUS_METHOD, f"{value}", n, (Term("value", number),), headline="value")


def share(frame: pd.DataFrame, *, outcome: str) -> Result:
    """The share of rows whose ``outcome`` is true, counted over every row.

    Example
    -------
    >>> share(pd.DataFrame({"ok": [True, True, False, True]}), outcome="ok").estimate
    0.75
    """
    require_columns(frame, {"outcome": [outcome]})
    values = frame[outcome]
    missing = int(values.isna().sum())
    if missing:
        raise ValueError(f"outcome: {missing} rows have no {outcome}; a census counts every row")
    n = len(values)
    estimate = float(values.astype(bool).mean()) if n else math.nan
    return Result(
        CENSUS_METHOD,
        f"share with {outcome}",
        n,
        (Term("share", estimate, extra=(("count", int(values.astype(bool).sum())),)),),
        headline="share",
    )
