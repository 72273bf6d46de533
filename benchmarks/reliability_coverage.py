"""Coverage benchmark of the reliability and growth estimators: bias, RMSE and 95% interval
coverage on simulated samples shaped like the district, each with a known truth.

- Employer panels: a portfolio's mean score is its true quality, plus the severity of the
  reviewer who scores it, plus noise. ``models.reliability.krippendorff_alpha`` (interval
  level, its percentile and BCa bootstrap intervals over portfolios) is measured where
  each portfolio is scored by 3 reviewers drawn from the district's pool of 24, some
  scores missing; it and
  ``models.reliability.icc`` (ICC(2,1), the two-way random form, absolute agreement) are
  measured where the same 3 reviewers score every portfolio (a balanced panel);
  ``models.reliability.rater_severity``'s spread of reviewers' severities on the first.
- Panel scores over quarters: a student's mean score each quarter, students in teams,
  growing by a known amount a quarter, a team's students scored together each quarter;
  ``models.growth.score_growth`` is measured as it is by default (random intercepts for
  teams, students and each team's quarters) and with ``occasion_effects=False`` (no
  intercept for the team's quarters), for contrast.
- Educators' LEARN levels: emerging / applying / integrating cut from a latent logistic
  that rises with months since training and has an educator effect, several assessments
  an educator. ``models.growth.ordered_levels`` is measured with errors clustered by
  educator, as the claims notebook calls it, and without, for contrast.

Writes the table into ``benchmarks/README.md`` (between the reliability markers) and
``benchmarks/out/reliability_coverage.json``.
Usage: ``python benchmarks/reliability_coverage.py [--samples N] [--resamples B]
[--only panels|levels|growth ...]``; ``--only`` reruns those parts and keeps the others'
rows from the last run's JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from estimator_coverage import ROOT, _measure, coverage_table
from readme_block import replace_block

# --- employer panels -----------------------------------------------------------------------
#
# score = MEAN_QUALITY + quality (sd QUALITY_SD) + severity (sd SEVERITY_SD) + noise (sd
# NOISE_SD), rounded to SCORE_STEP: the mean of a reviewer's four half-point component
# scores (truth.yaml's panel: reviewer severity sd 0.6, component noise 0.8 / sqrt(4) = 0.4,
# quality from ability, the student and growth about 0.8). Scores are not clipped to 0-10
# (at a mean of 6 and an sd of 1.08 almost none would be), so the truth stays exact.
#
# The truth. ICC(2,1) (McGraw and Wong's ICC(A,1)) is the share of one score's variance
# that lies between portfolios, reviewers drawn at random:
#     rho = q / (q + s + e),  q, s, e the quality, severity and noise variances,
# with the rounding's error, about uniform on a step, adding STEP^2 / 12 to e (Sheppard).
# Krippendorff's alpha for interval data is 1 - D_o / D_e with squared differences: within
# a portfolio two scores differ by the reviewers' severities and noises, E = 2s + 2e;
# between any two scores, E = 2q + 2s + 2e; so in a large sample with reviewers drawn at
# random alpha tends to the same rho. ``check_truths`` confirms both on one very large
# sample. With the same 3 reviewers scoring everything, the rho above is the truth for a
# population of reviewers, of which a sample holds only three.
#
# Alpha's bootstrap resamples portfolios and keeps the reviewers fixed, so it also gets a
# second truth: alpha for the sample's own reviewers. With their severities' variance v0
# (divided by the pool's size) and v1 (by the size less one), pairs within a portfolio
# differ by E = 2 v1 + 2e and any two scores by E = 2q + 2 v0 + 2e, so
#     alpha | these reviewers = (q + v0 - v1) / (q + v0 + e).
MEAN_QUALITY, QUALITY_SD, SEVERITY_SD, NOISE_SD, SCORE_STEP = 6.0, 0.8, 0.6, 0.4, 0.125
REVIEWER_POOL, REVIEWERS_PER_PORTFOLIO, MISSING_SHARE = 24, 3, 0.10
TRUE_RELIABILITY = QUALITY_SD**2 / (
    QUALITY_SD**2 + SEVERITY_SD**2 + NOISE_SD**2 + SCORE_STEP**2 / 12
)


def draw_panel(
    portfolios: int, pool: int, rng: np.random.Generator, missing_share: float
) -> pd.DataFrame:
    """Each portfolio scored by ``REVIEWERS_PER_PORTFOLIO`` distinct reviewers of a pool of
    ``pool`` (all of them when the pool is that small); a share of scores lost at random."""
    severity = rng.normal(0, SEVERITY_SD, pool)
    if pool == REVIEWERS_PER_PORTFOLIO:
        picks = np.tile(np.arange(pool), (portfolios, 1))
    else:
        picks = _distinct_picks(portfolios, pool, REVIEWERS_PER_PORTFOLIO, rng)
    reviewer = picks.ravel()
    portfolio = np.repeat(np.arange(portfolios), REVIEWERS_PER_PORTFOLIO)
    quality = rng.normal(MEAN_QUALITY, QUALITY_SD, portfolios)
    raw = quality[portfolio] + severity[reviewer] + rng.normal(0, NOISE_SD, len(reviewer))
    score = np.round(raw / SCORE_STEP) * SCORE_STEP
    score[rng.random(len(score)) < missing_share] = np.nan
    panel = pd.DataFrame(
        {"portfolio": portfolio, "reviewer": [f"RV{r:04d}" for r in reviewer], "score": score}
    )
    panel.attrs["severity"] = severity
    return panel


def reviewers_alpha(panel: pd.DataFrame) -> float:
    """The truth of alpha for the reviewers this panel drew (see above)."""
    severity = panel.attrs["severity"]
    v0, v1 = severity.var(ddof=0), severity.var(ddof=1)
    q, e = QUALITY_SD**2, NOISE_SD**2 + SCORE_STEP**2 / 12
    return (q + v0 - v1) / (q + v0 + e)


def _distinct_picks(rows: int, pool: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` distinct members of ``range(pool)`` a row, uniformly: the j-th is drawn from the
    ``pool - j`` not yet taken, by stepping past those taken in ascending order (no
    rows x pool matrix, so the very large check panel is cheap)."""
    picks = np.empty((rows, 0), dtype=int)
    for j in range(k):
        draw = rng.integers(0, pool - j, rows)
        for taken in np.sort(picks, axis=1).T:
            draw += draw >= taken
        picks = np.column_stack([picks, draw])
    return picks


