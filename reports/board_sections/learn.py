"""Educators' LEARN progression: the share of end-of-term assessments at emerging, applying
and integrating on each pillar, school year by school year (catalog metrics). The ordinal
model of how educators move up the levels is fitted in the notebooks and the scorecard
stores none of it: a report reads results, it never fits a model."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.board_sections.charts import PALETTE, PATTERNS, Charts, section
from reports.metric_values import MetricReader, MetricValues

#: The levels, lowest first, with their catalog metric, colour and bar pattern.
LEVELS = (
    ("emerging", "learn_emerging_share", PALETTE[1], PATTERNS[0]),
    ("applying", "learn_applying_share", PALETTE[2], PATTERNS[1]),
    ("integrating", "learn_integrating_share", PALETTE[4], PATTERNS[3]),
)
#: The pillars in the order LEARN names them.
PILLARS = ("literacy", "ethics", "application", "relevance", "navigation")


@dataclass(frozen=True)
class Learn:
    shares: dict[str, MetricValues]


def read_learn(values: MetricReader) -> Learn:
    return Learn({level: values(metric_id, by="pillar") for level, metric_id, _, _ in LEVELS})


def learn_frame(learn: Learn) -> pd.DataFrame:
    """One row per school year, pillar and level: the published share, its n and note."""
    frames = []
    for level, _, _, _ in LEVELS:
        frame = learn.shares[level].frame.copy()
        frame["level"] = level
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["pillar"] = out["pillar"].str.removeprefix("learn_")
    order = {p: i for i, p in enumerate(PILLARS)}
    out["order"] = out["pillar"].map(lambda p: order.get(p, len(order)))
    return out.sort_values(["order", "pillar", "school_year"]).reset_index(drop=True)


def learn_section(learn: Learn, charts: Charts) -> str:
    frame = learn_frame(learn)
    pillars = list(dict.fromkeys(frame["pillar"]))
    if not pillars:
        return section(
            "learn",
            "Educators' LEARN progression",
            "<p>No end-of-term LEARN assessment is recorded yet.</p>",
        )
    figure = make_subplots(rows=1, cols=len(pillars), shared_yaxes=True, subplot_titles=pillars)
    for column, pillar in enumerate(pillars, start=1):
        rows = frame[frame["pillar"] == pillar]
        for level, _, color, pattern in LEVELS:
            cells = rows[rows["level"] == level]
            figure.add_trace(
                go.Bar(
                    x=cells["school_year"].astype(str),
                    y=cells["value"].astype(float),
                    name=level,
                    legendgroup=level,
                    showlegend=column == 1,
                    text=cells["shown"],
                    textposition="inside",
                    marker={"color": color, "pattern": {"shape": pattern}},
                ),
                row=1,
                col=column,
            )
    figure.update_layout(
        barmode="stack",
        uniformtext={"minsize": 9, "mode": "hide"},
        legend={"orientation": "h", "y": -0.2, "traceorder": "normal"},
        height=440,
    )
    figure.update_yaxes(tickformat=".0%", range=[0, 1])
    figure.update_yaxes(title="share of assessments", row=1, col=1)
    chart = charts.html(
        figure,
        alt=(
            "Stacked bar charts, one per LEARN pillar: the share of educators' end-of-term "
            "assessments at emerging, applying and integrating in each school year; a share "
            "resting on too few assessments is shown as a range, without a bar."
        ),
        table=frame[["pillar", "school_year", "level", "shown", "n", "note"]],
        shows=(
            "Whether educators move from emerging towards integrating on each pillar as the "
            "years go by, as observed at the end of each term."
        ),
        ask=[
            "On which pillar do educators stay at emerging longest, and what support would "
            "move them?",
            "Is the share integrating growing fast enough for teachers to lead without coaches?",
        ],
    )
    return section(
        "learn",
        "Educators' LEARN progression",
        "<p>Every end-of-term LEARN assessment of an educator, by pillar and level. These are "
        "the observed shares; the ordinal model of each educator's progression is not "
        "refitted here (see the methods section).</p>\n"
        f"{chart}",
    )
