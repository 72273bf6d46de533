"""Each rater's severity, from a model with crossed random effects for targets and raters,
and the share of targets reaching a standard once the severities are removed."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from models.checks import check_alpha
from models.reliability.ratings import Key, reject_missing_ids, require_numeric, with_key
from models.results import Result, Term

#: With fewer raters than this the spread of severities has no defensible interval.
MIN_RATERS_FOR_SPREAD_INTERVAL = 3


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
    frame = with_key(frame, target, "target", [rater, score])
    require_numeric(frame, score, "score")
    reject_missing_ids(frame, {"target": "_target", "rater": rater})
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