def _alpha(
    resamples: int, interval: str = "percentile"
) -> Callable[[pd.DataFrame], tuple[float, float, float]]:
    from models.reliability import krippendorff_alpha

    def estimate(panel: pd.DataFrame) -> tuple[float, float, float]:
        term = krippendorff_alpha(
            panel, unit="portfolio", coder="reviewer", value="score", level="interval",
            resamples=resamples, interval=interval,
        ).term("alpha")  # fmt: skip
        return term.estimate, term.ci_lower, term.ci_upper

    return estimate


def severity_spread(panel: pd.DataFrame) -> tuple[float, float, float]:
    """``rater_severity``'s headline, the sd of reviewers' offsets (it takes no missing
    scores: those lost are left out, as the scorecard's mart does)."""
    from models.reliability import rater_severity

    fit = rater_severity(panel.dropna(), target="portfolio", rater="reviewer", score="score")
    term = fit.term("rater_sd")
    return term.estimate, term.ci_lower, term.ci_upper


def icc_two_way(panel: pd.DataFrame) -> tuple[float, float, float]:
    """``icc``'s headline, ICC(2,1): one reviewer's reliability, absolute agreement."""
    from models.reliability import icc

    term = icc(panel, target="portfolio", rater="reviewer", score="score").term("ICC(2,1)")
    return term.estimate, term.ci_lower, term.ci_upper


