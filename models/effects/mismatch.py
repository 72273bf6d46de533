"""The Hedges (2007) correction for an analysis that ignored clustering: clusters (teams,
classrooms) were assigned to treatment but students were analysed as if independent."""

from __future__ import annotations

import dataclasses
import math

from scipy import stats

from models.results import Result


def clustering_factor(n_total: float, cluster_size: float, icc: float) -> float:
    """Hedges (2007) eq. (the WWC's form): the corrected t is t times
    sqrt(((N - 2) - 2(n - 1)icc) / ((N - 2)(1 + (n - 1)icc)))."""
    n, size = n_total, cluster_size
    return math.sqrt(((n - 2) - 2 * (size - 1) * icc) / ((n - 2) * (1 + (size - 1) * icc)))


def corrected_df(n_total: float, cluster_size: float, icc: float) -> float:
    """Hedges (2007): the corrected t has Student's t distribution with h degrees of
    freedom, h = ((N-2) - 2(n-1)icc)^2 / ((N-2)(1-icc)^2 + n(N-2n)icc^2
    + 2(N-2n)icc(1-icc))."""
    n, size = n_total, cluster_size
    numerator = ((n - 2) - 2 * (size - 1) * icc) ** 2
    denominator = (
        (n - 2) * (1 - icc) ** 2
        + size * (n - 2 * size) * icc**2
        + 2 * (n - 2 * size) * icc * (1 - icc)
    )
    return numerator / denominator


def mismatch_correction(result: Result, *, icc: float, clusters: int | None = None) -> Result:
    """Correct the errors, intervals and p-values of an analysis that ignored clustering.

    Parameters
    ----------
    result
        A result whose terms' standard errors treat students as independent.
    icc
        The outcome's intraclass correlation between clusters (the WWC uses 0.20 for
        achievement and 0.10 for behavioural outcomes when a study reports none).
    clusters
        The number of clusters assigned (defaults to ``result.clusters``).

    Returns
    -------
    Result
        The same result (and class) with every term's standard error divided by the
        factor, the p-value from t on the corrected degrees of freedom and the interval
        rebuilt from both; a warning states the correction.

    Notes
    -----
    Assumes equal clusters of n = N / m students and treatment assigned by cluster. The
    corrected t reduces to the uncorrected t when icc = 0 and to the t of the cluster
    means, on 2m - 2 degrees of freedom, when icc = 1.

    References
    ----------
    Hedges, L. V. (2007). Correcting a significance test for clustering. Journal of
    Educational and Behavioral Statistics 32(2), 151-179.
    What Works Clearinghouse (2022). Procedures and Standards Handbook, Version 5.0,
    clustering correction for mismatched analyses.
    """
    if not 0 <= icc <= 1:
        raise ValueError(f"icc must be between 0 and 1, got {icc}")
    m = clusters if clusters is not None else result.clusters
    if m is None:
        raise ValueError("clusters: the result has no cluster count; pass clusters=")
    if m < 2:
        raise ValueError(f"clusters must be at least 2, got {m}")
    n_total = result.n
    size = n_total / m
    if n_total - 2 * size <= 0:
        raise ValueError(f"clusters: {m} clusters of {size:g} leave no degrees of freedom")
    factor = clustering_factor(n_total, size, icc)
    df = corrected_df(n_total, size, icc)
    quantile = float(stats.t(df).ppf(1 - result.alpha / 2))
    terms = []
    for term in result.terms:
        if term.std_error is None or not term.std_error > 0:
            terms.append(term)
            continue
        std_error = term.std_error / factor
        t_value = term.estimate / std_error
        terms.append(
            dataclasses.replace(
                term,
                std_error=std_error,
                ci_lower=term.estimate - quantile * std_error,
                ci_upper=term.estimate + quantile * std_error,
                p_value=float(2 * stats.t(df).sf(abs(t_value))),
                extra=(*term.extra, ("corrected_df", df)),
            )
        )
    note = (
        f"errors corrected for clustering ignored in the analysis (Hedges 2007): ICC "
        f"{icc:g}, {m} clusters of about {size:.3g}; t divided by {1 / factor:.3f}, "
        f"{df:.1f} degrees of freedom"
    )
    return dataclasses.replace(
        result,
        terms=tuple(terms),
        method=f"{result.method}; Hedges (2007) clustering correction",
        clusters=m,
        warnings=(*result.warnings, note),
        details={
            **result.details,
            "mismatch": {"icc": icc, "clusters": m, "df": df, "factor": factor},
        },
    )
