"""The demo's stages in order, and what runs beside what: the synthetic district written in
a forked process while this one imports great-expectations, the ingest with its progress
bar, then each stage of ``summaries`` (the marts, the scorecard, the ten-year return,
grant metrics, the reports), the research extract in a spawned process and the board's
PDF in Chromium's, with every stage's seconds.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipelines.demo import summaries
from pipelines.ingest import PlannedFile, ingest_plan, plan_ingest
from pipelines.warehouse.connection import remove_warehouse, resolve_db_path
from reports.output import DEFAULT_OUT


def run_demo(
    *,
    from_dir: Path | None,
    scratch: Path,
    db: str | Path | None,
    seed: int,
    fresh: bool,
    console: Console,
    truth=None,
    reports_dir: Path | None = None,
    stage_seconds: dict[str, float] | None = None,
) -> list[str]:
    """Run every stage and return the summary lines to print; ``stage_seconds``, when
    given, receives each stage's wall-clock seconds (``make bench`` reports them)."""
    started = time.perf_counter()
    seconds = stage_seconds if stage_seconds is not None else {}
    clock = time.perf_counter()
    db_path = resolve_db_path(db)
    summary: list[str] = []
    if from_dir is None:
        from pipelines.synth import load_truth

        clock = time.perf_counter()
        from_dir = scratch / "district"
        truth = truth or load_truth(None)
        # The district is forked off first: the status spinner is a thread.
        with (
            _writing_district(from_dir, seed=seed, truth=truth) as written,
            console.status("generating the synthetic district"),
        ):
            _import_validator()
            files = written()
        summary.append(
            f"synthetic district (seed {seed}): {files} export files in "
            f"{time.perf_counter() - clock:.1f} s"
        )
    else:
        _import_validator()
    seconds["synthesize"] = time.perf_counter() - clock
    clock = time.perf_counter()
    if fresh:
        remove_warehouse(db_path)

    plan = [
        replace(planned, district_id=_district_of(planned.path))
        for planned in plan_ingest(_export_folders(from_dir))
    ]
    with Progress(
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("", total=len(plan))
        results = ingest_plan(
            plan,
            db=db_path,
            # Files are read first and written together: the bar counts files read.
            on_file=lambda file: progress.update(task, description=_described(file), advance=1),
            on_validate=lambda count: progress.update(
                task, description=f"validating and writing {count} batches"
            ),
        )
    read = sum(r.rows_read for r in results)
    accepted = sum(r.rows_accepted for r in results)
    quarantined = sum(r.rows_quarantined for r in results)
    summary.append(
        f"ingested {len(results)} batches: {read:,} rows read, {accepted:,} accepted, "
        f"{quarantined:,} quarantined -> {db_path}"
    )
    seconds["ingest"] = time.perf_counter() - clock
    out = reports_dir or DEFAULT_OUT
    # The research extract is cut in a second process from a copy of the scored warehouse
    # (DuckDB lets no other process read a file one is writing), while this one projects
    # the ten-year return and writes the reports; Chromium prints the board's PDF in its
    # own processes. Their lines are added when all are done.
    with _research_worker() as researcher, ThreadPoolExecutor(max_workers=1) as printer:
        later: list[Future[list[str]]] = []

        def timed(stage: str, run: Callable[[], list[str]]) -> None:
            clock = time.perf_counter()
            summary.extend(run())
            seconds[stage] = time.perf_counter() - clock

        timed("build marts", lambda: summaries.warehouse_summary(db_path, console))
        timed("score claims", lambda: summaries.scorecard_summary(db_path, console))
        later.append(_cut_research(researcher, db_path, scratch, out, console))
        timed("ten-year return", lambda: summaries.roi_summary(db_path, console))
        timed("grant metrics", lambda: summaries.metrics_summary(db_path))
        timed(
            "board report and grants page",
            lambda: summaries.reports_summary(
                db_path,
                out,
                lambda board: later.append(printer.submit(summaries.pdf_summary, board)),
            ),
        )
        for stage, future in zip(WAITED_FOR, later, strict=True):
            with console.status(f"waiting for the {stage.split(' (')[0]}"):
                timed(stage, future.result)
    summary.append("see what was held back and why: outcomes quarantine --db " + str(db_path))
    summary.append(f"done in {time.perf_counter() - started:.1f} s")
    return summary


@contextlib.contextmanager
def _writing_district(folder: Path, *, seed: int, truth) -> Iterator[Callable[[], int]]:
    """``with _writing_district(...) as written:`` the synthetic district is written in a
    child process while the block runs (it imports great-expectations); ``written()``
    waits for it and returns the number of files.

    Both take seconds of Python (the import 4-5 s), so in one process they would take
    turns on the interpreter lock; in two they run on two cores. Where a process cannot be
    forked cheaply (other than Linux), ``written()`` writes the district in this process.
    """
    if sys.platform != "linux":
        yield lambda: _write_district(folder, seed, truth)
        return
    # Forked first, before this process starts any thread (the status spinner is one).
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        future = pool.submit(_write_district, folder, seed, truth)
        yield future.result


def _write_district(folder: Path, seed: int, truth) -> int:
    from pipelines.synth import generate_district

    return len(generate_district(folder, seed=seed, truth=truth).files)


def _import_validator() -> None:
    """Import great-expectations ahead of the ingest (an import error surfaces there)."""
    with contextlib.suppress(Exception):  # the ingest imports it again and reports it
        import pipelines.ingest.validate.gx  # noqa: F401


def _described(file: PlannedFile) -> str:
    return f"{file.path.name} ({file.kind})"


def _district_of(path: Path) -> str:
    """A file in a district's subfolder (``d01``, ...) belongs to that district."""
    return path.parent.name if path.parent.name.startswith("d0") else "district"


def _export_folders(root: Path) -> list[Path]:
    """The folder itself, or its per-district subfolders (``d01``, ``d02``, ...)."""
    districts = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith("d0"))
    return districts or [root]


