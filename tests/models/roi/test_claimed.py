"""The documents' arithmetic, reproduced exactly."""

from __future__ import annotations

import pytest

from models.roi import claimed_arithmetic, load_scenario


@pytest.fixture(scope="module")
def arithmetic():
    return claimed_arithmetic(load_scenario("claimed"))


def test_the_stated_totals_give_26_4x_not_13x(arithmetic):
    # $9,250,000 / $350,000 = 26.43x
    assert arithmetic.implied_multiple == pytest.approx(26.428571, abs=1e-6)
    assert arithmetic.line("multiple_implied").arithmetic == ("$9,250,000 / $350,000 = 26.4x")


def test_13x_implies_about_0_71_million_of_cost(arithmetic):
    # $9,250,000 / 13 = $711,538.46
    assert arithmetic.implied_cost == pytest.approx(711_538.4615, abs=1e-3)
    assert arithmetic.line("cost_implied").arithmetic.startswith(
        "$9,250,000 / 13 = $711,538: $361,538 more than the year-1 investment"
    )


def test_the_streams_over_ten_years_exceed_the_claim(arithmetic):
    # (140 + 750 + 200 + 100)K = $1.19M a year; (140 + 1,250 + 400 + 500)K = $2.29M.
    line = arithmetic.line("streams_total")
    assert (line.value, line.value_high) == (11_900_000, 22_900_000)
    assert line.arithmetic.endswith("even the lowest is 1.29 times the claim")


def test_the_years_of_full_benefits_the_claim_needs(arithmetic):
    # 9.25 / 1.19 = 7.77 years; at the middles (1.74M a year) 5.32 years.
    assert arithmetic.line("years_needed_lowest").value == pytest.approx(7.773109, abs=1e-6)
    assert arithmetic.line("years_needed_middle").value == pytest.approx(5.316092, abs=1e-6)


def test_the_undiscounted_return_is_shown_discounted(arithmetic):
    # $925,000 a year x (1 + 1/1.03 + ... + 1/1.03^9) = 925,000 x 8.786109 = $8,127,151.
    assert arithmetic.line("discounted_3pct").value == pytest.approx(8_127_150.9, abs=1)
    assert arithmetic.line("discounted_7pct").value == pytest.approx(6_951_590.0, abs=1)


def test_every_line_names_its_source(arithmetic):
    frame = arithmetic.to_frame()
    assert frame.source.str.len().gt(0).all()
    assert frame.step.is_unique
    assert "Year 1 Investment: $350,000" in frame.source.tolist()


def test_a_scenario_without_a_claim_is_refused():
    with pytest.raises(ValueError, match="scenario base: no claim section"):
        claimed_arithmetic(load_scenario("base"))
