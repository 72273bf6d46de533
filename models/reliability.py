"""How far raters agree, and how severe each one is.

Three questions about scores given by raters (employer reviewers, assessors):

- ``icc``: how much of the score variance lies between the things scored when every rater
  scores every target (the six Shrout-Fleiss intraclass correlations);
- ``krippendorff_alpha``: agreement beyond chance for any level of measurement, with
  missing ratings allowed (each unit may be coded by different coders);
- ``rater_severity``: what each rater adds to the scores they give, shrunk towards zero by a
  model with crossed random effects for targets and raters, and what share of targets
  reach a standard once those offsets are removed.
"""

from __future__ import annotations

import math
import warnings as python_warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import krippendorff
import numpy as np
import pandas as pd
import pingouin
from scipy import optimize, stats

from models.bootstrap import bca_interval, percentile_interval
from models.checks import check_alpha, require_columns
from models.results import Result, Term

#: Shrout & Fleiss' names of the six forms, in their order, beside pingouin's names.
ICC_FORMS = {
    "ICC(1,1)": "ICC(1,1)",
    "ICC(2,1)": "ICC(A,1)",
    "ICC(3,1)": "ICC(C,1)",
    "ICC(1,k)": "ICC(1,k)",
    "ICC(2,k)": "ICC(A,k)",
    "ICC(3,k)": "ICC(C,k)",
}
#: Below five complete targets an F interval for an ICC spans almost all of [-1, 1]; it is
#: withheld rather than reported as if it said something.
MIN_TARGETS_FOR_INTERVAL = 5
#: With fewer raters than this the F interval of ICC(2,1) is warned about: it covered about
#: 84% with 3 raters (benchmarks/README.md); 4 raters were not measured, so they are warned.
FEW_RATERS = 5
#: Fewer units than this give a bootstrap distribution too coarse to read percentiles from.
MIN_UNITS_FOR_BOOTSTRAP = 10
#: Bootstrap or jackknife rows whose alpha is computed at once (bounds the memory).
ALPHA_ROWS_AT_ONCE = 256
BOOTSTRAP_INTERVALS = ("bca", "percentile")
#: With fewer raters than this the spread of severities has no defensible interval.
MIN_RATERS_FOR_SPREAD_INTERVAL = 3

LEVELS_OF_MEASUREMENT = ("nominal", "ordinal", "interval", "ratio")

Key = str | Sequence[str]


