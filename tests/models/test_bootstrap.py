"""Bootstrap intervals from replicates: the BCa interval against scipy's."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from models.bootstrap import bca_interval, percentile_interval

# A small skewed sample: BCa's corrections both matter for its standard deviation.
SAMPLE = np.array([0.4, 1.1, 0.7, 3.9, 0.2, 1.6, 0.9, 2.8, 0.5, 6.1, 1.3, 0.8])


def test_bca_interval_matches_scipy_given_the_same_replicates():
    drawn = stats.bootstrap(
        (SAMPLE,), np.std, n_resamples=2000, method="BCa", rng=np.random.default_rng(4)
    )
    jackknife = np.array([np.std(np.delete(SAMPLE, i)) for i in range(len(SAMPLE))])
    bounds = bca_interval(drawn.bootstrap_distribution, np.std(SAMPLE), jackknife, 0.05)
    low, high = drawn.confidence_interval
    assert (bounds.lower, bounds.upper) == pytest.approx((low, high), abs=1e-12)
    assert bounds.acceleration != 0 and bounds.bias_correction != 0


def test_bca_jackknife_weights_count_a_value_that_many_times():
    replicates = np.random.default_rng(2).normal(1.0, 0.3, 500)
    values, weights = np.array([0.9, 1.0, 1.4]), np.array([3, 1, 2])
    weighted = bca_interval(replicates, 1.05, values, 0.05, jackknife_weights=weights)
    repeated = bca_interval(replicates, 1.05, np.repeat(values, weights), 0.05)
    assert weighted == repeated


def test_bca_is_undefined_when_every_replicate_lies_above_the_estimate():
    assert bca_interval(np.array([2.0, 3.0, 4.0]), 1.0, np.array([1.0, 1.1]), 0.05) is None


def test_percentile_interval_reads_the_quantiles():
    bounds = percentile_interval(np.arange(101.0), 0.1)
    assert (bounds.lower, bounds.upper) == (5.0, 95.0)
