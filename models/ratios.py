"""Ratios the program's documents claim that are not a ratio of two shares.

"2x knowledge retention", "85% confidence increase", "3x faster adoption", "competency
developed 40% faster": each compares two arms by a ratio, of adjusted means or of rates.
The fits are statsmodels' (OLS with cluster-robust or HC1 errors; a binomial GLM with a
complementary log-log link); this module turns them into one ``Result`` with the ratio's
interval on the log scale by the delta method.

- ``ratio_of_means``: adjusted mean of one arm over another's, or (``per=``) the ratio of
  two arms' slopes through the origin, such as the share of a knowledge gain kept.
- ``proficiency_rate_ratio``: how much faster proficiency comes with a practice, from who
  was proficient after how many weeks.
- ``mean``: one mean with its t interval (cluster-robust when asked).
"""

from __future__ import annotations

import math
import warnings as python_warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from models.checks import check_alpha, require_columns
from models.effects.inference import ols_leave_cluster_out
from models.results import Result, Term, ratio_term

#: Below this many clusters cluster-robust errors run small (Cameron, Gelbach and Miller
#: 2008); the result says so.
FEW_CLUSTERS = 20

#: A denominator whose interval reaches within this many standard errors of zero makes a
#: ratio meaningless (its delta-method interval would be far too narrow).
DENOMINATOR_Z = 1.96


def ratio_of_means(
    frame: pd.DataFrame,
    *,
    group: str,
    outcome: str,
    numerator: object,
    denominator: object,
    covariates: Sequence[str] = (),
    per: str | None = None,
    cluster: str | None = None,
    alpha: float = 0.05,
) -> Result:
    """The adjusted mean of ``outcome`` in arm ``numerator`` over arm ``denominator``.

    Parameters
    ----------
    frame
        One row per case; rows of other arms are left out.
    group
        Column naming each row's arm.
    outcome
        Numeric column compared.
    numerator, denominator
        The arms' values in ``group``: the ratio is numerator / denominator.
    covariates
        Numeric or boolean columns adjusted for. They are centred, so each arm's mean is
        at the covariates' overall mean.
    per
        A column the outcome is proportional to within an arm (outcome = slope x per). The
        ratio is then of the arms' slopes through the origin: with outcome "points kept"
        and per "points gained", the share of the gain each arm kept.
    cluster
        Column of clusters (teams, schools): CR1 errors; without it, HC1.
    alpha
        1 minus the interval's confidence level.

    Returns
    -------
    Result
        Headline ``ratio`` (with ``log_std_error``), then ``numerator_mean``,
        ``denominator_mean`` and ``difference``. No interval, with a warning, when the
        denominator's own interval comes close to zero.

    Example
    -------
    >>> frame = pd.DataFrame({"arm": ["a", "a", "b", "b"], "days": [2.0, 4.0, 6.0, 6.5]})
    >>> round(ratio_of_means(frame, group="arm", outcome="days",
    ...                      numerator="b", denominator="a").estimate, 3)
    2.083
    """
    check_alpha(alpha)
    covariates = list(covariates)
    require_columns(
        frame,
        {
            "group": [group],
            "outcome": [outcome],
            "covariates": covariates,
            "per": [per] if per else [],
            "cluster": [cluster] if cluster else [],
        },
    )
    data = frame[frame[group].isin([numerator, denominator])]
    for arm, argument in ((numerator, "numerator"), (denominator, "denominator")):
        if not (data[group] == arm).any():
            raise ValueError(f"{argument}: no row has {group} = {arm!r}")
    numbers = [outcome, *covariates] + ([per] if per else [])
    for column in numbers:
        _require_complete_numbers(data, column)
    y = data[outcome].astype(float).to_numpy()
    in_numerator = (data[group] == numerator).to_numpy(dtype=float)
    scale = data[per].astype(float).to_numpy() if per else np.ones(len(data))
    columns = {"numerator": in_numerator * scale, "denominator": (1 - in_numerator) * scale}
    for column in covariates:
        values = data[column].astype(float)
        columns[column] = values - values.mean()
    design = pd.DataFrame(columns)
    fit, clusters, notes = _ols(y, design, data, cluster)
    top, bottom = float(fit.params["numerator"]), float(fit.params["denominator"])
    covariance = fit.cov_params()
    z = _quantile(alpha, clusters)
    df = clusters - 1 if clusters else None
    what = "slope" if per else "mean"
    terms = [
        _plain_term("numerator_mean", top, fit.bse["numerator"], z, df),
        _plain_term("denominator_mean", bottom, fit.bse["denominator"], z, df),
    ]
    difference_se = math.sqrt(
        covariance.loc["numerator", "numerator"]
        + covariance.loc["denominator", "denominator"]
        - 2 * covariance.loc["numerator", "denominator"]
    )
    terms.append(_plain_term("difference", top - bottom, difference_se, z, df))
    if abs(bottom) <= DENOMINATOR_Z * fit.bse["denominator"] or top / bottom <= 0:
        notes.append(
            f"the {denominator!r} arm's {what} is too close to zero for a ratio: no interval"
        )
        ratio_term = Term("ratio", top / bottom if bottom else math.nan)
    else:
        ratio = top / bottom
        log_se = math.sqrt(
            covariance.loc["numerator", "numerator"] / top**2
            + covariance.loc["denominator", "denominator"] / bottom**2
            - 2 * covariance.loc["numerator", "denominator"] / (top * bottom)
        )
        if clusters and clusters < FEW_CLUSTERS:
            log_se = (
                _jackknife_log_ratio_error(
                    design, y, pd.factorize(data[cluster])[0], math.log(ratio), notes
                )
                or log_se
            )
        ratio_term = _ratio_term("ratio", ratio, log_se, z, df)
    errors = "HC1 errors, delta method on the log scale"
    if cluster:
        errors = "CR1 cluster-robust errors, t on G - 1 df, delta method on the log scale"
        if any("cluster jackknife" in note for note in notes):
            errors = (
                "the ratio's error from the cluster jackknife (CV3) on the log scale, t on "
                "G - 1 df; the means' CR1"
            )
    method = f"ratio of adjusted {what}s (OLS, {errors})"
    return Result(
        method=method,
        estimand=f"{outcome} {what}: {numerator} / {denominator}",
        n=len(data),
        terms=(ratio_term, *terms),
        alpha=alpha,
        clusters=clusters,
        warnings=tuple(notes),
        headline="ratio",
        details={
            "arm_sizes": {
                str(numerator): int(in_numerator.sum()),
                str(denominator): int(len(data) - in_numerator.sum()),
            }
        },
    )


