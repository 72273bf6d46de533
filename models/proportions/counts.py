"""Two proportions from counts: risk ratio, risk difference and odds ratio of A to B,
with people counted as independent."""

from __future__ import annotations

import math
import numbers

from scipy import stats

from models.results import Result, Term, ratio_term

#: Added to every cell of the 2x2 table when one is zero, so that the ratios and their log
#: intervals exist (Haldane 1956; Anscombe 1956).
ZERO_CELL_CORRECTION = 0.5

#: Below this expected count in a cell, the log intervals' normal approximation is poor
#: (Cochran 1954's rule for 2x2 tables).
MIN_EXPECTED_COUNT = 5


def compare(
    events_a: int,
    n_a: int,
    events_b: int,
    n_b: int,
    *,
    claimed_ratio: float | None = None,
    alpha: float = 0.05,
) -> Result:
    """Compare the share with an event in group A with the share in group B.

    Parameters
    ----------
    events_a, n_a
        Cases with the event, and all cases, in group A (the group a claim is about, such
        as girls in girls-only teams).
    events_b, n_b
        The same for the comparison group B.
    claimed_ratio
        A risk ratio someone has claimed (5.0 for "five times higher"). When given, the
        ``risk_ratio`` row carries ``claimed``, ``p_value_vs_claimed`` (the log-ratio test of
        "the ratio equals the claim") and ``verdict``: ``consistent`` when the claim lies
        inside the interval, ``below`` when the whole interval lies below the claim,
        ``above`` when it lies above it.
    alpha
        1 minus the intervals' confidence level.

    Returns
    -------
    Result
        Terms ``risk_ratio`` (the headline), ``risk_difference`` and ``odds_ratio``, A
        relative to B. Each p-value is Fisher's exact test of no association (the same null
        for all three). The ratios' ``std_error`` is the delta-method error on the ratio
        scale; their intervals come from the log scale, whose error is ``log_std_error``.

    Raises
    ------
    ValueError
        A count that is not a whole number, events outside 0..n, an empty group, or no
        variation in the outcome (no events at all, or events only).

    Notes
    -----
    Risk ratio interval: exp(log RR +- z SE), SE^2 = 1/a - 1/n_a + 1/b - 1/n_b (Katz et al.
    1978). Odds ratio interval: Woolf (1955), SE^2 = the sum of the reciprocal cells. Risk
    difference interval: Newcombe's hybrid score interval (method 10), which combines the
    two Wilson score intervals and behaves well with small counts and zero cells.
    A zero cell leaves the ratios or their errors undefined: then 0.5 is added to every cell
    for both ratios and their intervals (a warning says so); the difference, its interval
    and Fisher's p use the counts as observed.

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. Statistics in Medicine 17, 873-890.
    Agresti, A. (2002). Categorical Data Analysis, 2nd ed., sections 2.2-2.3 and 3.5.

    Examples
    --------
    >>> result = compare(24, 40, 30, 80, claimed_ratio=5.0)
    >>> round(result.estimate, 2), result.term("risk_ratio").extra[-1]
    (1.6, ('verdict', 'below'))
    """
    a = _count(events_a, "events_a")
    n1 = _count(n_a, "n_a")
    b = _count(events_b, "events_b")
    n2 = _count(n_b, "n_b")
    for name, events, size in (("a", a, n1), ("b", b, n2)):
        if size == 0:
            raise ValueError(f"n_{name} is 0: group {name.upper()} is empty")
        if events > size:
            raise ValueError(f"events_{name} ({events}) is more than n_{name} ({size})")
    total_events = a + b
    if total_events in (0, n1 + n2):
        kind = "no events" if total_events == 0 else "only events"
        raise ValueError(f"no variation in the outcome: {kind} in both groups")
    if claimed_ratio is not None and not (
        isinstance(claimed_ratio, numbers.Real)
        and math.isfinite(claimed_ratio)
        and claimed_ratio > 0
    ):
        raise ValueError(f"claimed_ratio must be a positive number, got {claimed_ratio!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie between 0 and 1, got {alpha!r}")

    z = stats.norm.ppf(1 - alpha / 2)
    warnings: list[str] = []
    cells = (a, n1 - a, b, n2 - b)
    correction = ZERO_CELL_CORRECTION if 0 in cells else 0.0
    if correction:
        warnings.append(
            "a cell of the 2x2 table is zero: 0.5 was added to every cell for the risk "
            "ratio, the odds ratio and their intervals (Haldane-Anscombe correction)"
        )
    event_share = total_events / (n1 + n2)
    expected = [size * share for size in (n1, n2) for share in (event_share, 1 - event_share)]
    if min(expected) < MIN_EXPECTED_COUNT:
        warnings.append(
            f"an expected cell count is below {MIN_EXPECTED_COUNT} "
            f"({min(expected):.1f}): the ratios' log intervals are approximate; "
            "Fisher's p-value is exact"
        )

    p_value = float(stats.fisher_exact([[a, n1 - a], [b, n2 - b]]).pvalue)
    ca, cn1, cb, cn2 = a + correction, n1 + 2 * correction, b + correction, n2 + 2 * correction
    risk_ratio = ratio_term(
        "risk_ratio",
        (ca / cn1) / (cb / cn2),
        math.sqrt(1 / ca - 1 / cn1 + 1 / cb - 1 / cn2),
        z,
        p_value,
    )
    odds_ratio = ratio_term(
        "odds_ratio",
        (ca * (cn2 - cb)) / (cb * (cn1 - ca)),
        math.sqrt(1 / ca + 1 / (cn1 - ca) + 1 / cb + 1 / (cn2 - cb)),
        z,
        p_value,
    )
    if claimed_ratio is not None:
        risk_ratio = against_claim(risk_ratio, float(claimed_ratio))

    risk_a, risk_b = a / n1, b / n2
    lower, upper = newcombe_interval(a, n1, b, n2, alpha=alpha)
    difference = Term(
        "risk_difference",
        risk_a - risk_b,
        math.sqrt(risk_a * (1 - risk_a) / n1 + risk_b * (1 - risk_b) / n2),
        lower,
        upper,
        p_value,
    )
    return Result(
        method=(
            "log intervals for the ratios, Newcombe hybrid score interval for the "
            "difference, Fisher's exact test"
        ),
        estimand="risk ratio of A to B",
        n=n1 + n2,
        terms=(risk_ratio, difference, odds_ratio),
        alpha=alpha,
        warnings=tuple(warnings),
        headline="risk_ratio",
        details={
            "events_a": a,
            "n_a": n1,
            "events_b": b,
            "n_b": n2,
            "risk_a": risk_a,
            "risk_b": risk_b,
            "zero_cell_correction": correction,
        },
    )


