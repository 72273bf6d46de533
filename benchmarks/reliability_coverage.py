"""Coverage benchmark of the reliability and growth estimators: bias, RMSE and 95% interval
coverage on simulated samples shaped like the district, each with a known truth.

- Employer panels: a portfolio's mean score is its true quality, plus the severity of the
  reviewer who scores it, plus noise. ``models.reliability.krippendorff_alpha`` (interval
  level, its bootstrap over portfolios) is measured where each portfolio is scored by 3
  reviewers drawn from the district's pool of 24, some scores missing; it and
  ``models.reliability.icc`` (ICC(2,1), the two-way random form, absolute agreement) are
  measured where the same 3 reviewers score every portfolio (a balanced panel);
  ``models.reliability.rater_severity``'s spread of reviewers' severities on the first.
- Educators' LEARN levels: emerging / applying / integrating cut from a latent logistic
  that rises with months since training and has an educator effect, several assessments
  an educator. ``models.growth.ordered_levels`` is measured with errors clustered by
  educator, as the claims notebook calls it, and without, for contrast.

Writes the table into ``benchmarks/README.md`` (between the reliability markers) and
``benchmarks/out/reliability_coverage.json``.
Usage: ``python benchmarks/reliability_coverage.py [--samples N] [--resamples B]``.
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


def _alpha(resamples: int) -> Callable[[pd.DataFrame], tuple[float, float, float]]:
    from models.reliability import krippendorff_alpha

    def estimate(panel: pd.DataFrame) -> tuple[float, float, float]:
        term = krippendorff_alpha(
            panel, unit="portfolio", coder="reviewer", value="score", level="interval",
            resamples=resamples,
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


def _measure_alpha_given_reviewers(design: str, alpha, panels: list[pd.DataFrame]) -> dict:
    """Alpha's coverage of each sample's own reviewers' truth; the truth shown is their mean."""
    truths = np.array([reviewers_alpha(panel) for panel in panels])
    name = "krippendorff_alpha, truth for the sample's reviewers"
    return _measure(design, name, alpha, panels, truths) | {"truth": float(truths.mean())}


def run_panels(samples: int, resamples: int) -> list[dict]:
    rows = []
    alpha = _alpha(resamples)
    for portfolios, seed in ((60, 41), (200, 42)):
        rng = np.random.default_rng(seed)
        pooled = [draw_panel(portfolios, REVIEWER_POOL, rng, MISSING_SHARE) for _ in range(samples)]
        design = (
            f"panel: {portfolios} portfolios, 3 of {REVIEWER_POOL} reviewers each, "
            f"{MISSING_SHARE:.0%} of scores missing"
        )
        rows.append(
            _measure(design, "reliability.krippendorff_alpha (interval)", alpha, pooled,
                     TRUE_RELIABILITY)
        )  # fmt: skip
        rows.append(_measure_alpha_given_reviewers(design, alpha, pooled))
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
        rows.append(
            _measure(design, "reliability.krippendorff_alpha (interval)", alpha, balanced,
                     TRUE_RELIABILITY)
        )  # fmt: skip
        rows.append(_measure_alpha_given_reviewers(design, alpha, balanced))
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
        f"{truths.slope_approximate:.4f}). {samples} samples a design; every estimator of a "
        "design sees the same samples."
    )
    return coverage_table(preamble, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument(
        "--resamples", type=int, default=1000, help="alpha's bootstrap (its default: 1000)"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    truths = check_truths(np.random.default_rng(40))
    rows = run_panels(args.samples, args.resamples) + run_levels(args.samples, truths.slope_large)
    table = render(rows, truths, args.samples, args.resamples)
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "reliability_coverage.json").write_text(
        json.dumps({"truths": truths.__dict__, "rows": rows}, indent=2), encoding="utf-8"
    )
    replace_block(
        "reliability",
        table,
        heading="Reliability and growth coverage (`benchmarks/reliability_coverage.py`)",
    )
    print(table)
    print(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
