"""The probability that the true effect is at least a cutoff the district sets: from the
estimate's sampling distribution, or from a normal-normal Bayesian model."""

from __future__ import annotations

import math

from scipy import stats

from models.results import Result, Term

METHODS = ("sampling", "bayes")


def probability_at_least(
    result: Result,
    cutoff: float,
    *,
    method: str = "sampling",
    prior_mean: float = 0.0,
    prior_sd: float | None = None,
) -> Result:
    """How likely the true headline effect of ``result`` is at least ``cutoff``.

    Parameters
    ----------
    result
        A result with a headline term that has a standard error.
    cutoff
        The smallest effect the district would count (in the headline's units).
    method
        ``"sampling"``: the share of the estimate's normal sampling distribution (centred
        on the estimate, spread by its standard error) at or above the cutoff: a
        confidence-distribution reading, not a probability about the truth in the Bayesian
        sense. ``"bayes"``: the posterior probability under a normal prior and a normal
        likelihood.
    prior_mean, prior_sd
        The prior for ``"bayes"``. ``prior_sd`` defaults to one standard deviation of the
        outcome (``result.details["outcome_sd"]``): weakly informative, as it puts 95% of
        the prior within two outcome SDs of ``prior_mean`` when education effects are
        rarely beyond half an SD.

    Returns
    -------
    Result
        Term ``probability_at_least`` (headline); for ``"bayes"`` also ``posterior``
        (its mean, SD and credible interval). The method states the prior.

    Example
    -------
    >>> from models.results import Result, Term
    >>> effect = Result("ols", "ATE", 400, (Term("ATE", 0.10, 0.05),), headline="ATE")
    >>> round(probability_at_least(effect, 0.0).estimate, 3)
    0.977
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if result.headline is None:
        raise ValueError("result: it has no headline term to judge")
    term = result.term(result.headline)
    if term.std_error is None or not term.std_error > 0:
        raise ValueError(
            f"result: its {term.term} has no standard error (see its warnings), so no "
            "probability can be given"
        )
    estimand = f"probability that the {result.estimand} is at least {cutoff:g}"
    if method == "sampling":
        probability = float(stats.norm.sf((cutoff - term.estimate) / term.std_error))
        return Result(
            method=(
                f"normal sampling distribution of the estimate ({term.estimate:.4g}, "
                f"standard error {term.std_error:.4g}); not a Bayesian posterior"
            ),
            estimand=estimand,
            n=result.n,
            terms=(Term("probability_at_least", probability),),
            alpha=result.alpha,
            clusters=result.clusters,
            warnings=result.warnings,
            headline="probability_at_least",
            details={"cutoff": cutoff, "estimate": term.estimate, "std_error": term.std_error},
        )
    if prior_sd is None:
        prior_sd = result.details.get("outcome_sd")
        if prior_sd is None or not prior_sd > 0:
            raise ValueError(
                "prior_sd: the result does not carry the outcome's SD; give the prior's SD"
            )
    if not prior_sd > 0:
        raise ValueError(f"prior_sd must be positive, got {prior_sd}")
    precision = 1 / prior_sd**2 + 1 / term.std_error**2
    posterior_sd = math.sqrt(1 / precision)
    posterior_mean = (prior_mean / prior_sd**2 + term.estimate / term.std_error**2) / precision
    probability = float(stats.norm.sf((cutoff - posterior_mean) / posterior_sd))
    z = float(stats.norm.ppf(1 - result.alpha / 2))
    return Result(
        method=(
            f"normal-normal Bayesian model: prior N({prior_mean:g}, {prior_sd:.4g}^2), "
            f"likelihood N(estimate {term.estimate:.4g}, standard error {term.std_error:.4g})"
        ),
        estimand=estimand,
        n=result.n,
        terms=(
            Term("probability_at_least", probability),
            Term(
                "posterior",
                posterior_mean,
                posterior_sd,
                posterior_mean - z * posterior_sd,
                posterior_mean + z * posterior_sd,
            ),
        ),
        alpha=result.alpha,
        clusters=result.clusters,
        warnings=result.warnings,
        headline="probability_at_least",
        details={
            "cutoff": cutoff,
            "prior_mean": prior_mean,
            "prior_sd": prior_sd,
            "posterior_mean": posterior_mean,
            "posterior_sd": posterior_sd,
        },
    )
