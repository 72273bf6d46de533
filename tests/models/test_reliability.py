"""Rater agreement and severity: published tables, simulated truths, the demo district."""

from __future__ import annotations

import duckdb
import krippendorff
import numpy as np
import pandas as pd
import pingouin
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from models.reliability import icc, krippendorff_alpha, rater_severity
from pipelines.synth import load_truth
from pipelines.warehouse.marts import load_mart

# Shrout & Fleiss (1979), Table 1: 6 targets (rows) scored by 4 judges (columns).
SHROUT_FLEISS = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
)

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: 4 observers
# (rows) by 12 units (columns), None where an observer gave no value.
KRIPPENDORFF = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def long_scores(table) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"target": t + 1, "rater": f"judge{j + 1}", "score": float(table[t][j])}
            for t in range(len(table))
            for j in range(len(table[0]))
        ]
    )


def long_ratings(table) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"unit": u + 1, "coder": "ABCD"[c], "value": np.nan if v is None else float(v)}
            for c, row in enumerate(table)
            for u, v in enumerate(row)
        ]
    )


def crossed_scores(seed: int, *, targets: int, raters: int, rater_sd: float) -> pd.DataFrame:
    """Each target scored by two raters drawn at random: target sd 1, noise sd 0.8."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(6.5, 1.0, targets)
    severity = rng.normal(0.0, rater_sd, raters)
    rows = []
    for target in range(targets):
        for rater in rng.choice(raters, 2, replace=False):
            score = quality[target] + severity[rater] + rng.normal(0, 0.8)
            rows.append((target, f"r{rater:02d}", score, severity[rater], quality[target]))
    return pd.DataFrame(rows, columns=["target", "rater", "score", "severity", "quality"])


# ---- icc ------------------------------------------------------------------------------


def test_icc_reproduces_shrout_and_fleiss_table_2():
    # Shrout & Fleiss (1979), Table 2: ICC(1,1)=.17, ICC(2,1)=.29, ICC(3,1)=.71,
    # ICC(1,4)=.44, ICC(2,4)=.62, ICC(3,4)=.91 (two decimals, so within 0.005).
    result = icc(long_scores(SHROUT_FLEISS), target="target", rater="rater", score="score")
    published = {
        "ICC(1,1)": 0.17,
        "ICC(2,1)": 0.29,
        "ICC(3,1)": 0.71,
        "ICC(1,k)": 0.44,
        "ICC(2,k)": 0.62,
        "ICC(3,k)": 0.91,
    }
    assert {t.term: round(t.estimate, 2) for t in result.terms} == published
    assert result.estimate == pytest.approx(0.29, abs=0.005)
    assert result.n == 6


def test_icc_intervals_agree_with_pingouin_at_its_two_decimals():
    # pingouin 0.7 rounds its 95% intervals to two decimals; ours are the same intervals.
    frame = long_scores(SHROUT_FLEISS)
    result = icc(frame, target="target", rater="rater", score="score")
    table = pingouin.intraclass_corr(frame, targets="target", raters="rater", ratings="score")
    for term, bounds in zip(result.terms, table["CI95"], strict=True):
        assert [term.ci_lower, term.ci_upper] == pytest.approx(list(bounds), abs=0.005)


def test_icc_finds_the_true_reliability_of_a_simulated_panel():
    # Target sd 1, no rater effect, noise sd 1: every single-rater ICC is 0.5.
    rng = np.random.default_rng(7)
    table = rng.normal(0, 1, (200, 1)) + rng.normal(0, 1, (200, 4))
    result = icc(long_scores(table), target="target", rater="rater", score="score")
    for name in ("ICC(1,1)", "ICC(2,1)", "ICC(3,1)"):
        term = result.term(name)
        assert term.ci_lower < 0.5 < term.ci_upper


def test_icc_drops_targets_missing_a_rating_and_says_how_many():
    frame = long_scores(SHROUT_FLEISS)
    frame.loc[(frame.target == 2) & (frame.rater == "judge3"), "score"] = np.nan
    frame = frame[~((frame.target == 5) & (frame.rater == "judge1"))]
    result = icc(frame, target="target", rater="rater", score="score")
    assert result.n == 4
    assert result.details["targets_dropped"] == 2
    assert result.warnings[0].startswith("2 of 6 targets lack a score")


def test_icc_gives_no_interval_for_fewer_than_five_targets():
    result = icc(long_scores(SHROUT_FLEISS[:4]), target="target", rater="rater", score="score")
    assert result.term("ICC(2,1)").ci_lower is None
    assert "too few for an interval" in result.warnings[-1]


def test_icc_takes_a_target_named_by_several_columns():
    frame = long_scores(SHROUT_FLEISS)
    frame["year"], frame["student"] = 2027, frame.pop("target")
    result = icc(frame, target=("student", "year"), rater="rater", score="score")
    assert result.estimate == pytest.approx(0.2898, abs=1e-4)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="rater"), "rater: no column 'rater'"),
        (lambda f: f[f.rater == "judge1"], "at least two raters"),
        (lambda f: f.assign(score=f.score.astype(str)), "score: column 'score' must be numeric"),
        (lambda f: f.assign(score=5.0), "score: every score"),
        (lambda f: pd.concat([f, f.head(1)]), "repeat a rater's score"),
        (lambda f: f.assign(rater=f.rater.where(f.index > 0)), "rater: 1 rows have no rater"),
        (lambda f: f[f.target == 1], "at least two targets"),
    ],
)
def test_icc_rejects_bad_input_naming_the_argument(change, message):
    with pytest.raises(ValueError, match=message):
        icc(change(long_scores(SHROUT_FLEISS)), target="target", rater="rater", score="score")


# ---- krippendorff_alpha -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_alpha_reproduces_the_worked_example(level, published):
    # Krippendorff (2011), section C (4 observers, 12 units, missing values): nominal
    # alpha .743, ordinal .815, interval .849, ratio .797 (three decimals).
    result = krippendorff_alpha(
        long_ratings(KRIPPENDORFF), unit="unit", coder="coder", value="value", level=level
    )
    assert result.estimate == pytest.approx(published, abs=0.0005)
    assert result.n == 11  # unit 12 has a single value
    assert result.details["missing_values"] == 7


def test_krippendorff_alpha_takes_labels_for_nominal_data():
    frame = long_ratings(KRIPPENDORFF)
    frame["value"] = frame["value"].map({1: "a", 2: "b", 3: "c", 4: "d", 5: "e"})
    result = krippendorff_alpha(frame, unit="unit", coder="coder", value="value", level="nominal")
    assert result.estimate == pytest.approx(0.743, abs=0.0005)


# Slow (about 40 s, mostly system time): the krippendorff package builds its coincidence
# matrices over every distinct value, and 400 units of continuous ratings have ~1,000.
@pytest.mark.slow
def test_krippendorff_alpha_interval_finds_the_simulated_reliability():
    # Unit sd 1, noise sd 1, three coders, a fifth of ratings missing: the interval alpha
    # of such data is the intraclass correlation, 0.5.
    rng = np.random.default_rng(11)
    truth = rng.normal(0, 1, (400, 1)) + rng.normal(0, 1, (400, 3))
    truth[rng.random(truth.shape) < 0.2] = np.nan
    frame = pd.DataFrame(
        [(u, c, truth[u, c]) for u in range(400) for c in range(3)],
        columns=["unit", "coder", "value"],
    )
    result = krippendorff_alpha(frame, unit="unit", coder="coder", value="value", seed=3)
    term = result.term("alpha")
    assert term.ci_lower < 0.5 < term.ci_upper
    assert 0 < term.std_error < 0.1


def test_krippendorff_alpha_bootstrap_is_repeatable_with_its_seed():
    frame = long_ratings(KRIPPENDORFF)
    first = krippendorff_alpha(frame, unit="unit", coder="coder", value="value", seed=5)
    again = krippendorff_alpha(frame, unit="unit", coder="coder", value="value", seed=5)
    assert first.term("alpha") == again.term("alpha")


def pairable_table() -> np.ndarray:
    """Krippendorff's worked example without unit 12, which has a single value."""
    table = np.array([[np.nan if v is None else v for v in row] for row in KRIPPENDORFF])
    return table[:, (~np.isnan(table)).sum(axis=0) >= 2]


