"""The Monte Carlo against amounts worked out by hand."""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest

from models.roi import load_scenario, parse_scenario, simulate
from models.roi.simulate import cash_flows, draw_inputs

#: The module (its name is also the function's, which ``models.roi`` exports).
simulate_module = importlib.import_module("models.roi.simulate")


def measure(projection, name, rate, perspective="total"):
    return projection.values(name, perspective, rate)


def test_flat_stream_npv_irr_and_payback_match_the_hand_calculation(flat):
    # Flows by year: -1000, +300, +300, +300, +300 (year 1 undiscounted).
    # At 3%: 300 x (1/1.03 + 1/1.03^2 + 1/1.03^3 + 1/1.03^4) = 300 x 3.7170984
    #        = 1115.1295; NPV = 115.1295.
    # At 7%: 300 x 3.3872113 = 1016.1634; NPV = 16.1634.
    # IRR: 300 x annuity(4 years, r) = 1000, annuity = 3.3333 -> r = 0.0771385
    #      (at r = 7.71385%: 300/1.0771385 + 300/1.0771385^2 + ... = 1000.000).
    # Payback at 3%: cumulative -1000, -708.74, -425.96, -151.42, +115.13 -> year 5.
    projection = simulate(flat, draws=3, seed=1)
    assert measure(projection, "npv", 0.03) == pytest.approx([115.1295208] * 3, abs=1e-6)
    assert measure(projection, "npv", 0.07) == pytest.approx([16.1633769] * 3, abs=1e-6)
    assert projection.irr == pytest.approx([0.0771384730] * 3, abs=1e-9)
    assert projection.payback.tolist() == [5.0, 5.0, 5.0]
    assert projection.fan_frame().p50.tolist() == pytest.approx(
        [-1000.0, -708.7378641, -425.9590913, -151.4165935, 115.1295208]
    )


def test_discounting_at_zero_equals_the_plain_sum_of_the_years(flat):
    projection = simulate(flat, draws=2, seed=0)
    assert measure(projection, "benefits", 0.0).tolist() == [1200.0, 1200.0]
    assert measure(projection, "costs", 0.0).tolist() == [1000.0, 1000.0]
    costs, benefits = cash_flows(flat, draw_inputs(flat, draws=2, seed=0), 2)
    assert measure(projection, "npv", 0.0) == pytest.approx(
        benefits.sum(axis=(0, 1)) - costs.sum(axis=(0, 1))
    )


def test_ratio_and_roi_follow_from_the_present_values(flat):
    projection = simulate(flat, draws=1, seed=0)
    # 1115.1295 / 1000 = 1.1151295; ROI = 11.51295%.
    assert measure(projection, "benefit_cost_ratio", 0.03)[0] == pytest.approx(1.1151295208)
    assert measure(projection, "roi_pct", 0.03)[0] == pytest.approx(11.51295208)


def test_a_scenario_without_uncertainty_gives_one_value_in_every_draw(flat):
    projection = simulate(flat, draws=1_000, seed=7)
    frame = projection.to_frame()
    npv = frame[(frame.measure == "npv") & (frame.perspective == "total")]
    assert (npv.p10 == npv.p90).all()
    assert (npv.mc_std_error == 0).all()


def test_the_same_seed_gives_the_same_draws_and_another_seed_other_draws():
    base = load_scenario("base")
    first = simulate(base, draws=500, seed=11)
    again = simulate(base, draws=500, seed=11)
    other = simulate(base, draws=500, seed=12)
    assert np.array_equal(first.values("npv"), again.values("npv"))
    assert not np.array_equal(first.values("npv"), other.values("npv"))


def test_monte_carlo_error_shrinks_as_one_over_the_square_root_of_draws():
    # Means of 40 independent runs: their spread at 16x the draws is a quarter as wide.
    base = load_scenario("base")
    small = [simulate(base, draws=250, seed=s).values("npv").mean() for s in range(40)]
    large = [simulate(base, draws=4_000, seed=s).values("npv").mean() for s in range(40)]
    ratio = np.std(small, ddof=1) / np.std(large, ddof=1)
    assert 2.8 < ratio < 5.6  # 4 expected; the spread of 40 means is itself uncertain (~11%)
    reported = simulate(base, draws=250, seed=0).to_frame()
    reported_large = simulate(base, draws=4_000, seed=0).to_frame()
    pick = (
        (reported.measure == "npv")
        & (reported.perspective == "total")
        & (reported.discount_rate == 0.03)
    )
    assert reported[pick].mc_std_error.iloc[0] / reported_large[pick].mc_std_error.iloc[
        0
    ] == pytest.approx(4, rel=0.15)


