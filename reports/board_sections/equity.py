"""Participation and equity: who the teams reach, by gender, school, grade, economic
disadvantage (FRL) and team type, from catalog metrics cut by one dimension each and
suppressed as the catalog says."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from reports.board_sections.charts import PALETTE, PATTERNS, Charts, html_table, section
from reports.metric_values import MetricReader, MetricValues


@dataclass(frozen=True)
class Cut:
    """One chart of the section: a catalog metric cut by one dimension."""

    metric_id: str
    by: str
    heading: str
    alt: str
    shows: str
    ask: tuple[str, ...]


CUTS = (
    Cut(
        "participation_rate",
        "school",
        "By school",
        "Bar chart: the share of each school's high-school students in a studio team, by "
        "school year; suppressed cells have no bar.",
        "Whether every school's students get the same chance to join a team.",
        ("Which schools lag, and is it for lack of mentors, space or interest?",),
    ),
    Cut(
        "participation_rate",
        "grade",
        "By grade",
        "Bar chart: the share of students of each grade in a studio team, by school year; "
        "suppressed cells have no bar.",
        "Which grades the cross-grade teams draw from, as a share of each grade's students.",
        ("Do the youngest students join early enough to be mentored and later to mentor?",),
    ),
    Cut(
        "participation_rate",
        "frl",
        "By economic disadvantage (free or reduced-price lunch)",
        "Bar chart: the share of students in a studio team, economically disadvantaged (FRL) "
        "or not, by school year; suppressed cells have no bar.",
        "Whether economically disadvantaged students join in the same proportion as others.",
        (
            "If FRL students join less often, what stands in their way (transport, "
            "schedules, devices)?",
        ),
    ),
    Cut(
        "students_in_teams",
        "team_type",
        "By team type",
        "Bar chart: students in girls-only and in mixed studio teams, by school year; "
        "suppressed cells have no bar.",
        "How many students each kind of team holds each year.",
        ("Does the district offer enough girls-only seats for the girls who ask for them?",),
    ),
)
#: How a dimension's values read in the report.
LABELS = {
    "school": lambda v: f"school {v}",
    "grade": lambda v: f"grade {v}",
    "frl": lambda v: {"true": "FRL (economically disadvantaged)", "false": "not FRL"}.get(
        v, str(v)
    ),
    "team_type": lambda v: {"girls_only": "girls-only teams", "mixed": "mixed teams"}.get(
        v, str(v)
    ),
}


@dataclass(frozen=True)
class Equity:
    by_gender: MetricValues
    cuts: tuple[MetricValues, ...]
    returns: MetricValues
    certificates: MetricValues


def read_equity(values: MetricReader) -> Equity:
    return Equity(
        by_gender=values("students_in_teams", "gender"),
        cuts=tuple(values(cut.metric_id, cut.by) for cut in CUTS),
        returns=values("girls_return_rate", "team_type"),
        certificates=values("certificate_rate"),
    )


def equity_section(equity: Equity, charts: Charts) -> str:
    frame = equity.by_gender.frame
    figure = go.Figure()
    for index, (gender, rows) in enumerate(frame.groupby("gender")):
        figure.add_trace(
            go.Bar(
                x=rows["school_year"].astype(str),
                y=rows["value"].astype(float),
                name=str(gender),
                text=rows["shown"],
                textposition="outside",
                marker={
                    "color": PALETTE[(index + 1) % len(PALETTE)],
                    "pattern": {"shape": ["", "/", ".", "x"][index % 4]},
                },
            )
        )
    figure.update_layout(
        barmode="group", xaxis_title="school year (ending)", yaxis_title="students in teams"
    )
    gender_chart = charts.html(
        figure,
        alt=(
            "Bar chart: students in studio teams by gender and school year; suppressed cells "
            "have no bar."
        ),
        table=frame[["school_year", "gender", "shown", "note"]],
        shows=(
            "Who the teams reach, by gender, each school year (cells of fewer students are "
            "suppressed)."
        ),
        ask=[
            "Are girls reaching the teams in proportion to their share of the school?",
            "Which groups are missing, and what would bring them in?",
        ],
    )
    cut_charts = "\n".join(
        f"<h3>{cut.heading}</h3>\n{_cut_chart(cut, values, charts)}"
        for cut, values in zip(CUTS, equity.cuts, strict=True)
    )
    returns = equity.returns.frame
    certificates = equity.certificates.frame
    return section(
        "equity",
        "Participation and equity",
        f"{gender_chart}\n{cut_charts}\n"
        "<h3>Girls returning the next year, by team type</h3>\n"
        f"{html_table(returns[['school_year', 'team_type', 'shown', 'n', 'note']])}\n"
        "<h3>Team members earning the certificate</h3>\n"
        f"{html_table(certificates[['school_year', 'shown', 'n', 'note']])}",
    )


def _cut_chart(cut: Cut, values: MetricValues, charts: Charts) -> str:
    frame = values.frame.copy()
    label = LABELS.get(cut.by, str)
    frame["group"] = frame[cut.by].map(label)
    frame = frame.sort_values(["school_year", cut.by], key=_natural)
    share = values.metric.kind == "share"
    figure = go.Figure()
    for index, (group, rows) in enumerate(frame.groupby("group", sort=False)):
        figure.add_trace(
            go.Bar(
                x=rows["school_year"].astype(str),
                y=rows["value"].astype(float),
                name=group,
                text=rows["shown"],
                textposition="outside",
                marker={
                    "color": PALETTE[(index + 1) % len(PALETTE)],
                    "pattern": {"shape": PATTERNS[index % len(PATTERNS)]},
                },
            )
        )
    figure.update_layout(
        barmode="group",
        xaxis_title="school year (ending)",
        yaxis_title=values.metric.unit,
        yaxis_tickformat=".0%" if share else ",",
        legend={"orientation": "h", "y": -0.2},
    )
    table = frame[["school_year", "group", "shown", "n", "note"]]
    table = table.rename(columns={"group": cut.by.replace("_", " ")})
    return charts.html(
        figure,
        alt=cut.alt,
        table=table,
        shows=f"{cut.shows} {values.metric.definition}",
        ask=list(cut.ask),
    )


def _natural(column: pd.Series) -> pd.Series:
    """Sort numbers as numbers (grade 9 before grade 10), other values as text."""
    numbers = pd.to_numeric(column, errors="coerce")
    return numbers if numbers.notna().all() else column.astype(str)
