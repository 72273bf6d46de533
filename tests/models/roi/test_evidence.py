"""The evidence scenario: the base case with what a district has measured put in.

Each test hands in a few rows of one kind (booked costs, recorded revenue, a scorecard
estimate, a count) and checks the one input it should set, with its basis and source.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from models.roi import load_price_index, load_scenario_data, simulate
from models.roi.evidence import evidence_scenario

Z975 = 1.959963984540054


def booked(*rows) -> pd.DataFrame:
    """Cost rows: (school_year, category, item, quantity, unit_price_usd, payer)."""
    return pd.DataFrame(
        [
            {
                "school_year": year,
                "category": category,
                "item": item,
                "quantity": quantity,
                "unit": "unit",
                "unit_price_usd": price,
                "payer": payer,
                "price_year": year,
            }
            for year, category, item, quantity, price, payer in rows
        ]
    )


def recorded(*rows) -> pd.DataFrame:
    """Benefit rows: (school_year, benefit_type, observations, amount_usd)."""
    return pd.DataFrame(rows, columns=["school_year", "benefit_type", "observations", "amount_usd"])


def claim(claim_id: str, estimate: float, lower: float, upper: float, n: int = 200):
    return {
        "claim_id": claim_id,
        "estimate": estimate,
        "ci_lower": lower,
        "ci_upper": upper,
        "n": n,
        "verdict": "inconclusive",
        "run_id": "run1",
    }


def figure(name: str, year: int, value: float, n: int, std_error=None):
    return {
        "figure": name,
        "school_year": year,
        "value": value,
        "n": n,
        "std_error": std_error,
        "source": f"test: {name}",
    }


def build(**frames):
    for key in ("claims", "figures"):
        if key in frames:
            frames[key] = pd.DataFrame(frames[key])
    return evidence_scenario(load_scenario_data("base"), price_index=load_price_index(), **frames)


TWO_YEARS_OF_COSTS = booked(
    (2023, "personnel", "Program coordinator", 1, 90000, "grant"),
    (2023, "facilities", "Studio room refit", 1, 25000, "partner"),
    (2024, "personnel", "Program coordinator", 1, 92000, "grant"),
    (2024, "training", "Teacher time in training", 300, 55, "in_kind"),
)


def test_booked_costs_become_fixed_measured_ingredients_in_their_program_years():
    costs = {c.id: c for c in build(costs=TWO_YEARS_OF_COSTS).scenario.costs}
    coordinator = costs["program_coordinator_2024"]
    assert coordinator.years == (2,)
    assert coordinator.payer == "grant"
    assert coordinator.unit_price.distribution.median == 92000
    assert coordinator.quantity.basis == "measured"
    assert "costs_by_year 2024: Program coordinator" in coordinator.quantity.source


def test_payers_map_to_the_scenarios_partner_is_an_employer_and_in_kind_time_the_districts():
    costs = {c.id: c for c in build(costs=TWO_YEARS_OF_COSTS).scenario.costs}
    assert costs["studio_room_refit_2023"].payer == "employer"
    assert costs["teacher_time_in_training_2024"].payer == "district"


def test_a_recurring_cost_is_carried_to_the_unbooked_years_and_a_one_off_is_not():
    costs = {c.id: c for c in build(costs=TWO_YEARS_OF_COSTS).scenario.costs}
    projected = costs["program_coordinator_projected"]
    assert projected.years == tuple(range(3, 11))
    assert projected.quantity.basis == "assumption"
    assert projected.quantity.distribution.quantile(0.0) == pytest.approx(0.75)
    assert "studio_room_refit_projected" not in costs
    # Booked in the last year only: not known to recur.
    assert "teacher_time_in_training_projected" not in costs


def test_without_booked_costs_the_base_ingredients_stand():
    evidence = build()
    base_ids = set(load_scenario_data("base")["costs"])
    assert {c.id for c in evidence.scenario.costs} == base_ids
    assert any("no costs are booked" in w for w in evidence.warnings)


TRAINED_EXIT_RATE = figure("teacher_exit_rate_trained", 2024, 0.15, 600, 0.0146)


def test_exits_avoided_per_trained_teachers_exit_are_one_over_the_ratio_less_one():
    # Trained teachers leave at 15%; with a ratio of 0.8 they would have left at 18.75%:
    # training avoided 0.25 exits for each of theirs.
    ratio, lower, upper = 0.8, 0.6, 1.2
    evidence = build(
        costs=TWO_YEARS_OF_COSTS,
        claims=[claim("teacher_retention_trained", ratio, lower, upper)],
        figures=[TRAINED_EXIT_RATE],
    )
    factors = evidence.scenario.stream("teacher_turnover").factors
    avoided = factors["exits_avoided_per_exit"]
    log_se = (math.log(upper) - math.log(lower)) / (2 * Z975)
    assert avoided.distribution.median == pytest.approx(0.25)
    assert avoided.distribution.sd == pytest.approx(log_se / ratio)
    assert avoided.basis == "measured" and avoided.signed
    assert factors["exit_rate"].distribution.median == pytest.approx(0.15)
    assert "exit_reduction" not in factors


def test_a_measured_effect_that_may_be_harm_keeps_its_harmful_draws():
    ratio, lower, upper = 0.9, 0.6, 1.35
    evidence = build(
        costs=TWO_YEARS_OF_COSTS,
        claims=[claim("teacher_retention_trained", ratio, lower, upper)],
        figures=[TRAINED_EXIT_RATE],
    )
    avoided = evidence.scenario.stream("teacher_turnover").factors["exits_avoided_per_exit"]
    # None is cut off at zero: the share below zero is the normal's.
    sd = (math.log(upper) - math.log(lower)) / (2 * Z975) / ratio
    below = avoided.distribution.sample(np.random.default_rng(1), 100_000) < 0
    assert below.mean() == pytest.approx(stats.norm.cdf(-(1 / ratio - 1) / sd), abs=0.005)


def test_without_a_stored_estimate_the_effect_stays_assumed_and_says_so():
    evidence = build(costs=TWO_YEARS_OF_COSTS, figures=[TRAINED_EXIT_RATE])
    reduction = evidence.scenario.stream("teacher_turnover").factors["exit_reduction"]
    assert reduction.basis == "assumption"
    assert any(
        "no stored scorecard estimate of teacher_retention_trained" in w for w in evidence.warnings
    )


def test_replacement_cost_is_what_the_district_books_per_leaver():
    evidence = build(
        costs=TWO_YEARS_OF_COSTS,
        benefits=recorded((2023, "teacher_exit", 3, -60000.0), (2024, "teacher_exit", 2, -44000.0)),
    )
    cost = evidence.scenario.stream("teacher_turnover").factors["replacement_cost"]
    assert cost.distribution.median == 20800  # $104,000 over 5 exits
    assert cost.price_year == 2024


def test_revenue_counts_years_without_a_record_as_zero_from_the_first_record():
    evidence = build(
        costs=booked(
            *[
                (y, "personnel", "Program coordinator", 1, 90000, "grant")
                for y in (2021, 2022, 2023, 2024)
            ]
        ),
        benefits=recorded(
            (2022, "consulting_revenue", 1, 90000.0), (2024, "licensing_revenue", 2, 30000.0)
        ),
    )
    stream = evidence.scenario.stream("licensing_consulting")
    revenue = stream.factors["annual_revenue"]
    # 2022-2024: $90,000, $0, $30,000 -> triangular(0, 40,000, 90,000).
    assert revenue.distribution.quantile(0.0) == 0
    assert revenue.distribution.quantile(1.0) == 90000
    assert "mean $40,000" in revenue.source
    assert stream.ramp[:3] == (0.0, 1.0, 1.0)


def test_additional_girls_retained_are_the_returned_times_one_minus_one_over_the_ratio():
    evidence = build(
        costs=TWO_YEARS_OF_COSTS,
        claims=[claim("female_retention_girls_only", 2.0, 1.6, 2.5)],
        figures=[
            figure("girls_only_girls_eligible", 2024, 50, 50),
            figure("girls_only_girls_returned", 2024, 40, 50),
        ],
    )
    girls = evidence.scenario.units["additional_girls_retained"]
    assert girls.distribution.median == pytest.approx(20.0)  # 40 x (1 - 1/2)
    assert girls.basis == "measured"


def test_prices_after_the_index_are_taken_as_its_last_year_with_one_warning():
    evidence = build(
        costs=booked(
            (2026, "personnel", "Program coordinator", 1, 90000, "grant"),
            (2027, "personnel", "Program coordinator", 1, 90000, "grant"),
        )
    )
    costs = {c.id: c for c in evidence.scenario.costs}
    assert costs["program_coordinator_2027"].unit_price.price_year == 2025
    warnings = [w for w in evidence.warnings if "price index ends" in w]
    assert warnings == [
        "prices of 2026-2027 are taken as 2025 dollars: the price index ends in 2025 (extend "
        "models/scenarios/price_index.yaml from the same series)"
    ]


def test_the_evidence_scenario_simulates_and_lists_what_it_measured():
    evidence = build(
        costs=TWO_YEARS_OF_COSTS,
        claims=[claim("teacher_retention_trained", 0.9, 0.6, 1.35)],
        figures=[figure("teachers_at_risk", 2024, 300, 300), TRAINED_EXIT_RATE],
    )
    projection = simulate(evidence.scenario, draws=1_000, seed=1)
    assert projection.scenario == "evidence"
    measured = evidence.to_frame().set_index("input")
    assert measured.loc["benefits.teacher_turnover.factors.teachers", "value"] == "300"
    assert measured.loc["benefits.teacher_turnover.factors.exits_avoided_per_exit", "n"] == 200
