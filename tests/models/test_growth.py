"""Growth models: published fits, simulated truths, the demo district's panels and LEARN."""

from __future__ import annotations

from importlib.resources import files

import duckdb
import numpy as np
import pandas as pd
import pytest

from models.growth import ordered_levels, score_growth
from pipelines.synth import load_truth
from pipelines.warehouse.marts import load_mart

UCLA_ORDER = ("unlikely", "somewhat likely", "very likely")


def statsmodels_data(path: str) -> pd.DataFrame:
    """A data set that ships inside the statsmodels package (with its own tests)."""
    return pd.read_csv(files("statsmodels") / path)


def simulated_panel(
    seed: int, *, slope: float, teams: int = 20, per_team: int = 8, occasion_sd: float = 0.0
):
    """Students in teams scored over six quarters: team sd 0.3, student sd 0.5, noise 0.6;
    with ``occasion_sd``, a shock each team's students share in a quarter (its panel)."""
    rng = np.random.default_rng(seed)
    rows = []
    for team in range(teams):
        team_effect = rng.normal(0, 0.3)
        occasion_effects = rng.normal(0, occasion_sd, 6)
        for member in range(per_team):
            student_effect = rng.normal(0, 0.5)
            gpa = rng.normal(3.0, 0.5)
            for quarter in range(6):
                score = 6 + slope * quarter + 0.4 * gpa + team_effect + student_effect
                score += occasion_effects[quarter]
                rows.append(
                    (f"t{team}", f"s{team}-{member}", quarter, gpa, score + rng.normal(0, 0.6))
                )
    return pd.DataFrame(rows, columns=["team", "student", "quarter", "gpa", "score"])


def simulated_levels(seed: int, *, effect: float, size: int = 1500) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    months = rng.uniform(0, 24, size)
    mentor = rng.random(size) < 0.3
    latent = effect * months + 0.5 * mentor + rng.logistic(size=size)
    level = pd.cut(
        latent, [-np.inf, 1.0, 3.0, np.inf], labels=["emerging", "applying", "integrating"]
    )
    return pd.DataFrame({"months": months, "mentor": mentor, "level": level.astype(str)})


# ---- score_growth -------------------------------------------------------------------------


def test_score_growth_reproduces_lme4_on_the_dietox_pigs():
    # Pig weights over 12 weeks (dietox, geepack; the Lindstrom-Bates growth example in
    # statsmodels' documentation), fitted in R with lme4:
    # lmer(Weight ~ Time + (1 | Pig), REML) gives fixed effects 15.723523 (se 0.78805374)
    # and 6.942505 (se 0.03338727), Pig variance 40.39395, residual variance 11.36692.
    dietox = statsmodels_data("regression/tests/results/dietox.csv")
    result = score_growth(dietox, score="Weight", time="Time", student="Pig")
    assert result.estimate == pytest.approx(6.942505, rel=1e-5)
    assert result.term("Intercept").estimate == pytest.approx(15.723523, rel=1e-5)
    assert result.term("Time").std_error == pytest.approx(0.03338727, rel=1e-4)
    assert result.term("Intercept").std_error == pytest.approx(0.78805374, rel=1e-4)
    assert result.term("student_sd").estimate ** 2 == pytest.approx(40.39395, rel=1e-4)
    assert result.term("residual_sd").estimate ** 2 == pytest.approx(11.36692, rel=1e-4)
    assert result.clusters == 72


def test_score_growth_finds_the_simulated_slope_with_teams_and_covariates():
    panel = simulated_panel(4, slope=0.3)
    result = score_growth(
        panel, score="score", time="quarter", student="student", team="team", covariates=["gpa"]
    )
    slope, gpa = result.term("quarter"), result.term("gpa")
    assert slope.ci_lower < 0.3 < slope.ci_upper
    assert gpa.ci_lower < 0.4 < gpa.ci_upper
    # occasion_sd: each team's quarters, a random effect of the default model.
    assert [t.term for t in result.terms][-4:] == [
        "student_sd",
        "team_sd",
        "occasion_sd",
        "residual_sd",
    ]
    assert result.clusters == 20


