"""Rollout against the roadmap: where the program stood each program month (catalog
metrics over ``mart.program_milestones``) beside the roadmap's targets, whose verdicts
are the scorecard's stored milestone claims."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd
import plotly.graph_objects as go

from models.scorecard import load_registry
from reports.board_sections.charts import PALETTE, SYMBOLS, Charts, html_table, section
from reports.metric_values import MetricReader, MetricValues
from reports.suppression import suppress_estimates

#: The catalog metric of each roadmap count the chart draws, with the mart's name for it
#: (which the milestone claims' frame parameters use) and its label.
SERIES = (
    ("roadmap_champions_trained", "champions_trained", "teacher champions trained"),
    ("roadmap_teachers_trained", "teachers_trained", "teachers trained"),
    ("roadmap_students_in_teams", "students_in_teams", "students in studio teams"),
)
#: Milestones that count people; the shares (administrators, faculty baseline) are not
#: counts and are published as the scorecard stores them.
COUNTED = {mart_name for _, mart_name, _ in SERIES}


@dataclass(frozen=True)
class Roadmap:
    series: dict[str, MetricValues]
    #: The stored milestone claims with the roadmap metric and month each one tests.
    milestones: pd.DataFrame


def read_roadmap(values: MetricReader, claims: pd.DataFrame, *, threshold: int) -> Roadmap:
    series = {metric_id: values(metric_id, by="program_month") for metric_id, _, _ in SERIES}
    return Roadmap(series, milestone_claims(claims, threshold=threshold))


def milestone_claims(claims: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """The stored milestone claims, each with the roadmap metric and program month it tests
    (from the registry's frame parameters); a count of fewer than ``threshold`` people is
    suppressed."""
    tested = _milestones_tested()
    rows = claims[claims["claim_id"].isin(tested)].copy()
    rows["metric"] = rows["claim_id"].map(lambda c: tested[c][0])
    rows["program_month"] = rows["claim_id"].map(lambda c: tested[c][1])
    # A share's n counts its denominator; only a count's n is the number of people counted.
    counted = rows["metric"].isin(COUNTED)
    rows["n"] = rows["n"].astype("Float64")
    rows = pd.concat(
        [
            suppress_estimates(rows[counted], threshold=threshold, group=None),
            suppress_estimates(rows[~counted], threshold=threshold, group=None),
        ]
    )
    return rows.sort_values(["program_month", "claim_id"]).reset_index(drop=True)


@cache
def _milestones_tested() -> dict[str, tuple[str, int]]:
    """Each milestone claim of the registry: the roadmap metric and program month it tests."""
    return {
        claim.id: (claim.frame_parameters["metric"], int(claim.frame_parameters["month"]))
        for claim in load_registry().claims
        if claim.frame == "milestone"
    }


def roadmap_section(roadmap: Roadmap, charts: Charts, verdict_words: dict[str, str]) -> str:
    figure = go.Figure()
    drawn = []
    for index, (metric_id, mart_name, label) in enumerate(SERIES):
        frame = roadmap.series[metric_id].frame.copy()
        frame["program_month"] = frame["program_month"].astype(int)
        frame = frame.sort_values("program_month")
        color = PALETTE[(index + 4) % len(PALETTE)]
        figure.add_trace(
            go.Scatter(
                x=frame["program_month"],
                y=frame["value"].astype(float),
                mode="lines+markers",
                name=label,
                line={"color": color, "dash": ("solid", "dash", "dot")[index]},
                marker={"symbol": SYMBOLS[index], "size": 6},
                connectgaps=False,
            )
        )
        targets = roadmap.milestones[roadmap.milestones["metric"] == mart_name]
        if len(targets):
            figure.add_trace(
                go.Scatter(
                    x=targets["program_month"],
                    y=targets["claimed"],
                    mode="markers",
                    name=f"roadmap target: {label}",
                    marker={
                        "color": color,
                        "size": 13,
                        "symbol": "diamond-open",
                        "line": {"width": 2},
                    },
                )
            )
        frame["series"] = label
        drawn.append(frame[["series", "program_month", "shown", "note"]])
    figure.update_layout(
        xaxis_title="program month (1 = the month the program started)",
        yaxis_title="people (cumulative for training)",
        legend={"orientation": "h", "y": -0.25},
        height=460,
    )
    chart = charts.html(
        figure,
        alt=(
            "Line chart: teacher champions trained, teachers trained and students in studio "
            "teams at the end of each program month, with the roadmap's targets as open "
            "diamonds; suppressed months leave a gap in the line."
        ),
        table=pd.concat(drawn, ignore_index=True),
        shows=(
            "How fast the rollout went against the roadmap: a line at or above its diamond "
            "met that target by that month (months with fewer than the threshold are "
            "suppressed)."
        ),
        ask=[
            "Which targets were met late or not at all, and what held them back?",
            "Are the next phase's targets realistic at the pace shown here?",
        ],
    )
    milestones = roadmap.milestones
    if milestones.empty:
        table = (
            "<p>No milestone claim is stored in the scorecard: run <code>outcomes claims</code>"
            " to judge each target.</p>"
        )
    else:
        shown = pd.DataFrame(
            {
                "milestone": milestones["title"],
                "program month": milestones["program_month"].astype(str),
                "target": milestones["claimed"],
                "reached": milestones["estimate"],
                "n": milestones["n"],
                "verdict": milestones["verdict"].map(lambda v: verdict_words.get(v, v)),
                "note": milestones["note"],
            }
        )
        table = html_table(shown)
    return section(
        "roadmap",
        "Rollout against the roadmap",
        "<p>The roadmap sets targets by program month; the counts are the catalog's, the "
        "verdicts the scorecard's milestone claims.</p>\n"
        f"{chart}\n<h3>Each target and its verdict</h3>\n{table}",
    )