def icc(frame: pd.DataFrame, *, target: Key, rater: str, score: str, alpha: float = 0.05) -> Result:
    """The six Shrout-Fleiss intraclass correlations, with F-based intervals.

    Parameters
    ----------
    frame
        One row per score: the target scored, the rater, the score.
    target
        The column (or columns, together) naming what is scored, such as a portfolio.
    rater
        The column naming who scored it.
    score
        The numeric score. A missing score (NaN) is a missing rating.
    alpha
        1 minus the intervals' confidence level.

    Returns
    -------
    Result
        Terms ``ICC(1,1) ICC(2,1) ICC(3,1) ICC(1,k) ICC(2,k) ICC(3,k)`` (k is the number of
        raters), each with its interval, the p-value of the F test of no agreement, and
        ``F``, ``df1``, ``df2`` as extra columns; the headline is ICC(2,1), the reliability
        of one rater drawn from a population of raters (absolute agreement).

    Notes
    -----
    ICC(1,.) assumes each target is scored by its own random raters (one-way model);
    ICC(2,.) that the same random sample of raters scores every target (two-way random);
    ICC(3,.) that these raters are the only ones of interest (two-way mixed, consistency).
    The ``,1`` forms are the reliability of one rater's score, the ``,k`` forms of the
    mean of the k raters. All need every rater to score every target: a target missing a
    rating is dropped, and the result says how many were. Estimates, F tests and p-values
    come from ``pingouin.intraclass_corr``; the intervals are computed here from the same
    mean squares because pingouin fixes the level at 95% and rounds the bounds to two
    decimals.

    References
    ----------
    Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
    reliability. Psychological Bulletin 86(2), 420-428.
    McGraw, K. O. & Wong, S. P. (1996). Forming inferences about some intraclass
    correlation coefficients. Psychological Methods 1(1), 30-46.

    Example
    -------
    >>> scores = pd.DataFrame({"portfolio": [1, 1, 2, 2, 3, 3], "reviewer": list("ababab"),
    ...                        "score": [7.0, 8.0, 5.0, 5.5, 9.0, 8.5]})
    >>> round(icc(scores, target="portfolio", rater="reviewer", score="score").estimate, 3)
    0.923
    """
    check_alpha(alpha)
    frame, raters = _one_rating_each(frame, ("target", target), ("rater", rater), score, "ICC")
    _require_numeric(frame, score, "score")

    wide = frame.pivot(index="_target", columns=rater, values=score)
    complete = wide.dropna(how="any")
    warnings = []
    dropped = len(wide) - len(complete)
    if dropped:
        warnings.append(
            f"{dropped} of {len(wide)} targets lack a score from at least one of the "
            f"{raters} raters and were left out: the ICC needs every rater to score every "
            "target."
        )
    targets = len(complete)
    if targets < 2:
        raise ValueError(
            f"target: ICC needs at least two targets scored by every rater, got {targets}"
        )
    if np.ptp(complete.to_numpy()) == 0:
        raise ValueError(f"score: every score of the complete targets is {complete.iat[0, 0]}")

    long = complete.reset_index().melt(id_vars="_target", var_name="_rater", value_name="_score")
    with python_warnings.catch_warnings():
        # pingouin warns about ANOVA internals it handles; the result speaks for the fit.
        python_warnings.simplefilter("ignore")
        table = pingouin.intraclass_corr(long, targets="_target", raters="_rater", ratings="_score")
    table = table.set_index("Type")
    bounds = _icc_intervals(complete.to_numpy(dtype=float), alpha)
    with_interval = targets >= MIN_TARGETS_FOR_INTERVAL
    if not with_interval:
        warnings.append(
            f"only {targets} complete targets: too few for an interval, none is given "
            f"(at least {MIN_TARGETS_FOR_INTERVAL} are needed)."
        )
    if with_interval and raters < FEW_RATERS:
        # Measured in benchmarks/reliability_coverage.py: with 3 raters the F interval of
        # ICC(2,1) covered the truth about 84% of the time, and the estimate ran high.
        warnings.append(
            f"only {raters} raters: the ICC(2,1) interval is too narrow with so few (with 3 "
            "raters it covered the true value about 84% of the time, not 95%); read it as "
            "the least the uncertainty can be."
        )
    terms = []
    for name, pingouin_name in ICC_FORMS.items():
        row = table.loc[pingouin_name]
        lower, upper = bounds[name] if with_interval else (None, None)
        terms.append(
            Term(
                name,
                float(row["ICC"]),
                ci_lower=lower,
                ci_upper=upper,
                p_value=float(row["pval"]),
                extra=(("F", float(row["F"])), ("df1", int(row["df1"])), ("df2", int(row["df2"]))),
            )
        )
    return Result(
        method="Shrout-Fleiss intraclass correlations from a two-way ANOVA, F-based intervals",
        estimand="ICC(2,1): reliability of one rater's score (absolute agreement)",
        n=targets,
        terms=tuple(terms),
        alpha=alpha,
        warnings=tuple(warnings),
        headline="ICC(2,1)",
        details={"raters": raters, "targets_dropped": dropped},
    )


def _icc_intervals(scores: np.ndarray, alpha: float) -> dict[str, tuple[float, float]]:
    """The F-based interval of each form from the two-way ANOVA of a complete table.

    Forms 1 and 3 follow Shrout & Fleiss (1979) exactly; form 2 uses the Satterthwaite
    degrees of freedom of McGraw & Wong (1996), as Shrout & Fleiss do approximately.
    """
    n, k = scores.shape
    grand = scores.mean()
    between_targets = k * ((scores.mean(axis=1) - grand) ** 2).sum()
    between_raters = n * ((scores.mean(axis=0) - grand) ** 2).sum()
    total = ((scores - grand) ** 2).sum()
    error = total - between_targets - between_raters
    msb = between_targets / (n - 1)
    msw = (between_raters + error) / (n * (k - 1))
    msj = between_raters / (k - 1)
    mse = error / ((n - 1) * (k - 1))
    q = 1 - alpha / 2

    def one_way_or_mixed(f_value: float, df_denominator: float) -> tuple[float, float]:
        f_lower = f_value / stats.f.ppf(q, n - 1, df_denominator)
        f_upper = f_value * stats.f.ppf(q, df_denominator, n - 1)
        return f_lower, f_upper

    f1_lower, f1_upper = one_way_or_mixed(msb / msw, n * (k - 1))
    f3_lower, f3_upper = one_way_or_mixed(msb / mse, (n - 1) * (k - 1))
    icc2 = (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n)
    fj = msj / mse
    spread = n * (1 + (k - 1) * icc2) - k * icc2
    v = ((n - 1) * (k - 1) * (k * icc2 * fj + spread) ** 2) / (
        (n - 1) * k**2 * icc2**2 * fj**2 + spread**2
    )
    f2_upper = stats.f.ppf(q, n - 1, v)
    f2_lower = stats.f.ppf(q, v, n - 1)
    weight = k * msj + (k * n - k - n) * mse
    icc2_lower = n * (msb - f2_upper * mse) / (f2_upper * weight + n * msb)
    icc2_upper = n * (f2_lower * msb - mse) / (weight + n * f2_lower * msb)

    def single(f_lower: float, f_upper: float) -> tuple[float, float]:
        return (f_lower - 1) / (f_lower + k - 1), (f_upper - 1) / (f_upper + k - 1)

    def average(f_lower: float, f_upper: float) -> tuple[float, float]:
        return 1 - 1 / f_lower, 1 - 1 / f_upper

    def spearman_brown(value: float) -> float:
        return k * value / (1 + (k - 1) * value)

    return {
        "ICC(1,1)": single(f1_lower, f1_upper),
        "ICC(2,1)": (icc2_lower, icc2_upper),
        "ICC(3,1)": single(f3_lower, f3_upper),
        "ICC(1,k)": average(f1_lower, f1_upper),
        "ICC(2,k)": (spearman_brown(icc2_lower), spearman_brown(icc2_upper)),
        "ICC(3,k)": average(f3_lower, f3_upper),
    }


