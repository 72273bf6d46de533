"""How much would it take to explain an estimate away? Two checks for observational estimates.

- ``e_value``: the strength an unmeasured confounder would need, with both the treatment and
  the outcome, to move a ratio estimate (or its interval) to no effect (VanderWeele and Ding
  2017). Large E-values mean only a strong hidden cause could explain the result.
- ``placebo_check``: the same estimator on an outcome measured before the program, which the
  program cannot have changed: an "effect" there is bias in the design, not the program.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from models.results import Result, Term

#: The ratio measures ``e_value`` accepts.
KINDS = ("risk_ratio", "odds_ratio", "hazard_ratio")


def e_value(
    result_or_estimate: Result | float,
    *,
    lower: float | None = None,
    upper: float | None = None,
    kind: str = "risk_ratio",
    rare_outcome: bool = True,
) -> Result:
    """The E-value of a ratio estimate and of its interval's bound nearest 1.

    Parameters
    ----------
    result_or_estimate
        A ratio (risk, odds or hazard ratio), or a ``Result``: its headline term is read,
        as its ``hazard_ratio`` extras when it has them (a ``cox`` result; ``kind`` is then
        ``hazard_ratio``), else as its estimate and interval.
    lower, upper
        The ratio's interval, when a number is given.
    kind
        ``risk_ratio``, ``odds_ratio`` or ``hazard_ratio``.
    rare_outcome
        True when the outcome is rare (under about 15% by the end of follow-up): odds and
        hazard ratios then approximate the risk ratio as they are. False converts them first.

    Returns
    -------
    Result
        Headline ``e_value`` (for the estimate) and ``e_value_interval`` (for the bound
        nearest 1; 1 when the interval includes 1; None without an interval); each carries
        the ``risk_ratio`` it was computed from.

    Notes
    -----
    For a risk ratio RR >= 1, E = RR + sqrt(RR (RR - 1)); below 1, the same of 1/RR. A
    common outcome's odds ratio becomes sqrt(OR), its hazard ratio
    (1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR)). A confounder associated with both treatment
    and outcome by risk ratios of E each could explain the estimate away; weaker ones could
    not.

    References
    ----------
    VanderWeele and Ding (2017), "Sensitivity Analysis in Observational Research:
    Introducing the E-Value", Annals of Internal Medicine 167:268; Ding and VanderWeele
    (2016), Epidemiology 27:368.

    Examples
    --------
    >>> round(e_value(3.9, lower=1.8, upper=8.7).estimate, 2)
    7.26
    """
    if kind not in KINDS:
        raise ValueError(f"kind: must be one of {KINDS}, got {kind!r}")
    n, source = 0, "a ratio given as a number"
    if isinstance(result_or_estimate, Result):
        if "time ratio" in result_or_estimate.method:
            raise ValueError(
                "result_or_estimate: a time ratio has no E-value (it is not a ratio of "
                "risks); use the hazard ratio of cox on the same waits"
            )
        estimate, lower, upper, kind = _headline_ratio(result_or_estimate, kind)
        n = result_or_estimate.n
        source = f"{result_or_estimate.estimand} ({result_or_estimate.method})"
    else:
        estimate = result_or_estimate
    estimate = _ratio(estimate, "result_or_estimate")
    lower = None if lower is None else _ratio(lower, "lower")
    upper = None if upper is None else _ratio(upper, "upper")
    if lower is not None and lower > estimate:
        raise ValueError(f"lower: {lower} is above the estimate {estimate}")
    if upper is not None and upper < estimate:
        raise ValueError(f"upper: {upper} is below the estimate {estimate}")
    notes = []
    risk_ratio = _as_risk_ratio(estimate, kind, rare_outcome)
    nearest = _bound_nearest_one(estimate, lower, upper)
    if nearest is None:
        interval_term = Term("e_value_interval", None, extra=(("risk_ratio", None),))
        notes.append("no interval bound on the side of 1 was given: no E-value for the interval")
    else:
        bound = _as_risk_ratio(nearest, kind, rare_outcome)
        crosses = (lower is not None and lower <= 1 <= estimate) or (
            upper is not None and estimate <= 1 <= upper
        )
        interval_term = Term(
            "e_value_interval",
            1.0 if crosses else _e_value_of(bound),
            extra=(("risk_ratio", bound),),
        )
        if crosses:
            notes.append("the interval includes 1: no confounding is needed to reach no effect")
    if kind != "risk_ratio" and not rare_outcome:
        notes.append(f"the {kind.replace('_', ' ')} was converted to a risk ratio (common outcome)")
    return Result(
        method="E-value (VanderWeele and Ding 2017)",
        estimand=(
            "confounder strength (risk ratio with both treatment and outcome) to explain "
            f"away {source}"
        ),
        n=n,
        terms=(
            Term("e_value", _e_value_of(risk_ratio), extra=(("risk_ratio", risk_ratio),)),
            interval_term,
        ),
        warnings=tuple(notes),
        headline="e_value",
        details={"kind": kind, "rare_outcome": rare_outcome},
    )


def placebo_check(
    estimator: Callable[..., Result],
    frame: pd.DataFrame,
    *,
    outcome: str,
    outcome_argument: str = "outcome",
    null: float = 0.0,
    **options: Any,
) -> Result:
    """Run an estimator on an outcome measured before the program: its "effect" must be null.

    Parameters
    ----------
    estimator
        Any estimator of ``models`` (or a function of the same form) returning a ``Result``.
    frame
        The frame the real estimate used, with the before-program outcome in it.
    outcome
        The column measured before the program (last year's GPA, prior attendance).
    outcome_argument
        The estimator's keyword for its outcome (``outcome``; ``duration`` for a wait).
    null
        No effect on the headline's scale: 0 for a difference or a log ratio, 1 for a ratio.
    **options
        Everything else the estimator needs (treatment, covariates, cluster...).

    Returns
    -------
    Result
        The estimator's headline as the term ``placebo``, with extras ``null`` and
        ``covers_null`` (True when the interval includes ``null``), the estimator's warnings
        and, when the interval excludes ``null``, a warning saying the design is suspect.
        ``details["result"]`` is the estimator's full result.

    Notes
    -----
    The program cannot change what was measured before it began, so any difference the
    estimator finds there is confounding or selection that its adjustment missed (Rosenbaum
    2002, ch. 6; Imbens and Rubin 2015, ch. 21). Passing the check does not prove the
    design sound: it rules out only the bias the earlier outcome can show.

    Examples
    --------
    >>> check = placebo_check(time_ratio, waits, outcome="days_before", outcome_argument=
    ...     "duration", null=1.0, event="adopted", treatment="champion")  # doctest: +SKIP
    """
    if not callable(estimator):
        raise ValueError(f"estimator: expected a function, got {type(estimator).__name__}")
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame: expected a pandas DataFrame, got {type(frame).__name__}")
    if outcome not in frame.columns:
        raise ValueError(f"outcome: column {outcome!r} is not in the frame")
    result = estimator(frame, **{outcome_argument: outcome}, **options)
    if not isinstance(result, Result):
        raise ValueError(f"estimator: returned {type(result).__name__}, not a Result")
    if result.headline is None:
        raise ValueError("estimator: its result has no headline term to check")
    term = result.term(result.headline)
    notes = list(result.warnings)
    if term.ci_lower is None or term.ci_upper is None:
        covers = None
        notes.append("the placebo estimate has no interval: the check cannot be judged")
    else:
        covers = bool(term.ci_lower <= null <= term.ci_upper)
        if not covers:
            notes.append(
                f"the placebo interval [{term.ci_lower:.4g}, {term.ci_upper:.4g}] excludes "
                f"{null:g}: the design finds an effect on {outcome}, measured before the "
                "program, so its estimate of the program's effect is suspect"
            )
    return Result(
        method=f"placebo check: {result.method}",
        estimand=f"{result.estimand}, on {outcome} (before the program; should be {null:g})",
        n=result.n,
        terms=(
            Term(
                "placebo",
                term.estimate,
                term.std_error,
                term.ci_lower,
                term.ci_upper,
                term.p_value,
                extra=(("null", null), ("covers_null", covers)),
            ),
        ),
        alpha=result.alpha,
        clusters=result.clusters,
        warnings=tuple(notes),
        headline="placebo",
        details={"result": result},
    )


def _headline_ratio(result: Result, kind: str) -> tuple[float, Any, Any, str]:
    if result.headline is None:
        raise ValueError("result_or_estimate: the result has no headline term")
    term = result.term(result.headline)
    extra = dict(term.extra)
    if "hazard_ratio" in extra:
        return (
            extra["hazard_ratio"],
            extra.get("hazard_ratio_lower"),
            extra.get("hazard_ratio_upper"),
            "hazard_ratio",
        )
    return term.estimate, term.ci_lower, term.ci_upper, kind


def _ratio(value: Any, argument: str) -> float:
    if value is None or not isinstance(value, int | float) or math.isnan(value):
        raise ValueError(f"{argument}: expected a ratio (a positive number), got {value!r}")
    if value <= 0 or math.isinf(value):
        raise ValueError(f"{argument}: a ratio must be positive and finite, got {value}")
    return float(value)


def _as_risk_ratio(ratio: float, kind: str, rare_outcome: bool) -> float:
    """VanderWeele and Ding (2017), table: approximate risk ratios of common outcomes."""
    if kind == "risk_ratio" or rare_outcome:
        return ratio
    if kind == "odds_ratio":
        return math.sqrt(ratio)
    return (1 - 0.5 ** math.sqrt(ratio)) / (1 - 0.5 ** math.sqrt(1 / ratio))


def _bound_nearest_one(estimate: float, lower: float | None, upper: float | None):
    if estimate >= 1:
        return lower
    return upper


def _e_value_of(risk_ratio: float) -> float:
    ratio = risk_ratio if risk_ratio >= 1 else 1 / risk_ratio
    return ratio + math.sqrt(ratio * (ratio - 1))
