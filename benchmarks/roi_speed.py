"""Speed benchmark of the ten-year benefit-cost Monte Carlo (``models.roi.simulate``).

One million draws of the base scenario (every cost ingredient, all four benefit streams,
ten years, present values at 0%, 3% and 7% by perspective, rate of return, payback year,
fan chart), timed three times after a first run that builds the distributions' quantile
tables; peak memory measured in a separate run under ``tracemalloc`` (numpy reports its
arrays to it). Against it, the same model written as a straightforward loop over draws in
plain Python (the standard library's ``random``), timed on fewer draws and scaled.

Targets: under 2 seconds and under 2 GB. Writes the table into ``benchmarks/README.md``
(between the roi markers) and ``benchmarks/out/roi_speed.json``.
Usage: ``python benchmarks/roi_speed.py [--draws N] [--loop-draws N]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import statistics
import time
import tracemalloc
from pathlib import Path

import numpy as np
from readme_block import replace_block

from models.roi import PERSPECTIVES, load_scenario, simulate
from models.roi.distributions import (
    Empirical,
    Fixed,
    LogNormal,
    Normal,
    Pert,
    Triangular,
    Uniform,
)
from models.roi.metrics import IRR_RANGE
from models.roi.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
TIME_TARGET = 2.0
MEMORY_TARGET = 2 * 1024**3


def timed(function, *args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def peak_memory(scenario: Scenario, draws: int) -> int:
    tracemalloc.start()
    projection = simulate(scenario, draws=draws, seed=2)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del projection
    return peak


def loop_simulation(scenario: Scenario, draws: int, seed: int) -> list[float]:
    """The model as a plain loop: each draw's inputs, years, present values, IRR, payback."""
    rng = random.Random(seed)
    inputs = scenario.inputs()
    rates = (0.0, *scenario.discount_rates)
    years = scenario.horizon_years
    headline = scenario.headline_rate
    npvs = []
    for _ in range(draws):
        value = {key: draw_one(item.distribution, rng) for key, item in inputs.items()}
        net = [0.0] * years
        for ingredient in scenario.costs:
            amount = (
                value[ingredient.quantity.key]
                * value[ingredient.unit_price.key]
                * scenario.price_factor(ingredient.unit_price)
            )
            for year in ingredient.years:
                net[year - 1] -= amount
        for stream in scenario.benefits:
            annual = value[stream.attribution.key]
            for factor in stream.factors.values():
                annual *= value[factor.key] * scenario.price_factor(factor)
            keep = value[stream.persistence.key]
            stock, level = 0.0, None
            for t in range(years):
                if stream.cohorts:
                    stock *= keep
                    if t >= stream.lag_years:
                        stock += annual * stream.ramp[t - stream.lag_years]
                    net[t] += stock
                elif level is not None or stream.ramp[t] > 0:
                    level = annual if level is None else level * keep
                    net[t] += level * stream.ramp[t]
        present = {r: sum(f / (1 + r) ** t for t, f in enumerate(net)) for r in rates}
        low, high = IRR_RANGE
        if (sum(f / (1 + low) ** t for t, f in enumerate(net)) > 0) != (
            sum(f / (1 + high) ** t for t, f in enumerate(net)) > 0
        ):
            for _ in range(30):
                middle = (low + high) / 2
                if (sum(f / (1 + middle) ** t for t, f in enumerate(net)) > 0) == (
                    sum(f / (1 + low) ** t for t, f in enumerate(net)) > 0
                ):
                    low = middle
                else:
                    high = middle
        cumulative, payback = 0.0, None
        for t, f in enumerate(net):
            cumulative += f / (1 + headline) ** t
            if cumulative >= 0 and payback is None:
                payback = t + 1
            elif cumulative < 0:
                payback = None
        npvs.append(present[headline])
    return npvs


def draw_one(distribution, rng: random.Random) -> float:
    low, high = distribution.bounds
    if isinstance(distribution, Fixed):
        return distribution.value
    if isinstance(distribution, Uniform):
        return rng.uniform(distribution.low, distribution.high)
    if isinstance(distribution, Triangular):
        return rng.triangular(distribution.low, distribution.high, distribution.mode)
    if isinstance(distribution, Pert):
        alpha, beta = distribution.shapes
        width = distribution.high - distribution.low
        return distribution.low + width * rng.betavariate(alpha, beta)
    if isinstance(distribution, LogNormal):
        return min(max(rng.lognormvariate(distribution.mu, distribution.sigma), low), high)
    if isinstance(distribution, Normal):
        return min(max(rng.gauss(distribution.mean, distribution.sd), low), high)
    if isinstance(distribution, Empirical):
        return rng.choice(distribution.values)
    raise TypeError(type(distribution).__name__)


