"""Kaplan-Meier survival curves by group, their medians and the log-rank test."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test
from lifelines.utils import median_survival_times

from models.checks import check_alpha
from models.results import Result, Term
from models.retention.fitting import MIN_EVENTS_PER_TERM
from models.retention.inputs import (
    checked_durations,
    event_flags,
    require_frame_columns,
)


@dataclass(frozen=True)
class CurvePoint:
    """One step of a Kaplan-Meier curve: the share still waiting just after ``time``."""

    group: str | None
    time: float
    survival: float
    ci_lower: float
    ci_upper: float
    at_risk: int
    events: int
    censored: int


@dataclass(frozen=True)
class SurvivalCurves(Result):
    """A Kaplan-Meier result: the median terms, and the curves themselves for plotting."""

    curve: tuple[CurvePoint, ...] = ()

    def curve_frame(self) -> pd.DataFrame:
        """One row per group and time: group, time, survival, its interval, at risk, events."""
        columns = list(CurvePoint.__dataclass_fields__)
        return pd.DataFrame([vars(point) for point in self.curve], columns=columns)


def kaplan_meier(
    frame: pd.DataFrame,
    *,
    duration: str,
    event: str,
    group: str | None = None,
    alpha: float = 0.05,
) -> SurvivalCurves:
    """Kaplan-Meier survival curves, their median waits and, between groups, a log-rank test.

    Parameters
    ----------
    frame
        One row per person.
    duration
        Column of waits (non-negative numbers, all in one unit).
    event
        Column of 1 (the wait ended in the event) or 0 (censored), or booleans.
    group
        Column to split the curves by (a route, a cohort); None for one curve.
    alpha
        1 minus the intervals' confidence level.

    Returns
    -------
    SurvivalCurves
        Terms ``median`` (or ``median[<group>]`` per group, with ``n`` and ``events``
        extras) and, with a group, ``log_rank`` (the chi-square statistic, its p-value and
        ``degrees_of_freedom``). ``curve`` / ``curve_frame()`` hold the curves. A median the
        curve never reaches has no number, and a warning says so.

    Notes
    -----
    The median's interval is where the pointwise log(-log) ("exponential Greenwood") band
    of the curve crosses one half (Brookmeyer and Crowley 1982). Censoring must be
    unrelated to the wait (a teacher who leaves is no likelier to have been about to adopt).

    References
    ----------
    Kaplan and Meier (1958), JASA 53:457; Brookmeyer and Crowley (1982), Biometrics 38:29.

    Examples
    --------
    >>> waits = pd.DataFrame({"days": [5, 8, 12, 20, 30, 41], "adopted": [1, 1, 0, 1, 1, 0]})
    >>> kaplan_meier(waits, duration="days", event="adopted").estimate
    20.0
    """
    require_frame_columns(frame, duration=duration, event=event, group=group)
    check_alpha(alpha)
    times = checked_durations(frame, duration)
    events = event_flags(frame, event)
    if group is None:
        labels = pd.Series([None] * len(frame), index=frame.index, dtype=object)
        levels: list[Any] = [None]
    else:
        labels = _group_labels(frame, group)
        levels = sorted(labels.unique())
    terms, points, notes = [], [], []
    for level in levels:
        member = (labels == level).to_numpy() if level is not None else np.ones(len(frame), bool)
        term, curve, note = _median_and_curve(times[member], events[member], level, alpha)
        terms.append(term)
        points.extend(curve)
        notes.extend(note)
    if group is not None:
        test = multivariate_logrank_test(times, labels.to_numpy(), events)
        terms.append(
            Term(
                "log_rank",
                float(test.test_statistic),
                p_value=float(test.p_value),
                extra=(("degrees_of_freedom", int(test.degrees_of_freedom)),),
            )
        )
    return SurvivalCurves(
        method=(
            "Kaplan-Meier estimate; median intervals from the log(-log) Greenwood band"
            + ("; log-rank test between groups" if group is not None else "")
        ),
        estimand="median time to the event" + (f" by {group}" if group is not None else ""),
        n=len(frame),
        terms=tuple(terms),
        alpha=alpha,
        warnings=tuple(notes),
        headline="median" if group is None else None,
        details={"events": int(events.sum()), "groups": [str(v) for v in levels if v is not None]},
        curve=tuple(points),
    )


def _group_labels(frame: pd.DataFrame, column: str) -> pd.Series:
    labels = frame[column]
    missing = int(labels.isna().sum())
    if missing:
        raise ValueError(f"group: column {column!r} is missing in {missing} rows")
    labels = labels.astype(str)
    if labels.nunique() < 2:
        raise ValueError(f"group: column {column!r} has one value; nothing to compare")
    return labels


def _median_and_curve(
    times: np.ndarray, events: np.ndarray, level: str | None, alpha: float
) -> tuple[Term, list[CurvePoint], list[str]]:
    """One group's median wait (with its interval) and its curve."""
    name = "median" if level is None else f"median[{level}]"
    where = "" if level is None else f" in {level}"
    fitter = KaplanMeierFitter(alpha=alpha).fit(times, events)
    notes = []
    median = float(fitter.median_survival_time_)
    interval = median_survival_times(fitter.confidence_interval_).iloc[0]
    lower, upper = (float(v) for v in interval)
    if math.isinf(median):
        notes.append(
            f"the median was not reached{where}: fewer than half had the event by the last "
            f"wait watched ({times.max():g}), so there is no median to give"
        )
        median = lower = upper = None
    elif events.sum() < MIN_EVENTS_PER_TERM:
        notes.append(
            f"only {int(events.sum())} events{where}: the median is given without an interval"
        )
        lower = upper = None
    elif math.isinf(upper):
        notes.append(
            f"the median's upper bound was not reached{where}: the curve's band stays above "
            "one half to the last wait watched, so only a lower bound is given"
        )
        upper = None
    term = Term(
        name, median, None, lower, upper, extra=(("n", len(times)), ("events", int(events.sum())))
    )
    table = fitter.event_table.reindex(fitter.survival_function_.index, fill_value=0)
    band = fitter.confidence_interval_
    curve = [
        CurvePoint(
            group=level,
            time=float(time),
            survival=float(fitter.survival_function_.iloc[i, 0]),
            ci_lower=float(band.iloc[i, 0]),
            ci_upper=float(band.iloc[i, 1]),
            at_risk=int(table["at_risk"].iloc[i]),
            events=int(table["observed"].iloc[i]),
            censored=int(table["censored"].iloc[i]),
        )
        for i, time in enumerate(fitter.survival_function_.index)
    ]
    return term, curve, notes
