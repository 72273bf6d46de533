"""Ratios of adjusted means and of proficiency rates, and a plain mean."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.ratios import mean, proficiency_rate_ratio, ratio_of_means


def _zero_one_arms(events_a: int, n_a: int, events_b: int, n_b: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "arm": ["a"] * n_a + ["b"] * n_b,
            "event": [1.0] * events_a
            + [0.0] * (n_a - events_a)
            + [1.0] * events_b
            + [0.0] * (n_b - events_b),
        }
    )


def test_a_ratio_of_means_of_a_zero_one_outcome_reproduces_agrestis_relative_risk():
    # Physicians' Health Study (Agresti 2002, Categorical Data Analysis, section 2.3.3):
    # heart attacks in 189 of 11,034 on placebo and 104 of 11,037 on aspirin; relative risk
    # 1.82 with 95% interval (1.43, 2.30). The mean of a 0/1 outcome is its share, and HC1
    # errors give the textbook delta-method interval of the log ratio.
    frame = _zero_one_arms(189, 11034, 104, 11037)
    result = ratio_of_means(frame, group="arm", outcome="event", numerator="a", denominator="b")
    ratio = result.term("ratio")
    assert ratio.estimate == pytest.approx(1.82, abs=0.01)
    assert (ratio.ci_lower, ratio.ci_upper) == pytest.approx((1.43, 2.30), abs=0.01)


def test_the_ratio_of_slopes_recovers_a_known_share_of_gain_kept():
    rng = np.random.default_rng(3)
    gained = rng.uniform(10, 40, 2000)
    arm = np.where(np.arange(2000) % 2 == 0, "near_peer", "teacher_only")
    kept_share = np.where(arm == "near_peer", 0.65, 0.5)  # true ratio 1.3
    frame = pd.DataFrame(
        {"arm": arm, "gained": gained, "kept": kept_share * gained + rng.normal(0, 3, 2000)}
    )
    result = ratio_of_means(
        frame,
        group="arm",
        outcome="kept",
        per="gained",
        numerator="near_peer",
        denominator="teacher_only",
    )
    ratio = result.term("ratio")
    assert ratio.ci_lower < 1.3 < ratio.ci_upper
    assert result.method.startswith("ratio of adjusted slopes")


def test_a_denominator_near_zero_gives_no_interval_and_says_why():
    frame = pd.DataFrame({"arm": ["a", "a", "b", "b"], "y": [1.0, 2.0, -0.1, 0.1]})
    result = ratio_of_means(frame, group="arm", outcome="y", numerator="a", denominator="b")
    assert result.term("ratio").ci_lower is None
    assert "too close to zero" in result.warnings[0]


def test_a_missing_arm_is_refused_naming_it():
    frame = pd.DataFrame({"arm": ["a", "a"], "y": [1.0, 2.0]})
    with pytest.raises(ValueError, match="denominator: no row has arm = 'b'"):
        ratio_of_means(frame, group="arm", outcome="y", numerator="a", denominator="b")


def test_a_missing_outcome_is_counted_not_dropped():
    frame = pd.DataFrame({"arm": ["a", "b", "b"], "y": [1.0, None, 2.0]})
    with pytest.raises(ValueError, match="y: 1 rows are missing"):
        ratio_of_means(frame, group="arm", outcome="y", numerator="a", denominator="b")


def test_few_clusters_are_warned_about():
    frame = pd.DataFrame(
        {"arm": ["a", "b"] * 20, "y": np.arange(40, dtype=float) + 1, "team": np.arange(40) % 6}
    )
    result = ratio_of_means(
        frame, group="arm", outcome="y", numerator="a", denominator="b", cluster="team"
    )
    assert result.clusters == 6
    assert result.warnings[0].startswith("only 6 clusters")


def test_with_few_clusters_the_ratios_error_is_the_cluster_jackknifes():
    # Six teams: the log ratio of the arms' means recomputed without each team in turn,
    # sqrt(5/6 x sum of squared deviations from the full-sample log ratio) (CV3).
    frame = pd.DataFrame(
        {"arm": ["a", "b"] * 20, "y": np.arange(40, dtype=float) + 1, "team": np.arange(40) % 6}
    )
    result = ratio_of_means(
        frame, group="arm", outcome="y", numerator="a", denominator="b", cluster="team"
    )

    def log_ratio(rows):
        return np.log(rows[rows.arm == "a"].y.mean() / rows[rows.arm == "b"].y.mean())

    full = log_ratio(frame)
    leave_out = np.array([log_ratio(frame[frame.team != t]) for t in range(6)])
    expected = np.sqrt(5 / 6 * np.sum((leave_out - full) ** 2))
    term = result.to_frame().set_index("term").loc["ratio"]
    assert term["log_std_error"] == pytest.approx(expected, rel=1e-9)
    assert "cluster jackknife" in result.method
    assert any("jackknife" in w for w in result.warnings)


@pytest.fixture(scope="module")
def proficiency_looks() -> pd.DataFrame:
    """4,000 students looked at once, proficiency arriving at rate 0.05 a week, 1.4 times
    that with after-action reviews."""
    rng = np.random.default_rng(11)
    weeks = rng.uniform(5, 30, 4000)
    reviews = rng.integers(0, 2, 4000)
    rate = 0.05 * np.where(reviews == 1, 1.4, 1.0)
    proficient = rng.random(4000) < 1 - np.exp(-rate * weeks)
    return pd.DataFrame({"reviews": reviews, "weeks": weeks, "proficient": proficient})


def test_the_proficiency_rate_ratio_recovers_its_truth(proficiency_looks):
    result = proficiency_rate_ratio(
        proficiency_looks, treatment="reviews", outcome="proficient", exposure="weeks"
    )
    ratio = result.term("rate_ratio")
    assert ratio.ci_lower < 1.4 < ratio.ci_upper
    assert result.n == 4000


def test_no_time_at_risk_is_refused(proficiency_looks):
    frame = proficiency_looks.assign(weeks=proficiency_looks.weeks.where(lambda w: w > 6, 0))
    with pytest.raises(ValueError, match="exposure: .* rows have weeks <= 0"):
        proficiency_rate_ratio(frame, treatment="reviews", outcome="proficient", exposure="weeks")


def test_a_mean_has_a_t_interval():
    # Mean 2, sd 1, n 3: 2 +- t(0.975, 2) * 1 / sqrt(3) = 2 +- 2.484.
    result = mean(pd.DataFrame({"x": [1.0, 2.0, 3.0]}), outcome="x")
    term = result.term("mean")
    assert term.estimate == 2.0
    assert (term.ci_lower, term.ci_upper) == pytest.approx((2 - 2.4841, 2 + 2.4841), abs=1e-3)


def test_with_one_exposure_for_everyone_the_rate_ratio_has_a_closed_form():
    # All seen after 10 weeks: P(proficient) = 1 - exp(-10 r), so r = -ln(1 - p) / 10 and
    # the ratio of rates is ln(1 - 0.6) / ln(1 - 0.5) = 1.3219 for shares of 60% and 50%.
    frame = pd.DataFrame(
        {
            "reviews": [1] * 100 + [0] * 100,
            "proficient": [1] * 60 + [0] * 40 + [1] * 50 + [0] * 50,
            "weeks": 10.0,
        }
    )
    result = proficiency_rate_ratio(
        frame, treatment="reviews", outcome="proficient", exposure="weeks"
    )
    assert result.estimate == pytest.approx(np.log(0.4) / np.log(0.5), rel=1e-6)