def krippendorff_alpha(
    frame: pd.DataFrame,
    *,
    unit: Key,
    coder: str,
    value: str,
    level: str = "interval",
    alpha: float = 0.05,
    resamples: int = 1000,
    seed: int = 0,
    interval: str = "percentile",
) -> Result:
    """Krippendorff's alpha, with a bootstrap interval over units.

    Parameters
    ----------
    frame
        One row per rating: the unit rated, the coder, the value given. A unit need not be
        rated by every coder; a missing value (NaN) is a rating not given.
    unit
        The column (or columns, together) naming what is rated.
    coder
        The column naming who rated it.
    value
        The value given: any labels for ``nominal``, numbers for the other levels.
    level
        The level of measurement: ``nominal``, ``ordinal``, ``interval`` or ``ratio``.
    alpha
        1 minus the interval's confidence level (not Krippendorff's alpha).
    resamples, seed
        Bootstrap resamples of units, and the seed that makes them repeatable.
    interval
        ``percentile`` (the default) or ``bca`` (bias-corrected and accelerated).

    Returns
    -------
    Result
        One term, ``alpha``, with the bootstrap standard error and interval; the pairable
        units (units with at least two values) as ``n``.

    Notes
    -----
    Alpha is 1 - observed / expected disagreement, computed by the ``krippendorff``
    package from the units' value counts. The interval resamples the pairable units with
    replacement and recomputes alpha, so it reflects which units happened to be rated (the
    unit bootstrap recommended by Zapf et al., 2016); it treats the coders as fixed.
    Resamples in which every value is the same have no expected disagreement and are left
    out (their count is in ``details``). The BCa interval corrects the percentiles for the
    replicates' median bias and, from the jackknife over units, for their skewness (its
    corrections are in ``details``). With 60 portfolios it covered the alpha of the
    panel's own reviewers 91.5% of the time against the percentile interval's 89.5%, and
    both 93.5-94% with 200 (benchmarks/README.md): too small a gain to make it the
    default.
    Where BCa is undefined (every replicate on one side of the estimate) the percentile
    interval is given, and a warning says so.

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School
    for Communication, University of Pennsylvania.
    Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap, chapter 14.
    Chapman & Hall.
    Zapf, A., Castell, S., Morawietz, L. & Karch, A. (2016). Measuring inter-rater
    reliability for nominal data - which coefficients and confidence intervals are
    appropriate? BMC Medical Research Methodology 16, 93.

    Example
    -------
    >>> ratings = pd.DataFrame({"unit": [1, 1, 2, 2, 3, 3], "coder": list("ababab"),
    ...                         "value": [1, 1, 2, 2, 3, 2]})
    >>> round(krippendorff_alpha(ratings, unit="unit", coder="coder", value="value",
    ...                          level="ordinal", resamples=0).estimate, 3)
    0.778
    """
    check_alpha(alpha)
    if level not in LEVELS_OF_MEASUREMENT:
        raise ValueError(f"level must be one of {LEVELS_OF_MEASUREMENT}, got {level!r}")
    if resamples < 0:
        raise ValueError(f"resamples must be 0 or more, got {resamples}")
    if interval not in BOOTSTRAP_INTERVALS:
        raise ValueError(f"interval must be one of {BOOTSTRAP_INTERVALS}, got {interval!r}")
    frame, coders = _one_rating_each(frame, ("unit", unit), ("coder", coder), value, "alpha")
    if level != "nominal":
        _require_numeric(frame, value, "value")

    warnings = []
    missing = int(frame[value].isna().sum())
    if missing:
        warnings.append(f"{missing} ratings have no value and count as not given.")
    given = frame[frame[value].notna()]
    domain = np.sort(given[value].unique())
    if len(domain) < 2:
        raise ValueError(f"value: every rating is {domain[0]}; alpha needs variation")
    unit_codes, units = pd.factorize(given["_unit"])
    value_codes = np.searchsorted(domain, given[value].to_numpy())
    counts = np.bincount(
        unit_codes * len(domain) + value_codes, minlength=len(units) * len(domain)
    ).reshape(len(units), len(domain))
    pairable = counts[counts.sum(axis=1) >= 2]
    lone = len(counts) - len(pairable)
    if lone:
        warnings.append(
            f"{lone} of {len(counts)} units have a single value and do not count: alpha "
            "compares values within a unit."
        )
    if len(pairable) == 0:
        raise ValueError("unit: no unit has values from two coders")
    codes = np.arange(len(domain)) if level == "nominal" else domain.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = float(
            krippendorff.alpha(
                value_counts=pairable, value_domain=codes, level_of_measurement=level
            )
        )
    if not math.isfinite(estimate):
        raise ValueError("value: the pairable units show no variation; alpha is undefined")

    std_error = bounds = None
    undefined = 0
    if resamples and len(pairable) >= MIN_UNITS_FOR_BOOTSTRAP:
        frequency, alpha_of = _alpha_by_pattern(pairable, codes, level)
        rng = np.random.default_rng(seed)
        draws = rng.multinomial(len(pairable), frequency / len(pairable), size=resamples)
        replicates = alpha_of(draws)
        finite = replicates[np.isfinite(replicates)]
        undefined = resamples - len(finite)
        std_error = float(finite.std(ddof=1))
        if interval == "bca":
            # The jackknife leaves out one unit; units of the same pattern give one value.
            jackknife = alpha_of(frequency - np.eye(len(frequency), dtype=frequency.dtype))
            bounds = bca_interval(finite, estimate, jackknife, alpha, jackknife_weights=frequency)
            if bounds is None:
                warnings.append(
                    "every bootstrap replicate lies on one side of the estimate, so the "
                    "BCa interval is undefined: the percentile interval is given."
                )
                interval = "percentile"
        if bounds is None:
            bounds = percentile_interval(finite, alpha)
    elif resamples:
        warnings.append(
            f"only {len(pairable)} pairable units: too few for a bootstrap interval, none is "
            f"given (at least {MIN_UNITS_FOR_BOOTSTRAP} are needed)."
        )
    method = f"Krippendorff's alpha ({level})"
    if bounds is not None:
        name = {"bca": "bias-corrected and accelerated (BCa)", "percentile": "percentile"}
        method += f", {name[interval]} bootstrap over units ({resamples} resamples, seed {seed})"
    lower, upper = (None, None) if bounds is None else (bounds.lower, bounds.upper)
    return Result(
        method=method,
        estimand=f"Krippendorff's alpha for {level} data",
        n=len(pairable),
        terms=(Term("alpha", estimate, std_error, lower, upper),),
        alpha=alpha,
        warnings=tuple(warnings),
        headline="alpha",
        details={
            "coders": coders,
            "level": level,
            "units_with_one_value": lone,
            "missing_values": missing,
            "resamples": resamples,
            "seed": seed,
            "resamples_undefined": undefined,
            "interval": interval if bounds is not None else None,
            "bias_correction": None if bounds is None else bounds.bias_correction,
            "acceleration": None if bounds is None else bounds.acceleration,
        },
    )


