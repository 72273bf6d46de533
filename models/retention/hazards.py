"""Cox proportional hazards: hazard ratios, cluster-robust errors, the proportionality check."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from lifelines import CoxPHFitter
from lifelines.statistics import proportional_hazard_test

from models.checks import check_alpha
from models.effects.inference import FEW_CLUSTERS
from models.results import Result, Term
from models.retention.fitting import (
    few_events_notes,
    fit_quietly,
    interval_bounds,
    separated_columns,
    separation_note,
    unfitted_result,
)
from models.retention.inputs import (
    checked_durations,
    covariate_frame,
    event_flags,
    require_frame_columns,
)


def cox(
    frame: pd.DataFrame,
    *,
    duration: str,
    event: str,
    covariates: Sequence[str],
    cluster: str | None = None,
    alpha: float = 0.05,
) -> Result:
    """Cox proportional-hazards regression: log hazard ratios and hazard ratios, Efron ties.

    Parameters
    ----------
    frame
        One row per person.
    duration, event
        The wait and whether it ended in the event (1) or was censored (0).
    covariates
        Numeric or boolean columns; put the exposure of interest first: it is the headline.
        Dummy-code categories yourself (the reference level is then explicit).
    cluster
        Column of clusters (school, department) for cluster-robust sandwich errors; the
        number of clusters is ``.clusters``.
    alpha
        1 minus the intervals' confidence level.

    Returns
    -------
    Result
        One term per covariate: estimate = log hazard ratio, with ``hazard_ratio``,
        ``hazard_ratio_lower`` and ``hazard_ratio_upper`` extras. Warnings for covariates
        whose hazards look non-proportional (Grambsch-Therneau test on ranked time,
        p < alpha), perfect separation, non-convergence and few clusters.

    Notes
    -----
    The hazard of the event at time t is h0(t) exp(x'b), with h0 left unspecified: a
    hazard ratio says how much likelier the event is at any moment among those still
    waiting, not how much shorter the wait is (see ``time_ratio``).

    References
    ----------
    Cox (1972), JRSS B 34:187; Efron (1977), JASA 72:557; Lin and Wei (1989), JASA 84:1074.

    Examples
    --------
    >>> from lifelines.datasets import load_rossi
    >>> rossi = load_rossi()
    >>> round(cox(rossi, duration="week", event="arrest", covariates=["fin", "age"]).estimate, 3)
    -0.328
    """
    covariates = list(covariates)
    if not covariates:
        raise ValueError("covariates: give at least one column")
    require_frame_columns(frame, duration=duration, event=event, cluster=cluster)
    require_frame_columns(frame, covariates=covariates)
    check_alpha(alpha)
    times = checked_durations(frame, duration)
    events = event_flags(frame, event)
    data = covariate_frame(frame, covariates, "covariates")
    data["__duration"], data["__event"] = times, events
    clusters = None
    if cluster is not None:
        clusters = _cluster_count(frame, cluster)
        data["__cluster"] = frame[cluster].to_numpy()
    notes = few_events_notes(events, len(covariates))
    separated = separated_columns(data, covariates, events)
    notes += [separation_note(column, level) for column, level in separated.items()]
    if clusters is not None and clusters < FEW_CLUSTERS:
        notes.append(
            f"only {clusters} clusters: sandwich errors are too small with fewer than "
            f"{FEW_CLUSTERS}; treat the intervals as too narrow"
        )
    fitter = CoxPHFitter(alpha=alpha)
    fitted, fit_notes = fit_quietly(
        fitter.fit,
        data,
        duration_col="__duration",
        event_col="__event",
        cluster_col="__cluster" if cluster is not None else None,
    )
    notes += fit_notes
    method = "Cox proportional hazards, Efron ties" + (
        f", cluster-robust (sandwich) errors by {cluster}" if cluster is not None else ""
    )
    if fitted is None:
        return unfitted_result(method, "log hazard ratio", covariates, len(frame), alpha, notes)
    summary = fitted.summary
    no_interval = bool(few_events_notes(events, len(covariates)))
    terms = []
    for column in covariates:
        terms.append(
            _hazard_term(
                column, summary.loc[column], interval=not no_interval, separated=column in separated
            )
        )
    notes += _proportionality_notes(fitted, data, covariates, alpha)
    return Result(
        method=method,
        estimand=f"log hazard ratio per unit of each covariate (headline: {covariates[0]})",
        n=len(frame),
        terms=tuple(terms),
        alpha=alpha,
        clusters=clusters,
        warnings=tuple(notes),
        headline=covariates[0],
        details={
            "events": int(events.sum()),
            "concordance": float(fitted.concordance_index_),
            "log_likelihood": float(fitted.log_likelihood_),
        },
    )


def _cluster_count(frame: pd.DataFrame, column: str) -> int:
    missing = int(frame[column].isna().sum())
    if missing:
        raise ValueError(f"cluster: column {column!r} is missing in {missing} rows")
    count = int(frame[column].nunique())
    if count < 2:
        raise ValueError(f"cluster: column {column!r} has {count} cluster; at least 2 needed")
    return count


def _hazard_term(name: str, row: pd.Series, *, interval: bool, separated: bool) -> Term:
    """A Cox coefficient: log hazard ratio, with the hazard ratio and its bounds beside it."""
    if separated:
        return Term(
            name,
            None,
            extra=(
                ("hazard_ratio", None),
                ("hazard_ratio_lower", None),
                ("hazard_ratio_upper", None),
            ),
        )
    lower, upper = interval_bounds(row) if interval else (None, None)
    return Term(
        name,
        float(row["coef"]),
        float(row["se(coef)"]),
        lower,
        upper,
        float(row["p"]),
        extra=(
            ("hazard_ratio", math.exp(float(row["coef"]))),
            ("hazard_ratio_lower", None if lower is None else math.exp(lower)),
            ("hazard_ratio_upper", None if upper is None else math.exp(upper)),
        ),
    )


def _proportionality_notes(
    fitted: CoxPHFitter, data: pd.DataFrame, covariates: list[str], alpha: float
) -> list[str]:
    """Covariates whose scaled Schoenfeld residuals trend with (ranked) time."""
    p_values = proportional_hazard_test(fitted, data, time_transform="rank").summary["p"]
    return [
        f"the hazards of {column} may not be proportional (Grambsch-Therneau test on ranked "
        f"time, p = {p_values[column]:.3f}): its hazard ratio is an average over time"
        for column in covariates
        if p_values[column] < alpha
    ]
