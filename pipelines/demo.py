"""The main job: synthesize a district (or take given exports), ingest it, summarise.

Each stage reports progress and where its output went: the warehouse, the marts, the
claims scorecard, the ten-year return, grant metrics, the board's report and the grant
writers' page, and a research partner's extract.
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

from pipelines.ingest import PlannedFile, ingest_plan, plan_ingest
from pipelines.warehouse.connection import connect, remove_warehouse, resolve_db_path
from pipelines.warehouse.marts import build_marts
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

        timed("build marts", lambda: _warehouse_summary(db_path, console))
        timed("score claims", lambda: _scorecard_summary(db_path, console))
        later.append(_cut_research(researcher, db_path, scratch, out, console))
        timed("ten-year return", lambda: _roi_summary(db_path, console))
        timed("grant metrics", lambda: _metrics_summary(db_path))
        timed(
            "board report and grants page",
            lambda: _reports_summary(
                db_path, out, lambda board: later.append(printer.submit(_pdf_summary, board))
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


def _warehouse_summary(db_path: Path, console: Console) -> list[str]:
    """Build the marts from what was ingested, and list them."""
    con = connect(db_path)
    try:
        with console.status("building the marts"):
            clock = time.perf_counter()
            built = build_marts(con)
    finally:
        con.close()
    lines = [
        f"analysis marts, as of batch {built.as_of_batch_id} ({time.perf_counter() - clock:.1f} s):"
    ]
    return lines + [f"  mart.{name}: {rows:,} rows" for name, rows in built.row_counts.items()]


def _scorecard_summary(db_path: Path, console: Console) -> list[str]:
    """Score every claim, store the scorecard, and say what it found."""
    from pipelines.scorecard import run_scorecard, store_scorecard

    con = connect(db_path)
    try:
        with console.status("scoring the claims") as status:
            clock = time.perf_counter()
            run = run_scorecard(con, progress=lambda c: status.update(f"scoring {c}"))
            run_id = store_scorecard(con, run)
    finally:
        con.close()
    counts = run.scorecard.counts()
    lines = [
        f"claims scorecard ({time.perf_counter() - clock:.1f} s, stored as run {run_id} in "
        "results.claim_estimates):"
    ]
    lines += [f"  {n} {code}" for code, n in sorted(counts.items(), key=lambda kv: -kv[1])]
    effects = [
        e for e in run.scorecard.estimates if e.kind in ("ratio", "time_ratio", "difference")
    ]
    for estimate in effects:
        if estimate.estimate is None or estimate.claimed is None:
            continue
        interval = (
            f" ({estimate.ci_lower:.3g} to {estimate.ci_upper:.3g})"
            if estimate.ci_lower is not None
            else ""
        )
        lines.append(
            f"  {estimate.claim_id}: claimed {estimate.claimed:.3g}, found "
            f"{estimate.estimate:.3g}{interval}, n {estimate.n}: {estimate.verdict_label}"
        )
    lines.append("the whole scorecard: outcomes claims --db " + str(db_path))
    return lines


#: The ten-year return the demo projects: the claim, the cautious reading, the evidence.
DEMO_ROI_SCENARIOS = ("claimed", "conservative", "evidence")
DEMO_ROI_DRAWS = 100_000


def _roi_summary(db_path: Path, console: Console) -> list[str]:
    """Project the ten-year return from the claim, the cautious case and the evidence."""
    from pipelines.roi import run_roi, store_roi

    con = connect(db_path)
    try:
        with console.status("projecting the ten-year return") as status:
            clock = time.perf_counter()
            run = run_roi(con, DEMO_ROI_SCENARIOS, draws=DEMO_ROI_DRAWS, progress=status.update)
            run_id = store_roi(con, run)
    finally:
        con.close()
    lines = [
        f"ten-year return ({time.perf_counter() - clock:.1f} s, {DEMO_ROI_DRAWS:,} draws, "
        f"stored as run {run_id} in results.roi_*), at 3%, median [P10, P90]:"
    ]
    for scenario_run in run.scenarios:
        projection = scenario_run.projection
        summary_rows = projection.to_frame()
        ratio = summary_rows[
            (summary_rows.perspective == projection.headline_perspective)
            & (summary_rows.discount_rate == projection.headline_rate)
            & (summary_rows.measure == "benefit_cost_ratio")
        ].iloc[0]
        head = projection.headline
        lines.append(
            f"  {scenario_run.scenario.name}: benefit-cost ratio "
            f"{head['benefit_cost_ratio_p50']:.2f}x [{ratio.p10:.2f}, {ratio.p90:.2f}], "
            f"chance benefits exceed costs {head['p_benefits_exceed_costs']:.0%}, "
            f"chance of 13x {head['p_ratio_reaches_target']:.0%}"
        )
    claim = next((r.scenario.claim for r in run.scenarios if r.scenario.claim), None)
    if run.claimed is not None and claim is not None:
        lines.append(
            f"  the claim's own arithmetic: ${claim.total.value / 1e6:.2f}M over "
            f"${claim.investment.value / 1e3:.0f}K is {run.claimed.implied_multiple:.1f}x, "
            f"where the documents state {claim.multiple.value:g}x"
        )
    lines.append("the whole comparison: outcomes roi --db " + str(db_path))
    return lines


#: The grant metrics the demo quotes, as a grant writer would paste them.
DEMO_METRICS = ("students_in_teams", "certificate_rate", "claim.female_retention_girls_only")


def _metrics_summary(db_path: Path) -> list[str]:
    """A few catalog metrics as ready-to-paste sentences."""
    from reports.metric_values import metric_values

    con = connect(db_path, read_only=True)
    try:
        sentences = [metric_values(con, metric_id).sentence() for metric_id in DEMO_METRICS]
    finally:
        con.close()
    lines = ["grant metrics, ready to paste:"]
    lines += [f"  {sentence}" for sentence in sentences]
    lines.append("every metric: outcomes metrics list; one: outcomes metrics get ID --by DIM")
    return lines


def _reports_summary(
    db_path: Path, reports_dir: Path, print_later: Callable[[Path], None]
) -> list[str]:
    """The board's report (HTML) and the grant writers' page; the board's HTML is handed to
    ``print_later`` for its PDF."""
    from reports.board import board_report
    from reports.grants_page import grants_page
    from reports.output import write_atomically

    con = connect(db_path, read_only=True)
    try:
        board = board_report(con)
        # Printed while the grants page is drawn.
        board_path = write_atomically(reports_dir, "board.html", board.html)
        print_later(board_path)
        page = grants_page(con)
    finally:
        con.close()
    path = write_atomically(reports_dir, "grants.html", page.html)
    return [
        f"board report ({board.charts} charts, {board.claims} claims): {board_path}",
        f"grant writers' page ({page.metrics} metrics, {page.claims} claims): {path}",
    ]


def _pdf_summary(board_path: Path) -> list[str]:
    """The board's report as PDF, printed by Chromium when it is here."""
    from reports.browser import BrowserMissing
    from reports.output import print_pdf_atomically

    try:
        return [f"board report as PDF: {print_pdf_atomically(board_path, 'board.pdf')}"]
    except BrowserMissing as error:
        return [f"board report as PDF: not written ({error})"]


