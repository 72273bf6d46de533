"""Clustered designs: CR1 errors, the cluster jackknife (CV3) below 20 clusters (the wild
cluster bootstrap for matching), and no p-value when one arm has a single cluster."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from models.effects import estimate_effect
from models.effects.inference import WildClusterBootstrap

TRUE_EFFECT = 0.3


def teams(n_teams: int, per_team: int = 25, seed: int = 8, treated_teams=None) -> pd.DataFrame:
    """Whole teams are treated; each team shifts its members' outcomes together."""
    rng = np.random.default_rng(seed)
    team = np.repeat(np.arange(n_teams), per_team)
    treated_teams = set(range(0, n_teams, 2)) if treated_teams is None else treated_teams
    treated = np.isin(team, list(treated_teams)).astype(int)
    prior = rng.normal(0, 1, len(team))
    score = (
        0.5 * prior
        + TRUE_EFFECT * treated
        + rng.normal(0, 0.3, n_teams)[team]
        + rng.normal(0, 1, len(team))
    )
    return pd.DataFrame({"team": team, "treated": treated, "prior": prior, "score": score})


def team_effect(frame: pd.DataFrame, method: str, **options):
    """``estimate_effect`` of the team design, clustered by team, untrimmed by default."""
    arguments = {
        "treatment": "treated",
        "outcome": "score",
        "covariates": ["prior"],
        "method": method,
        "cluster": "team",
        "trim": None,
    }
    return estimate_effect(frame, **(arguments | options))


def test_eight_clusters_use_the_cluster_jackknife_and_the_interval_covers_the_truth():
    result = team_effect(teams(8), "regression")
    term = result.term("ATE")
    assert term.ci_lower < TRUE_EFFECT < term.ci_upper
    assert result.clusters == 8
    assert "cluster jackknife (CV3)" in result.method and "t with 7 df" in result.method
    assert any("cluster jackknife" in w for w in result.warnings)


def test_regression_jackknife_error_equals_refitting_without_each_team():
    frame = teams(8)
    result = team_effect(frame, "regression")
    # Lin's design, prior centred on the whole sample, refitted by least squares team by
    # team: the closed form must give the same leave-one-team-out coefficients.
    centred = frame.prior - frame.prior.mean()
    design = np.column_stack([np.ones(len(frame)), frame.treated, centred, centred * frame.treated])
    full = np.linalg.lstsq(design, frame.score, rcond=None)[0][1]
    leave_out = np.array(
        [
            np.linalg.lstsq(design[frame.team != t], frame.score[frame.team != t], rcond=None)[0][1]
            for t in range(8)
        ]
    )
    expected = np.sqrt(7 / 8 * np.sum((leave_out - full) ** 2))
    assert result.term("ATE").std_error == pytest.approx(expected, rel=1e-9)


def test_aipw_jackknife_refits_the_propensity_and_outcome_models():
    frame = teams(8)
    result = team_effect(frame, "aipw")
    full = team_effect(frame, "aipw", cluster=None).term("ATE").estimate
    leave_out = [
        team_effect(frame[frame.team != t], "aipw", cluster=None).term("ATE").estimate
        for t in range(8)
    ]
    expected = np.sqrt(7 / 8 * np.sum((np.array(leave_out) - full) ** 2))
    assert result.term("ATE").std_error == pytest.approx(expected, rel=1e-9)
    assert "refitted without each cluster" in result.method


def test_matching_with_fifteen_clusters_uses_the_wild_bootstrap_with_rademacher_weights():
    result = team_effect(teams(15), "matching", estimand="ATT")
    assert any("Rademacher" in w for w in result.warnings)
    assert "wild cluster bootstrap" in result.method


def test_twenty_or_more_clusters_use_cr1_errors_with_t_on_g_minus_one_df():
    frame = teams(24)
    result = team_effect(frame, "difference", trim="crump")
    reference = sm.OLS(frame.score, sm.add_constant(frame[["treated"]])).fit(
        cov_type="cluster", cov_kwds={"groups": frame.team}
    )
    # statsmodels' cluster errors apply the same G/(G-1) * (N-1)/(N-K) correction.
    assert result.term("ATE").std_error == pytest.approx(reference.bse["treated"], rel=1e-9)
    assert "t with 23 df" in result.method


def test_one_treated_cluster_gives_no_p_value_and_says_why():
    frame = teams(8, treated_teams={0})
    result = team_effect(frame, "regression")
    assert result.term("ATE").p_value is None and result.term("ATE").ci_lower is None
    assert any("only one cluster has treated cases" in w for w in result.warnings)


# Slow only for numba compiling the package's kernel on first use (about 9 s).
@pytest.mark.slow
def test_the_bootstrap_p_value_equals_the_wildboottest_package_with_all_sign_patterns():
    frame = teams(8, seed=5)
    # Treatment varies within teams here, so no bootstrap t ties the observed one.
    frame["treated"] = np.random.default_rng(2).integers(0, 2, len(frame))
    design = sm.add_constant(frame[["treated", "prior"]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from wildboottest.wildboottest import wildboottest

        # 2^8 = 256 sign patterns, fewer than 999 draws: both enumerate them all.
        reference = wildboottest(
            sm.OLS(frame.score, design),
            B=999,
            cluster=frame.team,
            param="treated",
            weights_type="rademacher",
            seed=1,
            show=False,
            parallel=False,
        )
    signs = np.array(list(itertools.product([-1.0, 1.0], repeat=8))).T
    ours = WildClusterBootstrap(
        design.to_numpy(), frame.score.to_numpy(), frame.team.to_numpy(), 1, signs
    )
    assert ours.t_statistic(0.0) == pytest.approx(reference["statistic"].iloc[0], rel=1e-9)
    assert ours.p_value(0.0) == pytest.approx(reference["p-value"].iloc[0], abs=1e-12)