#: What the demo waits for after its last stage, in the order the work was handed out.
WAITED_FOR = (
    "research extract (waited for after the reports)",
    "board PDF (waited for after the extract)",
)


#: A warehouse larger than this (a district's own exports given with ``--from``) is not
#: copied for the second process: its extract is cut in this one, before the return.
SNAPSHOT_LIMIT_BYTES = 512 * 1024**2


def _cut_research(
    researcher: ProcessPoolExecutor, db_path: Path, scratch: Path, out: Path, console: Console
) -> Future[list[str]]:
    """The research extract's lines, to come: from the second process working on a copy
    of the scored warehouse, or cut here and now when the warehouse is too large to copy."""
    if db_path.stat().st_size <= SNAPSHOT_LIMIT_BYTES:
        return researcher.submit(
            summaries.research_summary, _snapshot(db_path, scratch / "scored"), out
        )
    done: Future[list[str]] = Future()
    with console.status("cutting a research extract"):
        done.set_result(summaries.research_summary(db_path, out))
    return done


def _snapshot(db_path: Path, folder: Path) -> Path:
    """A copy of the warehouse (closed, so complete) as it is now, with its log if any."""
    folder.mkdir(parents=True, exist_ok=True)
    for suffix in ("", ".wal"):
        source = db_path.with_name(db_path.name + suffix)
        if source.exists():
            shutil.copyfile(source, folder / source.name)
    return folder / db_path.name


@contextlib.contextmanager
def _research_worker() -> Iterator[ProcessPoolExecutor]:
    """A second process for the research extract, started now so that it imports the
    models and the extract's code on the other core while this one scores the claims.

    Started fresh (spawned, not forked): this process has threads by now (DuckDB's,
    polars', the spinner's), and a fork copies their locks but not the threads."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        pool.submit(_import_research)
        yield pool


def _import_research() -> None:
    import pipelines.research  # noqa: F401
    import pipelines.scorecard  # noqa: F401
