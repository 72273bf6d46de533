"""Coverage benchmark: bias, RMSE and 95% interval coverage of the estimators the claims
scorecard relies on, on simulated samples shaped like the district.

Each design draws ``--samples`` samples (500 by default) of studio teams (clusters) with a
known effect: teams choose to join on their members' prior achievement and gender (so the
naive difference is biased), students' outcomes share a team effect (so plain errors are
too narrow), and only a few teams exist (so cluster-robust errors with 8 clusters
under-cover). Every estimator sees the same samples. The table shows why the defaults are
what they are: adjust for prior achievement and gender, and below 20 clusters use the wild
cluster bootstrap (``models.effects.estimate_effect`` does both by default).

Writes the table into ``benchmarks/README.md`` (between the coverage markers) and
``benchmarks/out/coverage.json``. Usage: ``python benchmarks/estimator_coverage.py [--samples N]``.
"""

from __future__ import annotations

import argparse
import json
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "benchmarks" / "README.md"
BEGIN, END = "<!-- coverage:begin -->", "<!-- coverage:end -->"
TRUE_EFFECT = 0.25
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
    a wild cluster bootstrap, Webb weights below 12 clusters)."""
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
    "estimate_effect regression (wild bootstrap < 20 clusters)": _project_estimator("regression"),
    "estimate_effect aipw (wild bootstrap < 20 clusters)": _project_estimator("aipw"),
}


def run(samples: int) -> list[dict]:
    rows = []
    for design in DESIGNS:
        rng = np.random.default_rng(design.seed)
        frames = [draw_sample(design, rng) for _ in range(samples)]
        for name, estimator in ESTIMATORS.items():
            started = time.perf_counter()
            results = np.array([estimator(frame) for frame in frames])
            covered = (results[:, 1] <= TRUE_EFFECT) & (results[:, 2] >= TRUE_EFFECT)
            rows.append(_row(design, name, results[:, 0], covered, time.perf_counter() - started))
    return rows


def _row(design: Design, name: str, estimates, covered, seconds: float) -> dict:
    errors = estimates - TRUE_EFFECT
    return {
        "design": design.name,
        "estimator": name,
        "samples": len(estimates),
        "bias": float(errors.mean()),
        "rmse": float(np.sqrt((errors**2).mean())),
        "coverage": float(covered.mean()),
        "seconds": seconds,
    }


def render(rows: list[dict], samples: int) -> str:
    lines = [
        f"True effect {TRUE_EFFECT} (outcome sd 1, team ICC {ICC}); teams join on their "
        f"members' prior achievement and gender. {samples} samples a design; every "
        "estimator sees the same samples.",
        "",
        "| design | estimator | samples | bias | RMSE | 95% coverage | seconds |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['design']} | {r['estimator']} | {r['samples']} | {r['bias']:+.3f} | "
            f"{r['rmse']:.3f} | {r['coverage']:.1%} | {r['seconds']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def write_readme(table: str) -> None:
    text = README.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{table}{END}"
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        text = before + block + after
    else:
        text += f"\n## Estimator coverage (`benchmarks/estimator_coverage.py`)\n\n{block}\n"
    README.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=500)
    args = parser.parse_args()
    started = time.perf_counter()
    rows = run(args.samples)
    table = render(rows, args.samples)
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "coverage.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    write_readme(table)
    print(table)
    print(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