def _alpha_by_pattern(
    counts: np.ndarray, values: np.ndarray, level: str
) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """The units' distinct value-count patterns, how many units have each, and a function
    giving alpha for units weighted by pattern (one row of weights an alpha).

    alpha = 1 - (n - 1) * sum_ck o_ck d_ck / sum_ck n_c n_k d_ck (Krippendorff 2011),
    where a unit with value counts v and m values adds v_c v_k / (m - 1) to o_ck. So the
    observed disagreement of weighted units is a weighted sum of fixed per-unit
    disagreements, except for ordinal data, whose distance is the interval distance
    between the values' mid-ranks in the pooled counts (which change with the weights).
    Units with the same value counts are interchangeable, so a bootstrap resample is how
    many of each pattern were drawn, and a jackknife value one pattern's count less one:
    fast however many units there are (a 0-10 scale in half points has a few hundred
    patterns), a thousand resamples of thousands of units in well under a second.
    """
    patterns, frequency = np.unique(counts, axis=0, return_counts=True)
    patterns = patterns.astype(float)
    per_unit = patterns.sum(axis=1)
    if level == "nominal":
        distance = 1.0 - np.eye(len(values))
    elif level == "ratio":
        with np.errstate(divide="ignore", invalid="ignore"):
            distance = np.nan_to_num(
                ((values[:, None] - values[None, :]) / (values[:, None] + values[None, :])) ** 2
            )
    else:
        distance = (values[:, None] - values[None, :]) ** 2
    unit_disagreement = np.einsum("uc,ck,uk->u", patterns, distance, patterns) / (per_unit - 1)

    def alpha_of(weights: np.ndarray) -> np.ndarray:
        result = np.empty(len(weights))
        # In blocks of rows, so the ordinal ranks (rows x patterns) stay small.
        for start in range(0, len(weights), ALPHA_ROWS_AT_ONCE):
            rows = weights[start : start + ALPHA_ROWS_AT_ONCE].astype(float)
            pooled = rows @ patterns
            total = pooled.sum(axis=1)
            if level == "ordinal":
                # Mid-rank of each value among the pooled values.
                ranks = np.cumsum(pooled, axis=1) - pooled / 2
                first, second = ranks @ patterns.T, (ranks**2) @ patterns.T
                observed = np.einsum(
                    "ru,ru->r", rows, (2 * per_unit * second - 2 * first**2) / (per_unit - 1)
                )
                expected = 2 * total * np.einsum("rc,rc->r", pooled, ranks**2) - 2 * (
                    np.einsum("rc,rc->r", pooled, ranks) ** 2
                )
            else:
                observed = rows @ unit_disagreement
                expected = np.einsum("rc,ck,rk->r", pooled, distance, pooled)
            with np.errstate(divide="ignore", invalid="ignore"):
                block = 1 - (total - 1) * observed / expected
            result[start : start + len(rows)] = np.where(expected > 0, block, np.nan)
        return result

    return frequency, alpha_of