def time_scenario(name: str, draws: int) -> dict:
    scenario = load_scenario(name)
    _, first_wall, first_cpu = timed(simulate, scenario, draws=draws, seed=1)
    walls, cpus = [], []
    for i in range(3):
        projection, wall, cpu = timed(simulate, scenario, draws=draws, seed=1 + i)
        walls.append(wall)
        cpus.append(cpu)
        npv_mean = float(projection.values("npv").mean())
        irr_defined = float(np.isfinite(projection.irr).mean())
        del projection  # one run's arrays at a time, as a user holds them
    return {
        "scenario": name,
        "draws": draws,
        "years": scenario.horizon_years,
        "streams": len(scenario.benefits),
        "ingredients": len(scenario.costs),
        "uncertain_inputs": sum(not i.distribution.is_fixed for i in scenario.inputs().values()),
        "first_run_seconds": first_wall,
        "first_run_cpu_seconds": first_cpu,
        "wall_seconds": walls,
        "cpu_seconds": cpus,
        "best_seconds": min(walls),
        "median_seconds": statistics.median(walls),
        "draws_per_second": draws / min(walls),
        "peak_traced_bytes": peak_memory(scenario, draws),
        "irr_defined": irr_defined,
        "npv_mean": npv_mean,
    }


def run(draws: int, loop_draws: int) -> dict:
    timings = [time_scenario(name, draws) for name in ("base", "optimistic")]
    base = load_scenario("base")
    npvs, loop_wall, loop_cpu = timed(loop_simulation, base, loop_draws, 1)
    loop_per_draw = loop_wall / loop_draws
    return {
        "timings": timings,
        "perspectives": len(PERSPECTIVES),
        "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "loop_scenario": "base",
        "loop_draws": loop_draws,
        "loop_seconds": loop_wall,
        "loop_cpu_seconds": loop_cpu,
        "loop_draws_per_second": 1 / loop_per_draw,
        "loop_seconds_scaled": loop_per_draw * draws,
        "speedup": loop_per_draw * draws / timings[0]["best_seconds"],
        "npv_mean_loop": statistics.fmean(npvs),
        "npv_mean_loop_std_error": statistics.stdev(npvs) / math.sqrt(loop_draws),
        "load_average": os.getloadavg()[0],
        "cpus": os.cpu_count(),
        "numpy": np.__version__,
    }


def render(r: dict) -> str:
    gib = 1024**3
    base = r["timings"][0]
    slowest = max(t["best_seconds"] for t in r["timings"])
    heaviest = max(t["peak_traced_bytes"] for t in r["timings"])
    lines = [
        f"`models.roi.simulate`: {base['draws']:,} draws x {base['years']} years x "
        f"{base['streams']} benefit streams and {base['ingredients']} cost ingredients "
        f"({base['uncertain_inputs']} uncertain inputs), present values at 0%, 3% and 7% for "
        f"{r['perspectives']} perspectives, rate of return, payback year and fan chart; "
        "best of three runs after a first that builds the PERT quantile tables; peak "
        f"memory from `tracemalloc` in a separate run. {r['cpus']} cores, load average "
        f"{r['load_average']:.1f} when measured (the machine is shared: runs vary by "
        f"half); numpy {r['numpy']}.",
        "",
        "| run | draws | wall seconds | CPU seconds | draws per second | peak memory |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for t in r["timings"]:
        lines.append(
            f"| vectorized, `{t['scenario']}` (rate of return defined in "
            f"{t['irr_defined']:.0%} of draws) | {t['draws']:,} | {t['best_seconds']:.2f} "
            f"(median {t['median_seconds']:.2f}; first run {t['first_run_seconds']:.2f}) | "
            f"{min(t['cpu_seconds']):.2f} | {t['draws_per_second']:,.0f} | "
            f"{t['peak_traced_bytes'] / gib:.2f} GB |"
        )
    lines += [
        f"| per-draw Python loop, `{r['loop_scenario']}` | {r['loop_draws']:,} | "
        f"{r['loop_seconds']:.2f} | {r['loop_cpu_seconds']:.2f} | "
        f"{r['loop_draws_per_second']:,.0f} | |",
        f"| per-draw loop, scaled to {base['draws']:,} | {base['draws']:,} | "
        f"{r['loop_seconds_scaled']:,.0f} | | | |",
        "",
        f"Vectorized is {r['speedup']:,.0f}x the loop on `{r['loop_scenario']}`. Targets: "
        f"under {TIME_TARGET:.0f} s ({'met' if slowest < TIME_TARGET else 'missed'}: "
        f"{slowest:.2f} s at worst) and under 2 GB "
        f"({'met' if heaviest < MEMORY_TARGET else 'missed'}: {heaviest / gib:.2f} GB at "
        f"worst; the whole benchmark process peaked at {r['max_rss_bytes'] / gib:.2f} GB). "
        f"Mean NPV at 3% of `base`: {money(base['npv_mean'])} vectorized, "
        f"{money(r['npv_mean_loop'])} (s.e. {money(r['npv_mean_loop_std_error'])}) by the "
        "loop.",
    ]
    return "\n".join(lines) + "\n"


def money(value: float) -> str:
    return f"-${-value:,.0f}" if value < 0 else f"${value:,.0f}"


def write_readme(table: str) -> None:
    replace_block("roi", table, heading="Ten-year benefit-cost model (`benchmarks/roi_speed.py`)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1_000_000)
    parser.add_argument("--loop-draws", type=int, default=20_000)
    args = parser.parse_args()
    result = run(args.draws, args.loop_draws)
    table = render(result)
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "roi_speed.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    write_readme(table)
    print(table)


if __name__ == "__main__":
    main()