def package_alpha(table: np.ndarray, level: str) -> float:
    return krippendorff.alpha(
        reliability_data=table, level_of_measurement=level, value_domain=[1.0, 2, 3, 4, 5]
    )


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_alpha_bca_acceleration_is_the_jackknife_over_units(level):
    # The acceleration from alpha without each unit in turn, each computed by the package.
    table = pairable_table()
    jackknife = np.array([package_alpha(np.delete(table, u, axis=1), level) for u in range(11)])
    spread = jackknife.mean() - jackknife
    expected = (spread**3).sum() / (6 * ((spread**2).sum()) ** 1.5)
    result = krippendorff_alpha(
        long_ratings(KRIPPENDORFF), unit="unit", coder="coder", value="value", level=level,
        interval="bca",
    )  # fmt: skip
    assert result.details["acceleration"] == pytest.approx(expected, abs=1e-10)
    assert "bias-corrected and accelerated (BCa) bootstrap" in result.method


def test_krippendorff_alpha_bca_interval_agrees_with_scipys():
    # scipy.stats.bootstrap's BCa over the same 11 units, alpha by the package; the two
    # draw different resamples, so they agree to their Monte Carlo error (about 0.005).
    table = pairable_table()
    scipys = stats.bootstrap(
        (np.arange(11),), lambda units: package_alpha(table[:, units], "interval"),
        vectorized=False, n_resamples=4000, method="BCa", rng=np.random.default_rng(1),
    ).confidence_interval  # fmt: skip
    result = krippendorff_alpha(
        long_ratings(KRIPPENDORFF), unit="unit", coder="coder", value="value", interval="bca",
        resamples=100_000, seed=2,
    )  # fmt: skip
    term = result.term("alpha")
    assert (term.ci_lower, term.ci_upper) == pytest.approx(tuple(scipys), abs=0.02)
    # BCa moves the interval down from the percentile one, whose upper end is alpha's
    # ceiling of 1: the replicates are skewed towards agreement.
    assert term.ci_upper < 0.99