def test_score_growth_widens_the_interval_for_a_shock_a_team_shares_in_a_quarter():
    # Each team's panel moves its students together in a quarter (sd 0.4): the model
    # without occasion effects takes those 10 teams x 6 shocks as 480 scores' evidence.
    panel = simulated_panel(7, slope=0.3, teams=10, per_team=8, occasion_sd=0.4)
    options = {"score": "score", "time": "quarter", "student": "student", "team": "team"}
    default = score_growth(panel, **options)
    without = score_growth(panel, **options, occasion_effects=False)
    slope, narrow = default.term("quarter"), without.term("quarter")
    assert slope.ci_lower < 0.3 < slope.ci_upper
    assert slope.std_error > 1.5 * narrow.std_error  # 0.031 against 0.018
    assert default.details["occasions"] == 60
    assert "occasions within them" in default.method
    assert any(w.startswith("no occasion effects") for w in without.warnings)


def test_score_growth_says_when_a_student_moved_team():
    panel = simulated_panel(2, slope=0.3)
    panel.loc[(panel.student == "s0-0") & (panel.quarter > 3), "team"] = "t1"
    result = score_growth(panel, score="score", time="quarter", student="student", team="team")
    assert result.warnings[0].startswith("1 students were scored in more than one team")


def test_score_growth_gives_no_interval_for_fewer_than_five_students():
    panel = simulated_panel(3, slope=0.3, teams=1, per_team=4)
    result = score_growth(panel, score="score", time="quarter", student="student")
    assert result.term("quarter").ci_lower is None
    assert any("too few for intervals" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("change", "options", "message"),
    [
        (lambda f: f.drop(columns="quarter"), {}, "time: no column 'quarter'"),
        (
            lambda f: f.assign(gpa=f.gpa.where(f.index > 2)),
            {"covariates": ["gpa"]},
            "gpa: 3 rows are missing in .gpa.",
        ),
        (lambda f: f.assign(quarter=2), {}, "time: column 'quarter' does not vary"),
        (
            lambda f: f.assign(score=f.score.astype(str)),
            {},
            "score: column 'score' must be numeric",
        ),
        (lambda f: f.assign(student="s"), {}, "at least two students"),
        (lambda f: f.assign(team="t"), {"team": "team"}, "at least two teams"),
        (lambda f: f, {"occasion": "quarter"}, "occasion: occasion effects need team="),
        (
            lambda f: f.assign(team=f.team.where(f.index > 0)),
            {"team": "team"},
            "team: 1 rows have no team",
        ),
    ],
)
def test_score_growth_rejects_bad_input_naming_the_argument(change, options, message):
    panel = change(simulated_panel(1, slope=0.3, teams=3, per_team=3))
    with pytest.raises(ValueError, match=message):
        score_growth(panel, score="score", time="quarter", student="student", **options)


# ---- ordered_levels -----------------------------------------------------------------------


def test_ordered_levels_reproduces_the_ucla_ologit_example():
    # UCLA IDRE, "Ordered logistic regression | Stata data analysis examples" (ologit.dta,
    # 400 students, copied into statsmodels' tests): ologit apply pared public gpa gives
    # pared 1.047664 (se .2657891), public -.0586828 (.2978588), gpa .6157458 (.2606311),
    # /cut1 2.203323 (.7795353), /cut2 4.298767 (.8043147).
    data = statsmodels_data("miscmodels/tests/results/ologit_ucla.csv")
    result = ordered_levels(
        data, level="apply", covariates=["pared", "public", "gpa"], order=UCLA_ORDER
    )
    published = {
        "pared": (1.047664, 0.2657891),
        "public": (-0.0586828, 0.2978588),
        "gpa": (0.6157458, 0.2606311),
        "unlikely|somewhat likely": (2.203323, 0.7795353),
        "somewhat likely|very likely": (4.298767, 0.8043147),
    }
    for name, (estimate, error) in published.items():
        assert result.term(name).estimate == pytest.approx(estimate, abs=1e-3), name
        assert result.term(name).std_error == pytest.approx(error, abs=1e-3), name
    assert dict(result.term("pared").extra)["odds_ratio"] == pytest.approx(2.851, abs=1e-3)


def test_ordered_levels_finds_the_simulated_effects():
    result = ordered_levels(
        simulated_levels(2, effect=0.2), level="level", covariates=["months", "mentor"]
    )
    months, mentor = result.term("months"), result.term("mentor")
    assert months.ci_lower < 0.2 < months.ci_upper
    assert mentor.ci_lower < 0.5 < mentor.ci_upper
    assert (
        result.term("emerging|applying").ci_lower < 1.0 < result.term("emerging|applying").ci_upper
    )
    assert (
        result.term("applying|integrating").ci_lower
        < 3.0
        < result.term("applying|integrating").ci_upper
    )


