"""The shipped scenarios load; a wrong one is refused with one line naming the key and the fix."""

from __future__ import annotations

import pytest

from models.roi import SCENARIOS, STREAMS, Input, load_scenario, parse_scenario
from models.roi.distributions import Fixed


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_shipped_scenario_loads_with_every_stream_and_a_source_for_every_input(name):
    scenario = load_scenario(name)
    assert [s.id for s in scenario.benefits] == list(STREAMS)
    assert scenario.base_year == 2024
    assert scenario.discount_rates == (0.03, 0.07)
    for key, item in scenario.inputs().items():
        assert item.source.strip(), key
        assert item.basis in {"seed", "study", "district", "measured", "assumption"}, key


def test_the_base_scenario_costs_every_ingredient_the_roadmap_names():
    base = load_scenario("base")
    assert {i.category for i in base.costs} == {
        "personnel",
        "training",
        "substitutes",
        "contracts",
        "tools_and_licences",
        "materials",
        "facilities",
        "in_kind",
    }
    assert {i.payer for i in base.costs} == {"district", "grant", "employer", "family"}
    assert all(i.unit_price.price_year for i in base.costs)


def test_an_x_key_holds_shared_definitions_and_is_ignored(flat_data, price_index):
    flat_data["x-prices"] = {"hour": {"fixed": 1}}
    assert parse_scenario(flat_data, price_index=price_index).name == "flat"


def refused(data, price_index):
    with pytest.raises(ValueError) as caught:
        parse_scenario(data, price_index=price_index)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_an_unknown_key_is_named_with_the_keys_allowed(flat_data, price_index):
    flat_data["costs"]["launch"]["payor"] = "district"
    assert refused(flat_data, price_index).startswith(
        "costs.launch.payor: unknown key; the keys are category, description, payer"
    )


def test_an_unknown_key_in_an_input_is_named(flat_data, price_index):
    flat_data["costs"]["launch"]["quantity"]["mean"] = 3
    assert refused(flat_data, price_index).startswith(
        "costs.launch.quantity.mean: unknown key; an input has one distribution"
    )


def test_a_negative_cost_is_refused(flat_data, price_index):
    flat_data["costs"]["launch"]["unit_price"]["fixed"] = -1000
    assert refused(flat_data, price_index) == (
        "costs.launch.unit_price.fixed: -1,000 is below 0, which this quantity cannot be; "
        "give values of at least 0"
    )


def test_a_p10_above_its_p90_is_refused(flat_data, price_index):
    flat_data["costs"]["launch"]["unit_price"] = {
        "lognormal": {"p10": 1500, "p90": 800},
        "price_year": 2024,
        "source": "t",
        "basis": "assumption",
    }
    assert refused(flat_data, price_index) == (
        "costs.launch.unit_price.lognormal: p10 1,500 is not below p90 800; swap them"
    )


def test_a_distribution_that_cannot_be_sampled_is_refused(flat_data, price_index):
    flat_data["benefits"]["teacher_turnover"]["attribution"] = {
        "pert": [0.4, 0.4, 0.4],
        "source": "t",
        "basis": "assumption",
    }
    assert refused(flat_data, price_index).startswith(
        "benefits.teacher_turnover.attribution.pert: low 0.4 must be below high 0.4"
    )


def test_a_missing_stream_is_named_with_how_to_count_nothing(flat_data, price_index):
    del flat_data["benefits"]["licensing_consulting"]
    assert refused(flat_data, price_index) == (
        "benefits.licensing_consulting: the stream is missing; state it (with attribution 0 "
        "to count nothing)"
    )


def test_a_share_above_one_is_refused(flat_data, price_index):
    flat_data["benefits"]["teacher_turnover"]["attribution"]["fixed"] = 1.5
    assert refused(flat_data, price_index).startswith(
        "benefits.teacher_turnover.attribution.fixed: 1.5 is above 1"
    )


def test_an_input_without_a_source_is_refused(flat_data, price_index):
    del flat_data["costs"]["launch"]["quantity"]["source"]
    assert refused(flat_data, price_index) == (
        "costs.launch.quantity.source: missing; say where the number comes from"
    )


def test_a_price_without_its_year_is_refused(flat_data, price_index):
    del flat_data["costs"]["launch"]["unit_price"]["price_year"]
    assert refused(flat_data, price_index) == (
        "costs.launch.unit_price.price_year: missing; give the year the price is in"
    )