def rater_severity(
    frame: pd.DataFrame,
    *,
    target: Key,
    rater: str,
    score: str,
    standard: float | None = None,
    alpha: float = 0.05,
) -> Result:
    """Each rater's offset, shrunk, and the share of targets at a standard without them.

    Parameters
    ----------
    frame
        One row per score. A target may be scored several times by the same rater (one
        score per portfolio component, say).
    target
        The column (or columns, together) naming what is scored, such as
        ``("student_unique_id", "school_year", "quarter")`` for a quarter's portfolio.
    rater
        The column naming who scored it.
    score
        The numeric score.
    standard
        If given, the mean score a target must reach; the result then also holds the share
        of targets at or above it, raw and with each rater's offset removed.
    alpha
        1 minus the intervals' confidence level.

    Returns
    -------
    Result
        One term per rater, named by the rater: the offset that rater adds to a score
        (negative: severe, positive: lenient), with its prediction interval; then
        ``rater_sd`` (the headline: the spread of offsets among raters), ``target_sd`` and
        ``residual_sd``; with a standard, ``share_at_standard`` and
        ``share_at_standard_adjusted`` with Wilson intervals and the count of targets in
        ``targets_at_standard``.

    Notes
    -----
    The model is ``score = mean + target effect + rater effect + error``, with target and
    rater effects independent normal draws (crossed random effects), fitted by restricted
    maximum likelihood on the mixed-model equations with the target block eliminated
    (statsmodels' MixedLM forms the crossed design densely, which takes minutes for a
    district's panels; on small data the two agree). The offsets are
    the best linear unbiased predictions of the rater effects, relative to the average rater
    of the pool: a rater with few scores is pulled towards zero. Their intervals use the
    conditional variance of each offset given the variance estimates. The interval of
    ``rater_sd`` is a Wald interval on the log variance (from the curvature of the
    restricted likelihood), which keeps it positive. The adjusted share removes each
    rater's offset from their scores and averages per target; its Wilson interval treats
    the offsets as known.

    References
    ----------
    Henderson, C. R. (1975). Best linear unbiased estimation and prediction under a
    selection model. Biometrics 31(2), 423-447.
    Patterson, H. D. & Thompson, R. (1971). Recovery of inter-block information when block
    sizes are unequal. Biometrika 58(3), 545-554.

    Example
    -------
    >>> scores = pd.DataFrame({"portfolio": [1, 1, 2, 2, 3, 3, 4, 4],
    ...                        "reviewer": list("abcabcab"),
    ...                        "score": [6.0, 7.5, 5.0, 6.0, 8.0, 6.5, 7.0, 8.5]})
    >>> result = rater_severity(scores, target="portfolio", rater="reviewer", score="score",
    ...                         standard=7.0)
    >>> [t.term for t in result.terms][:3]
    ['a', 'b', 'c']
    """
    check_alpha(alpha)
    frame = _with_key(frame, target, "target", [rater, score])
    _require_numeric(frame, score, "score")
    _reject_missing_ids(frame, {"target": "_target", "rater": rater})
    missing = int(frame[score].isna().sum())
    if missing:
        raise ValueError(f"score: {missing} rows have no score; drop or impute them first")
    raters = frame[rater].nunique()
    if raters < 2:
        raise ValueError(f"rater: severity needs at least two raters, got {raters}")
    if frame["_target"].nunique() < 2:
        raise ValueError("target: severity needs at least two targets")
    if frame[score].nunique() < 2:
        raise ValueError(f"score: every score is {frame[score].iat[0]}; severity needs variation")
    if standard is not None and not math.isfinite(standard):
        raise ValueError(f"standard must be a finite number, got {standard}")

    rater_codes, rater_names = pd.factorize(frame[rater], sort=True)
    target_codes, _ = pd.factorize(frame["_target"])
    fit = _fit_crossed(frame[score].to_numpy(dtype=float), target_codes, rater_codes)
    z = stats.norm.ppf(1 - alpha / 2)
    warnings = list(fit.warnings)
    scores_per_rater = np.bincount(rater_codes, minlength=len(rater_names))
    terms = [
        Term(
            str(name),
            float(offset),
            float(se),
            float(offset - z * se),
            float(offset + z * se),
            extra=(("scores", int(count)),),
        )
        for name, offset, se, count in zip(
            rater_names, fit.rater_offsets, fit.rater_errors, scores_per_rater, strict=True
        )
    ]
    spread_lower = spread_upper = None
    if fit.rater_log_variance_error is not None and raters >= MIN_RATERS_FOR_SPREAD_INTERVAL:
        log_variance = math.log(fit.rater_variance)
        spread_lower = math.exp((log_variance - z * fit.rater_log_variance_error) / 2)
        spread_upper = math.exp((log_variance + z * fit.rater_log_variance_error) / 2)
    elif raters < MIN_RATERS_FOR_SPREAD_INTERVAL:
        warnings.append(
            f"only {raters} raters: too few for an interval on the spread of severities."
        )
    terms += [
        Term("rater_sd", math.sqrt(fit.rater_variance), None, spread_lower, spread_upper),
        Term("target_sd", math.sqrt(fit.target_variance)),
        Term("residual_sd", math.sqrt(fit.residual_variance)),
    ]
    names = [t.term for t in terms]
    if len(set(names)) != len(names):
        raise ValueError(f"rater: a rater is named like a summary term ({sorted(names)})")
    details = {
        "raters": raters,
        "targets": int(target_codes.max() + 1),
        "mean": fit.mean,
    }
    if standard is not None:
        adjusted = frame[score].to_numpy(dtype=float) - fit.rater_offsets[rater_codes]
        by_target = pd.DataFrame({"raw": frame[score].to_numpy(dtype=float), "adjusted": adjusted})
        means = by_target.groupby(target_codes).mean()
        for name, column in (
            ("share_at_standard", "raw"),
            ("share_at_standard_adjusted", "adjusted"),
        ):
            reached = int((means[column] >= standard).sum())
            lower, upper = _wilson(reached, len(means), z)
            terms.append(
                Term(
                    name,
                    reached / len(means),
                    None,
                    lower,
                    upper,
                    extra=(("targets_at_standard", reached),),
                )
            )
        details["standard"] = standard
    return Result(
        method=(
            "crossed random effects for targets and raters (REML); offsets are shrunk "
            "predictions with conditional-variance intervals"
        ),
        estimand="spread (sd) of rater offsets",
        n=len(frame),
        terms=tuple(terms),
        alpha=alpha,
        clusters=raters,
        warnings=tuple(warnings),
        headline="rater_sd",
        details=details,
    )


