"""Time-to-event estimators: published results, simulated truths, the district, bad input."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import pytest
from lifelines.datasets import load_leukemia, load_rossi

from models.retention import cox, kaplan_meier, time_ratio
from pipelines.synth import load_truth
from pipelines.warehouse.marts import load_mart

ROSSI_COVARIATES = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


def simulated_waits(
    n: int, *, mean_untreated: float, speed_up: float, never_share: float = 0.0, seed: int
) -> pd.DataFrame:
    """Exponential waits, ``speed_up`` times faster when treated; a share never has the event;
    censoring uniform between 100 and 700 days (the records' end)."""
    rng = np.random.default_rng(seed)
    treated = rng.integers(0, 2, n)
    waits = rng.exponential(np.where(treated == 1, mean_untreated / speed_up, mean_untreated))
    waits[rng.random(n) < never_share] = np.inf
    censor = rng.uniform(100, 700, n)
    return pd.DataFrame(
        {
            "days": np.minimum(waits, censor),
            "adopted": (waits <= censor).astype(int),
            "treated": treated,
            "school": rng.integers(0, 30, n),
        }
    )


# --- published results ---------------------------------------------------------------------


def test_kaplan_meier_reproduces_the_leukemia_medians_and_log_rank():
    # Freireich et al. (1963) remission data as in Kleinbaum and Klein, "Survival Analysis:
    # A Self-Learning Text" (3rd ed., 2012), chapter 2: median remission 23 weeks on 6-MP
    # (Rx = 0) and 8 weeks on placebo (Rx = 1); log-rank chi-square 16.79 on 1 df.
    result = kaplan_meier(load_leukemia(), duration="t", event="status", group="Rx")
    assert result.term("median[0]").estimate == 23
    assert result.term("median[1]").estimate == 8
    assert result.term("log_rank").estimate == pytest.approx(16.79, abs=0.005)
    assert dict(result.term("log_rank").extra)["degrees_of_freedom"] == 1


def test_cox_reproduces_fox_and_weisbergs_rossi_model():
    # Fox and Weisberg, "Cox Proportional-Hazards Regression for Survival Data in R"
    # (appendix to An R Companion to Applied Regression, 2nd ed., 2011), the coxph table of
    # the Rossi recidivism model: coefficient and se(coef) of each covariate.
    published = {
        "fin": (-0.37942, 0.19138),
        "age": (-0.05744, 0.02200),
        "race": (0.31390, 0.30799),
        "wexp": (-0.14980, 0.21222),
        "mar": (-0.43370, 0.38187),
        "paro": (-0.08487, 0.19576),
        "prio": (0.09150, 0.02865),
    }
    result = cox(load_rossi(), duration="week", event="arrest", covariates=ROSSI_COVARIATES)
    for covariate, (coefficient, std_error) in published.items():
        assert result.term(covariate).estimate == pytest.approx(coefficient, abs=5e-4)
        assert result.term(covariate).std_error == pytest.approx(std_error, abs=5e-4)
    # exp(coef) of fin in the same table
    assert dict(result.term("fin").extra)["hazard_ratio"] == pytest.approx(0.68426, abs=5e-4)


def test_time_ratio_reproduces_the_weibull_model_of_the_rossi_data():
    # R survreg(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio,
    # dist = "weibull") on Rossi, as printed in the lifelines documentation ("Survival
    # Regression", Weibull AFT section, Davidson-Pilon 2019): fin 0.272 (se 0.138),
    # exp 1.313, 95% interval of the coefficient [0.002, 0.543]; prio -0.066 (se 0.021).
    result = time_ratio(
        load_rossi(),
        duration="week",
        event="arrest",
        treatment="fin",
        covariates=ROSSI_COVARIATES[1:],
    )
    fin = result.term("time_ratio")
    assert dict(fin.extra)["log_estimate"] == pytest.approx(0.272, abs=1e-3)
    assert dict(fin.extra)["log_std_error"] == pytest.approx(0.138, abs=1e-3)
    assert result.estimate == pytest.approx(1.313, abs=1e-3)
    assert math.log(fin.ci_lower) == pytest.approx(0.002, abs=1e-3)
    assert math.log(fin.ci_upper) == pytest.approx(0.543, abs=1e-3)
    assert dict(result.term("prio").extra)["log_estimate"] == pytest.approx(-0.066, abs=1e-3)


# --- known truth -----------------------------------------------------------------------------


def test_kaplan_meier_finds_the_true_median_of_exponential_waits():
    waits = simulated_waits(400, mean_untreated=30, speed_up=1, seed=11)
    median = kaplan_meier(waits, duration="days", event="adopted").term("median")
    assert median.ci_lower < 30 * math.log(2) < median.ci_upper


def test_kaplan_meier_gives_the_curve_for_plotting():
    waits = pd.DataFrame({"days": [1, 2, 2, 4], "adopted": [1, 1, 0, 1]})
    curve = kaplan_meier(waits, duration="days", event="adopted").curve_frame()
    assert curve.time.tolist() == [0, 1, 2, 4]
    assert curve.survival.tolist() == pytest.approx([1, 0.75, 0.5, 0])
    assert curve.at_risk.tolist() == [4, 4, 3, 1]


def test_a_median_never_reached_has_no_number_and_says_so():
    waits = pd.DataFrame({"days": range(1, 21), "adopted": [1] * 5 + [0] * 15})
    result = kaplan_meier(waits, duration="days", event="adopted")
    assert result.estimate is None and result.term("median").ci_lower is None
    assert any("median was not reached" in w for w in result.warnings)


def test_cox_finds_the_true_hazard_ratio():
    # exponential waits: a 2x faster rate is a hazard ratio of 2
    waits = simulated_waits(600, mean_untreated=60, speed_up=2, seed=3)
    result = cox(waits, duration="days", event="adopted", covariates=["treated"])
    ratio = dict(result.term("treated").extra)
    assert ratio["hazard_ratio_lower"] < 2 < ratio["hazard_ratio_upper"]


def test_cox_counts_clusters_and_uses_robust_errors():
    waits = simulated_waits(600, mean_untreated=60, speed_up=2, seed=3)
    plain = cox(waits, duration="days", event="adopted", covariates=["treated"])
    robust = cox(waits, duration="days", event="adopted", covariates=["treated"], cluster="school")
    assert robust.clusters == 30 and plain.clusters is None
    assert robust.estimate == pytest.approx(plain.estimate)
    assert robust.term("treated").std_error != pytest.approx(plain.term("treated").std_error)


def test_time_ratio_finds_the_true_speed_up():
    waits = simulated_waits(600, mean_untreated=60, speed_up=1.5, seed=5)
    result = time_ratio(waits, duration="days", event="adopted", treatment="treated")
    term = result.term("time_ratio")
    assert term.ci_lower < 1 / 1.5 < term.ci_upper


def test_a_never_share_pulls_the_plain_weibull_ratio_toward_one():
    # 12% never adopt in both groups; true ratio 1/1.5 among those who do
    waits = simulated_waits(3000, mean_untreated=60, speed_up=1.5, never_share=0.12, seed=7)
    plain = time_ratio(waits, duration="days", event="adopted", treatment="treated")
    assert plain.term("time_ratio").ci_lower > 1 / 1.5
    assert plain.details["weibull_shape"] < 0.8
    assert any("cure_fraction=True" in w for w in plain.warnings)


def test_the_cure_model_recovers_the_true_speed_up_and_never_share():
    waits = simulated_waits(3000, mean_untreated=60, speed_up=1.5, never_share=0.12, seed=7)
    cured = time_ratio(
        waits, duration="days", event="adopted", treatment="treated", cure_fraction=True
    )
    term = cured.term("time_ratio")
    assert term.ci_lower < 1 / 1.5 < term.ci_upper
    assert cured.details["never_share_untreated"] == pytest.approx(0.12, abs=0.03)
    assert cured.details["never_share_treated"] == pytest.approx(0.12, abs=0.03)


# --- the synthetic district ------------------------------------------------------------------


@pytest.fixture(scope="module")
def full_faculty_waits(synthetic_warehouse) -> pd.DataFrame:
    """Full-faculty teachers who completed training: days to a first AI lesson, by route."""
    with duckdb.connect(str(synthetic_warehouse.db), read_only=True) as con:
        teachers = load_mart(con, "teachers").frame
    waits = teachers[
        (teachers.cohort == "full_faculty") & teachers.training_completion_date.notna()
    ].copy()
    waits["days"] = (waits.first_lesson_or_censor_date - waits.training_completion_date).dt.days
    waits["adopted"] = (waits.first_lesson_status == "observed").astype(int)
    waits["champion"] = (waits.adoption_route == "champion_network").astype(int)
    return waits[waits.adoption_route.isin(["champion_network", "mandate"])]


def test_the_district_champion_speed_up_is_inside_the_cure_models_interval(full_faculty_waits):
    effects = load_truth(None).effects
    result = time_ratio(
        full_faculty_waits,
        duration="days",
        event="adopted",
        treatment="champion",
        cure_fraction=True,
    )
    term = result.term("time_ratio")
    assert term.ci_lower < 1 / effects.champion_adoption_speed_ratio < term.ci_upper


def test_the_district_median_waits_are_inside_their_intervals(full_faculty_waits):
    # median of a never-share p plus exponential mean m: m * log((1 - p) / (1/2 - p))
    effects = load_truth(None).effects
    never = effects.never_adopt_share
    result = kaplan_meier(full_faculty_waits, duration="days", event="adopted", group="champion")
    for level, mean in (
        ("0", effects.mandate_days_to_first_lesson),
        ("1", effects.mandate_days_to_first_lesson / effects.champion_adoption_speed_ratio),
    ):
        term = result.term(f"median[{level}]")
        assert term.ci_lower < mean * math.log((1 - never) / (0.5 - never)) < term.ci_upper


# --- bad input -------------------------------------------------------------------------------


@pytest.fixture
def small() -> pd.DataFrame:
    return simulated_waits(80, mean_untreated=60, speed_up=1.5, seed=1)


def test_a_missing_column_is_named(small):
    with pytest.raises(ValueError, match="duration: column 'weeks' is not in the frame"):
        kaplan_meier(small, duration="weeks", event="adopted")


def test_an_event_that_is_not_0_or_1_is_refused(small):
    small["adopted"] = small.adopted * 2
    with pytest.raises(ValueError, match="event: column 'adopted' must be 0/1"):
        cox(small, duration="days", event="adopted", covariates=["treated"])


def test_waits_with_no_event_are_refused(small):
    small["adopted"] = 0
    with pytest.raises(ValueError, match="event: column 'adopted' has no events"):
        kaplan_meier(small, duration="days", event="adopted")


def test_negative_waits_are_refused_with_their_count(small):
    small.loc[:2, "days"] = -1
    with pytest.raises(ValueError, match="duration: column 'days' is negative in 3 rows"):
        time_ratio(small, duration="days", event="adopted", treatment="treated")


def test_a_missing_covariate_value_is_refused_with_its_count(small):
    small["age"] = 40.0
    small.loc[:3, "age"] = np.nan
    with pytest.raises(ValueError, match="covariates: column 'age' is missing in 4 rows"):
        cox(small, duration="days", event="adopted", covariates=["treated", "age"])


def test_a_covariate_that_does_not_vary_is_refused(small):
    small["age"] = 40.0
    with pytest.raises(ValueError, match="covariates: column 'age' does not vary"):
        cox(small, duration="days", event="adopted", covariates=["treated", "age"])


def test_a_treatment_that_is_not_0_or_1_is_refused(small):
    small["treated"] = small.treated.map({0: "mandate", 1: "champion"})
    with pytest.raises(ValueError, match="treatment: column 'treated' must be 0/1"):
        time_ratio(small, duration="days", event="adopted", treatment="treated")


def test_a_treatment_without_variation_is_refused(small):
    small["treated"] = 1
    with pytest.raises(ValueError, match="treatment: column 'treated' is 1 in every row"):
        time_ratio(small, duration="days", event="adopted", treatment="treated")


def test_one_cluster_is_refused(small):
    small["school"] = 7
    with pytest.raises(ValueError, match="cluster: column 'school' has 1 cluster"):
        cox(small, duration="days", event="adopted", covariates=["treated"], cluster="school")


def test_a_group_with_one_value_is_refused(small):
    small["route"] = "mandate"
    with pytest.raises(ValueError, match="group: column 'route' has one value"):
        kaplan_meier(small, duration="days", event="adopted", group="route")


def test_a_missing_group_is_refused_with_its_count(small):
    small["route"] = "mandate"
    small.loc[:1, "route"] = None
    with pytest.raises(ValueError, match="group: column 'route' is missing in 2 rows"):
        kaplan_meier(small, duration="days", event="adopted", group="route")


def test_too_few_events_give_no_interval_and_say_so(small):
    few = small.head(8).copy()
    result = cox(few, duration="days", event="adopted", covariates=["treated", "school"])
    assert result.term("treated").ci_lower is None
    assert any("fewer than 5 per coefficient" in w for w in result.warnings)


def test_perfect_separation_is_a_warning_not_a_traceback(small):
    small.loc[small.treated == 1, "adopted"] = 0
    result = cox(small, duration="days", event="adopted", covariates=["treated"])
    assert result.estimate is None
    assert any("perfect separation: no events where treated = 1" in w for w in result.warnings)


def test_waits_of_zero_are_moved_and_counted(small):
    small.loc[:1, "days"] = 0
    result = time_ratio(small, duration="days", event="adopted", treatment="treated")
    assert any(w.startswith("2 waits of 0 were set to") for w in result.warnings)
