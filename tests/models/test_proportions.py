"""Two proportions compared: ratios and difference with their intervals, and a claim."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from models.proportions import compare, newcombe_interval
from pipelines.synth import load_truth
from pipelines.warehouse.marts import load_mart

# Physicians' Health Study: myocardial infarction in 189 of 11,034 physicians on placebo
# and 104 of 11,037 on aspirin (Agresti 2002, Categorical Data Analysis, Table 2.3).
PLACEBO = (189, 11034)
ASPIRIN = (104, 11037)


def test_reproduces_agrestis_risk_ratio_and_its_interval():
    # Agresti (2002) section 2.3.3: relative risk 1.82, 95% interval (1.43, 2.30); to 0.01.
    result = compare(*PLACEBO, *ASPIRIN)
    risk_ratio = result.term("risk_ratio")
    assert result.estimate == pytest.approx(1.82, abs=0.01)
    assert (risk_ratio.ci_lower, risk_ratio.ci_upper) == pytest.approx((1.43, 2.30), abs=0.01)


def test_reproduces_agrestis_odds_ratio_and_its_interval():
    # Agresti (2002) section 2.3.5: odds ratio 1.83, 95% interval (1.44, 2.33); to 0.01.
    odds_ratio = compare(*PLACEBO, *ASPIRIN).term("odds_ratio")
    assert odds_ratio.estimate == pytest.approx(1.83, abs=0.01)
    assert (odds_ratio.ci_lower, odds_ratio.ci_upper) == pytest.approx((1.44, 2.33), abs=0.01)


def test_reproduces_agrestis_difference_of_proportions():
    # Agresti (2002) section 2.2.3: difference 0.0077, 95% interval (0.005, 0.011); to 0.001.
    difference = compare(*PLACEBO, *ASPIRIN).term("risk_difference")
    assert difference.estimate == pytest.approx(0.0077, abs=0.0001)
    assert (difference.ci_lower, difference.ci_upper) == pytest.approx((0.005, 0.011), abs=0.001)


@pytest.mark.parametrize(
    ("counts", "published"),
    [
        ((56, 70, 48, 80), (0.0524, 0.3339)),  # Newcombe's example (a)
        ((9, 10, 3, 10), (0.1705, 0.8090)),  # (b)
        ((5, 56, 0, 29), (-0.0381, 0.1926)),  # (d): a zero cell
        ((10, 10, 0, 20), (0.6791, 1.0000)),  # (g): two zero cells
        ((10, 10, 0, 10), (0.6075, 1.0000)),  # (h)
    ],
)
def test_reproduces_newcombes_hybrid_score_intervals(counts, published):
    # Newcombe (1998), Statistics in Medicine 17, Table II, method 10; to 0.0001.
    assert newcombe_interval(*counts) == pytest.approx(published, abs=0.0001)
    difference = compare(*counts).term("risk_difference")
    assert (difference.ci_lower, difference.ci_upper) == pytest.approx(published, abs=0.0001)


def test_p_value_is_fishers_exact_test():
    # Fisher's tea-tasting experiment: 3 of 4 cups with milk first guessed against 1 of 4
    # (Agresti 2002, Table 3.8): two-sided P = 0.486.
    result = compare(3, 4, 1, 4)
    assert result.term("risk_ratio").p_value == pytest.approx(0.486, abs=0.001)


def test_the_intervals_cover_the_true_values_of_simulated_samples():
    # 400 samples of 300 a group (seed fixed): each 95% interval should hold its truth in
    # about 95% of them; 92% leaves three standard errors of simulation noise.
    rng = np.random.default_rng(20240801)
    risk_a, risk_b, size, samples = 0.48, 0.30, 300, 400
    truths = {
        "risk_ratio": risk_a / risk_b,
        "risk_difference": risk_a - risk_b,
        "odds_ratio": (risk_a / (1 - risk_a)) / (risk_b / (1 - risk_b)),
    }
    covered = dict.fromkeys(truths, 0)
    for events_a, events_b in zip(
        rng.binomial(size, risk_a, samples), rng.binomial(size, risk_b, samples), strict=True
    ):
        result = compare(int(events_a), size, int(events_b), size)
        for name, truth in truths.items():
            term = result.term(name)
            covered[name] += term.ci_lower < truth < term.ci_upper
    assert {name: count / samples >= 0.92 for name, count in covered.items()} == dict.fromkeys(
        truths, True
    )


def test_the_headline_is_the_risk_ratio_and_n_counts_both_groups():
    result = compare(24, 40, 30, 80)
    assert result.estimate == pytest.approx(1.6)
    assert result.n == 120 and result.warnings == ()
    assert result.to_frame().term.tolist() == ["risk_ratio", "risk_difference", "odds_ratio"]


def test_a_claim_above_the_interval_is_below_it_in_the_verdict():
    row = compare(24, 40, 30, 80, claimed_ratio=5.0).to_frame().iloc[0]
    assert row.claimed == 5.0 and row.verdict == "below"
    assert row.p_value_vs_claimed < 0.001


def test_a_claim_inside_the_interval_is_consistent():
    row = compare(24, 40, 30, 80, claimed_ratio=1.6).to_frame().iloc[0]
    assert row.verdict == "consistent"
    assert row.p_value_vs_claimed == pytest.approx(1.0)


def test_a_claim_below_the_interval_has_the_interval_above_it():
    assert compare(24, 40, 30, 80, claimed_ratio=1.0).to_frame().iloc[0].verdict == "above"


def test_a_zero_cell_is_corrected_and_the_warning_says_so():
    result = compare(5, 56, 0, 29)
    assert result.details["zero_cell_correction"] == 0.5
    assert any("0.5 was added to every cell" in w for w in result.warnings)
    # (5.5 / 57) / (0.5 / 30): the corrected risk ratio.
    assert result.estimate == pytest.approx((5.5 / 57) / (0.5 / 30))


def test_small_expected_counts_are_warned_about():
    assert any("expected cell count is below 5" in w for w in compare(3, 4, 1, 4).warnings)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((2.5, 10, 3, 10), "events_a must be a whole number"),
        ((2, 10, -1, 10), "events_b must not be negative"),
        ((11, 10, 3, 10), r"events_a \(11\) is more than n_a \(10\)"),
        ((0, 0, 3, 10), "n_a is 0: group A is empty"),
        ((0, 10, 0, 10), "no variation in the outcome: no events"),
        ((10, 10, 10, 10), "no variation in the outcome: only events"),
        ((True, 10, 3, 10), "events_a must be a whole number"),
    ],
)
def test_rejects_bad_counts(arguments, message):
    with pytest.raises(ValueError, match=message):
        compare(*arguments)


def test_rejects_a_claim_that_is_not_a_positive_ratio():
    with pytest.raises(ValueError, match="claimed_ratio must be a positive number"):
        compare(24, 40, 30, 80, claimed_ratio=0)


def test_rejects_an_alpha_outside_zero_and_one():
    with pytest.raises(ValueError, match="alpha must lie between 0 and 1"):
        compare(24, 40, 30, 80, alpha=1.5)


def test_girls_retention_in_girls_only_teams_on_the_synthetic_district(synthetic_warehouse):
    with duckdb.connect(str(synthetic_warehouse.db), read_only=True) as con:
        years = load_mart(con, "student_years").frame
    girls = years[(years.eligible_to_return == True) & (years.entry_sex == "female")]  # noqa: E712
    girls_only = girls[girls.team_type == "girls_only"].returned_next_year.astype(bool)
    mixed = girls[girls.team_type == "mixed"].returned_next_year.astype(bool)
    result = compare(
        int(girls_only.sum()), len(girls_only), int(mixed.sum()), len(mixed), claimed_ratio=5.0
    )
    truth = load_truth(None).program.female_retention_ratio_girls_only
    risk_ratio = result.term("risk_ratio")
    assert risk_ratio.ci_lower < truth < risk_ratio.ci_upper
    assert dict(risk_ratio.extra)["verdict"] == "below"
