"""probability_at_least: the chance the true effect reaches the district's cutoff."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from models.effects import probability_at_least
from models.results import Result, Term


def effect(estimate: float = 0.10, std_error: float | None = 0.05, **details) -> Result:
    return Result(
        "ols", "ATE", 400, (Term("ATE", estimate, std_error),), headline="ATE", details=details
    )


def test_the_sampling_probability_is_the_normal_tail_beyond_the_cutoff():
    # Two standard errors above the cutoff: Phi(2) = 0.97725.
    result = probability_at_least(effect(), 0.0)
    assert result.estimate == pytest.approx(0.97725, abs=1e-5)
    assert "not a Bayesian posterior" in result.method


def test_an_estimate_at_the_cutoff_gives_one_half():
    assert probability_at_least(effect(0.2), 0.2).estimate == pytest.approx(0.5)


def test_the_bayesian_posterior_shrinks_toward_the_prior_and_states_it():
    result = probability_at_least(effect(), 0.0, method="bayes", prior_sd=0.05)
    # Equal prior and data precision: the posterior mean is halfway, 0.05, SD 0.05/sqrt 2.
    posterior = result.term("posterior")
    assert posterior.estimate == pytest.approx(0.05)
    assert posterior.std_error == pytest.approx(0.05 / math.sqrt(2))
    assert result.estimate == pytest.approx(stats.norm.cdf(math.sqrt(2)))
    assert "prior N(0, 0.05^2)" in result.method


def test_the_default_prior_is_one_outcome_sd():
    result = probability_at_least(effect(outcome_sd=0.8), 0.0, method="bayes")
    assert result.details["prior_sd"] == 0.8


def test_rejects_a_result_without_a_standard_error():
    with pytest.raises(ValueError, match="result: its ATE has no standard error"):
        probability_at_least(effect(std_error=None), 0.0)


def test_rejects_a_bayes_question_without_a_prior_scale():
    with pytest.raises(ValueError, match="prior_sd"):
        probability_at_least(effect(), 0.0, method="bayes")
