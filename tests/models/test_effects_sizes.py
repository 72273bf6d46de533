"""WWC effect sizes: Hedges' g, the Cox index and the improvement index."""

from __future__ import annotations

import math

import numpy as np
import pytest

from models.effects.balance import wwc_band
from models.effects.effect_size import (
    cox_index,
    hedges_g,
    improvement_index,
    pooled_sd,
    small_sample_correction,
)


# Borenstein, Hedges, Higgins and Rothstein (2009), Introduction to Meta-Analysis,
# section 4.2 worked example: means 103 and 100, SDs 5.5 and 4.5, 50 per group give
# S_within = 5.0249, J = 0.9923 and g = 0.5924.
def test_hedges_g_reproduces_the_borenstein_worked_example():
    sd = math.sqrt((49 * 5.5**2 + 49 * 4.5**2) / 98)
    assert sd == pytest.approx(5.0249, abs=5e-5)
    assert small_sample_correction(100) == pytest.approx(0.9923, abs=5e-5)
    assert hedges_g(3.0, sd, 100) == pytest.approx(0.5924, abs=5e-5)


def test_pooled_sd_weights_each_group_by_its_degrees_of_freedom():
    values = np.array([1.0, 3.0, 5.0, 2.0, 4.0])
    treated = np.array([1, 1, 1, 0, 0])
    assert pooled_sd(values, treated) == pytest.approx(math.sqrt((8 + 2) / 3))


# WWC Procedures and Standards Handbook v5.0, Appendix E: the Cox index is
# omega * ln(odds ratio) / 1.65; shares of 0.50 and 0.25 in 100 cases give
# 0.99233 * ln(3) / 1.65 = 0.6607.
def test_the_cox_index_is_the_log_odds_ratio_over_1_65_with_the_correction():
    assert cox_index(0.50, 0.25, 100) == pytest.approx(0.99233 * math.log(3) / 1.65, abs=1e-5)
    assert cox_index(0.50, 0.25, 100) == pytest.approx(0.6607, abs=5e-5)


# WWC Procedures and Standards Handbook v5.0: the improvement index is
# 100 * (Phi(g) - 0.5); g = 0.25 moves the average control student 9.87 points.
def test_the_improvement_index_of_a_quarter_sd_is_about_ten_percentile_points():
    assert improvement_index(0.25) == pytest.approx(9.87, abs=0.005)
    assert improvement_index(-0.25) == pytest.approx(-9.87, abs=0.005)


@pytest.mark.parametrize(
    ("smd", "band"),
    [
        (0.05, "satisfied"),
        (-0.051, "requires statistical adjustment"),
        (0.25, "requires statistical adjustment"),
        (0.26, "not satisfied"),
    ],
)
def test_wwc_bands_cut_at_005_and_025(smd, band):
    assert wwc_band(smd) == band