def _measure_alpha(design: str, resamples: int, panels: list[pd.DataFrame]) -> list[dict]:
    """Alpha's percentile interval (the default) against the general truth and each
    sample's own reviewers' truth, and its BCa interval against the latter, from one fit a
    sample and interval; the own reviewers' truth shown is their mean."""
    own = np.array([reviewers_alpha(panel) for panel in panels])
    rows = []
    for interval in ("percentile", "bca"):
        name = f"reliability.krippendorff_alpha (interval), {interval_name(interval)}"
        truths = {"": TRUE_RELIABILITY} if interval == "percentile" else {}
        truths[", truth for the sample's reviewers"] = own
        rows += _measure_against(design, name, _alpha(resamples, interval), panels, truths)
    return rows


def interval_name(interval: str) -> str:
    return {"bca": "BCa", "percentile": "percentile"}[interval]


def _measure_against(design: str, name: str, estimator, samples: list, truths: dict) -> list:
    """``_measure``'s row for each truth (a number, or one a sample), the estimator run once
    a sample; each row's seconds are that one run's."""
    started = time.perf_counter()
    results = np.array([estimator(sample) for sample in samples], dtype=float)
    seconds = time.perf_counter() - started
    rows = []
    for suffix, truth in truths.items():
        truth = np.broadcast_to(np.asarray(truth, dtype=float), len(results))
        errors = results[:, 0] - truth
        covered = (results[:, 1] <= truth) & (results[:, 2] >= truth)
        rows.append(
            {
                "design": design,
                "estimator": name + suffix,
                "truth": float(truth.mean()),
                "samples": len(results),
                "bias": float(errors.mean()),
                "rmse": float(np.sqrt((errors**2).mean())),
                "coverage": float(covered.mean()),
                "seconds": seconds,
            }
        )
    return rows


def run_panels(samples: int, resamples: int) -> list[dict]:
    rows = []
    for portfolios, seed in ((60, 41), (200, 42)):
        rng = np.random.default_rng(seed)
        pooled = [draw_panel(portfolios, REVIEWER_POOL, rng, MISSING_SHARE) for _ in range(samples)]
        design = (
            f"panel: {portfolios} portfolios, 3 of {REVIEWER_POOL} reviewers each, "
            f"{MISSING_SHARE:.0%} of scores missing"
        )
        rows += _measure_alpha(design, resamples, pooled)
        rows.append(
            _measure(design, "reliability.rater_severity, rater_sd", severity_spread, pooled,
                     SEVERITY_SD)
        )  # fmt: skip
        balanced = [
            draw_panel(portfolios, REVIEWERS_PER_PORTFOLIO, rng, 0.0) for _ in range(samples)
        ]
        design = f"panel: {portfolios} portfolios, the same 3 reviewers score all"
        rows.append(
            _measure(design, "reliability.icc, ICC(2,1)", icc_two_way, balanced, TRUE_RELIABILITY)
        )
        rows += _measure_alpha(design, resamples, balanced)
    return rows


# --- educators' LEARN levels ---------------------------------------------------------------
#
# latent = SLOPE * months + educator effect (sd EDUCATOR_SD) + standard logistic noise,
# cut at CUTS into emerging < applying < integrating. As in the district, an educator is
# assessed on each of PILLARS pillars at the end of each of TERMS terms, the first 0-12
# months after training and then every TERM_MONTHS: an educator's assessments share the
# educator's effect and, within a term, the months too, so they are not independent.
#
# The truth. Given the educator, the log odds of a higher level rise by SLOPE a month. The
# ordered logit ``ordered_levels`` fits has no educator effect: it estimates the
# population-averaged slope, which averaging over educators flattens, to about
# SLOPE / sqrt(1 + 0.346 * EDUCATOR_SD^2) (Zeger, Liang and Albert 1988; the marginal model
# is then only close to a proportional-odds logit). Its exact value, the slope the pooled
# fit converges to, is taken from one fit to TRUTH_EDUCATORS educators (``check_truths``);
# the clustered errors' job is to cover that.
SLOPE, EDUCATOR_SD, CUTS = 0.10, 1.0, (1.0, 3.0)
TERMS, PILLARS, TERM_MONTHS = 3, 5, 6.0
ASSESSMENTS = TERMS * PILLARS
TRUTH_EDUCATORS = 40_000
LEVELS = np.array(["emerging", "applying", "integrating"])