def proficiency_rate_ratio(
    frame: pd.DataFrame,
    *,
    treatment: str,
    outcome: str,
    exposure: str,
    covariates: Sequence[str] = (),
    cluster: str | None = None,
    alpha: float = 0.05,
) -> Result:
    """How many times faster proficiency comes to the treated, from one look per case.

    Each case was seen once, after ``exposure`` (weeks in the program), proficient or not.
    If proficiency arrives at a constant rate r, P(proficient by w) = 1 - exp(-r w), which is
    a binomial model with a complementary log-log link and log(w) as offset; the
    treatment's coefficient is the log of the rate ratio. "Developed 40% faster" is a rate
    ratio of 1.4.

    Parameters
    ----------
    frame
        One row per case.
    treatment
        0/1 or boolean column.
    outcome
        0/1 or boolean column: proficient at the look.
    exposure
        Positive time at risk before the look.
    covariates
        Numeric or boolean columns adjusted for.
    cluster
        Column of clusters (teams): CR1 errors; without it, model-based errors.
    alpha
        1 minus the interval's confidence level.

    Returns
    -------
    Result
        Headline ``rate_ratio`` (with ``log_std_error``), then one term per covariate (log
        scale).

    Example
    -------
    >>> rng = np.random.default_rng(1)
    >>> weeks = rng.uniform(5, 30, 4000)
    >>> treated = rng.integers(0, 2, 4000)
    >>> rate = 0.05 * np.where(treated == 1, 1.4, 1.0)
    >>> frame = pd.DataFrame({"t": treated, "weeks": weeks,
    ...                       "y": rng.random(4000) < 1 - np.exp(-rate * weeks)})
    >>> round(proficiency_rate_ratio(frame, treatment="t", outcome="y",
    ...                              exposure="weeks").estimate, 1)
    1.4
    """
    check_alpha(alpha)
    covariates = list(covariates)
    require_columns(
        frame,
        {
            "treatment": [treatment],
            "outcome": [outcome],
            "exposure": [exposure],
            "covariates": covariates,
            "cluster": [cluster] if cluster else [],
        },
    )
    for column in (treatment, outcome, exposure, *covariates):
        _require_complete_numbers(frame, column)
    treated = _zero_one(frame, treatment, "treatment")
    proficient = _zero_one(frame, outcome, "outcome")
    weeks = frame[exposure].astype(float).to_numpy()
    if (weeks <= 0).any():
        raise ValueError(
            f"exposure: {int((weeks <= 0).sum())} rows have {exposure} <= 0; "
            "a rate needs time at risk"
        )
    if treated.min() == treated.max():
        raise ValueError(f"treatment: {treatment} does not vary")
    design = pd.DataFrame({treatment: treated})
    for column in covariates:
        values = frame[column].astype(float).to_numpy()
        design[column] = values - values.mean()
    design = sm.add_constant(design, has_constant="add")
    family = sm.families.Binomial(link=sm.families.links.CLogLog())
    model = sm.GLM(proficient, design, family=family, offset=np.log(weeks))
    notes: list[str] = []
    clusters = None
    with python_warnings.catch_warnings(record=True) as caught:
        python_warnings.simplefilter("always")
        if cluster:
            groups = pd.factorize(frame[cluster])[0]
            clusters = int(groups.max() + 1)
            _check_clusters(clusters, notes)
            fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
        else:
            fit = model.fit()
    notes += sorted({str(w.message).split("\n")[0] for w in caught})
    z = _quantile(alpha, clusters)
    df = clusters - 1 if clusters else None
    log_rate, log_se = float(fit.params[treatment]), float(fit.bse[treatment])
    terms = [_ratio_term("rate_ratio", math.exp(log_rate), log_se, z, df)]
    terms += [
        _plain_term(column, float(fit.params[column]), float(fit.bse[column]), z, df)
        for column in covariates
    ]
    return Result(
        method="complementary log-log binomial GLM with log exposure offset"
        + (" (CR1 cluster-robust errors, t on G - 1 df)" if cluster else ""),
        estimand=f"rate ratio of {outcome}: {treatment} = 1 over 0",
        n=len(frame),
        terms=tuple(terms),
        alpha=alpha,
        clusters=clusters,
        warnings=tuple(notes),
        headline="rate_ratio",
    )