def test_a_price_year_outside_the_index_is_refused(flat_data, price_index):
    flat_data["costs"]["launch"]["unit_price"]["price_year"] = 1990
    assert refused(flat_data, price_index).startswith(
        "costs.launch.unit_price.price_year: 1990 is not in the price index (2006-2025)"
    )


def test_overrides_replace_inputs_and_keep_the_rest_with_their_basis():
    base = load_scenario("base")
    evidence = base.with_overrides(
        {
            "benefits.teacher_turnover.factors.exit_reduction": {
                "normal": {"estimate": 0.06, "std_error": 0.03},
                "source": "scorecard: trained teachers' exit hazard ratio 0.94 [0.88, 1.00]",
                "basis": "measured",
            },
            "units.certificates": Input(
                key="ignored",
                distribution=Fixed(value=41.0),
                source="mart.certificates, 2025",
                basis="measured",
            ),
        },
        name="evidence",
    )
    inputs = evidence.inputs()
    assert evidence.name == "evidence"
    assert inputs["benefits.teacher_turnover.factors.exit_reduction"].basis == "measured"
    assert inputs["benefits.teacher_turnover.factors.exit_reduction"].distribution.bounds == (
        0.0,
        float("inf"),
    )
    assert inputs["units.certificates"].key == "units.certificates"
    assert inputs["units.certificates"].distribution.median == 41.0
    assert (
        inputs["benefits.teacher_turnover.attribution"]
        == base.inputs()["benefits.teacher_turnover.attribution"]
    )
    assert inputs["benefits.teacher_turnover.attribution"].assumed
    assert base.inputs()["units.certificates"].distribution.median != 41.0  # base unchanged


def test_an_override_of_an_unknown_input_names_it():
    with pytest.raises(ValueError, match=r"^benefits.retention.attribution: no such input"):
        load_scenario("base").with_overrides(
            {"benefits.retention.attribution": {"fixed": 0.5, "source": "t", "basis": "measured"}}
        )


def test_an_override_of_a_price_must_give_its_year():
    with pytest.raises(ValueError, match="in dollars; give a price_year"):
        load_scenario("base").with_overrides(
            {
                "costs.program_coordinator.unit_price": {
                    "fixed": 120000,
                    "source": "salary schedule",
                    "basis": "district",
                }
            }
        )


def test_an_override_is_checked_like_the_file(flat):
    with pytest.raises(ValueError, match=r"^costs.launch.quantity.uniform: low 5 must be below"):
        flat.with_overrides(
            {"costs.launch.quantity": {"uniform": [5, 1], "source": "t", "basis": "measured"}}
        )


def test_an_unknown_shipped_scenario_is_named():
    with pytest.raises(ValueError, match="scenario 'evidence': not shipped; use one of claimed"):
        load_scenario("evidence")


def test_a_signed_factor_keeps_its_draws_below_zero(flat_data, price_index):
    # A measured effect of -$100 +/- $100 a year: half its draws are a loss, none cut off.
    flat_data["benefits"]["teacher_turnover"]["factors"]["amount"] = {
        "normal": {"estimate": -100, "std_error": 100},
        "signed": True,
        "price_year": 2024,
        "source": "test",
        "basis": "measured",
    }
    amount = parse_scenario(flat_data, price_index=price_index).stream("teacher_turnover")
    factor = amount.factors["amount"]
    assert factor.signed
    assert factor.distribution.bounds == (float("-inf"), float("inf"))
    assert factor.distribution.median == -100


def test_an_unsigned_factor_is_cut_off_at_zero(flat_data, price_index):
    flat_data["benefits"]["teacher_turnover"]["factors"]["amount"] = {
        "normal": {"estimate": 100, "std_error": 100},
        "price_year": 2024,
        "source": "test",
        "basis": "measured",
    }
    factor = parse_scenario(flat_data, price_index=price_index).stream("teacher_turnover")
    assert factor.factors["amount"].distribution.bounds == (0.0, float("inf"))


def test_only_a_benefit_factor_may_be_signed(flat_data, price_index):
    flat_data["costs"]["launch"]["quantity"]["signed"] = True
    assert refused(flat_data, price_index) == (
        "costs.launch.quantity.signed: only a benefit stream's factor may be below zero; "
        "drop signed"
    )
