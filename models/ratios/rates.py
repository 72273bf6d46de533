"""How much faster proficiency comes with a practice: a rate ratio from a binomial GLM with
a complementary log-log link (``proficiency_rate_ratio``)."""

from __future__ import annotations

import math
import warnings as python_warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm

from models.checks import check_alpha, require_columns, require_complete_numbers
from models.ratios.fitting import (
    check_clusters,
    quantile,
    ratio_term_with_p_value,
    term_with_p_value,
)
from models.results import Result


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
        require_complete_numbers(frame, column)
    treated = zero_one(frame, treatment, "treatment")
    proficient = zero_one(frame, outcome, "outcome")
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
            check_clusters(clusters, notes)
            fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
        else:
            fit = model.fit()
    notes += sorted({str(w.message).split("\n")[0] for w in caught})
    z = quantile(alpha, clusters)
    df = clusters - 1 if clusters else None
    log_rate, log_se = float(fit.params[treatment]), float(fit.bse[treatment])
    terms = [ratio_term_with_p_value("rate_ratio", math.exp(log_rate), log_se, z, df)]
    terms += [
        term_with_p_value(column, float(fit.params[column]), float(fit.bse[column]), z, df)
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


def zero_one(frame: pd.DataFrame, column: str, argument: str) -> np.ndarray:
    values = frame[column].astype(float).to_numpy()
    if not np.isin(values, (0.0, 1.0)).all():
        raise ValueError(f"{argument}: {column} must be 0/1 or boolean")
    return values
