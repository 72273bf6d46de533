"""Intraclass correlations: the six Shrout-Fleiss forms, with F-based intervals."""

from __future__ import annotations

import warnings as python_warnings

import numpy as np
import pandas as pd
import pingouin
from scipy import stats

from models.checks import check_alpha
from models.reliability.ratings import Key, one_rating_each, require_numeric
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
    frame, raters = one_rating_each(frame, ("target", target), ("rater", rater), score, "ICC")
    require_numeric(frame, score, "score")

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
