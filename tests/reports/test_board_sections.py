"""The board report's sections, each drawn from small hand-made results: a small cell is
never published, a share near 0% or 100% is shown as a range, and a missing result says
which command stores it."""

from __future__ import annotations

import html

import pandas as pd

from reports.board_sections.charts import Charts
from reports.board_sections.equity import CUTS, _cut_chart
from reports.board_sections.learn import Learn, learn_section
from reports.board_sections.panels import panel_claims
from reports.board_sections.roadmap import Roadmap, milestone_claims, roadmap_section
from reports.board_sections.subgroups import subgroup_frame, subgroups_section
from reports.catalog import load_catalog
from reports.metric_values import DESCRIPTIVE, MetricValues
from reports.suppression import suppress

CATALOG = load_catalog()
WORDS = {"consistent": "consistent with the claim"}


def values(metric_id: str, by: str, rows: list[tuple]) -> MetricValues:
    """A catalog metric's published values from (school_year, group, value, numerator, n)."""
    metric = CATALOG.metric(metric_id)
    frame = pd.DataFrame(rows, columns=["school_year", by, "value", "numerator", "n"])
    published = suppress(frame, threshold=11, people=metric.people, kind=metric.kind, by=by)
    return MetricValues(metric, published, None, 7, by, 11, DESCRIPTIVE)


def claims(*rows) -> pd.DataFrame:
    """Stored claims: (claim_id, title, claimed, estimate, ci_lower, ci_upper, n, verdict)."""
    columns = ["claim_id", "title", "claimed", "estimate", "ci_lower", "ci_upper", "n", "verdict"]
    return pd.DataFrame(rows, columns=columns)


def test_a_cut_by_grade_suppresses_a_small_grade_and_its_smallest_neighbour():
    grade = next(cut for cut in CUTS if cut.by == "grade")
    chart = _cut_chart(
        grade,
        values(
            "participation_rate",
            "grade",
            [
                (2026, "9", 0.3, 60, 200),
                (2026, "10", 0.5, 4, 8),
                (2026, "11", 0.25, 50, 200),
                (2026, "12", 0.2, 36, 180),
            ],
        ),
        Charts(),
    )
    assert "<td>grade 10</td><td>suppressed</td><td></td><td>suppressed: fewer than 11</td>" in (
        chart
    )
    assert "<td>grade 12</td><td>suppressed</td>" in chart
    assert "<td>grade 9</td><td>30.0%</td>" in chart


def test_the_roadmap_suppresses_a_milestone_counting_fewer_than_eleven_people():
    stored = claims(
        ("milestone_champions_month_3", "20 champions by month 3", 20.0, 8.0, None, None, 8, "x"),
        ("milestone_students_month_6", "50 students by month 6", 50.0, 57.0, None, None, 57, "y"),
    )
    rows = milestone_claims(stored, threshold=11)
    assert rows["program_month"].tolist() == [3, 6]
    assert rows["estimate"].isna().tolist() == [True, False]
    assert rows["note"].iloc[0] == "suppressed: fewer than 11"


def test_the_roadmap_chart_leaves_a_suppressed_month_out():
    series = {
        metric_id: values(
            metric_id, "program_month", [(2024, "1", 5.0, None, 5.0), (2024, "2", 20.0, None, 20.0)]
        )
        for metric_id in (
            "roadmap_champions_trained",
            "roadmap_teachers_trained",
            "roadmap_students_in_teams",
        )
    }
    page = roadmap_section(Roadmap(series, milestone_claims(claims(), threshold=11)), Charts(), {})
    assert page.count("<td>1</td><td>suppressed</td>") == 3
    assert "No milestone claim is stored in the scorecard" in page
    assert "<strong>What this shows:</strong>" in page


def test_a_learn_share_resting_on_few_assessments_is_shown_as_a_range():
    rows = [(2026, "learn_ethics", 0.5, 100, 200)]
    learn = Learn(
        {
            "emerging": values("learn_emerging_share", "pillar", rows),
            "applying": values(
                "learn_applying_share", "pillar", [(2026, "learn_ethics", 0.48, 96, 200)]
            ),
            "integrating": values(
                "learn_integrating_share", "pillar", [(2026, "learn_ethics", 0.02, 4, 200)]
            ),
        }
    )
    page = learn_section(learn, Charts())
    assert "<td>ethics</td><td>2026</td><td>integrating</td><td>below 6%</td>" in page
    assert '<h2 id="learn">Educators&#x27; LEARN progression</h2>' in page


def test_an_attendance_tier_of_few_students_has_no_dot_and_no_n():
    stored = claims(("effect", "An effect", 2.0, 1.3, 1.2, 1.4, 400, "consistent"))
    tiers = pd.DataFrame(
        [
            ("effect", "low", 1.9, 1.8, 2.0, 5, "inconclusive"),
            ("effect", "moderate", 1.2, 1.1, 1.3, 60, "consistent"),
            ("effect", "high", 1.3, 1.2, 1.4, 300, "consistent"),
        ],
        columns=["claim_id", "tier", "estimate", "ci_lower", "ci_upper", "n", "verdict"],
    )
    frame = subgroup_frame(stored, tiers, threshold=11)
    assert frame["tier"].tolist() == ["all members", "low", "moderate", "high"]
    assert frame["suppressed"].tolist() == [False, True, True, False]
    page = html.unescape(subgroups_section(frame, Charts(), WORDS))
    assert "high (n = 300)" in page and "all members (n = 400)" in page
    assert "(n = 5)" not in page and "(n = 60)" not in page


def test_without_attendance_tiers_the_section_says_which_command_to_run():
    frame = subgroup_frame(claims(), pd.DataFrame(), threshold=11)
    page = subgroups_section(frame, Charts(), WORDS)
    assert "No attendance tiers are stored: run <code>outcomes claims</code>" in page


def test_a_panel_claim_over_too_few_portfolios_is_suppressed_and_a_missing_one_noted():
    rows = panel_claims(
        claims(("portfolios_at_standard", "t", None, 0.6, 0.5, 0.7, 9, "descriptive")),
        threshold=11,
    )
    assert rows["claim_id"].tolist() == ["portfolios_at_standard", "panel_reliability"]
    assert rows["estimate"].isna().all()
    assert rows["note"].tolist() == [
        "suppressed: fewer than 11",
        "not in the stored scorecard: run `outcomes claims`",
    ]


def test_a_reference_line_is_drawn_with_a_visible_width():
    import plotly.graph_objects as go

    figure = go.Figure(go.Scatter(x=[0.5, 2], y=["a", "b"]))
    figure.add_vline(x=1, line_dash="dash")
    Charts().html(figure, "alt", pd.DataFrame(), "shows", ["ask"])
    assert (figure.layout.shapes[0].line.width, figure.layout.shapes[0].opacity) == (1.5, 1)