@dataclass(frozen=True)
class _CrossedFit:
    """What ``_fit_crossed`` estimated: variances, the mean, and the rater predictions."""

    mean: float
    target_variance: float
    rater_variance: float
    residual_variance: float
    rater_offsets: np.ndarray
    rater_errors: np.ndarray
    rater_log_variance_error: float | None
    warnings: tuple[str, ...]


#: Variance ratios are searched on the log scale within +-15: beyond that a variance is
#: indistinguishable from zero (or the residual from zero) at any realistic scale.
LOG_RATIO_BOUND = 15.0


def _fit_crossed(y: np.ndarray, targets: np.ndarray, raters: np.ndarray) -> _CrossedFit:
    """REML fit of y = mean + target + rater + error, with both effects random.

    The restricted deviance is written with Henderson's mixed-model equations
    C = W'W + diag(0, 1/g_t, 1/g_r), W = [1, Z_t, Z_r], g the variance ratios to the
    residual variance:
    -2 l_R = (n - 1) log s2 + r / s2 + log|C| + q_t log g_t + q_r log g_r (+ constants),
    r = y'y - b'W'y, b = C^-1 W'y, and profiled over s2 = r / (n - 1). Each score has one
    target, so the target block of C is diagonal: it is eliminated exactly (a Schur
    complement), leaving a dense system the size of the rater count. A district's panels
    (thousands of targets, a few dozen raters) take milliseconds per evaluation.
    """
    n = len(y)
    q_targets, q_raters = int(targets.max()) + 1, int(raters.max()) + 1
    target_counts = np.bincount(targets, minlength=q_targets).astype(float)
    target_sums = np.bincount(targets, weights=y, minlength=q_targets)
    # The kept block: the mean and the raters. kept_cross = K'K, kept_y = K'y, and
    # between = K'Z_t (the mean's row is each target's count).
    rater_counts = np.bincount(raters, minlength=q_raters).astype(float)
    kept_cross = np.zeros((1 + q_raters, 1 + q_raters))
    kept_cross[0, 0] = n
    kept_cross[0, 1:] = kept_cross[1:, 0] = rater_counts
    kept_cross[1:, 1:] = np.diag(rater_counts)
    kept_y = np.r_[y.sum(), np.bincount(raters, weights=y, minlength=q_raters)]
    between = np.zeros((1 + q_raters, q_targets))
    between[0] = target_counts
    np.add.at(between, (1 + raters, targets), 1.0)
    yy = float(y @ y)

    def solve(log_ratios: np.ndarray):
        diagonal = target_counts + np.exp(-log_ratios[0])
        scaled = between / diagonal
        # einsum, not BLAS: a small product that multithreaded BLAS makes ten times slower.
        schur = kept_cross - np.einsum("it,kt->ik", scaled, between)
        schur[1:, 1:] += np.diag(np.full(q_raters, np.exp(-log_ratios[1])))
        kept = np.linalg.solve(schur, kept_y - np.einsum("it,t->i", scaled, target_sums))
        absorbed = (target_sums - np.einsum("it,i->t", between, kept)) / diagonal
        log_det = float(np.log(diagonal).sum() + np.linalg.slogdet(schur)[1])
        residual = yy - float(kept @ kept_y) - float(absorbed @ target_sums)
        return schur, kept, log_det, residual

    def penalty(log_ratios: np.ndarray) -> float:
        return q_targets * log_ratios[0] + q_raters * log_ratios[1]

    def profiled(log_ratios: np.ndarray) -> float:
        _, _, log_det, residual = solve(log_ratios)
        return (n - 1) * math.log(residual / (n - 1)) + log_det + penalty(log_ratios)

    def deviance(log_variances: np.ndarray) -> float:
        log_ratios = log_variances[:2] - log_variances[2]
        _, _, log_det, residual = solve(log_ratios)
        return (
            (n - 1) * log_variances[2]
            + residual / math.exp(log_variances[2])
            + log_det
            + penalty(log_ratios)
        )

    found = optimize.minimize(
        profiled, np.zeros(2), method="L-BFGS-B", bounds=[(-LOG_RATIO_BOUND, LOG_RATIO_BOUND)] * 2
    )
    warnings = []
    if not found.success:
        warnings.append(f"the variance estimates did not converge ({found.message}).")
    schur, kept, _, residual = solve(found.x)
    residual_variance = residual / (n - 1)
    target_variance, rater_variance = np.exp(found.x) * residual_variance
    # The conditional variance of the rater effects is s2 times their block of C^-1,
    # which is the inverse of the Schur complement.
    conditional = residual_variance * np.diag(np.linalg.inv(schur))[1:]
    at_zero = found.x <= -LOG_RATIO_BOUND + 1
    for name, zero in zip(("target", "rater"), at_zero, strict=True):
        if zero:
            warnings.append(
                f"the {name} variance is estimated at zero: the data show no differences "
                f"between {name}s beyond noise."
            )
    log_variance_error = None
    if not at_zero[1]:
        point = np.log([target_variance, rater_variance, residual_variance])
        covariance = 2 * np.linalg.pinv(_hessian(deviance, point))
        if covariance[1, 1] > 0:
            log_variance_error = math.sqrt(covariance[1, 1])
    return _CrossedFit(
        mean=float(kept[0]),
        target_variance=float(target_variance),
        rater_variance=float(rater_variance),
        residual_variance=float(residual_variance),
        rater_offsets=kept[1:],
        rater_errors=np.sqrt(conditional),
        rater_log_variance_error=log_variance_error,
        warnings=tuple(warnings),
    )