def mean(
    frame: pd.DataFrame, *, outcome: str, cluster: str | None = None, alpha: float = 0.05
) -> Result:
    """The mean of ``outcome`` with its t interval (cluster-robust with ``cluster``).

    Example
    -------
    >>> mean(pd.DataFrame({"x": [1.0, 2.0, 3.0]}), outcome="x").estimate
    2.0
    """
    check_alpha(alpha)
    require_columns(frame, {"outcome": [outcome], "cluster": [cluster] if cluster else []})
    _require_complete_numbers(frame, outcome)
    values = frame[outcome].astype(float).to_numpy()
    if len(values) < 2:
        return Result(
            "mean",
            f"mean of {outcome}",
            len(values),
            (Term("mean", float(values.mean()) if len(values) else math.nan),),
            alpha=alpha,
            warnings=("fewer than two cases: no interval",),
            headline="mean",
        )
    fit, clusters, notes = _ols(
        values, pd.DataFrame({"mean": np.ones(len(values))}), frame, cluster
    )
    df = (clusters - 1) if clusters else len(values) - 1
    quantile = stats.t.ppf(1 - alpha / 2, df)
    estimate, se = float(fit.params["mean"]), float(fit.bse["mean"])
    term = Term(
        "mean",
        estimate,
        se,
        estimate - quantile * se,
        estimate + quantile * se,
        float(2 * stats.t.sf(abs(estimate / se), df)) if se > 0 else None,
    )
    return Result(
        method="mean with t interval" + (" (CR1 cluster-robust)" if cluster else ""),
        estimand=f"mean of {outcome}",
        n=len(values),
        terms=(term,),
        alpha=alpha,
        clusters=clusters,
        warnings=tuple(notes),
        headline="mean",
    )