#: What the demo waits for after its last stage, in the order the work was handed out.
WAITED_FOR = (
    "research extract (waited for after the reports)",
    "board PDF (waited for after the extract)",
)

#: The research partner the demo cuts an extract for.
DEMO_PARTNER = "demo-university"


#: A warehouse larger than this (a district's own exports given with ``--from``) is not
#: copied for the second process: its extract is cut in this one, before the return.
SNAPSHOT_LIMIT_BYTES = 512 * 1024**2


def _cut_research(
    researcher: ProcessPoolExecutor, db_path: Path, scratch: Path, out: Path, console: Console
) -> Future[list[str]]:
    """The research extract's lines, to come: from the second process working on a copy
    of the scored warehouse, or cut here and now when the warehouse is too large to copy."""
    if db_path.stat().st_size <= SNAPSHOT_LIMIT_BYTES:
        return researcher.submit(_research_summary, _snapshot(db_path, scratch / "scored"), out)
    done: Future[list[str]] = Future()
    with console.status("cutting a research extract"):
        done.set_result(_research_summary(db_path, out))
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


def _research_summary(db_path: Path, reports_dir: Path) -> list[str]:
    """A research partner's de-identified extract, checked to reproduce the scorecard
    (``db_path``: the warehouse as scored)."""
    from pipelines.research import export_research

    con = connect(db_path, read_only=True)
    try:
        clock = time.perf_counter()
        extract = export_research(con, reports_dir / "research", DEMO_PARTNER)
    finally:
        con.close()
    claims = extract.manifest["scorecard"]["claims"]
    differing = [c["claim_id"] for c in claims if not c["reproduced"]]
    line = (
        f"research extract for {DEMO_PARTNER} ({time.perf_counter() - clock:.1f} s, "
        f"{len(extract.rows)} tables, k = {extract.manifest['settings']['k']}): "
        f"{extract.folder}; reproduces {len(claims) - len(differing)} of {len(claims)} claims"
    )
    return [line + (f" (not exactly: {', '.join(differing)})" if differing else "")]
