"""What a design can detect: minimum detectable effect sizes and required samples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from models.power import MATCHING_DESIGN_EFFECT, mdes, required_n

#: A sample so large that the t multiplier equals the normal one Bloom (1995) tabulates.
LARGE = 10**7


def test_reproduces_powerups_individual_random_assignment():
    # Bulus, Dong, Kelcey & Spybrook, PowerUpR cross-checks (2018), the R version of Dong &
    # Maynard's (2013) PowerUp!: mdes.ira1r1(power=.80, n=250) gives MDES 0.356, 248
    # degrees of freedom, standardized standard error 0.126; to 0.001.
    result = mdes("individual", n=250)
    assert result.mdes == pytest.approx(0.356, abs=0.001)
    assert result.details["df"] == 248
    assert result.term("mdes").std_error == pytest.approx(0.126, abs=0.001)


def test_reproduces_powerups_two_level_cluster_random_assignment():
    # PowerUpR cross-checks (2018): mdes.cra2r2(power=.80, rho2=.17, n=15, J=20) gives MDES
    # 0.629, 18 degrees of freedom, standardized standard error 0.212; to 0.001.
    result = mdes("cluster", clusters=20, cluster_size=15, icc=0.17)
    assert result.mdes == pytest.approx(0.629, abs=0.001)
    assert result.details["df"] == 18
    assert result.term("mdes").std_error == pytest.approx(0.212, abs=0.001)
    assert (result.n, result.clusters) == (300, 20)


@pytest.mark.parametrize(
    ("alpha", "power", "published"),
    [(0.05, 0.90, 2.93), (0.05, 0.80, 2.49), (0.05, 0.70, 2.17), (0.10, 0.80, 2.12)],
)
def test_reproduces_blooms_one_sided_multipliers(alpha, power, published):
    # Bloom (1995), Evaluation Review 19, Table 1 and p. 552: one-sided multipliers; to 0.01.
    result = mdes("individual", n=LARGE, alpha=alpha, power=power, two_sided=False)
    assert result.details["multiplier"] == pytest.approx(published, abs=0.01)


def test_reproduces_blooms_two_sided_multiplier():
    # Bloom (1995), Table 1: two-sided test at 0.05 with 80% power, M = 2.80; to 0.01.
    assert mdes("individual", n=LARGE).details["multiplier"] == pytest.approx(2.80, abs=0.01)


@pytest.mark.parametrize(("treated_share", "published"), [(0.6, 1.02), (0.7, 1.09)])
def test_reproduces_blooms_cost_of_an_unbalanced_allocation(treated_share, published):
    # Bloom (1995), p. 554 and note 9: a 60/40 split raises the MDES 1.02 times, 70/30
    # 1.09 times, over 50/50; to 0.01.
    balanced = mdes("individual", n=LARGE).mdes
    ratio = mdes("individual", n=LARGE, treated_share=treated_share).mdes / balanced
    assert ratio == pytest.approx(published, abs=0.01)


def test_reproduces_powerups_required_sample_sizes():
    # PowerUpR cross-checks (2018): mrss.ira1r1 at the MDES of n = 250 gives n = 250;
    # mrss.cra2r2 at the MDES of J = 20 (rho2 = .17, n = 15) gives J = 20.
    assert required_n("individual", effect=mdes("individual", n=250).mdes).estimate == 250
    at_twenty = mdes("cluster", clusters=20, cluster_size=15, icc=0.17).mdes
    result = required_n("cluster", effect=at_twenty, cluster_size=15, icc=0.17)
    assert (result.estimate, result.term("n").estimate) == (20, 300)


def test_one_case_fewer_than_required_cannot_detect_the_effect():
    result = required_n("individual", effect=0.30, r2_individual=0.5, covariates=3)
    assert result.mdes <= 0.30
    assert mdes("individual", n=result.estimate - 1, r2_individual=0.5, covariates=3).mdes > 0.30


def test_an_effect_of_the_mdes_is_detected_with_the_stated_power_in_simulated_trials():
    # 4,000 simulated trials of 200 students (seed fixed) with a true effect of exactly the
    # MDES: a t-test finds it in 80% of them, give or take 0.025 (four standard errors).
    effect = mdes("individual", n=200).mdes
    rng = np.random.default_rng(20240801)
    treated = rng.normal(effect, 1.0, size=(4000, 100))
    control = rng.normal(0.0, 1.0, size=(4000, 100))
    detected = stats.ttest_ind(treated, control, axis=1).pvalue < 0.05
    assert detected.mean() == pytest.approx(0.80, abs=0.025)


def test_a_cluster_effect_of_the_mdes_is_detected_with_the_stated_power_in_simulated_trials():
    # 4,000 simulated trials of 20 teams of 15 with an ICC of 0.17 (seed fixed), analysed by
    # a t-test on team means (18 degrees of freedom, as the formula assumes).
    effect = mdes("cluster", clusters=20, cluster_size=15, icc=0.17).mdes
    rng = np.random.default_rng(20240801)
    team = rng.normal(0.0, math.sqrt(0.17), size=(4000, 20, 1))
    scores = team + rng.normal(0.0, math.sqrt(0.83), size=(4000, 20, 15))
    means = scores.mean(axis=2)
    means[:, :10] += effect
    detected = stats.ttest_ind(means[:, :10], means[:, 10:], axis=1).pvalue < 0.05
    assert detected.mean() == pytest.approx(0.80, abs=0.025)


def test_a_matched_comparison_inflates_the_individual_mdes_and_says_by_how_much():
    matched = mdes("matched", n=400)
    inflation = math.sqrt(MATCHING_DESIGN_EFFECT)
    assert matched.mdes == pytest.approx(mdes("individual", n=400).mdes * inflation)
    assert matched.details["inflation"] == pytest.approx(inflation)
    assert "R305D200045" in matched.details["inflation_source"]
    assert any("inflated by sqrt(1.3) = 1.140" in w for w in matched.warnings)


def test_covariates_shrink_the_mdes_by_the_root_of_the_unexplained_variance():
    base = mdes("individual", n=LARGE).mdes
    assert mdes("individual", n=LARGE, r2_individual=0.75).mdes == pytest.approx(base / 2)


def test_few_clusters_give_an_mdes_with_a_warning_not_an_error():
    result = mdes("cluster", clusters=6, cluster_size=10, icc=0.2)
    assert result.details["df"] == 4 and result.mdes > 1
    assert result.warnings[0].startswith("only 4 degrees of freedom")


def test_the_result_is_a_frozen_result_with_the_mdes_as_headline():
    result = mdes("individual", n=250)
    assert result.estimate == result.mdes and result.headline == "mdes"
    assert result.to_frame().columns.tolist()[-3:] == ["multiplier", "df", "power"]
    assert result.term("mdes").ci_lower is None


def test_a_cluster_design_may_be_sized_by_its_total_n():
    by_total = mdes("cluster", clusters=20, n=300, icc=0.17).mdes
    assert by_total == mdes("cluster", clusters=20, cluster_size=15, icc=0.17).mdes


@pytest.mark.parametrize(
    ("design", "options", "message"),
    [
        ("random", {"n": 100}, "design must be one of"),
        ("individual", {}, "n is needed for the individual design"),
        ("cluster", {"cluster_size": 10}, "clusters is needed for the cluster design"),
        ("cluster", {"clusters": 1, "cluster_size": 10}, "clusters must be at least 2"),
        ("cluster", {"clusters": 10}, r"cluster_size \(or n\) is needed"),
        ("individual", {"n": 100, "icc": 0.1}, "icc applies to the cluster design only"),
        ("individual", {"n": 100, "clusters": 5}, "clusters applies to the cluster design"),
        ("individual", {"n": 4, "covariates": 2}, r"n \(4\) must exceed the covariates \(2\)"),
        ("individual", {"n": 100, "treated_share": 1.0}, r"treated_share must lie in \(0, 1\)"),
        ("individual", {"n": 100, "r2_individual": -0.1}, r"r2_individual must lie in \[0, 1\)"),
        ("individual", {"n": 100.5}, "n must be a whole number"),
        ("matched", {"n": 100, "matching_design_effect": 0.5}, "matching_design_effect must"),
    ],
)
def test_rejects_a_design_it_cannot_compute(design, options, message):
    with pytest.raises(ValueError, match=message):
        mdes(design, **options)


def test_required_n_rejects_an_effect_that_is_not_positive():
    with pytest.raises(ValueError, match="effect must be a positive number"):
        required_n("individual", effect=0)


def test_required_n_of_a_cluster_design_needs_the_cluster_size():
    with pytest.raises(ValueError, match="cluster_size is needed"):
        required_n("cluster", effect=0.3, icc=0.1)


def test_required_n_says_when_no_searched_size_detects_the_effect():
    with pytest.raises(ValueError, match="no design of up to 1,000,000,000 clusters detects"):
        required_n("cluster", effect=1e-5, cluster_size=1, icc=0.99)