def newcombe_interval(
    events_a: int, n_a: int, events_b: int, n_b: int, *, alpha: float = 0.05
) -> tuple[float, float]:
    """Newcombe's hybrid score interval (his method 10) for risk A minus risk B.

    Each end moves away from the difference by the root of the squared distances from the
    risks to the near ends of their Wilson score intervals (Newcombe 1998, eq. 10).
    """
    z = stats.norm.ppf(1 - alpha / 2)
    risk_a, risk_b = events_a / n_a, events_b / n_b
    low_a, high_a = wilson_interval(events_a, n_a, z)
    low_b, high_b = wilson_interval(events_b, n_b, z)
    difference = risk_a - risk_b
    lower = difference - math.hypot(risk_a - low_a, high_b - risk_b)
    upper = difference + math.hypot(high_a - risk_a, risk_b - low_b)
    return max(-1.0, lower), min(1.0, upper)


def wilson_interval(events: int, n: int, z: float) -> tuple[float, float]:
    """Wilson's (1927) score interval for a single proportion, at normal quantile ``z``."""
    share = events / n
    scale = 1 + z * z / n
    centre = (share + z * z / (2 * n)) / scale
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / scale
    return max(0.0, centre - half), min(1.0, centre + half)


def against_claim(term: Term, claimed: float, df: int | None = None) -> Term:
    """The ratio's term with the claim, the log-ratio test of it (normal, or Student's t
    on ``df`` degrees of freedom) and the interval's verdict."""
    log_se = dict(term.extra)["log_std_error"]
    statistic = (math.log(term.estimate) - math.log(claimed)) / log_se
    distribution = stats.norm if df is None else stats.t(df)
    p_value = float(2 * distribution.sf(abs(statistic)))
    if term.ci_upper < claimed:
        verdict = "below"
    elif term.ci_lower > claimed:
        verdict = "above"
    else:
        verdict = "consistent"
    extra = term.extra + (
        ("claimed", claimed),
        ("p_value_vs_claimed", p_value),
        ("verdict", verdict),
    )
    return Term(
        term.term, term.estimate, term.std_error, term.ci_lower, term.ci_upper, term.p_value, extra
    )


def _count(value: object, name: str) -> int:
    """A whole, non-negative count; ``name`` says which argument was wrong."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a whole number of cases, got {value!r}")
    if not math.isfinite(value) or value != int(value):
        raise ValueError(f"{name} must be a whole number of cases, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")
    return int(value)
