"""Each distribution's draws and quantiles, and the messages for one that cannot be drawn."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from models.roi.distributions import Pert, normal_from_estimate, parse_distribution


def draws(spec, size=200_000, seed=0, **kwargs):
    return parse_distribution(spec, "x", **kwargs).sample(np.random.default_rng(seed), size)


def test_a_number_is_a_fixed_value():
    distribution = parse_distribution(20, "x")
    assert distribution.is_fixed
    assert distribution.quantile(0.1) == distribution.quantile(0.9) == 20


def test_triangular_quantiles_are_in_closed_form():
    # Symmetric [0, 1, 2]: median 1; P10 = sqrt(0.1 x 2 x 1) = 0.4472136.
    distribution = parse_distribution({"triangular": [0, 1, 2]}, "x")
    assert distribution.median == pytest.approx(1.0)
    assert distribution.quantile(0.1) == pytest.approx(math.sqrt(0.2))


def test_pert_draws_follow_the_beta_distribution_they_come_from():
    values = draws({"pert": [0, 2, 10]})
    alpha, beta = Pert(low=0, mode=2, high=10).shapes  # 1 + 4 x 0.2, 1 + 4 x 0.8
    assert (alpha, beta) == pytest.approx((1.8, 4.2))
    assert stats.kstest(values / 10, stats.beta(alpha, beta).cdf).statistic < 0.005
    assert values.mean() == pytest.approx((0 + 4 * 2 + 10) / 6, rel=0.01)


def test_lognormal_from_p10_and_p90_gives_them_back():
    distribution = parse_distribution({"lognormal": {"p10": 10, "p90": 40}}, "x")
    assert distribution.quantile(0.1) == pytest.approx(10)
    assert distribution.quantile(0.9) == pytest.approx(40)
    assert distribution.median == pytest.approx(20)  # the geometric mean


def test_normal_from_a_95_percent_interval_reads_back_its_standard_error():
    distribution = parse_distribution({"normal": {"ci_lower": 0.02, "ci_upper": 0.10}}, "x")
    assert distribution.sd == pytest.approx(0.08 / (2 * 1.959964))
    assert np.std(draws({"normal": {"estimate": 5, "std_error": 2}})) == pytest.approx(2, rel=0.01)


def test_a_share_drawn_from_a_normal_is_cut_off_at_zero_and_one():
    values = draws({"normal": {"estimate": 0.05, "std_error": 0.05}}, bounds=(0.0, 1.0))
    assert values.min() == 0.0
    assert (values == 0).mean() == pytest.approx(stats.norm.cdf(-1), abs=0.01)


def test_empirical_draws_resample_the_values_given():
    values = draws({"empirical": [1, 2, 3]}, size=3_000)
    assert set(np.unique(values)) == {1.0, 2.0, 3.0}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"normal": {"p10": 5, "p90": 1}}, r"x.normal: p10 5 is not below p90 1; swap them"),
        ({"lognormal": {"p10": 0, "p90": 4}}, r"x.lognormal: p10 0 must be above 0"),
        ({"pert": [3, 3, 3]}, r"x.pert: low 3 must be below high 3; .* or use fixed"),
        ({"triangular": [0, 5, 2]}, r"x.triangular: the mode 5 lies outside \[0, 2\]"),
        ({"gamma": [1, 2]}, r"x: unknown distribution 'gamma'; use one of fixed, uniform"),
        ({"empirical": [4]}, r"x.empirical: give a list of at least two finite numbers"),
        ({"normal": {"estimate": 1, "std_error": -1}}, r"x.normal: std_error must be above 0"),
        ({"uniform": [1]}, r"x.uniform: give 2 numbers \[low, high\]"),
    ],
)
def test_a_distribution_that_cannot_be_sampled_is_refused_with_its_fix(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_distribution(spec, "x")


def test_a_range_below_the_quantity_s_bounds_is_refused():
    with pytest.raises(ValueError, match=r"x.pert: -5 is below 0, .* give values of at least 0"):
        parse_distribution({"pert": [-5, 1, 2]}, "x", bounds=(0.0, math.inf))


def test_a_measured_estimate_becomes_its_normal_sampling_distribution():
    # A 95% interval [0.02, 0.10] around 0.06: standard error 0.08 / 3.919928 = 0.0204085.
    distribution = normal_from_estimate(0.06, ci=(0.02, 0.10), bounds=(0.0, 1.0))
    assert (distribution.mean, distribution.sd) == pytest.approx((0.06, 0.0204085), abs=1e-7)
    assert normal_from_estimate(0.06, std_error=0.01).quantile(0.9) == pytest.approx(
        0.06 + 1.2815516 * 0.01
    )