def test_graduate_cohorts_accumulate_from_the_year_after_they_graduate(flat_data, price_index):
    # 10 graduates a year from year 1, $1,000 premium each, kept at 50% a year, earning
    # from the year after graduating: year 1 0; year 2 10,000; year 3 10,000 x 0.5 +
    # 10,000 = 15,000; year 4 17,500; year 5 18,750.
    flat_data["benefits"]["graduate_earnings"] = {
        "receiver": "students",
        "cohorts": True,
        "lag_years": 1,
        "factors": {
            "certified_graduates": {"fixed": 10, "source": "t", "basis": "assumption"},
            "annual_premium": {"fixed": 1000, "price_year": 2024, "source": "t", "basis": "study"},
        },
        "ramp": [1.0],
        "attribution": {"fixed": 1, "source": "t", "basis": "assumption"},
        "persistence": {"fixed": 0.5, "source": "t", "basis": "assumption"},
    }
    scenario = parse_scenario(flat_data, price_index=price_index)
    _, benefits = cash_flows(scenario, draw_inputs(scenario, draws=1, seed=0), 1)
    assert benefits[1, :, 0].tolist() == [0.0, 10_000.0, 15_000.0, 17_500.0, 18_750.0]


def test_a_fading_stream_keeps_its_persistence_each_year_after_its_first(flat_data, price_index):
    # $300 from year 2, kept at 80% a year: 0, 300, 240, 192, 153.6.
    flat_data["benefits"]["teacher_turnover"]["persistence"]["fixed"] = 0.8
    scenario = parse_scenario(flat_data, price_index=price_index)
    _, benefits = cash_flows(scenario, draw_inputs(scenario, draws=1, seed=0), 1)
    assert benefits[0, :, 0] == pytest.approx([0.0, 300.0, 240.0, 192.0, 153.6])


def test_prices_are_brought_to_the_base_year_with_the_cpi(flat_data, price_index):
    # $1,000 of 2006 is 1,000 x 313.689 / 201.6 = $1,555.997 of 2024.
    flat_data["costs"]["launch"]["unit_price"]["price_year"] = 2006
    scenario = parse_scenario(flat_data, price_index=price_index)
    projection = simulate(scenario, draws=1, seed=0)
    assert measure(projection, "costs", 0.0)[0] == pytest.approx(1555.997024)


def test_perspectives_count_their_own_payers_and_streams(flat_data, price_index):
    flat_data["costs"]["panels"] = {
        "category": "in_kind",
        "payer": "employer",
        "years": "all",
        "quantity": {"fixed": 1, "source": "t", "basis": "assumption"},
        "unit_price": {"fixed": 100, "price_year": 2024, "source": "t", "basis": "assumption"},
    }
    grants = flat_data["benefits"]["grants_attracted"]
    grants.update(transfer=True)
    grants["factors"]["amount"]["fixed"] = 50
    grants["attribution"]["fixed"] = 1
    scenario = parse_scenario(flat_data, price_index=price_index)
    projection = simulate(scenario, draws=1, seed=0)
    undiscounted = {p: measure(projection, "npv", 0.0, p)[0] for p in projection.perspectives}
    # total: 1200 + 250 - 1000 - 500; district: employers' time is not its cost;
    # society: the grant is a transfer; students: nothing here.
    assert undiscounted == pytest.approx(
        {"total": -50.0, "district": 450.0, "society": -300.0, "students": 0.0}
    )


def test_draws_beyond_one_chunk_continue_each_input_s_stream(monkeypatch):
    base = load_scenario("base")
    whole = simulate(base, draws=6_000, seed=3).values("npv")
    monkeypatch.setattr(simulate_module, "CHUNK", 2_500)
    chunked = simulate(base, draws=6_000, seed=3).values("npv")
    assert chunked.shape == (6_000,)
    # Fixed-size chunks draw the first chunk exactly as one run would.
    assert np.array_equal(chunked[:2_500], whole[:2_500])
    assert abs(chunked.mean() - whole.mean()) < 4 * whole.std() / math.sqrt(3_000)


def test_summary_and_frames_carry_the_headline_numbers():
    projection = simulate(load_scenario("base"), draws=2_000, seed=5)
    assert "chance benefits exceed costs at 3%" in projection.summary()
    assert set(projection.to_frame().measure) >= {
        "npv",
        "benefit_cost_ratio",
        "irr",
        "payback_year",
    }
    assert list(projection.fan_frame().columns[:3]) == ["scenario", "year", "p10"]
    assert projection.ingredients_frame().ingredient.is_unique
    assert set(projection.per_unit_frame().unit) == {
        "participants",
        "certificates",
        "additional_girls_retained",
    }
    assert projection.to_dict()["headline"]["p_benefits_exceed_costs"] >= 0


def test_refuses_no_draws(flat):
    with pytest.raises(ValueError, match="draws: give at least 1"):
        simulate(flat, draws=0)
