"""Verdict benchmark: how often the claims scorecard's verdict is the one the truth implies.

For each truth preset (``realistic``: effects real but smaller than claimed;
``claims_true``: every effect as claimed; ``null``: no effect anywhere) and each of
``--seeds`` seeds, a full-size synthetic district is generated, ingested, its marts built
and the registry scored with ``pipelines.scorecard.run_scorecard``, exactly as
``outcomes synth``, ``outcomes ingest`` and ``outcomes claims`` would. Each claim's verdict
is set beside the verdict its truth implies (``pipelines.synth.claim_truths``), and
tabulated per preset and claim:

- right %: the verdict the truth implies;
- inconclusive % and consistent %;
- MDE allows %: seeds whose minimum detectable effect (2.80 standard errors on the test
  scale, from the achieved precision) is below each distance the verdict must resolve:
  from no effect and from the claim for a truth between them, from the other end for a
  truth at the claim or at no effect;
- right % among those seeds.

Targets (from the project's plan): the right verdict in at least 90% of the seeds where the
MDE allows one, and ``consistent`` in at most 5% of the seeds for a truth of no effect.

Writes the table between the verdict markers of ``benchmarks/README.md``, the per-seed rows
to ``benchmarks/out/claim_verdicts.jsonl`` (appended as districts finish, so a stopped run
keeps what it did) and prints a summary. Usage:
``python benchmarks/claim_verdicts.py [--seeds 50] [--workers 2]``;
``--tabulate-only`` rebuilds the table from the rows already saved.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import platform
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from readme_block import README, replace_block

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
ROWS = OUT / "claim_verdicts.jsonl"
PRESETS = ("realistic", "claims_true", "null")
#: Seeds are FIRST_SEED, FIRST_SEED + 1, ...: the same seeds for every preset.
FIRST_SEED = 1
#: 2.80 standard errors: 80% power in a two-sided test at 5% (Bloom 1995), as the verdict rules.
MDE_MULTIPLIER = 2.80
RIGHT_TARGET = 0.90
NULL_CONSISTENT_TARGET = 0.05
STAGES = ("generate", "ingest", "build", "score")


def score_district(job: tuple[str, int]) -> dict:
    """Generate, ingest, build and score one district; one row per claim with a verdict.
    A district that fails is reported with its error, and the run goes on."""
    try:
        return _score_district(*job)
    except Exception as error:  # noqa: BLE001 - one failed district must not stop the run
        return {"preset": job[0], "seed": job[1], "error": repr(error), "seconds": {}, "rows": []}


def _score_district(preset: str, seed: int) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"verdicts_{preset}_{seed}_") as folder:
        folder = Path(folder)
        # Pseudonyms need a key; a throwaway one keeps the user's key file untouched.
        os.environ["OUTCOMES_PSEUDONYM_KEY"] = "benchmark-key-0123456789abcdef"
        os.environ["OUTCOMES_KEY_FILE"] = str(folder / "pseudonym.key")
        os.environ.pop("OUTCOMES_DB", None)
        import duckdb

        from models.scorecard import load_registry
        from pipelines.ingest import ingest_paths
        from pipelines.scorecard import run_scorecard
        from pipelines.synth import generate_district, load_truth
        from pipelines.synth.claim_truths import claim_truth
        from pipelines.warehouse.marts import build_marts

        registry = load_registry()
        truth = load_truth(preset)
        seconds = {}
        started = time.perf_counter()
        generate_district(folder / "exports", seed=seed, truth=truth)
        seconds["generate"] = time.perf_counter() - started
        started = time.perf_counter()
        ingest_paths([folder / "exports"], db=folder / "warehouse.duckdb")
        seconds["ingest"] = time.perf_counter() - started
        with duckdb.connect(str(folder / "warehouse.duckdb")) as con:
            started = time.perf_counter()
            build_marts(con)
            seconds["build"] = time.perf_counter() - started
            started = time.perf_counter()
            run = run_scorecard(con, registry=registry)
            seconds["score"] = time.perf_counter() - started
    rows = []
    for estimate in run.scorecard.estimates:
        claim = registry.claim(estimate.claim_id)
        truth_value = claim_truth(truth, claim.id)
        rows.append(
            {
                "preset": preset,
                "seed": seed,
                "claim_id": claim.id,
                **judge_row(claim, truth_value, estimate),
            }
        )
    return {"preset": preset, "seed": seed, "seconds": seconds, "rows": rows}


def judge_row(claim, truth_value: float | None, estimate) -> dict:
    """One claim's verdict beside the right one, with the MDE on the test scale and whether
    it allows the right verdict."""
    from pipelines.synth.claim_truths import distance_on_test_scale, right_verdict

    right = right_verdict(claim, truth_value)
    claimed, no_effect = claim.claimed.value, claim.claimed.no_effect
    mde_test = None
    if estimate.mde is not None and no_effect is not None:
        mde_test = float(distance_on_test_scale(claim, estimate.mde, no_effect))
    allows = None
    if right is not None and mde_test is not None:
        allows = bool(mde_test < min(_distances(claim, truth_value, right)))
    elif right is not None:
        allows = False  # no interval, or too few cases: no MDE to allow anything
    return {
        "truth": truth_value,
        "right_verdict": right,
        "verdict": estimate.verdict,
        "estimate": estimate.estimate,
        "ci_lower": estimate.ci_lower,
        "ci_upper": estimate.ci_upper,
        "n": estimate.n,
        "mde": estimate.mde,
        "mde_test_scale": mde_test,
        "mde_allows": allows,
        "claimed": claimed,
    }


def _distances(claim, truth_value: float, right: str) -> list[float]:
    """The distances on the test scale a verdict must resolve: a truth at the claim must be
    told from no effect, one at (or short of) no effect from the claim, and one between
    them (or beyond the claim) from both."""
    from pipelines.synth.claim_truths import distance_on_test_scale

    claimed, no_effect = claim.claimed.value, claim.claimed.no_effect
    reach = distance_on_test_scale(claim, claimed, no_effect)
    if right == "consistent":
        return [reach]
    if right == "not_supported":
        if claim.claimed.scale == "log" and truth_value <= 0:
            return [reach]
        return [distance_on_test_scale(claim, truth_value, claimed)]
    return [
        distance_on_test_scale(claim, truth_value, no_effect),
        distance_on_test_scale(claim, truth_value, claimed),
    ]


# --- tabulation -------------------------------------------------------------------------


def tabulate(rows: list[dict]) -> list[dict]:
    """Per preset and claim with a truth: how often each verdict came, and the targets."""
    from models.scorecard import load_registry

    registry = load_registry()
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    order: list[tuple[str, str]] = []
    for row in rows:
        if row["right_verdict"] is None:
            continue
        key = (row["preset"], row["claim_id"])
        if key not in groups:
            order.append(key)
        groups[key].append(row)
    order.sort(key=lambda key: PRESETS.index(key[0]) if key[0] in PRESETS else len(PRESETS))
    lines = []
    for preset, claim_id in order:
        group = groups[(preset, claim_id)]
        seeds = len(group)
        verdicts = Counter(r["verdict"] for r in group)
        right = sum(r["verdict"] == r["right_verdict"] for r in group)
        allowed = [r for r in group if r["mde_allows"]]
        right_allowed = sum(r["verdict"] == r["right_verdict"] for r in allowed)
        wrong = Counter(
            r["verdict"]
            for r in group
            if r["verdict"] != r["right_verdict"] and r["verdict"] != "inconclusive"
        )
        truth_value = group[0]["truth"]
        estimates = [r["estimate"] for r in group if r["estimate"] is not None]
        intervals = [r for r in group if r["ci_lower"] is not None and r["ci_upper"] is not None]
        covered = sum(r["ci_lower"] <= truth_value <= r["ci_upper"] for r in intervals)
        spread = _spread_over_standard_error(registry.claim(claim_id), intervals)
        at_no_effect = group[0]["right_verdict"] == "not_supported"
        lines.append(
            {
                "preset": preset,
                "claim_id": claim_id,
                "truth": truth_value,
                "claimed": group[0]["claimed"],
                "right_verdict": group[0]["right_verdict"],
                "seeds": seeds,
                "median_estimate": statistics.median(estimates) if estimates else None,
                "covers_truth": covered / len(intervals) if intervals else None,
                "spread_over_se": spread,
                "right": right / seeds,
                "inconclusive": verdicts["inconclusive"] / seeds,
                "consistent": verdicts["consistent"] / seeds,
                "allowed": len(allowed) / seeds,
                "right_where_allowed": right_allowed / len(allowed) if allowed else None,
                "right_where_allowed_interval": (
                    _wilson(right_allowed, len(allowed)) if allowed else None
                ),
                "wrong_verdicts": dict(wrong.most_common()),
                "meets_right_target": (
                    None if not allowed else right_allowed / len(allowed) >= RIGHT_TARGET
                ),
                "meets_null_target": (
                    verdicts["consistent"] / seeds <= NULL_CONSISTENT_TARGET
                    if preset == "null" and at_no_effect
                    else None
                ),
            }
        )
    return lines


def _wilson(successes: int, trials: int) -> tuple[float, float]:
    """The 95% Wilson interval of a share of seeds: how far a share over 50 seeds may lie
    from the rate it estimates (about 8 points either side at 90%)."""
    from statsmodels.stats.proportion import proportion_confint

    lower, upper = proportion_confint(successes, trials, alpha=0.05, method="wilson")
    return float(lower), float(upper)


def _spread_over_standard_error(claim, intervals: list[dict]) -> float | None:
    """The estimates' standard deviation over the seeds against the mean standard error
    they report, on the test scale: about 1 when the intervals are as wide as the
    estimates vary, above 1 when they are too narrow."""
    log = claim.claimed.scale == "log"
    if log:
        intervals = [r for r in intervals if r["ci_lower"] > 0 and r["estimate"] > 0]
    if len(intervals) < 3:
        return None
    scale = math.log if log else float
    estimates = [scale(r["estimate"]) for r in intervals]
    errors = [(scale(r["ci_upper"]) - scale(r["ci_lower"])) / (2 * 1.959964) for r in intervals]
    return statistics.stdev(estimates) / statistics.mean(errors)


def _percent(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.0f}"


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.3g}"


def _share_with_interval(line: dict) -> str:
    if line["right_where_allowed"] is None:
        return ""
    lower, upper = line["right_where_allowed_interval"]
    # One decimal: 43 of 48 is 89.6, short of the target, not "90".
    share = 100 * line["right_where_allowed"]
    return f"{share:.1f} ({_percent(lower)}-{_percent(upper)})"


def _target_mark(line: dict) -> str:
    marks = []
    if line["meets_right_target"] is not None:
        marks.append("yes" if line["meets_right_target"] else "**no**")
    if line["meets_null_target"] is not None:
        marks.append("null: " + ("yes" if line["meets_null_target"] else "**no**"))
    return ", ".join(marks) if marks else "(no seed allows)"


def render_table(lines: list[dict], timings: dict[str, list[float]], seeds: int) -> str:
    """The markdown written between the verdict markers."""
    out = [
        f"{seeds} seeds a preset, full-size districts (3,500 students each). "
        'Percentages are of the seeds; "MDE allows" is the share of seeds whose MDE '
        "(2.80 SE on the test scale) is below every distance the right verdict must resolve; "
        '"right where allowed" is the right share among them (target >= 90%), with its 95% '
        "Wilson interval over the seeds (what the share could be with other seeds); for a truth "
        "of no effect, consistent must be at most 5%. Other wrong verdicts name the "
        "verdicts given instead of the right one, inconclusive left out. The median estimate "
        "and how often the 95% interval covers the truth show whether a miss is the "
        "design's power or the estimator's bias; spread / SE is the estimates' standard "
        "deviation over the seeds against the standard error they report (test scale): "
        "above 1, the intervals and the MDE are too narrow.",
        "",
        "| preset | claim | truth | claimed | median estimate | 95% CI covers truth % | "
        "spread / SE | "
        "right verdict | seeds | right % | inconclusive % | consistent % | MDE allows % | "
        "right where allowed % | target met | other wrong verdicts |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- "
        "| --- | --- |",
    ]
    for line in lines:
        wrong = ", ".join(f"{v} {c}" for v, c in line["wrong_verdicts"].items())
        out.append(
            f"| {line['preset']} | {line['claim_id']} | {_number(line['truth'])} | "
            f"{_number(line['claimed'])} | {_number(line['median_estimate'])} | "
            f"{_percent(line['covers_truth'])} | {_number(line['spread_over_se'])} | "
            f"{line['right_verdict']} | {line['seeds']} | "
            f"{_percent(line['right'])} | {_percent(line['inconclusive'])} | "
            f"{_percent(line['consistent'])} | {_percent(line['allowed'])} | "
            f"{_share_with_interval(line)} | {_target_mark(line)} | {wrong} |"
        )
    if timings.get("total"):
        out += [
            "",
            "Seconds per district (median, and the slowest), with two districts at a time on "
            "the machine's two cores:",
            "",
            "| stage | median | max |",
            "| --- | --- | --- |",
        ]
        for stage in (*STAGES, "total"):
            values = timings.get(stage) or [math.nan]
            out.append(f"| {stage} | {statistics.median(values):.1f} | {max(values):.1f} |")
    out += [
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}.",
    ]
    return "\n".join(out)


def write_readme(table: str) -> None:
    replace_block(
        "verdicts", table, heading="Verdicts against the truth (`benchmarks/claim_verdicts.py`)"
    )


def read_rows(path: Path) -> tuple[list[dict], dict[str, list[float]]]:
    rows: list[dict] = []
    timings: dict[str, list[float]] = defaultdict(list)
    for text in path.read_text(encoding="utf-8").splitlines():
        if not text.strip():
            continue
        district = json.loads(text)
        if district.get("error"):
            continue
        rows.extend(district["rows"])
        for stage, value in district["seconds"].items():
            timings[stage].append(value)
        timings["total"].append(sum(district["seconds"].values()))
    return rows, timings


def summarize(lines: list[dict]) -> str:
    missed = [
        f"{line['preset']}/{line['claim_id']}"
        for line in lines
        if line["meets_right_target"] is False or line["meets_null_target"] is False
    ]
    met = sum(
        1 for line in lines if line["meets_right_target"] or line["meets_null_target"] is True
    )
    never = [
        f"{line['preset']}/{line['claim_id']}"
        for line in lines
        if line["meets_right_target"] is None and line["meets_null_target"] is None
    ]
    parts = [f"targets met: {met}", f"missed: {len(missed)}"]
    if missed:
        parts.append("missed: " + ", ".join(missed))
    if never:
        parts.append("no seed's MDE allows a verdict: " + ", ".join(never))
    return "\n".join(parts)


# --- the run ----------------------------------------------------------------------------


def run(seeds: int, workers: int, *, resume: bool = False) -> None:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    OUT.mkdir(parents=True, exist_ok=True)
    # Seed by seed, each preset in turn: a run stopped early still covers every preset.
    jobs = [(preset, FIRST_SEED + i) for i in range(seeds) for preset in PRESETS]
    if resume and ROWS.exists():
        done = {
            (district["preset"], district["seed"])
            for district in map(json.loads, ROWS.read_text(encoding="utf-8").splitlines())
            if not district.get("error")
        }
        jobs = [job for job in jobs if job not in done]
    else:
        ROWS.write_text("", encoding="utf-8")
    context = multiprocessing.get_context("spawn")
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns) as progress, context.Pool(workers, maxtasksperchild=10) as pool:
        task = progress.add_task("districts scored", total=len(jobs))
        for district in pool.imap_unordered(score_district, jobs):
            with ROWS.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(district, default=_plain) + "\n")
            if district.get("error"):
                progress.console.print(
                    f"{district['preset']:<12} seed {district['seed']:>3}: {district['error']}"
                )
                progress.advance(task)
                continue
            total = sum(district["seconds"].values())
            stages = " ".join(f"{k} {v:.0f}s" for k, v in district["seconds"].items())
            progress.console.print(
                f"{district['preset']:<12} seed {district['seed']:>3}: {total:.0f} s ({stages})"
            )
            progress.advance(task)


def _plain(value):
    """numpy numbers and booleans as JSON's own."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50, help="seeds a preset (default 50)")
    parser.add_argument("--workers", type=int, default=2, help="districts at a time (default 2)")
    parser.add_argument(
        "--resume",
        action="store_true",
        help=f"keep the districts already in {ROWS.relative_to(ROOT)} and score the rest",
    )
    parser.add_argument(
        "--tabulate-only",
        action="store_true",
        help=f"only rebuild the table from {ROWS.relative_to(ROOT)}",
    )
    args = parser.parse_args()
    if not args.tabulate_only:
        run(args.seeds, args.workers, resume=args.resume)
    rows, timings = read_rows(ROWS)
    seeds_done = Counter(r["preset"] for r in rows if r["claim_id"] == rows[0]["claim_id"])
    lines = tabulate(rows)
    (OUT / "claim_verdicts_table.json").write_text(json.dumps(lines, indent=2), encoding="utf-8")
    write_readme(render_table(lines, timings, min(seeds_done.values())))
    print(summarize(lines))
    print(
        f"districts: {len(timings['total'])}, median {statistics.median(timings['total']):.0f} s "
        f"each; table written to {README.relative_to(ROOT)}"
    )


if __name__ == "__main__":
    main()
