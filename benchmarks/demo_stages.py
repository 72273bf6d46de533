"""Seconds each stage of ``outcomes demo`` takes, so the slowest is visible.

Runs the demo's job (``pipelines.demo.run_demo``) end to end in a temporary folder, as
``make demo`` does after install: synthesize, ingest, build the marts, score the claims,
project the ten-year return (100,000 draws), grant metrics, the board's report (HTML and
PDF through Chromium) and grant writers' page, a research extract verified against the
scorecard (cut in a second process from a copy of the scored warehouse while the first
projects the return and writes the reports; what is still running after the reports is
timed as the wait for it). Each run is a fresh Python process, timed from its start, so
the imports a ``make demo`` pays are counted (in the same process a second run would find
every module loaded and be about ten seconds faster). Best of ``--runs`` runs (default
2). Target: under 45 s end to end.

Writes the table between the demo markers of ``benchmarks/README.md`` and
``benchmarks/out/demo_stages.json``. Usage: ``python benchmarks/demo_stages.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from readme_block import replace_block
from rich.console import Console

OUT = Path(__file__).resolve().parent / "out"
TARGET_SECONDS = 45.0


def one_run(folder: Path) -> dict[str, float]:
    """One demo in a fresh process: its stages' seconds, the rest of its wall time (the
    interpreter's start and the imports before the first stage) as a stage of its own."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--one-run", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    total = time.perf_counter() - started
    seconds = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "start-up and imports": total - sum(seconds.values()),
        **seconds,
        "end to end": total,
    }


def _stage_seconds(folder: Path) -> dict[str, float]:
    """The demo's stages, run here (in the child process ``one_run`` starts)."""
    from pipelines.demo import run_demo

    seconds: dict[str, float] = {}
    run_demo(
        from_dir=None,
        scratch=folder,
        db=folder / "outcomes.duckdb",
        seed=20240801,
        fresh=True,
        console=Console(file=io.StringIO()),
        reports_dir=folder / "reports",
        stage_seconds=seconds,
    )
    return seconds


def table(runs: list[dict[str, float]]) -> str:
    best = min(runs, key=lambda run: run["end to end"])
    total = best["end to end"]
    lines = [
        f"`outcomes demo`'s stages, best of {len(runs)} runs (by end-to-end time), each a "
        "fresh process timed from its start; 2 cores, "
        f"load average {os.getloadavg()[0]:.1f} when measured.",
        "",
        "| stage | seconds | share of the run |",
        "| --- | ---: | ---: |",
    ]
    for stage, value in best.items():
        if stage != "end to end":
            lines.append(f"| {stage} | {value:.1f} | {value / total:.0%} |")
    slowest = max((s for s in best if s != "end to end"), key=best.get)
    met = "met" if total <= TARGET_SECONDS else "not met"
    lines += [
        f"| **end to end** | **{total:.1f}** | |",
        "",
        f"Target: under {TARGET_SECONDS:.0f} s ({met}). The slowest stage is {slowest}.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--one-run", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_run is not None:
        print(json.dumps(_stage_seconds(args.one_run)))
        return
    runs = []
    for number in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            runs.append(one_run(Path(folder)))
        print(f"run {number + 1}: {runs[-1]['end to end']:.1f} s")
    text = table(runs)
    OUT.mkdir(exist_ok=True)
    (OUT / "demo_stages.json").write_text(json.dumps(runs, indent=2) + "\n")
    replace_block("demo", text, heading="The demo, stage by stage (`benchmarks/demo_stages.py`)")
    print(text)


if __name__ == "__main__":
    main()
    # DuckDB's bindings print spurious "leaked" warnings at interpreter teardown once
    # great-expectations is loaded; everything is written and closed by now.
    sys.stdout.flush()
    os._exit(0)
