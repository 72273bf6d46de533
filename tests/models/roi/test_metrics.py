"""Rates of return, payback and discounting, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from models.roi.metrics import (
    discount_factors,
    internal_rate_of_return,
    payback_year,
    row_percentiles,
)


def test_irr_of_a_two_year_payoff_solves_its_quadratic():
    # -100 + 60x + 60x^2 = 0 with x = 1/(1+r): x = (-60 + sqrt(60^2 + 4 x 60 x 100)) / 120
    # = 0.8844373, so r = 1/x - 1 = 0.1306624.
    assert internal_rate_of_return(np.array([[-100.0, 60.0, 60.0]])) == pytest.approx(
        [0.1306623863], abs=1e-9
    )


def test_irr_is_computed_for_every_draw_at_once():
    flows = np.array([[-100.0, 110.0], [-100.0, 60.0], [-100.0, 100.0]])
    assert internal_rate_of_return(flows) == pytest.approx([0.10, -0.40, 0.0], abs=1e-9)


def test_irr_is_undefined_when_the_flows_never_change_sign():
    flows = np.array([[-100.0, -10.0, -5.0], [50.0, 60.0, 70.0]])
    assert np.isnan(internal_rate_of_return(flows)).all()


def test_payback_is_the_year_from_which_cumulative_value_stays_positive():
    cumulative = np.array(
        [
            [-10.0, -5.0, 1.0, 4.0],  # year 3
            [5.0, -1.0, 2.0, 3.0],  # dips in year 2: year 3
            [-10.0, -5.0, -1.0, -0.5],  # never
            [0.0, 1.0, 2.0, 3.0],  # year 1
        ]
    )
    assert payback_year(cumulative).tolist()[:2] == [3.0, 3.0]
    assert np.isnan(payback_year(cumulative)[2])
    assert payback_year(cumulative)[3] == 1.0


def test_discount_factors_leave_year_one_undiscounted():
    factors = discount_factors((0.0, 0.03), 3)
    assert factors[:, 0].tolist() == [1.0, 1.0, 1.0]
    assert factors[:, 1] == pytest.approx([1.0, 1 / 1.03, 1 / 1.03**2])


def test_row_percentiles_match_numpy_s_linear_method():
    rows = np.random.default_rng(0).normal(size=(3, 101))
    expected = np.percentile(rows, [10, 25, 50, 75, 90], axis=1)
    assert row_percentiles(rows.copy()) == pytest.approx(expected)
