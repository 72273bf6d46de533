"""One-way sensitivities and break-even values, checked on the flat scenario by hand."""

from __future__ import annotations

import pytest

from models.roi import break_even, load_scenario, parse_scenario, tornado


def test_tornado_moves_one_input_to_its_p10_and_p90(flat_data, price_index):
    # The stream's $300 becomes uniform [200, 400]: P10 220, P90 380, median 300.
    # NPV at 3% = amount x 3.7170984 - 1000: 220 -> -182.238, 380 -> 412.497.
    flat_data["benefits"]["teacher_turnover"]["factors"]["amount"] = {
        "uniform": [200, 400],
        "price_year": 2024,
        "source": "t",
        "basis": "assumption",
    }
    scenario = parse_scenario(flat_data, price_index=price_index)
    result = tornado(scenario)
    (row,) = result.rows
    assert row["input"] == "benefits.teacher_turnover.factors.amount"
    assert (row["low_value"], row["high_value"]) == pytest.approx((220, 380))
    assert (row["at_low"], row["at_high"]) == pytest.approx((-182.2383514, 412.4973931))
    assert result.base == pytest.approx(115.1295208)
    assert list(result.to_frame().columns[:3]) == ["scenario", "input", "low_value"]


def test_tornado_lists_the_widest_swing_first():
    rows = tornado(load_scenario("base")).rows
    swings = [row["swing"] for row in rows]
    assert swings == sorted(swings, reverse=True)
    assert all(row["source"] for row in rows)


def test_break_even_finds_the_benefit_at_which_npv_is_zero(flat):
    # 1000 / 3.7170984 = 269.027 a year from year 2 repays $1,000 at 3%.
    result = break_even(flat, "benefits.teacher_turnover.factors.amount")
    assert result.value == pytest.approx(269.0270452, abs=1e-6)
    assert result.ratio_to_median == pytest.approx(269.0270452 / 300)
    assert "benefits equal costs at 269.027" in result.summary()


def test_break_even_of_a_cost_is_where_it_uses_up_the_benefits(flat):
    result = break_even(flat, "costs.launch.unit_price", rate=0.0)
    assert result.value == pytest.approx(1200.0)


def test_break_even_says_when_no_value_makes_benefits_equal_costs(flat):
    # The grants stream is worth $0 a year, so its attribution changes nothing: the flat
    # stream's NPV of $115 stays whatever the share from 0 to 1.
    result = break_even(flat, "benefits.grants_attracted.attribution")
    assert result.value is None
    assert result.reason.startswith("benefits exceed costs whatever its value from 0 to 1")


def test_break_even_wage_premium_per_certified_graduate():
    base = load_scenario("base")
    result = break_even(base, "benefits.graduate_earnings.factors.annual_premium")
    assert result.value > result.median
    assert result.to_dict()["break_even"] == result.value