def draw_levels(educators: int, rng: np.random.Generator) -> pd.DataFrame:
    educator = np.repeat(np.arange(educators), ASSESSMENTS)
    first = rng.uniform(0, 12, educators)
    term = np.tile(np.repeat(np.arange(TERMS), PILLARS), educators)
    months = first[educator] + TERM_MONTHS * term
    effect = rng.normal(0, EDUCATOR_SD, educators)
    latent = SLOPE * months + effect[educator] + rng.logistic(size=len(educator))
    return pd.DataFrame(
        {
            "educator": educator,
            "months_since_training": months,
            "level": LEVELS[np.searchsorted(CUTS, latent)],
        }
    )


def _ordered(cluster: str | None) -> Callable[[pd.DataFrame], tuple[float, float, float]]:
    from models.growth import ordered_levels

    def estimate(frame: pd.DataFrame) -> tuple[float, float, float]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            term = ordered_levels(
                frame, level="level", covariates=["months_since_training"], cluster=cluster
            ).term("months_since_training")
        return term.estimate, term.ci_lower, term.ci_upper

    return estimate


def run_levels(samples: int, true_slope: float) -> list[dict]:
    rows = []
    for educators, seed in ((40, 51), (150, 52)):
        rng = np.random.default_rng(seed)
        frames = [draw_levels(educators, rng) for _ in range(samples)]
        design = f"LEARN levels: {educators} educators x {TERMS} terms x {PILLARS} pillars"
        for name, cluster in (
            ("growth.ordered_levels, clustered by educator", "educator"),
            ("growth.ordered_levels, no cluster=", None),
        ):
            rows.append(_measure(design, name, _ordered(cluster), frames, true_slope))
    return rows


# --- panel scores over quarters ---------------------------------------------------------
#
# As truth.yaml's panel: a team of 8-12 students, each scored in 3 or 4 consecutive
# quarters (time 0, 1, ...), each quarter by the team's panel of 2 reviewers drawn from the
# district's pool of 24, each scoring 4 components in half points; the student's quarter
# score is the mean of those 8 (the ``portfolio_quarters`` mart). A component score is
#     MEAN_QUALITY + team (sd GROWTH_TEAM_SD) + student (sd STUDENT_SD, ability and the
#     student's own effect) + GROWTH_SLOPE * quarter + the reviewer's severity + noise,
# not clipped to 0-10 (at these values almost none would be), so the slope's truth is
# exact. The component offsets of truth.yaml are the same every quarter and are left out.
# A team's students in a quarter share that panel's two reviewers, so their scores share
# its severity (sd 0.6 / sqrt(2)), a shock that differs from quarter to quarter within the
# team: ``score_growth``'s occasion effects (one random intercept for each team's quarter)
# model it; with ``occasion_effects=False`` the model does not know it.
GROWTH_SLOPE, GROWTH_TEAM_SD, STUDENT_SD = 0.3, 0.2, math.hypot(0.6, 0.4)
GROWTH_REVIEWERS, GROWTH_COMPONENTS, COMPONENT_NOISE_SD, COMPONENT_STEP = 2, 4, 0.8, 0.5
MAX_QUARTERS = 4