def test_krippendorff_alpha_gives_no_interval_for_fewer_than_ten_units():
    frame = long_ratings([row[:6] for row in KRIPPENDORFF])
    result = krippendorff_alpha(frame, unit="unit", coder="coder", value="value")
    assert result.term("alpha").ci_lower is None
    assert "too few for a bootstrap interval" in result.warnings[-1]


@pytest.mark.parametrize(
    ("change", "options", "message"),
    [
        (lambda f: f, {"level": "likert"}, "level must be one of"),
        (lambda f: f.drop(columns="coder"), {}, "coder: no column 'coder'"),
        (lambda f: f[f.coder == "A"], {}, "at least two coders"),
        (lambda f: f.assign(value=3.0), {}, "value: every rating is 3.0"),
        (lambda f: f.assign(value=f.value.astype(str)), {}, "value: column 'value' must be"),
        (lambda f: f.assign(unit=f.unit.where(f.index > 2)), {}, "unit: 3 rows have no unit"),
    ],
)
def test_krippendorff_alpha_rejects_bad_input_naming_the_argument(change, options, message):
    frame = change(long_ratings(KRIPPENDORFF))
    with pytest.raises(ValueError, match=message):
        krippendorff_alpha(frame, unit="unit", coder="coder", value="value", **options)


# ---- rater_severity -----------------------------------------------------------------------


def test_rater_severity_variances_reproduce_shrout_and_fleiss_mean_squares():
    # Shrout & Fleiss (1979), Table 2's ANOVA: BMS 11.24, JMS 32.49, EMS 1.02 (k=4, n=6).
    # On balanced data REML gives the ANOVA estimates: judges (JMS-EMS)/n = 5.245, targets
    # (BMS-EMS)/k = 2.555, error EMS; and ICC(2,1) = 2.555 / (2.555 + 5.245 + 1.02) = .29.
    result = rater_severity(
        long_scores(SHROUT_FLEISS), target="target", rater="rater", score="score"
    )
    rater, target, residual = (
        result.term(n).estimate ** 2 for n in ("rater_sd", "target_sd", "residual_sd")
    )
    assert rater == pytest.approx((32.49 - 1.02) / 6, abs=0.01)
    assert target == pytest.approx((11.24 - 1.02) / 4, abs=0.01)
    assert residual == pytest.approx(1.02, abs=0.005)
    assert target / (target + rater + residual) == pytest.approx(0.29, abs=0.005)


def test_rater_severity_offsets_equal_statsmodels_crossed_mixed_model():
    # Independent computation: statsmodels MixedLM with crossed variance components.
    frame = crossed_scores(3, targets=40, raters=6, rater_sd=0.6)
    result = rater_severity(frame, target="target", rater="rater", score="score")
    fit = smf.mixedlm(
        "score ~ 1",
        frame.assign(everyone=1),
        groups="everyone",
        re_formula="0",
        vc_formula={"target": "0 + C(target)", "rater": "0 + C(rater)"},
    ).fit(reml=True)
    effects = fit.random_effects[1]
    for rater in sorted(frame.rater.unique()):
        assert result.term(rater).estimate == pytest.approx(
            effects[f"rater[C(rater)[{rater}]]"], abs=1e-3
        )
    assert result.term("rater_sd").estimate ** 2 == pytest.approx(fit.vcomp[0], rel=1e-3)


