"""What each stage of the demo says when it is done: it runs the stage's job on the
warehouse and returns the lines to print (counts, verdicts, paths). ``run.run_demo``
decides the order and what runs beside what."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from pipelines.warehouse.connection import connect
from pipelines.warehouse.marts import build_marts


def warehouse_summary(db_path: Path, console: Console) -> list[str]:
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


def scorecard_summary(db_path: Path, console: Console) -> list[str]:
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


def roi_summary(db_path: Path, console: Console) -> list[str]:
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


def metrics_summary(db_path: Path) -> list[str]:
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


def reports_summary(
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


def pdf_summary(board_path: Path) -> list[str]:
    """The board's report as PDF, printed by Chromium when it is here."""
    from reports.browser import BrowserMissing
    from reports.output import print_pdf_atomically

    try:
        return [f"board report as PDF: {print_pdf_atomically(board_path, 'board.pdf')}"]
    except BrowserMissing as error:
        return [f"board report as PDF: not written ({error})"]


#: The research partner the demo cuts an extract for.
DEMO_PARTNER = "demo-university"


def research_summary(db_path: Path, reports_dir: Path) -> list[str]:
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
