"""The board's report: one offline HTML file drawn from stored results, readable by a
trustee and by a screen reader, with no small count published."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines.cli import main

#: Two effect claims with attendance tiers, the roadmap's milestones (census counts, fast)
#: and one panel claim; panel_reliability is left out (its bootstrap takes seconds), so the
#: report's "not stored" note is exercised too.
SCORED = (
    "female_retention_girls_only",
    "near_peer_knowledge_retention",
    "milestone_administrators_trained_month_2",
    "milestone_champions_month_3",
    "milestone_teachers_month_6",
    "milestone_students_month_6",
    "milestone_faculty_baseline_month_9",
    "milestone_students_month_9",
    "milestone_teachers_month_15",
    "milestone_students_month_15",
    "portfolios_at_standard",
)
#: Charts: claims 1, roadmap 1, participation 5 (gender, school, grade, FRL, team type),
#: LEARN 1, attendance tiers 1, panels and certificates 2, the ten-year return 2.
CHARTS = 13
#: Each section after the first page: its anchor and its h2.
SECTIONS = (
    ("claims", "Every claim against the district's data"),
    ("roadmap", "Rollout against the roadmap"),
    ("equity", "Participation and equity"),
    ("learn", "Educators' LEARN progression"),
    ("subgroups", "Where it works and for whom"),
    ("panels", "Employer panels and certificates"),
    ("roi", "The ten-year return"),
    ("quality", "Data quality: what was held back and why"),
    ("methods", "Methods and limitations"),
)


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def scored_db(synthetic_warehouse, scored_copy, tmp_path_factory) -> Path:
    return scored_copy(synthetic_warehouse.db, tmp_path_factory.mktemp("board"), SCORED)


@pytest.fixture(scope="module")
def written(scored_db, tmp_path_factory) -> Path:
    """The folder of the report, HTML and PDF, with a projection stored too (in its own
    copy of the warehouse: scored_db stays without one)."""
    out = tmp_path_factory.mktemp("board-out")
    db = out / "with-roi.duckdb"
    shutil.copy(scored_db, db)
    roi = invoke("roi", "--db", str(db), "--draws", "2000")
    assert roi.exit_code == 0, roi.output
    result = invoke("report", "board", "--db", str(db), "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def page(written) -> str:
    return (written / "board.html").read_text(encoding="utf-8")


def test_headings_run_in_order_from_one_title(page):
    levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", page)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False))


def test_every_chart_has_a_text_alternative_its_numbers_and_questions(page):
    charts = re.findall(r'<div class="chart" role="img" aria-label="([^"]+)">', page)
    assert len(charts) == CHARTS
    assert page.count("<summary>The numbers in this chart</summary>") == CHARTS
    assert page.count("<strong>What this shows:</strong>") == CHARTS
    assert page.count("<strong>Questions to ask:</strong>") == CHARTS


def test_the_report_loads_nothing_from_the_network(page):
    assert not re.search(r"<script[^>]+src=", page)
    assert "<link" not in page
    # plotly's library is inlined once, not once a chart.
    assert page.count("Plotly.newPlot") == CHARTS


def test_the_first_page_tells_where_it_stands_and_the_outlook(page):
    first = re.search(r'<section class="first-page".*?</section>', page, re.S).group(0)
    assert "studio teams" in first
    assert "Girls-only teams keep more girls: the documents claim 5x" in first
    assert "chance that benefits exceed costs is" in first


def test_no_count_of_fewer_than_eleven_students_is_published(page):
    equity = re.search(r'<section aria-labelledby="equity">.*?</section>', page, re.S).group(0)
    counts = [int(c) for c in re.findall(r"<td>(\d+)</td>", equity)]
    assert all(c >= 11 for c in counts if c < 2000)  # school years are not counts


def section_of(page: str, anchor: str) -> str:
    return re.search(rf'<section aria-labelledby="{anchor}">.*?</section>', page, re.S).group(0)


def test_the_sections_follow_the_first_page_in_order(page):
    assert re.findall(r'<h2 id="([a-z]+)">', page) == ["first", *(a for a, _ in SECTIONS)]


@pytest.mark.parametrize(("anchor", "heading"), SECTIONS[1:6])
def test_each_new_section_has_its_heading_and_a_chart_with_what_it_shows_and_questions(
    page, anchor, heading
):
    section = section_of(page, anchor)
    assert f'<h2 id="{anchor}">{html.escape(heading)}</h2>' in section
    assert section.count('<div class="chart" role="img" aria-label="') >= 1
    assert section.count("<strong>What this shows:</strong>") == section.count('class="chart"')
    assert section.count("<strong>Questions to ask:</strong>") == section.count('class="chart"')


def test_the_participation_section_cuts_by_school_grade_frl_and_team_type(page):
    headings = re.findall(r"<h3>([^<]+)</h3>", section_of(page, "equity"))
    assert headings[:4] == [
        "By school",
        "By grade",
        "By economic disadvantage (free or reduced-price lunch)",
        "By team type",
    ]


def test_the_roadmap_judges_each_stored_milestone(page):
    roadmap = section_of(page, "roadmap")
    assert "<h3>Each target and its verdict</h3>" in roadmap
    assert "<td>20 champions by month 3</td><td>3</td>" in roadmap


def test_an_attendance_tier_of_two_students_is_suppressed_with_its_neighbour(page):
    # Near-peer mentoring: 2 students in the low tier, so it is withheld, and so is the
    # moderate tier (its n would give the low one away through the claim's total).
    tiers = section_of(page, "subgroups")
    assert "(n = 2)" not in tiers
    assert "suppressed: fewer than 11" in tiers
    assert "suppressed: would reveal a suppressed cell through the total" in tiers


def test_a_panel_claim_not_yet_scored_says_which_command_to_run(page):
    assert "not in the stored scorecard: run `outcomes claims`" in html.unescape(
        section_of(page, "panels")
    )


def test_the_methods_say_where_the_learn_ordinal_model_is_fitted(page):
    assert "fitted in the notebooks, not by this report" in section_of(page, "methods")


def test_without_a_projection_the_report_says_which_command_to_run(scored_db, tmp_path):
    db = tmp_path / "no-roi.duckdb"
    shutil.copy(scored_db, db)
    result = invoke("report", "board", "--db", str(db), "--out", str(tmp_path), "--no-pdf")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "board.html").read_text(encoding="utf-8")
    assert "No projection is stored: run <code>outcomes roi</code>." in text


def test_a_claim_resting_on_fewer_than_eleven_people_publishes_no_number(scored_db, tmp_path):
    import duckdb

    db = tmp_path / "small-claim.duckdb"
    shutil.copy(scored_db, db)
    with duckdb.connect(str(db)) as con:
        con.execute(
            "UPDATE results.claim_estimates SET n = 7, estimate = 0.987654 "
            "WHERE claim_id = 'milestone_champions_month_3'"
        )
    result = invoke("report", "board", "--db", str(db), "--out", str(tmp_path), "--no-pdf")
    assert result.exit_code == 0, result.output
    claims = section_of((tmp_path / "board.html").read_text(encoding="utf-8"), "claims")
    assert "0.988" not in claims and "0.987654" not in claims
    assert "suppressed: fewer than 11" in claims


def test_without_a_scorecard_nothing_is_written_exit_2(synthetic_warehouse, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copy(synthetic_warehouse.db, db)
    result = invoke("report", "board", "--db", str(db), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: outcomes report board: no scorecard is stored; run `outcomes claims` first"
    )
    assert not (tmp_path / "out").exists()


# --- in a real browser: Debian's headless Chromium, with the network blocked -------------

#: Where the first page's screenshot goes for a reviewer (git-ignored).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "reports" / "out" / "test-screenshots"


def test_chromium_renders_every_chart_offline_with_no_console_message(written):
    from reports.browser import render

    rendered = render(written / "board.html")
    # plotly draws each chart into two SVG layers (the plot and its overlay) at least.
    assert rendered.dom.count('class="main-svg"') >= 2 * CHARTS
    assert rendered.console == ()


def test_the_pdfs_pages_are_not_blank(written, tmp_path):
    pages = pdf_pages(written / "board.pdf", tmp_path)
    assert len(pages) >= 3
    for number, pixels in enumerate(pages, start=1):
        ink = (pixels < 200).mean()
        assert ink > 0.002, f"page {number} of the PDF is blank"


def test_a_screenshot_of_the_first_page_is_kept_for_a_reviewer(written):
    from reports.browser import screenshot

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    png = screenshot(written / "board.html", SCREENSHOTS / "board-first-page.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_chromium_the_command_says_how_to_get_it_and_writes_nothing(
    scored_db, tmp_path, monkeypatch
):
    monkeypatch.setenv("OUTCOMES_CHROMIUM", str(tmp_path / "no-such-browser"))
    out = tmp_path / "out"
    result = invoke("report", "board", "--db", str(scored_db), "--out", str(out))
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: outcomes report board: Chromium is not installed; run `make browser` "
        "(Debian's chromium package), or set OUTCOMES_CHROMIUM to its path; or give --no-pdf"
    )
    assert not out.exists()


def pdf_pages(pdf: Path, folder: Path) -> list:
    """Each page of ``pdf`` as a grey image (poppler's pdftoppm, 30 dpi, binary PGM)."""
    import numpy as np

    subprocess.run(["pdftoppm", "-r", "30", "-gray", str(pdf), str(folder / "page")], check=True)
    pages = []
    for path in sorted(folder.glob("page-*.pgm")):
        data = path.read_bytes()
        # Header: "P5", width, height, maximum value, then one whitespace byte and pixels.
        header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+\d+\s", data)
        width, height = int(header.group(1)), int(header.group(2))
        pixels = np.frombuffer(data[header.end() : header.end() + width * height], np.uint8)
        pages.append(pixels)
    return pages
