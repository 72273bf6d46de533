"""The risk ratio from one row per person: modified Poisson regression (Zou 2004), adjusted
for covariates, with errors clustered by team."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from models.checks import check_alpha, require_columns
from models.effects.inference import FEW_CLUSTERS
from models.effects.inputs import covariate_frame, zero_one
from models.proportions.counts import against_claim
from models.results import Result, Term, ratio_term

#: Newton steps of the Poisson fit; it converges in well under ten on 0/1 outcomes.
MAX_ITERATIONS = 100
TOLERANCE = 1e-10


def risk_ratio(
    frame: pd.DataFrame,
    *,
    treatment: str,
    outcome: str,
    covariates: Sequence[str] = (),
    cluster: str | None = None,
    claimed_ratio: float | None = None,
    alpha: float = 0.05,
) -> Result:
    """The ratio of the risk of a 0/1 outcome with the treatment to the risk without it,
    adjusted for ``covariates``, with errors that allow outcomes to be alike within a
    ``cluster`` (a team that shares a mentor, a school).

    Parameters
    ----------
    frame
        One row per person.
    treatment
        Column of 0/1 (or true/false): 1 for the group a claim is about (girls in girls-only
        teams), 0 for the comparison group.
    outcome
        Column of the 0/1 outcome (returned the next year).
    covariates
        Columns to adjust for; text becomes 0/1 indicators. A missing value is refused.
    cluster
        Column of the clusters within which outcomes are correlated (the teams, when the
        treatment is given to whole teams). Without it, people are taken as independent.
    claimed_ratio
        A ratio someone has claimed (5.0 for "five times more"). The ``risk_ratio`` row then
        carries ``claimed``, ``p_value_vs_claimed`` (the test that the ratio equals the
        claim) and ``verdict`` (``consistent``, ``below`` or ``above``), as in ``compare``.
    alpha
        1 minus the interval's confidence level.

    Returns
    -------
    Result
        One term, ``risk_ratio`` (the headline): the estimate, its delta-method error on
        the ratio scale, the interval (from the log scale, whose error is
        ``log_std_error``) and the p-value of no difference. ``details`` holds the crude
        risks, the log-scale coefficients of every column and the inference used.

    Raises
    ------
    ValueError
        A column not in the frame, a treatment or outcome that is not 0/1, a missing
        value, an arm without events (the ratio is 0 or undefined: ``compare`` corrects a
        zero cell), a covariate named as the treatment, fewer than two clusters.

    Notes
    -----
    Modified Poisson regression (Zou 2004): log P(outcome) = b0 + b1 treatment + b'
    covariates, fitted as a Poisson regression, so exp(b1) is the risk ratio; the Poisson
    variance is wrong for a 0/1 outcome, so the errors are sandwich errors. Without
    ``cluster``: HC0, which for a treatment alone reproduces the Katz log interval of the
    2x2 table (Zou 2004). With ``cluster`` and 20 clusters or more: CR1 (the G/(G-1)
    factor) with Student's t on G-1 df. Below 20 clusters CR1 is too narrow; the error
    comes from the cluster jackknife (CV3: the model refitted without each cluster,
    MacKinnon, Nielsen and Webb 2023), again with t on G-1 df, as ``estimate_effect`` does.
    With one treated or one untreated cluster, no error is given. A fitted risk above 1
    is possible with covariates; a warning says so.

    References
    ----------
    Zou, G. (2004). A modified Poisson regression approach to prospective studies with
    binary data. American Journal of Epidemiology 159(7), 702-706.
    Zou, G. Y. and Donner, A. (2013). Extension of the modified Poisson regression model to
    prospective studies with correlated binary data. Statistical Methods in Medical
    Research 22(6), 661-670.
    MacKinnon, J. G., Nielsen, M. O. and Webb, M. D. (2023). Fast and reliable jackknife and
    bootstrap methods for cluster-robust inference. Journal of Applied Econometrics 38(5),
    671-694.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> team = np.repeat(np.arange(30), 10)
    >>> girls_only = (team < 15).astype(int)
    >>> returned = (rng.random(300) < 0.3 * 1.6**girls_only).astype(int)
    >>> frame = pd.DataFrame({"team": team, "girls_only": girls_only, "returned": returned})
    >>> result = risk_ratio(frame, treatment="girls_only", outcome="returned", cluster="team")
    >>> round(result.estimate, 2), result.clusters
    (1.33, 30)
    """
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame: expected a pandas DataFrame, got {type(frame).__name__}")
    require_columns(
        frame,
        {
            "treatment": [treatment],
            "outcome": [outcome],
            "covariates": covariates,
            "cluster": [] if cluster is None else [cluster],
        },
    )
    if frame.empty:
        raise ValueError("frame: it has no rows")
    if treatment in covariates:
        raise ValueError(f"covariates: {treatment!r} is the treatment; leave it out")
    check_alpha(alpha)
    if claimed_ratio is not None and not (
        isinstance(claimed_ratio, numbers.Real)
        and math.isfinite(claimed_ratio)
        and claimed_ratio > 0
    ):
        raise ValueError(f"claimed_ratio must be a positive number, got {claimed_ratio!r}")
    treated = zero_one(frame, treatment, "treatment")
    if treated.min() == treated.max():
        raise ValueError(
            f"treatment {treatment!r} is {treated[0]} in every row: nothing to compare"
        )
    y = zero_one(frame, outcome, "outcome").astype(float)
    for arm, flag in (("treated", 1), ("untreated", 0)):
        if y[treated == flag].sum() == 0:
            raise ValueError(
                f"outcome {outcome!r} has no events among the {arm}: the ratio is 0 or "
                "undefined (compare() adds 0.5 to a zero cell)"
            )
    x = covariate_frame(frame, covariates)
    constant = [name for name in x.columns if x[name].nunique() < 2]
    if constant:
        raise ValueError(f"covariates: {constant[0]!r} does not vary")
    design = np.column_stack([np.ones(len(y)), treated, x.to_numpy(dtype=float)])
    codes = None
    if cluster is not None:
        missing = int(frame[cluster].isna().sum())
        if missing:
            raise ValueError(f"cluster {cluster!r} is missing in {missing} rows")
        codes = pd.factorize(frame[cluster])[0]
        if codes.max() < 1:
            raise ValueError(f"cluster {cluster!r} has one cluster; at least 2 are needed")

    coefficients, fitted = fit_log_poisson(design, y)
    notes: list[str] = []
    if fitted.max() > 1:
        notes.append(
            f"{int(np.sum(fitted > 1))} fitted risks exceed 1 (largest {fitted.max():.2f}): the "
            "log-linear model fits the covariates poorly at their extremes"
        )
    log_ratio = float(coefficients[1])
    log_se, df, how, clusters = _log_scale_error(design, y, coefficients, fitted, codes, notes)
    term = _ratio_from_log(log_ratio, log_se, df, alpha)
    if claimed_ratio is not None and log_se is not None:
        term = against_claim(term, float(claimed_ratio), df)
    elif claimed_ratio is not None:
        term = Term(
            term.term,
            term.estimate,
            extra=term.extra + (("claimed", float(claimed_ratio)),),
        )
    names = ["intercept", treatment, *x.columns]
    return Result(
        method=f"modified Poisson regression (log link, Zou 2004); {how}",
        estimand=f"risk ratio of {outcome!r}, {treatment} = 1 over {treatment} = 0",
        n=len(y),
        terms=(term,),
        alpha=alpha,
        clusters=clusters,
        warnings=tuple(dict.fromkeys(notes)),
        headline="risk_ratio",
        details={
            "treated": int(treated.sum()),
            "untreated": int(len(y) - treated.sum()),
            "risk_treated": float(y[treated == 1].mean()),
            "risk_untreated": float(y[treated == 0].mean()),
            "log_coefficients": dict(zip(names, map(float, coefficients), strict=True)),
            "inference": how,
        },
    )


def fit_log_poisson(design: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson regression with the log link by Newton's method: the coefficients and the
    fitted means. For the canonical link Newton's and Fisher's steps coincide."""
    coefficients = np.zeros(design.shape[1])
    coefficients[0] = math.log(y.mean())
    for _ in range(MAX_ITERATIONS):
        fitted = np.exp(design @ coefficients)
        step = np.linalg.solve((design * fitted[:, None]).T @ design, design.T @ (y - fitted))
        coefficients = coefficients + step
        if np.max(np.abs(step)) < TOLERANCE:
            break
    else:
        raise ValueError(
            "the Poisson fit did not converge: a covariate may separate the outcome "
            "(every event on one side of a value); drop or coarsen it"
        )
    return coefficients, np.exp(design @ coefficients)