def _hessian(function, point: np.ndarray, step: float = 1e-3) -> np.ndarray:
    """Central-difference second derivatives of a smooth function at ``point``."""
    size = len(point)
    hessian = np.zeros((size, size))
    for i in range(size):
        for j in range(i, size):
            shifts = []
            for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                moved = point.copy()
                moved[i] += si * step
                moved[j] += sj * step
                shifts.append(function(moved))
            value = (shifts[0] - shifts[1] - shifts[2] + shifts[3]) / (4 * step * step)
            hessian[i, j] = hessian[j, i] = value
    return hessian


def _wilson(successes: int, total: int, z: float) -> tuple[float, float]:
    """Wilson's score interval for a proportion (Wilson 1927)."""
    share = successes / total
    centre = (share + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total))
    return centre - half / (1 + z * z / total), centre + half / (1 + z * z / total)


def _with_key(frame: pd.DataFrame, key: Key, argument: str, others: list[str]) -> pd.DataFrame:
    """The columns needed, with the key (one column or several together) as ``_<argument>``."""
    key_columns = [key] if isinstance(key, str) else list(key)
    if not key_columns:
        raise ValueError(f"{argument}: name at least one column")
    require_columns(frame, {argument: key_columns, **{name: [name] for name in others}})
    kept = frame[list(dict.fromkeys(key_columns + others))].copy()
    if len(key_columns) == 1:
        kept[f"_{argument}"] = kept[key_columns[0]]
    else:
        # Several columns name one key: number their combinations (a key with a gap is none).
        codes = kept.groupby(key_columns, sort=False, dropna=False).ngroup()
        kept[f"_{argument}"] = codes.where(kept[key_columns].notna().all(axis=1))
    return kept.reset_index(drop=True)