def test_ordered_levels_clusters_errors_when_asked():
    frame = simulated_levels(6, effect=0.2).assign(educator=np.arange(1500) // 5)
    plain = ordered_levels(frame, level="level", covariates=["months"])
    clustered = ordered_levels(frame, level="level", covariates=["months"], cluster="educator")
    assert clustered.estimate == pytest.approx(plain.estimate)
    assert clustered.term("months").std_error != plain.term("months").std_error
    assert clustered.clusters == 300


def test_ordered_levels_warns_of_perfect_separation():
    frame = pd.DataFrame(
        {
            "x": np.arange(30, dtype=float),
            "level": ["emerging"] * 10 + ["applying"] * 10 + ["integrating"] * 10,
        }
    )
    result = ordered_levels(frame, level="level", covariates=["x"])
    assert any("perfect separation" in w for w in result.warnings)


def test_ordered_levels_gives_no_interval_when_a_level_is_rare():
    frame = simulated_levels(5, effect=0.2, size=300)
    frame.loc[frame.index[frame.level == "integrating"][3:], "level"] = "applying"
    result = ordered_levels(frame, level="level", covariates=["months"])
    assert result.term("months").ci_lower is None
    assert "'integrating' occurs only 3 times" in result.warnings[-1]


@pytest.mark.parametrize(
    ("change", "options", "message"),
    [
        (lambda f: f, {"covariates": []}, "covariates: name at least one column"),
        (
            lambda f: f.assign(level=f.level.replace("applying", "proficient")),
            {},
            r"values \['proficient'\]",
        ),
        (lambda f: f.assign(level=f.level.where(f.index > 1)), {}, "level: 2 rows have no level"),
        (lambda f: f.assign(level="emerging"), {}, r"\['applying', 'integrating'\] never occur"),
        (
            lambda f: f.assign(months=f.months.where(f.index > 0)),
            {},
            "months: 1 rows are missing in .months.",
        ),
        (lambda f: f.assign(months=1.0), {}, "column 'months' does not vary"),
        (lambda f: f, {"cluster": "educator"}, "cluster: no column 'educator'"),
    ],
)
def test_ordered_levels_rejects_bad_input_naming_the_argument(change, options, message):
    frame = change(simulated_levels(1, effect=0.2, size=200))
    arguments = {"level": "level", "covariates": ["months"]} | options
    with pytest.raises(ValueError, match=message):
        ordered_levels(frame, **arguments)


# ---- the demo district ------------------------------------------------------------------


@pytest.fixture(scope="module")
def marts(synthetic_warehouse) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(synthetic_warehouse.db), read_only=True) as con:
        return {
            name: load_mart(con, name).frame
            for name in ("portfolio_quarters", "panel_scores", "teacher_learn_levels")
        }


def test_portfolio_growth_per_quarter_recovers_the_district_truth(marts):
    truth = load_truth(None).panel
    portfolio = ["student_unique_id", "school_year", "quarter"]
    teams = marts["panel_scores"].groupby(portfolio, as_index=False).team_id.first()
    quarters = marts["portfolio_quarters"].merge(teams, on=portfolio).sort_values(portfolio)
    quarters["quarters_reviewed"] = quarters.groupby("student_unique_id").cumcount()
    # Growth stops at max_growth: keep the quarters before the cap binds.
    cap = int(truth.max_growth / truth.growth_per_quarter)
    quarters = quarters[quarters.quarters_reviewed <= cap]
    # A team's panel sits once a calendar quarter; its students' quarters_reviewed differ.
    quarters["panel"] = quarters.school_year.astype(str) + " " + quarters.quarter.astype(str)
    result = score_growth(
        quarters,
        score="mean_score",
        time="quarters_reviewed",
        student="student_unique_id",
        team="team_id",
        occasion="panel",
    )
    slope = result.term("quarters_reviewed")
    assert slope.ci_lower < truth.growth_per_quarter < slope.ci_upper


def test_educators_learn_levels_rise_with_months_since_training(marts):
    levels = marts["teacher_learn_levels"].dropna(subset=["months_since_training"])
    result = ordered_levels(
        levels, level="level", covariates=["months_since_training"], cluster="staff_unique_id"
    )
    assert result.term("months_since_training").ci_lower > 0