def _log_scale_error(design, y, coefficients, fitted, codes, notes):
    """The log risk ratio's standard error, its t degrees of freedom (None: normal), a
    description, and the number of clusters."""
    bread = np.linalg.inv((design * fitted[:, None]).T @ design)
    scores = design * (y - fitted)[:, None]
    if codes is None:
        spread = scores @ bread[1]
        return float(math.sqrt(np.sum(spread**2))), None, "HC0 sandwich errors", None
    g = int(codes.max()) + 1
    treated = design[:, 1]
    arms = [len(np.unique(codes[treated == flag])) for flag in (1, 0)]
    if min(arms) < 2:
        which = "treated" if arms[0] < 2 else "untreated"
        notes.append(
            f"only one cluster has {which} cases: its cluster effect and the ratio cannot be "
            "told apart, so no error, interval or p-value is given"
        )
        return None, None, "no valid cluster inference", g
    cr1 = f"CR1 cluster-robust errors ({g} clusters, t with {g - 1} df)"
    if g >= FEW_CLUSTERS:
        return _cr1_error(scores, bread, codes), g - 1, cr1, g
    leave_out = []
    for left in range(g):
        rows = codes != left
        kept_treated = treated[rows] == 1
        if y[rows][kept_treated].sum() == 0 or y[rows][~kept_treated].sum() == 0:
            notes.append(
                f"without one of the {g} clusters an arm has no events, so the cluster "
                "jackknife cannot be computed; the error is CR1, which is too narrow with "
                "so few clusters"
            )
            return _cr1_error(scores, bread, codes), g - 1, cr1, g
        leave_out.append(fit_log_poisson(design[rows], y[rows])[0][1])
    log_se = float(math.sqrt((g - 1) / g * np.sum((np.array(leave_out) - coefficients[1]) ** 2)))
    notes.append(
        f"only {g} clusters: the error, p-value and interval come from the cluster "
        f"jackknife (each cluster left out in turn) with t on {g - 1} df, not from CR1"
    )
    how = (
        f"cluster jackknife (CV3) errors on the log scale (the model refitted without each "
        f"cluster; {g} clusters, t with {g - 1} df)"
    )
    return log_se, g - 1, how, g


def _cr1_error(scores: np.ndarray, bread: np.ndarray, codes: np.ndarray) -> float:
    """CR1: the sandwich of the cluster sums of the scores, with the G/(G-1) factor."""
    g = int(codes.max()) + 1
    cluster_scores = np.stack(
        [np.bincount(codes, weights=column, minlength=g) for column in scores.T], axis=1
    )
    return float(math.sqrt(g / (g - 1) * np.sum((cluster_scores @ bread[1]) ** 2)))


def _ratio_from_log(log_ratio: float, log_se: float | None, df: int | None, alpha: float) -> Term:
    """The ratio's term from its log and the log's error: a Wald test and interval on the
    log scale, normal or Student's t on ``df``."""
    ratio = math.exp(log_ratio)
    if log_se is None or not log_se > 0:
        return Term("risk_ratio", ratio)
    distribution = stats.norm if df is None else stats.t(df)
    quantile = float(distribution.ppf(1 - alpha / 2))
    p_value = float(2 * distribution.sf(abs(log_ratio / log_se)))
    return ratio_term("risk_ratio", ratio, log_se, quantile, p_value)