def _ols(y: np.ndarray, design: pd.DataFrame, data: pd.DataFrame, cluster: str | None):
    """OLS with CR1 errors by ``cluster`` (HC1 without): the fit, the clusters, notes."""
    model = sm.OLS(y, design.reset_index(drop=True).astype(float))
    notes: list[str] = []
    if cluster:
        groups = pd.factorize(data[cluster])[0]
        clusters = int(groups.max() + 1)
        _check_clusters(clusters, notes)
        return model.fit(cov_type="cluster", cov_kwds={"groups": groups}), clusters, notes
    return model.fit(cov_type="HC1"), None, notes


def _jackknife_log_ratio_error(
    design: pd.DataFrame, y: np.ndarray, groups: np.ndarray, log_ratio: float, notes: list[str]
) -> float | None:
    """CV3 for the log ratio: both arms' coefficients refitted without each cluster.

    With fewer than twenty clusters CR1 runs small (the coverage benchmark measured 91%
    with eight teams); the jackknife is what ``estimate_effect`` and ``risk_ratio`` use
    there (MacKinnon, Nielsen and Webb 2023). None, with a note, when some leave-out
    ratio is not positive: the CR1 error stands.
    """
    values = design.to_numpy(dtype=float)
    columns = list(design.columns)
    tops = ols_leave_cluster_out(values, y, groups, columns.index("numerator"))
    bottoms = ols_leave_cluster_out(values, y, groups, columns.index("denominator"))
    g = len(tops)
    if np.any(tops / bottoms <= 0):
        notes.append(
            "without one of the clusters the ratio is not positive, so the cluster jackknife "
            "cannot be computed; the error is CR1, which is too narrow with so few clusters"
        )
        return None
    leave_out = np.log(tops / bottoms)
    notes.append(
        f"only {g} clusters: the ratio's error, p-value and interval come from the cluster "
        f"jackknife (each cluster left out in turn) with t on {g - 1} df, not from CR1"
    )
    return float(math.sqrt((g - 1) / g * np.sum((leave_out - log_ratio) ** 2)))


def _quantile(alpha: float, clusters: int | None) -> float:
    """The interval's multiplier: normal, or with clusters t on G - 1 degrees of freedom,
    the usual small-sample companion of CR1 errors (Cameron and Miller 2015)."""
    if clusters:
        return float(stats.t.ppf(1 - alpha / 2, clusters - 1))
    return float(stats.norm.ppf(1 - alpha / 2))


def _check_clusters(clusters: int, notes: list[str]) -> None:
    if clusters < 2:
        raise ValueError("cluster: fewer than two clusters")
    if clusters < FEW_CLUSTERS:
        notes.append(
            f"only {clusters} clusters: cluster-robust errors run small below {FEW_CLUSTERS}, "
            "so the interval is likely too narrow"
        )


def _ratio_term(name: str, ratio: float, log_se: float, z: float, df: int | None) -> Term:
    p_value = _p_value(math.log(ratio) / log_se, df) if log_se > 0 else None
    return ratio_term(name, ratio, log_se, z, p_value)


def _plain_term(name: str, estimate: float, se: float, z: float, df: int | None) -> Term:
    p_value = _p_value(estimate / se, df) if se > 0 else None
    return Term(name, float(estimate), float(se), estimate - z * se, estimate + z * se, p_value)


def _p_value(statistic: float, df: int | None) -> float:
    """Two-sided, on the t distribution with ``df`` when clustered, else normal."""
    if df:
        return float(2 * stats.t.sf(abs(statistic), df))
    return float(2 * stats.norm.sf(abs(statistic)))


def _require_complete_numbers(frame: pd.DataFrame, column: str) -> None:
    values = frame[column]
    if not pd.api.types.is_bool_dtype(values):
        values = pd.to_numeric(values, errors="coerce")
    missing = int(values.isna().sum())
    if missing:
        raise ValueError(
            f"{column}: {missing} rows are missing or not numbers; "
            "leave them out or fill them before estimating"
        )


def _zero_one(frame: pd.DataFrame, column: str, argument: str) -> np.ndarray:
    values = frame[column].astype(float).to_numpy()
    if not np.isin(values, (0.0, 1.0)).all():
        raise ValueError(f"{argument}: {column} must be 0/1 or boolean")
    return values