def test_rater_severity_recovers_simulated_severities():
    frame = crossed_scores(5, targets=600, raters=30, rater_sd=0.6)
    result = rater_severity(frame, target="target", rater="rater", score="score")
    spread = result.term("rater_sd")
    assert spread.ci_lower < 0.6 < spread.ci_upper
    truth = frame.groupby("rater").severity.first()
    offsets = pd.Series({r: result.term(r).estimate for r in truth.index})
    assert np.corrcoef(truth, offsets)[0, 1] > 0.9
    covered = [result.term(r).ci_lower < truth[r] < result.term(r).ci_upper for r in truth.index]
    assert np.mean(covered) >= 0.85


def test_removing_offsets_brings_the_share_at_standard_near_the_truth():
    frame = crossed_scores(9, targets=800, raters=12, rater_sd=1.0)
    result = rater_severity(frame, target="target", rater="rater", score="score", standard=7.0)
    # Offsets are relative to the pool's average rater: the truth is the share an average
    # rater's scores (without noise) would put at the standard.
    average_rater = frame.groupby("rater").severity.first().mean()
    true_share = (frame.groupby("target").quality.first() + average_rater >= 7.0).mean()
    raw = result.term("share_at_standard").estimate
    adjusted = result.term("share_at_standard_adjusted")
    assert abs(adjusted.estimate - true_share) < abs(raw - true_share)
    assert adjusted.ci_lower < adjusted.estimate < adjusted.ci_upper
    assert dict(adjusted.extra)["targets_at_standard"] == round(adjusted.estimate * 800)


def test_rater_severity_warns_when_raters_do_not_differ():
    frame = crossed_scores(4, targets=300, raters=8, rater_sd=0.0)
    result = rater_severity(frame, target="target", rater="rater", score="score")
    assert any("rater variance is estimated at zero" in w for w in result.warnings)
    assert result.term("rater_sd").ci_lower is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="score"), "score: no column 'score'"),
        (lambda f: f.assign(score=f.score.where(f.index > 1)), "score: 2 rows have no score"),
        (lambda f: f.assign(rater="r00"), "at least two raters"),
        (lambda f: f.assign(score=7.0), "score: every score is 7.0"),
        (lambda f: f.assign(target=1), "at least two targets"),
    ],
)
def test_rater_severity_rejects_bad_input_naming_the_argument(change, message):
    frame = change(crossed_scores(1, targets=20, raters=4, rater_sd=0.5))
    with pytest.raises(ValueError, match=message):
        rater_severity(frame, target="target", rater="rater", score="score")


# ---- the demo district ------------------------------------------------------------------


@pytest.fixture(scope="module")
def panel_scores(synthetic_warehouse) -> pd.DataFrame:
    with duckdb.connect(str(synthetic_warehouse.db), read_only=True) as con:
        return load_mart(con, "panel_scores").frame


def test_reviewer_severity_spread_recovers_the_district_truth(panel_scores):
    portfolio = ("student_unique_id", "school_year", "quarter")
    result = rater_severity(
        panel_scores, target=portfolio, rater="reviewer_id", score="score", standard=7.0
    )
    spread = result.term("rater_sd")
    truth = load_truth(None).panel.reviewer_severity_sd
    assert spread.ci_lower < truth < spread.ci_upper
    assert result.clusters == load_truth(None).panel.reviewers


def test_district_panel_agreement_has_a_bootstrap_interval(panel_scores):
    unit = ("student_unique_id", "school_year", "quarter", "component")
    result = krippendorff_alpha(panel_scores, unit=unit, coder="reviewer_id", value="score")
    assert 0 < result.term("alpha").ci_lower < result.estimate < result.term("alpha").ci_upper


def test_an_icc_from_three_raters_warns_that_its_interval_is_too_narrow():
    rng = np.random.default_rng(3)
    quality = rng.normal(0, 1, 40)
    frame = pd.DataFrame(
        [
            {"portfolio": p, "reviewer": r, "score": quality[p] + rng.normal(0, 0.5)}
            for p in range(40)
            for r in ("a", "b", "c")
        ]
    )
    result = icc(frame, target="portfolio", rater="reviewer", score="score")
    assert any(
        w.startswith("only 3 raters: the ICC(2,1) interval is too narrow") for w in result.warnings
    )
