"""Time to an event: how long until a trained teacher's first AI lesson, or until someone leaves.

Three questions, three estimators, all on right-censored waits (a wait that has not ended
when the records stop, or when the person leaves, counts for as long as it was watched):

- ``kaplan_meier``: the survival curve and its median wait, by group, with a log-rank test.
  It assumes nothing about the curve's shape; use it first, and to plot.
- ``cox``: hazard ratios (how much likelier the event is at any moment), adjusted for
  covariates, with cluster-robust errors when people share a school or department.
- ``time_ratio``: how much longer (or shorter) the wait is, treated against untreated, from a
  Weibull accelerated-failure-time model. "Three times faster adoption" is a claim about time,
  so this is the number to set beside it: a ratio below 1 means a shorter wait (faster).

Each takes a plain frame with one row per person, a duration (a number of days, weeks...) and
an event flag (1 when the wait ended in the event, 0 when it was censored).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from autograd import numpy as anp
from autograd.scipy.special import expit
from lifelines import CoxPHFitter, KaplanMeierFitter, WeibullAFTFitter
from lifelines.exceptions import ConvergenceError, ConvergenceWarning
from lifelines.fitters import ParametricRegressionFitter
from lifelines.statistics import multivariate_logrank_test, proportional_hazard_test
from lifelines.utils import median_survival_times

from models.results import Result, Term

#: Fewer events than this per estimated coefficient (or per group, for a median) and an
#: interval is not given: Vittinghoff and McCulloch (2007, Am J Epidemiol 165:710) find
#: bias and poor coverage in Cox and logistic models below about five events per variable.
MIN_EVENTS_PER_TERM = 5

#: Fewer clusters than this and sandwich errors are known to be too small (Cameron and
#: Miller 2015, J Human Resources 50:317); the result says so.
FEW_CLUSTERS = 20


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
    _require_columns(frame, duration=duration, event=event, group=group)
    _check_alpha(alpha)
    times = _durations(frame, duration)
    events = _events(frame, event)
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
    _require_columns(frame, duration=duration, event=event, cluster=cluster)
    _require_columns(frame, covariates=covariates)
    _check_alpha(alpha)
    times = _durations(frame, duration)
    events = _events(frame, event)
    data = _covariate_frame(frame, covariates, "covariates")
    data["__duration"], data["__event"] = times, events
    clusters = None
    if cluster is not None:
        clusters = _cluster_count(frame, cluster)
        data["__cluster"] = frame[cluster].to_numpy()
    notes = _few_events_notes(events, len(covariates))
    separated = _separated(data, covariates, events)
    notes += [_separation_note(column, level) for column, level in separated.items()]
    if clusters is not None and clusters < FEW_CLUSTERS:
        notes.append(
            f"only {clusters} clusters: sandwich errors are too small with fewer than "
            f"{FEW_CLUSTERS}; treat the intervals as too narrow"
        )
    fitter = CoxPHFitter(alpha=alpha)
    fitted, fit_notes = _fit_quietly(
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
        return _unfitted(method, "log hazard ratio", covariates, len(frame), alpha, notes)
    summary = fitted.summary
    no_interval = bool(_few_events_notes(events, len(covariates)))
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


def time_ratio(
    frame: pd.DataFrame,
    *,
    duration: str,
    event: str,
    treatment: str,
    covariates: Sequence[str] = (),
    cure_fraction: bool = False,
    alpha: float = 0.05,
) -> Result:
    """The ratio of waits, treated to untreated, from a Weibull accelerated-failure-time model.

    A ratio of 0.67 means the treated wait two thirds as long: they reach the event 1.5
    times faster. Below 1 is faster, above 1 slower.

    Parameters
    ----------
    frame
        One row per person.
    duration, event
        The wait and whether it ended in the event (1) or was censored (0). Waits of 0 are
        moved to half the shortest positive wait (the Weibull has no mass at 0), and the
        result says how many.
    treatment
        Column of 1 (treated) and 0 (untreated), or booleans.
    covariates
        Numeric or boolean columns to adjust for; each gets its own time ratio per unit.
    cure_fraction
        Also estimate a share who never have the event (a mixture "cure" model), separately
        for treated and untreated. Use it when some never will: teachers who never adopt.
    alpha
        1 minus the intervals' confidence level.

    Returns
    -------
    Result
        Headline ``time_ratio`` (the treatment's), then one term per covariate, all on the
        ratio scale with ``log_estimate`` and ``log_std_error`` extras. ``details`` has the
        Weibull shape and, with ``cure_fraction``, the never-shares of treated and untreated
        (point estimates only: in simulation lifelines' standard error of the never-share
        came out about a quarter of its true spread, while the time ratio's was right).

    Notes
    -----
    The model is log T = b0 + b1 treatment + b'x + sigma W with W extreme-value: treatment
    stretches or shrinks every waiting time by exp(b1), the time ratio.

    A share who never have the event (a cure fraction) breaks the plain Weibull: its curve
    must fall to 0, so it bends to fit the plateau by taking a shape below 1 (a hazard that
    falls over time) and a long tail, and the time ratio is pulled toward 1. With a 12%
    never-share in both groups and a true ratio of 0.67, the plain model's ratio comes out
    near 0.76 however many cases there are. ``cure_fraction=True`` models the never-share
    (logistic in the treatment) beside a Weibull wait for the rest, and recovers the ratio
    among those who do have the event. Where the never-shares differ between groups, the
    plain ratio mixes "faster" with "at all"; the cure model keeps them apart.

    References
    ----------
    Kalbfleisch and Prentice (2002), The Statistical Analysis of Failure Time Data, 2nd ed.,
    ch. 2-3; Farewell (1982), Biometrics 38:1041 (the mixture cure model).

    Examples
    --------
    >>> from lifelines.datasets import load_rossi
    >>> rossi = load_rossi()
    >>> round(time_ratio(rossi, duration="week", event="arrest", treatment="fin").estimate, 2)
    1.31
    """
    covariates = list(covariates)
    _require_columns(frame, duration=duration, event=event, treatment=treatment)
    _require_columns(frame, covariates=covariates)
    _check_alpha(alpha)
    if treatment in covariates:
        raise ValueError(f"covariates: {treatment!r} is the treatment; leave it out")
    times = _durations(frame, duration)
    events = _events(frame, event)
    treated = _treatment(frame, treatment)
    notes: list[str] = []
    zero = times == 0
    if zero.any():
        positive = times[~zero]
        if positive.size == 0:
            raise ValueError(f"duration: every wait in {duration!r} is 0")
        times = np.where(zero, positive.min() / 2, times)
        notes.append(
            f"{int(zero.sum())} waits of 0 were set to {positive.min() / 2:g} (half the "
            "shortest positive wait): a Weibull model has no waits of exactly 0"
        )
    names = ["x_treatment"] + [f"x_{i}" for i in range(len(covariates))]
    data = _covariate_frame(frame, covariates, "covariates")
    data.columns = names[1:]
    data.insert(0, "x_treatment", treated)
    data["__duration"], data["__event"] = times, events
    coefficients = len(names) + (1 if cure_fraction else 0)
    notes += _few_events_notes(events, coefficients)
    no_interval = bool(_few_events_notes(events, coefficients))
    separated = _separated(data, names, events)
    notes += [
        _separation_note(treatment if column == "x_treatment" else column, level)
        for column, level in separated.items()
    ]
    if cure_fraction:
        fitter = _WeibullCureFitter(alpha=alpha)
        regressors = {
            "lambda_": " + ".join(names),
            "rho_": "1",
            "never_": "x_treatment",
        }
        fitted, fit_notes = _fit_quietly(
            fitter.fit, data, "__duration", "__event", regressors=regressors
        )
    else:
        fitted, fit_notes = _fit_quietly(
            WeibullAFTFitter(alpha=alpha).fit, data, "__duration", "__event"
        )
    notes += fit_notes
    method = (
        "Weibull accelerated failure time"
        + (" with a logistic never-share (mixture cure)" if cure_fraction else "")
        + "; time ratio = exp(treatment coefficient), below 1 means a shorter wait"
    )
    labels = ["time_ratio", *covariates]
    if fitted is None:
        return _unfitted(method, "time ratio", labels, len(frame), alpha, notes)
    summary = fitted.summary
    terms = []
    for name, label in zip(names, labels, strict=True):
        row = summary.loc[("lambda_", name)]
        terms.append(_ratio_term(label, row, interval=not no_interval, separated=name in separated))
    shape_row = summary.loc[("rho_", "Intercept")]
    shape = math.exp(float(shape_row["coef"]))
    details: dict[str, Any] = {"events": int(events.sum()), "weibull_shape": shape}
    if cure_fraction:
        never = summary.loc[("never_", "x_treatment")]
        base = float(summary.loc[("never_", "Intercept"), "coef"])
        shares = {
            "never_share_untreated": float(expit(base)),
            "never_share_treated": float(expit(base + float(never["coef"]))),
        }
        details.update(shares)
        boundary = [name for name, share in shares.items() if not 0.005 < share < 0.995]
        if boundary:
            notes.append(
                f"{', '.join(boundary)} is at the edge (0 or 1): the data show no plateau "
                "there, so the never-share model is not identified; use cure_fraction=False"
            )
    elif shape < 1:
        notes.append(
            f"the Weibull shape is {shape:.2f}, below 1: the hazard falls over time, as it "
            "does when a share never has the event; if some never will, use "
            "cure_fraction=True (the plain ratio is then pulled toward 1)"
        )
    return Result(
        method=method,
        estimand=f"ratio of waiting times, {treatment} = 1 to {treatment} = 0",
        n=len(frame),
        terms=tuple(terms),
        alpha=alpha,
        warnings=tuple(notes),
        headline="time_ratio",
        details=details,
    )


class _WeibullCureFitter(ParametricRegressionFitter):
    """A Weibull wait for those who have the event, beside a logistic share who never do.

    S(t) = p + (1 - p) exp(-(t / scale)^shape), scale = exp(x'b), logit p = z'g. Written as
    its cumulative hazard -log S(t), the form lifelines' parametric regression fits.
    """

    _fitted_parameter_names = ["lambda_", "rho_", "never_"]

    def _cumulative_hazard(self, params, T, Xs):
        scale = anp.exp(anp.dot(Xs["lambda_"], params["lambda_"]))
        shape = anp.exp(anp.dot(Xs["rho_"], params["rho_"]))
        never = expit(anp.dot(Xs["never_"], params["never_"]))
        return -anp.log(never + (1 - never) * anp.exp(-((T / scale) ** shape)))


# --- checks of what the caller gives ------------------------------------------------------


def _require_columns(frame: pd.DataFrame, **columns: str | Sequence[str] | None) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame: expected a pandas DataFrame, got {type(frame).__name__}")
    if frame.empty:
        raise ValueError("frame: it has no rows")
    for argument, names in columns.items():
        if names is None:
            continue
        for name in [names] if isinstance(names, str) else names:
            if name not in frame.columns:
                raise ValueError(f"{argument}: column {name!r} is not in the frame")


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha: must be between 0 and 1, got {alpha}")


def _durations(frame: pd.DataFrame, column: str) -> np.ndarray:
    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise ValueError(
            f"duration: column {column!r} must hold numbers (days, weeks...), not {values.dtype}"
        )
    missing = int(values.isna().sum())
    if missing:
        raise ValueError(f"duration: column {column!r} is missing in {missing} rows")
    numbers = values.to_numpy(dtype=float)
    negative = int((numbers < 0).sum())
    if negative:
        raise ValueError(f"duration: column {column!r} is negative in {negative} rows")
    return numbers


def _binary(frame: pd.DataFrame, column: str, argument: str) -> np.ndarray:
    values = frame[column]
    missing = int(values.isna().sum())
    if missing:
        raise ValueError(f"{argument}: column {column!r} is missing in {missing} rows")
    if pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=int)
    other = sorted({v for v in values.unique()} - {0, 1}, key=str)
    if other or not pd.api.types.is_numeric_dtype(values):
        raise ValueError(
            f"{argument}: column {column!r} must be 0/1 or boolean; it also holds {other[:5]}"
        )
    return values.to_numpy(dtype=int)


def _events(frame: pd.DataFrame, column: str) -> np.ndarray:
    events = _binary(frame, column, "event")
    if events.sum() == 0:
        raise ValueError(f"event: column {column!r} has no events (every wait is censored)")
    return events


def _treatment(frame: pd.DataFrame, column: str) -> np.ndarray:
    treated = _binary(frame, column, "treatment")
    if treated.min() == treated.max():
        raise ValueError(f"treatment: column {column!r} is {treated[0]} in every row")
    return treated


def _group_labels(frame: pd.DataFrame, column: str) -> pd.Series:
    labels = frame[column]
    missing = int(labels.isna().sum())
    if missing:
        raise ValueError(f"group: column {column!r} is missing in {missing} rows")
    labels = labels.astype(str)
    if labels.nunique() < 2:
        raise ValueError(f"group: column {column!r} has one value; nothing to compare")
    return labels


def _covariate_frame(frame: pd.DataFrame, columns: list[str], argument: str) -> pd.DataFrame:
    if len(set(columns)) != len(columns):
        raise ValueError(f"{argument}: a column is named twice in {columns}")
    data = pd.DataFrame(index=frame.index)
    for column in columns:
        values = frame[column]
        if not pd.api.types.is_numeric_dtype(values):
            raise ValueError(
                f"{argument}: column {column!r} is {values.dtype}; give numbers or booleans "
                "(dummy-code a category against a reference level)"
            )
        missing = int(values.isna().sum())
        if missing:
            raise ValueError(
                f"{argument}: column {column!r} is missing in {missing} rows; fill or drop "
                "them before fitting"
            )
        numbers = values.astype(float)
        if numbers.nunique() < 2:
            raise ValueError(f"{argument}: column {column!r} does not vary")
        data[column] = numbers.to_numpy()
    return data.reset_index(drop=True)


def _cluster_count(frame: pd.DataFrame, column: str) -> int:
    missing = int(frame[column].isna().sum())
    if missing:
        raise ValueError(f"cluster: column {column!r} is missing in {missing} rows")
    count = int(frame[column].nunique())
    if count < 2:
        raise ValueError(f"cluster: column {column!r} has {count} cluster; at least 2 needed")
    return count


# --- fitting and reading the fit -----------------------------------------------------------


def _fit_quietly(fit, *args, **kwargs) -> tuple[Any, list[str]]:
    """Run a lifelines fit, turning its convergence warnings and errors into sentences."""
    notes = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fitted = fit(*args, **kwargs)
        except ConvergenceError as error:
            fitted = None
            notes.append(f"the model did not converge: {_first_sentence(str(error))}")
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            notes.append(f"convergence: {_first_sentence(str(warning.message))}")
    return fitted, list(dict.fromkeys(notes))


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    return text.split(". ")[0].rstrip(".")


def _few_events_notes(events: np.ndarray, coefficients: int) -> list[str]:
    count = int(events.sum())
    if count >= MIN_EVENTS_PER_TERM * coefficients:
        return []
    return [
        f"only {count} events for {coefficients} coefficients (fewer than "
        f"{MIN_EVENTS_PER_TERM} per coefficient): no interval is given"
    ]


def _separated(data: pd.DataFrame, columns: list[str], events: np.ndarray) -> dict[str, Any]:
    """Two-valued columns with a level where nobody has the event (its estimate diverges)."""
    separated = {}
    for column in columns:
        values = data[column].to_numpy()
        levels = np.unique(values)
        if len(levels) == 2:
            for level in levels:
                if events[values == level].sum() == 0:
                    separated[column] = level
    return separated


def _separation_note(column: str, level: Any) -> str:
    return (
        f"perfect separation: no events where {column} = {level:g}; its estimate runs off "
        "to infinity, so none is given"
    )


def _bounds(row: pd.Series) -> tuple[float, float]:
    """The coefficient's interval from a lifelines summary row (its columns name the level)."""
    lower = next(c for c in row.index if c.startswith("coef lower"))
    upper = next(c for c in row.index if c.startswith("coef upper"))
    return float(row[lower]), float(row[upper])


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
    lower, upper = _bounds(row) if interval else (None, None)
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


def _ratio_term(name: str, row: pd.Series, *, interval: bool, separated: bool = False) -> Term:
    """A log-scale coefficient shown as its ratio; the log and its error ride along."""
    if separated:
        return Term(name, None, extra=(("log_estimate", None), ("log_std_error", None)))
    log_estimate, std_error = float(row["coef"]), float(row["se(coef)"])
    lower, upper = (math.exp(b) for b in _bounds(row)) if interval else (None, None)
    return Term(
        name,
        math.exp(log_estimate),
        None,
        lower,
        upper,
        float(row["p"]),
        extra=(("log_estimate", log_estimate), ("log_std_error", std_error)),
    )


def _unfitted(
    method: str, estimand: str, names: list[str], n: int, alpha: float, notes: list[str]
) -> Result:
    """What a fit that failed to converge can say: the terms it was asked for, with no numbers."""
    return Result(
        method=method,
        estimand=estimand,
        n=n,
        terms=tuple(Term(name, None) for name in names),
        alpha=alpha,
        warnings=tuple(notes),
        headline=names[0],
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
