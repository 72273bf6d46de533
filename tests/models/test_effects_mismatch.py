"""mismatch_correction: Hedges (2007) for clusters assigned but students analysed."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from models.effects import mismatch_correction
from models.effects.mismatch import clustering_factor, corrected_df
from models.results import Result, Term


def student_level_result(scores: np.ndarray, treated: np.ndarray, clusters: int) -> Result:
    """The pooled two-sample t test that ignores the clusters, as a Result."""
    test = stats.ttest_ind(scores[treated == 1], scores[treated == 0])
    difference = scores[treated == 1].mean() - scores[treated == 0].mean()
    std_error = difference / test.statistic
    term = Term("ATE", difference, std_error, None, None, float(test.pvalue))
    return Result(
        "difference in means", "ATE", len(scores), (term,), clusters=clusters, headline="ATE"
    )


# Hedges (2007), abstract and section 3: the corrected t reduces to the t of the cluster
# means, with 2m - 2 degrees of freedom (m clusters per arm), when the ICC is 1.
def test_with_an_icc_of_one_the_correction_gives_the_cluster_means_t_test():
    rng = np.random.default_rng(3)
    cluster_means = rng.normal(0, 1, 12) + np.repeat([0.8, 0.0], 6)
    scores = np.repeat(cluster_means, 20)  # every student equals the cluster mean
    treated = np.repeat([1] * 6 + [0] * 6, 20)
    corrected = mismatch_correction(student_level_result(scores, treated, 12), icc=1.0)
    reference = stats.ttest_ind(cluster_means[:6], cluster_means[6:])
    assert corrected.estimate / corrected.term("ATE").std_error == pytest.approx(
        reference.statistic, rel=1e-9
    )
    assert corrected.term("ATE").p_value == pytest.approx(reference.pvalue, rel=1e-9)
    assert corrected_df(240, 20, 1.0) == pytest.approx(10)


# Hedges (2007): with an ICC of 0 nothing changes but the t distribution's df (N - 2).
def test_with_an_icc_of_zero_the_errors_do_not_change():
    assert clustering_factor(240, 20, 0.0) == 1.0
    assert corrected_df(240, 20, 0.0) == pytest.approx(238)


def test_the_corrected_result_says_what_was_done_and_keeps_the_estimate():
    result = Result(
        "ols", "ATE", 600, (Term("ATE", 0.2, 0.05, 0.1, 0.3, 0.0001),), clusters=30, headline="ATE"
    )
    corrected = mismatch_correction(result, icc=0.2)
    assert corrected.estimate == 0.2
    assert corrected.term("ATE").std_error > 0.05
    assert any("Hedges 2007" in w and "ICC 0.2" in w for w in corrected.warnings)


def test_rejects_a_result_without_a_cluster_count():
    result = Result("ols", "ATE", 600, (Term("ATE", 0.2, 0.05),), headline="ATE")
    with pytest.raises(ValueError, match="clusters: the result has no cluster count"):
        mismatch_correction(result, icc=0.2)


def test_rejects_an_icc_outside_zero_one():
    result = Result("ols", "ATE", 600, (Term("ATE", 0.2, 0.05),), clusters=30, headline="ATE")
    with pytest.raises(ValueError, match="icc must be between 0 and 1"):
        mismatch_correction(result, icc=1.5)
