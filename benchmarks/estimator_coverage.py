"""Coverage benchmark: bias, RMSE and 95% interval coverage of the estimators the claims
scorecard relies on, on simulated samples shaped like the district.

Three kinds of claim, each with a known truth:

- a treatment effect: ``--samples`` samples (1,000 by default) of studio teams (clusters);
  teams choose to join on their members' prior achievement and gender (so the naive
  difference is biased), students' outcomes share a team effect (so plain errors are too
  narrow), and only a few teams exist (so cluster-robust errors with 8 clusters
  under-cover). The table shows why ``models.effects.estimate_effect``'s defaults are
  what they are: adjust, and below 20 clusters use the cluster jackknife;
- a ratio of two shares (girls' return next year, girls-only over mixed teams), whose
  teams' rates vary: ``models.proportions.compare`` treats girls as independent,
  ``models.proportions.risk_ratio`` clusters by team;
- a ratio of waiting times (days to a first AI lesson, champion support over a mandate),
  with and without teachers who never adopt: ``models.retention.time_ratio``, plain and
  with ``cure_fraction``.

Writes the table into ``benchmarks/README.md`` (between the coverage markers) and
``benchmarks/out/coverage.json``. Usage: ``python benchmarks/estimator_coverage.py [--samples N]``.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from readme_block import replace_block

ROOT = Path(__file__).resolve().parent.parent
TRUE_EFFECT = 0.25
#: The time-ratio fits take a quarter to two thirds of a second each, so they run in
#: worker processes, one a core. 200 samples left a coverage's standard error at about 1.5
#: points and put both time ratios at 91.5-92.5% (seed 21); 600 fresh samples gave 95.8%.
WAIT_SAMPLES = 500
WORKERS = 2
#: Share of the outcome's variance between teams (a typical school-outcome ICC).
ICC = 0.15


@dataclass(frozen=True)
class Design:
    """How many teams, how many students a team, and the seed of its samples."""

    name: str
    clusters: int
    students_per_cluster: int
    seed: int


DESIGNS = (
    Design("8 teams of 12", 8, 12, 1),
    Design("20 teams of 12", 20, 12, 2),
    Design("40 teams of 12", 40, 12, 3),
)


def draw_sample(design: Design, rng: np.random.Generator) -> pd.DataFrame:
    """One sample: teams join by their members' prior achievement and gender."""
    g, m = design.clusters, design.students_per_cluster
    team = np.repeat(np.arange(g), m)
    achievement = rng.normal(0, 1, g * m) + np.repeat(rng.normal(0, 0.5, g), m)
    female = rng.random(g * m) < 0.5
    team_achievement = pd.Series(achievement).groupby(team).mean().to_numpy()
    team_female = pd.Series(female.astype(float)).groupby(team).mean().to_numpy()
    # Teams of abler students and of fewer girls volunteer more: the half with the highest
    # propensity join (at least one team in each arm, as an evaluation would require).
    propensity = 1.2 * team_achievement - 1.0 * (team_female - 0.5) + rng.logistic(0, 0.6, g)
    treated_teams = np.argsort(-propensity)[: max(1, min(g - 1, g // 2))]
    treated = np.isin(team, treated_teams)
    team_effect = np.repeat(rng.normal(0, math.sqrt(ICC), g), m)
    noise = rng.normal(0, math.sqrt(1 - ICC), g * m)
    outcome = TRUE_EFFECT * treated + 0.5 * achievement - 0.2 * female + team_effect + noise
    return pd.DataFrame(
        {
            "outcome": outcome,
            "treated": treated.astype(float),
            "achievement": achievement,
            "female": female.astype(float),
            "team": team,
        }
    )


def _ols_interval(frame: pd.DataFrame, formula: str, cov: str) -> tuple[float, float, float]:
    if cov == "cluster":
        fit = smf.ols(formula, frame).fit(cov_type="cluster", cov_kwds={"groups": frame.team})
    else:
        fit = smf.ols(formula, frame).fit()
    low, high = fit.conf_int().loc["treated"]
    return fit.params["treated"], low, high


def naive_difference(frame: pd.DataFrame) -> tuple[float, float, float]:
    return _ols_interval(frame, "outcome ~ treated", "cluster")


def adjusted_plain_errors(frame: pd.DataFrame) -> tuple[float, float, float]:
    return _ols_interval(frame, "outcome ~ treated + achievement + female", "plain")


def adjusted_cluster_robust(frame: pd.DataFrame) -> tuple[float, float, float]:
    return _ols_interval(frame, "outcome ~ treated + achievement + female", "cluster")


def _project_estimator(method: str) -> Callable[[pd.DataFrame], tuple[float, float, float]]:
    """``models.effects.estimate_effect`` as the scorecard calls it: adjusted for prior
    achievement and gender, clustered by team (below 20 clusters its interval comes from
    the cluster jackknife, CV3 with t on G-1 df)."""
    from models.effects import estimate_effect

    def estimate(frame: pd.DataFrame) -> tuple[float, float, float]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = estimate_effect(
                frame, treatment="treated", outcome="outcome",
                covariates=["achievement", "female"], method=method, cluster="team",
                trim=None,
            )  # fmt: skip
        headline = result.term(result.headline)
        return headline.estimate, headline.ci_lower, headline.ci_upper

    return estimate


#: Estimators giving (estimate, lower, upper) on a sample: the naive difference and plain
#: and cluster-robust errors show why the defaults are what they are; the last two are the
#: project's estimator with its defaults.
ESTIMATORS: dict[str, Callable[[pd.DataFrame], tuple[float, float, float]]] = {
    "naive difference (cluster-robust)": naive_difference,
    "regression, plain errors": adjusted_plain_errors,
    "regression, cluster-robust (CR1)": adjusted_cluster_robust,
    "estimate_effect regression (jackknife < 20 clusters)": _project_estimator("regression"),
    "estimate_effect aipw (jackknife < 20 clusters)": _project_estimator("aipw"),
}


def run(samples: int) -> list[dict]:
    rows = []
    for design in DESIGNS:
        rng = np.random.default_rng(design.seed)
        frames = [draw_sample(design, rng) for _ in range(samples)]
        for name, estimator in ESTIMATORS.items():
            rows.append(_measure(design.name, name, estimator, frames, TRUE_EFFECT))
    return rows


# --- a ratio of two shares: girls' return next year, girls-only over mixed teams -----------

#: True ratio of return rates (the realistic truth's) and the mixed teams' rate, low enough
#: that no team's rate is pushed past 1 by its team effect.
TRUE_RETENTION_RATIO, MIXED_RETURN_RATE = 1.6, 0.4


def draw_retention(teams: int, team_sd: float, rng: np.random.Generator) -> pd.DataFrame:
    """Girls who could return, one row each, in ``teams`` teams (half girls-only), ~10 a
    team; each team's return rate varies around its type's by ``team_sd`` on the log scale."""
    girls = rng.integers(6, 15, teams)
    girls_only = np.arange(teams) < teams // 2
    rate = MIXED_RETURN_RATE * np.where(girls_only, TRUE_RETENTION_RATIO, 1.0)
    rate = np.clip(rate * np.exp(rng.normal(0, team_sd, teams) - team_sd**2 / 2), 0, 1)
    team = np.repeat(np.arange(teams), girls)
    return pd.DataFrame(
        {
            "team": team,
            "girls_only": girls_only[team].astype(int),
            "returned": (rng.random(len(team)) < rate[team]).astype(int),
        }
    )


def compare_risk_ratio(girls: pd.DataFrame) -> tuple[float, float, float]:
    """``proportions.compare`` on the counts, girls counted as independent."""
    from models.proportions import compare

    returned = girls.returned.to_numpy()
    girls_only = girls.girls_only.to_numpy() == 1
    counts = (
        int(returned[girls_only].sum()),
        int(girls_only.sum()),
        int(returned[~girls_only].sum()),
        int((~girls_only).sum()),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        term = compare(*counts).term("risk_ratio")
    return term.estimate, term.ci_lower, term.ci_upper


def clustered_risk_ratio(girls: pd.DataFrame) -> tuple[float, float, float]:
    """``proportions.risk_ratio`` clustered by team (the jackknife below 20 teams)."""
    from models.proportions import risk_ratio

    term = risk_ratio(girls, treatment="girls_only", outcome="returned", cluster="team").term(
        "risk_ratio"
    )
    return term.estimate, term.ci_lower, term.ci_upper


def run_retention(samples: int) -> list[dict]:
    rows = []
    for teams, team_sd, seed in ((8, 0.0, 11), (8, 0.25, 12), (20, 0.25, 13), (40, 0.25, 14)):
        rng = np.random.default_rng(seed)
        frames = [draw_retention(teams, team_sd, rng) for _ in range(samples)]
        design = f"retention ratio: {teams} teams, team sd {team_sd}"
        rows.append(
            _measure(
                design,
                "proportions.compare risk ratio",
                compare_risk_ratio,
                frames,
                TRUE_RETENTION_RATIO,
            )
        )
        if team_sd > 0:
            rows.append(
                _measure(
                    design,
                    "proportions.risk_ratio, clustered by team",
                    clustered_risk_ratio,
                    frames,
                    TRUE_RETENTION_RATIO,
                )
            )
    return rows


# --- a ratio of waiting times: days to a first AI lesson, champion over mandate -----------

#: Mean wait under a mandate, the true time ratio (champion support: 1.5x faster), the
#: share who never adopt, and when the records end (days after training).
MANDATE_MEAN_DAYS, TRUE_TIME_RATIO, NEVER_SHARE, RECORDS_END = 60.0, 1 / 1.5, 0.12, 365.0


def draw_waits(teachers: int, never_share: float, rng: np.random.Generator) -> pd.DataFrame:
    champion = rng.random(teachers) < 0.5
    wait = rng.exponential(MANDATE_MEAN_DAYS * np.where(champion, TRUE_TIME_RATIO, 1.0))
    never = rng.random(teachers) < never_share
    ended = ~never & (wait <= RECORDS_END)
    return pd.DataFrame(
        {
            "days": np.where(ended, np.maximum(wait, 0.5), RECORDS_END),
            "adopted": ended.astype(int),
            "champion": champion.astype(int),
        }
    )


def time_ratio_interval(frame: pd.DataFrame, cure: bool) -> tuple[float, float, float]:
    """The time ratio and its interval (a module-level function: worker processes run it)."""
    from models.retention import time_ratio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        term = time_ratio(
            frame, duration="days", event="adopted", treatment="champion", cure_fraction=cure
        ).term("time_ratio")
    return term.estimate, term.ci_lower, term.ci_upper


def run_waits(samples: int) -> list[dict]:
    rows = []
    for never_share, seed in ((0.0, 21), (NEVER_SHARE, 22)):
        rng = np.random.default_rng(seed)
        frames = [draw_waits(220, never_share, rng) for _ in range(samples)]
        design = f"time ratio: 220 teachers, {never_share:.0%} never adopt"
        for name, cure in (("retention.time_ratio", False), ("time_ratio, cure_fraction", True)):
            estimator = functools.partial(time_ratio_interval, cure=cure)
            rows.append(_measure(design, name, estimator, frames, TRUE_TIME_RATIO, workers=WORKERS))
    return rows


# --- ratios of slopes and of proficiency rates, clustered by team -------------------------

#: Knowledge kept per point gained: teacher-only 0.5, near-peer 1.3 times that. Proficiency
#: arriving at 0.05 a week, 1.15 times faster with after-action reviews.
KEPT_SHARE, TRUE_KEPT_RATIO = 0.5, 1.3
WEEKLY_RATE, TRUE_RATE_RATIO = 0.05, 1.15


def draw_knowledge(teams: int, rng: np.random.Generator) -> pd.DataFrame:
    """Students in ``teams`` teams (half near-peer), ~12 a team; each team's share kept
    varies by 0.05 around its arm's."""
    size = rng.integers(8, 17, teams)
    near_peer = np.arange(teams) < teams // 2
    share = KEPT_SHARE * np.where(near_peer, TRUE_KEPT_RATIO, 1.0) + rng.normal(0, 0.05, teams)
    team = np.repeat(np.arange(teams), size)
    gained = rng.uniform(10, 40, len(team))
    return pd.DataFrame(
        {
            "team": team,
            "mode": np.where(near_peer[team], "near_peer", "teacher_only"),
            "gained": gained,
            "kept": share[team] * gained + rng.normal(0, 4, len(team)),
        }
    )


def kept_ratio(frame: pd.DataFrame) -> tuple[float, float, float]:
    from models.ratios import ratio_of_means

    term = ratio_of_means(
        frame, group="mode", outcome="kept", per="gained", numerator="near_peer",
        denominator="teacher_only", cluster="team",
    ).term("ratio")  # fmt: skip
    return term.estimate, term.ci_lower, term.ci_upper


def draw_proficiency(teams: int, rng: np.random.Generator) -> pd.DataFrame:
    """Members of ``teams`` teams (half holding reviews), ~12 a team, looked at once after
    5-30 weeks; each team's rate varies by a factor with log sd 0.2."""
    size = rng.integers(8, 17, teams)
    reviews = np.arange(teams) < teams // 2
    rate = WEEKLY_RATE * np.where(reviews, TRUE_RATE_RATIO, 1.0)
    rate = rate * np.exp(rng.normal(0, 0.2, teams))
    team = np.repeat(np.arange(teams), size)
    weeks = rng.uniform(5, 30, len(team))
    proficient = rng.random(len(team)) < 1 - np.exp(-rate[team] * weeks)
    return pd.DataFrame(
        {"team": team, "reviews": reviews[team].astype(int), "weeks": weeks,
         "proficient": proficient.astype(int)}
    )  # fmt: skip


def rate_ratio(frame: pd.DataFrame) -> tuple[float, float, float]:
    from models.ratios import proficiency_rate_ratio

    term = proficiency_rate_ratio(
        frame, treatment="reviews", outcome="proficient", exposure="weeks", cluster="team"
    ).term("rate_ratio")
    return term.estimate, term.ci_lower, term.ci_upper


def run_ratios(samples: int) -> list[dict]:
    rows = []
    for teams, seed in ((8, 31), (20, 32), (40, 33)):
        rng = np.random.default_rng(seed)
        knowledge = [draw_knowledge(teams, rng) for _ in range(samples)]
        rows.append(
            _measure(
                f"knowledge kept: {teams} teams",
                "ratios.ratio_of_means (per gain), clustered by team",
                kept_ratio,
                knowledge,
                TRUE_KEPT_RATIO,
            )
        )
        looks = [draw_proficiency(teams, rng) for _ in range(samples)]
        rows.append(
            _measure(
                f"proficiency rate: {teams} teams",
                "ratios.proficiency_rate_ratio, clustered by team",
                rate_ratio,
                looks,
                TRUE_RATE_RATIO,
            )
        )
    return rows


#: Teachers each champion trains a month: lognormal around a median of 2 (log sd 0.6),
#: so a few champions train many more than the rest, as cascades do.
MEDIAN_TRAINED_A_MONTH, TRAINED_LOG_SD = 2.0, 0.6
TRUE_MEAN_TRAINED = MEDIAN_TRAINED_A_MONTH * math.exp(TRAINED_LOG_SD**2 / 2)


def draw_champions(champions: int, rng: np.random.Generator) -> pd.DataFrame:
    rates = MEDIAN_TRAINED_A_MONTH * np.exp(rng.normal(0, TRAINED_LOG_SD, champions))
    return pd.DataFrame({"trained_a_month": rates})


def champion_mean(frame: pd.DataFrame) -> tuple[float, float, float]:
    from models.ratios import mean

    term = mean(frame, outcome="trained_a_month").term("mean")
    return term.estimate, term.ci_lower, term.ci_upper


def run_means(samples: int) -> list[dict]:
    """The train-the-trainer claim's mean over champions, on skewed rates (its t interval
    assumes a roughly normal mean, which 10-40 champions may not give)."""
    rows = []
    for champions, seed in ((10, 41), (20, 42), (40, 43)):
        rng = np.random.default_rng(seed)
        frames = [draw_champions(champions, rng) for _ in range(samples)]
        design = f"trained a month: {champions} champions"
        name = "ratios.mean (t interval)"
        rows.append(_measure(design, name, champion_mean, frames, TRUE_MEAN_TRAINED))
    return rows


def _measure(
    design: str, name: str, estimator, samples: list, truth: float, *, workers: int = 1
) -> dict:
    """Run ``estimator`` on every sample: bias, RMSE and coverage of its 95% interval.

    With ``workers`` above 1 the samples are shared among that many processes (the
    estimator must then be picklable: a module-level function or a partial of one)."""
    started = time.perf_counter()
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            chunk = max(1, len(samples) // (4 * workers))
            results = np.array(list(pool.map(estimator, samples, chunksize=chunk)), dtype=float)
    else:
        results = np.array([estimator(sample) for sample in samples], dtype=float)
    estimates, lower, upper = results[:, 0], results[:, 1], results[:, 2]
    covered = (lower <= truth) & (upper >= truth)
    errors = estimates - truth
    return {
        "design": design,
        "estimator": name,
        "truth": truth,
        "samples": len(estimates),
        "bias": float(errors.mean()),
        "rmse": float(np.sqrt((errors**2).mean())),
        "coverage": float(covered.mean()),
        "seconds": time.perf_counter() - started,
    }


def render(rows: list[dict], samples: int) -> str:
    preamble = (
        f"Effects: true effect {TRUE_EFFECT} (outcome sd 1, team ICC {ICC}); teams join on "
        "their members' prior achievement and gender; every estimator sees the same samples. "
        f"Retention ratio: true ratio {TRUE_RETENTION_RATIO}, teams' rates varying by the "
        f"team sd on the log scale. Time ratio: true ratio {TRUE_TIME_RATIO:.3f} (1.5x faster), "
        f"exponential waits, records ending at {RECORDS_END:.0f} days. Champions' teachers "
        f"trained a month: lognormal, median {MEDIAN_TRAINED_A_MONTH:g}, log sd "
        f"{TRAINED_LOG_SD:g} (true mean {TRUE_MEAN_TRAINED:.3f}). {samples} samples a "
        f"design ({WAIT_SAMPLES} for the time ratio, whose fits run on {WORKERS} cores; "
        "seconds are wall time)."
    )
    return coverage_table(preamble, rows)


def coverage_table(preamble: str, rows: list[dict]) -> str:
    """A preamble, then one row per design and estimator: bias, RMSE, coverage, seconds."""
    lines = [
        preamble,
        "",
        "| design | estimator | truth | samples | bias | RMSE | 95% coverage | seconds |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['design']} | {r['estimator']} | {r['truth']:.3g} | {r['samples']} | "
            f"{r['bias']:+.3f} | {r['rmse']:.3f} | {r['coverage']:.1%} | {r['seconds']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def write_readme(table: str) -> None:
    replace_block(
        "coverage", table, heading="Estimator coverage (`benchmarks/estimator_coverage.py`)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    args = parser.parse_args()
    started = time.perf_counter()
    rows = (
        run(args.samples)
        + run_retention(args.samples)
        + run_ratios(args.samples)
        + run_means(args.samples)
        + run_waits(WAIT_SAMPLES)
    )
    table = render(rows, args.samples)
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "coverage.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    write_readme(table)
    print(table)
    print(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
