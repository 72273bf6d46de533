"""The verdict rules, one example each (the rules are listed in models/README.md)."""

from __future__ import annotations

import pytest

from models.scorecard.registry import Claimed
from models.scorecard.verdict import judge

FIVE_TIMES = Claimed("ratio", 5.0, "higher", "log")
A_THIRD_OF_THE_WAIT = Claimed("time_ratio", 1 / 3, "lower", "log")
FORTY_FIVE_POINTS = Claimed("difference", 0.45, "higher", "linear")
TWENTY_BY_MONTH_THREE = Claimed("count_by_month", 20, "at_least", "linear")
A_LEVEL = Claimed("share", None, "at_least", "linear")


def verdict(claimed=FIVE_TIMES, estimate=1.6, lower=1.2, upper=2.1, n=400, minimum_n=40, **kw):
    return judge(
        claimed, estimate=estimate, ci_lower=lower, ci_upper=upper, n=n, minimum_n=minimum_n, **kw
    )


def test_an_interval_containing_the_claim_and_excluding_no_effect_is_consistent():
    assert verdict(estimate=4.5, lower=3.0, upper=6.5).code == "consistent"


def test_an_interval_short_of_the_claim_and_clear_of_no_effect_is_smaller_than_claimed():
    assert verdict(estimate=1.6, lower=1.2, upper=2.1).code == "smaller_than_claimed"


def test_an_interval_beyond_the_claim_is_larger_than_claimed():
    assert verdict(estimate=9.0, lower=6.0, upper=13.0).code == "larger_than_claimed"


def test_an_interval_around_no_effect_that_could_have_detected_the_claim_is_not_supported():
    result = verdict(estimate=1.1, lower=0.8, upper=1.5)
    assert result.code == "not_supported"
    assert result.mde < 5.0


def test_an_interval_wholly_on_the_wrong_side_of_no_effect_is_not_supported():
    result = verdict(estimate=0.5, lower=0.3, upper=0.8)
    assert (result.code, result.reason) == (
        "not_supported",
        "the interval lies wholly on the other side of no effect",
    )


def test_an_mde_beyond_the_claim_is_inconclusive_whatever_the_estimate():
    # SE on the log scale (log 40 - log 0.5) / 3.92 = 1.118: the MDE is exp(2.80 x 1.118),
    # about 23, beyond the claimed 5, though the estimate is 4.5.
    result = verdict(estimate=4.5, lower=0.5, upper=40.0, n=30, minimum_n=10)
    assert result.code == "inconclusive"
    assert result.mde == pytest.approx(22.9, abs=0.1)
    # n x (MDE / claimed effect)^2 on the log scale: 30 x (3.131 / 1.609)^2 = 113.6, so 84.
    assert result.more_cases_needed == 84


def test_fewer_cases_than_the_claim_needs_is_inconclusive():
    result = verdict(n=25, minimum_n=40)
    assert result.code == "inconclusive"
    assert result.more_cases_needed == 15


def test_no_interval_is_inconclusive():
    assert verdict(lower=None, upper=None).code == "inconclusive"


def test_a_faster_time_is_judged_below_no_effect():
    # "3x faster": a time ratio of 1/3. An interval of 0.35-0.80 is clear of 1 but short.
    assert verdict(A_THIRD_OF_THE_WAIT, 0.53, 0.35, 0.80).code == "smaller_than_claimed"
    assert verdict(A_THIRD_OF_THE_WAIT, 0.30, 0.20, 0.45).code == "consistent"


def test_a_difference_is_judged_on_its_own_scale():
    assert verdict(FORTY_FIVE_POINTS, 0.08, -0.01, 0.18).code == "not_supported"


def test_a_census_count_reaching_its_target_is_consistent_and_one_short_is_not():
    census = {"census": True, "lower": None, "upper": None}
    assert verdict(TWENTY_BY_MONTH_THREE, 20, **census).code == "consistent"
    assert verdict(TWENTY_BY_MONTH_THREE, 19, **census).code == "smaller_than_claimed"


def test_a_level_with_no_claimed_number_is_descriptive():
    assert verdict(A_LEVEL, 0.52, 0.50, 0.53).code == "descriptive"


def test_no_cases_is_no_data_and_an_untestable_claim_says_why():
    assert verdict(estimate=None, n=0).code == "no_data"
    result = verdict(untestable="no comparison group")
    assert (result.code, result.reason) == ("untestable", "no comparison group")


def test_the_p_value_against_the_claim_is_on_the_log_scale():
    # Estimate 1.6 with log SE (log 2.1 - log 1.2) / 3.92 = 0.1428: z = log(5 / 1.6) / 0.1428.
    result = verdict()
    assert result.p_value_vs_claimed == pytest.approx(1.4e-15, rel=0.2)