def draw_quarters(teams: int, rng: np.random.Generator) -> pd.DataFrame:
    size = rng.integers(8, 13, teams)
    team_of_student = np.repeat(np.arange(teams), size)
    quarters = rng.integers(3, MAX_QUARTERS + 1, len(team_of_student))
    student = np.repeat(np.arange(len(team_of_student)), quarters)
    quarter = np.arange(len(student)) - np.repeat(np.cumsum(quarters) - quarters, quarters)
    team = team_of_student[student]
    severity = rng.normal(0, SEVERITY_SD, REVIEWER_POOL)
    panels = _distinct_picks(teams * MAX_QUARTERS, REVIEWER_POOL, GROWTH_REVIEWERS, rng)
    panel_severity = severity[panels].reshape(teams, MAX_QUARTERS, GROWTH_REVIEWERS)
    quality = (
        MEAN_QUALITY
        + rng.normal(0, GROWTH_TEAM_SD, teams)[team]
        + rng.normal(0, STUDENT_SD, len(team_of_student))[student]
        + GROWTH_SLOPE * quarter
    )
    noise = rng.normal(0, COMPONENT_NOISE_SD, (len(student), GROWTH_REVIEWERS, GROWTH_COMPONENTS))
    raw = quality[:, None, None] + panel_severity[team, quarter][:, :, None] + noise
    score = (np.round(raw / COMPONENT_STEP) * COMPONENT_STEP).mean(axis=(1, 2))
    return pd.DataFrame({"team": team, "student": student, "quarter": quarter, "score": score})


def _growth(occasion_effects: bool) -> Callable[[pd.DataFrame], tuple[float, float, float]]:
    from models.growth import score_growth

    def estimate(frame: pd.DataFrame) -> tuple[float, float, float]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            term = score_growth(
                frame, score="score", time="quarter", student="student", team="team",
                occasion_effects=occasion_effects,
            ).term("quarter")  # fmt: skip
        return term.estimate, term.ci_lower, term.ci_upper

    return estimate


def run_growth(samples: int) -> list[dict]:
    rows = []
    for teams, seed in ((8, 61), (40, 62)):
        rng = np.random.default_rng(seed)
        frames = [draw_quarters(teams, rng) for _ in range(samples)]
        design = f"panel scores: {teams} teams of 8-12, 3-4 quarters a student"
        for name, occasion_effects in (
            ("growth.score_growth, quarter (occasion effects, the default)", True),
            ("growth.score_growth without occasion effects (occasion_effects=False)", False),
        ):
            rows.append(_measure(design, name, _growth(occasion_effects), frames, GROWTH_SLOPE))
    return rows


# --- the truths, checked on very large samples ---------------------------------------------


@dataclass(frozen=True)
class Truths:
    alpha_large: float
    icc_large: float
    slope_large: float
    slope_approximate: float


def check_truths(rng: np.random.Generator) -> Truths:
    """Alpha and ICC(2,1) of one very large panel (50,000 portfolios scored by 3 of 5,000
    reviewers; 2,000 scored by each of 1,000 reviewers), and the pooled ordered logit's slope
    on ``TRUTH_EDUCATORS`` educators, which is the slope's truth below."""
    from models.growth import ordered_levels
    from models.reliability import icc, krippendorff_alpha

    panel = draw_panel(50_000, 5_000, rng, MISSING_SHARE)
    alpha = krippendorff_alpha(
        panel, unit="portfolio", coder="reviewer", value="score", resamples=0
    ).estimate
    crossed = _fully_crossed(2_000, 1_000, rng)
    icc_large = icc(crossed, target="portfolio", rater="reviewer", score="score").estimate
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        slope = ordered_levels(
            draw_levels(TRUTH_EDUCATORS, rng), level="level", covariates=["months_since_training"]
        ).estimate
    approximate = SLOPE / math.sqrt(1 + 0.346 * EDUCATOR_SD**2)
    return Truths(alpha, icc_large, slope, approximate)


def _fully_crossed(portfolios: int, reviewers: int, rng: np.random.Generator) -> pd.DataFrame:
    """Every reviewer scores every portfolio: ICC(2,1) with enough reviewers to pin down
    their severities' variance."""
    severity = rng.normal(0, SEVERITY_SD, reviewers)
    quality = rng.normal(MEAN_QUALITY, QUALITY_SD, portfolios)
    raw = quality[:, None] + severity[None, :] + rng.normal(0, NOISE_SD, (portfolios, reviewers))
    return pd.DataFrame(
        {
            "portfolio": np.repeat(np.arange(portfolios), reviewers),
            "reviewer": np.tile(np.arange(reviewers), portfolios),
            "score": (np.round(raw / SCORE_STEP) * SCORE_STEP).ravel(),
        }
    )