def _require_numeric(frame: pd.DataFrame, column: str, argument: str) -> None:
    if not pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_bool_dtype(
        frame[column]
    ):
        raise ValueError(f"{argument}: column {column!r} must be numeric")


def _reject_missing_ids(frame: pd.DataFrame, columns: dict[str, str]) -> None:
    """``columns`` maps each argument to its column."""
    for argument, column in columns.items():
        missing = int(frame[column].isna().sum())
        if missing:
            raise ValueError(f"{argument}: {missing} rows have no {argument}")


def _one_rating_each(
    frame: pd.DataFrame,
    scored: tuple[str, Key],
    scorer: tuple[str, str],
    value: str,
    statistic: str,
) -> tuple[pd.DataFrame, int]:
    """The ratings with the scored thing's key as one column, checked: every row names what
    is scored and who scored it, no one scores the same thing twice, and there are at least
    two scorers. Returns the frame and the number of scorers."""
    (key_argument, key), (scorer_argument, scorer_column) = scored, scorer
    frame = _with_key(frame, key, key_argument, [scorer_column, value])
    _reject_missing_ids(frame, {key_argument: f"_{key_argument}", scorer_argument: scorer_column})
    repeated = int(frame.duplicated([f"_{key_argument}", scorer_column]).sum())
    if repeated:
        raise ValueError(
            f"{key_argument}: {repeated} rows repeat a {scorer_argument}'s score of the same "
            f"{key_argument}; average them, or name the {key_argument} more finely"
        )
    scorers = frame[scorer_column].nunique()
    if scorers < 2:
        raise ValueError(
            f"{scorer_argument}: {statistic} needs at least two {scorer_argument}s, got {scorers}"
        )
    return frame, scorers