def render(rows: list[dict], truths: Truths, samples: int, resamples: int) -> str:
    preamble = (
        f"Panels: a portfolio's mean score = quality (sd {QUALITY_SD}) + reviewer severity "
        f"(sd {SEVERITY_SD}, the truth of `rater_sd`) + noise (sd {NOISE_SD}), in steps of "
        f"{SCORE_STEP}; true "
        f"reliability (ICC(2,1), and alpha's population value) {TRUE_RELIABILITY:.4f}. "
        f"Checked on very large panels: alpha {truths.alpha_large:.4f} (50,000 portfolios, "
        f"3 of 5,000 reviewers each), ICC(2,1) {truths.icc_large:.4f} (2,000 portfolios x "
        f"1,000 reviewers); each check is itself a sample, good to about 0.005 and 0.01. "
        f"Alpha's bootstrap: {resamples} resamples of portfolios a sample; it "
        "keeps the reviewers fixed, so alpha is also measured against the truth for each "
        "sample's own reviewers, (q + v0 - v1) / (q + v0 + e) with v0 and v1 their "
        "severities' variance divided by n and n - 1 (the truth shown is its mean). "
        f"LEARN levels: log odds of a higher level {SLOPE} a month given the educator "
        f"(educator sd {EDUCATOR_SD}); the pooled ordered logit's truth is the "
        f"population-averaged slope, {truths.slope_large:.4f} from one fit to "
        f"{TRUTH_EDUCATORS:,} educators (the attenuation formula gives "
        f"{truths.slope_approximate:.4f}). Panel scores over quarters: true growth "
        f"{GROWTH_SLOPE} a quarter; team sd {GROWTH_TEAM_SD}, student sd {STUDENT_SD:.2f}; "
        f"each quarter a team's panel of {GROWTH_REVIEWERS} of the {REVIEWER_POOL} reviewers "
        f"(severity sd {SEVERITY_SD}) scores {GROWTH_COMPONENTS} components in steps of "
        f"{COMPONENT_STEP} (noise sd {COMPONENT_NOISE_SD}), a student's score their mean. "
        f"{samples} samples a design; every estimator of a design sees the same samples."
    )
    return coverage_table(preamble, rows)


PARTS = ("panels", "levels", "growth")
OUT = ROOT / "benchmarks" / "out" / "reliability_coverage.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument(
        "--resamples", type=int, default=1000, help="alpha's bootstrap (its default: 1000)"
    )
    parser.add_argument(
        "--only",
        choices=PARTS,
        action="append",
        help="rerun only this part (repeatable); the others' rows come from the last run's "
        f"{OUT.relative_to(ROOT)}",
    )
    args = parser.parse_args()
    parts = args.only or list(PARTS)
    started = time.perf_counter()
    previous = {"rows": []}
    if args.only:
        if not OUT.exists():
            parser.error(f"--only needs a full run's {OUT.relative_to(ROOT)}; run without it once")
        previous = json.loads(OUT.read_text(encoding="utf-8"))
    if {"panels", "levels"} & set(parts):
        truths = check_truths(np.random.default_rng(40))
    else:
        truths = Truths(**previous["truths"])
    runs = {
        "panels": lambda: run_panels(args.samples, args.resamples),
        "levels": lambda: run_levels(args.samples, truths.slope_large),
        "growth": lambda: run_growth(args.samples),
    }
    rows = []
    for part in PARTS:
        if part in parts:
            rows += [row | {"part": part} for row in runs[part]()]
        else:
            rows += [row for row in previous["rows"] if row.get("part") == part]
    table = render(rows, truths, args.samples, args.resamples)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"truths": truths.__dict__, "rows": rows}, indent=2), "utf-8")
    replace_block(
        "reliability",
        table,
        heading="Reliability and growth coverage (`benchmarks/reliability_coverage.py`)",
    )
    print(table)
    print(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
