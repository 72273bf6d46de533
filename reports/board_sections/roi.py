"""The ten-year return as the benefit-cost run stored it: the documents' own arithmetic, a
fan chart of cumulative net value by scenario, a tornado of the inputs that move it most,
and the one-sentence outlook the first page gives."""

from __future__ import annotations

import duckdb
import pandas as pd
import plotly.graph_objects as go

from pipelines.roi import read_roi
from reports.board_sections.charts import PALETTE, Charts, html_table, translucent

#: The stored results the section and the outlook read.
ROI_TABLES = (
    "roi_probabilities",
    "roi_summary",
    "roi_fan",
    "roi_tornado",
    "roi_claimed_arithmetic",
)


def read_roi_tables(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The newest stored benefit-cost run's tables, by name."""
    return {name: read_roi(con, name) for name in ROI_TABLES}


def ten_year_outlook(roi: dict[str, pd.DataFrame]) -> str:
    """The first page's sentence: the evidence scenario's ratio at 3% and its chances."""
    probabilities = roi["roi_probabilities"]
    summary = roi["roi_summary"]
    if probabilities.empty or "evidence" not in set(probabilities["scenario"]):
        return (
            "No projection from the district's evidence is stored yet: run `outcomes roi` "
            "to add the ten-year outlook."
        )
    rate = 0.03
    chance = probabilities[
        (probabilities.scenario == "evidence")
        & (probabilities.perspective == "total")
        & (probabilities.discount_rate == rate)
    ].iloc[0]
    ratio = summary[
        (summary.scenario == "evidence")
        & (summary.perspective == "total")
        & (summary.discount_rate == rate)
        & (summary.measure == "benefit_cost_ratio")
    ].iloc[0]
    return (
        f"On the district's own evidence, ten years of benefits are projected at "
        f"{ratio.p50:.2f} times the costs (P10-P90 {ratio.p10:.2f} to {ratio.p90:.2f}, "
        f"discounted at 3%); the chance that benefits exceed costs is "
        f"{chance.p_benefits_exceed_costs:.0%}, and the chance of the documents' "
        f"{chance.target_ratio:g}x is {chance.p_ratio_reaches_target:.0%}."
    )


def roi_section(roi: dict[str, pd.DataFrame], charts: Charts) -> str:
    """The section; says what to run when no projection is stored."""
    fan = roi["roi_fan"]
    if fan.empty:
        return (
            '<section aria-labelledby="roi">\n<h2 id="roi">The ten-year return</h2>\n'
            "<p>No projection is stored: run <code>outcomes roi</code>.</p>\n</section>"
        )
    figure = go.Figure()
    for index, (scenario, rows) in enumerate(fan.groupby("scenario", sort=False)):
        color = PALETTE[(index + 4) % len(PALETTE)]
        dash = ("solid", "dash", "dot", "dashdot")[index % 4]
        figure.add_trace(
            go.Scatter(
                x=rows["year"],
                y=rows["p90"],
                mode="lines",
                line={"width": 0},
                showlegend=False,
                hoverinfo="skip",
            )
        )
        figure.add_trace(
            go.Scatter(
                x=rows["year"],
                y=rows["p10"],
                mode="lines",
                fill="tonexty",
                line={"width": 0},
                fillcolor=translucent(color),
                name=f"{scenario}: P10-P90",
            )
        )
        figure.add_trace(
            go.Scatter(
                x=rows["year"],
                y=rows["p50"],
                mode="lines+markers",
                name=f"{scenario}: median",
                line={"color": color, "dash": dash},
            )
        )
    figure.add_hline(y=0, line_color="#555")
    figure.update_layout(
        xaxis_title="program year", yaxis_title="cumulative net value, 2024 dollars (3%)"
    )
    fan_chart = charts.html(
        figure,
        alt=(
            "Fan chart: cumulative net value by program year for each scenario, median and P10 "
            "to P90."
        ),
        table=fan[["scenario", "year", "p10", "p50", "p90"]],
        shows=(
            "How the program's net value builds up year by year in each scenario, and how "
            "uncertain it is."
        ),
        ask=[
            "Which scenario's assumptions does the board find believable?",
            "In what year does the evidence line cross zero, if ever?",
        ],
    )
    tornado = roi["roi_tornado"]
    tornado = tornado[
        tornado["scenario"]
        == ("evidence" if "evidence" in set(tornado["scenario"]) else tornado["scenario"].iloc[-1])
    ]
    top = tornado.head(8).iloc[::-1]
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            y=top["input"],
            x=top["at_low"] - top["base"],
            orientation="h",
            name="input at its P10",
            marker={"color": PALETTE[1]},
        )
    )
    figure.add_trace(
        go.Bar(
            y=top["input"],
            x=top["at_high"] - top["base"],
            orientation="h",
            name="input at its P90",
            marker={"color": PALETTE[2], "pattern": {"shape": "/"}},
        )
    )
    figure.update_layout(
        barmode="overlay", xaxis_title="change in net present value (dollars)", height=460
    )
    tornado_chart = charts.html(
        figure,
        alt=(
            "Tornado chart: how far the net present value moves when each input goes to its "
            "P10 or P90."
        ),
        table=top[["input", "low_value", "high_value", "at_low", "at_high", "basis"]],
        shows=(
            "The inputs whose uncertainty moves the ten-year result most: the ones worth "
            "measuring first."
        ),
        ask=["Which of these inputs could the district measure next year?"],
    )
    arithmetic = roi["roi_claimed_arithmetic"]
    claim_table = html_table(arithmetic[["quantity", "arithmetic"]]) if not arithmetic.empty else ""
    return (
        '<section aria-labelledby="roi">\n<h2 id="roi">The ten-year return</h2>\n'
        f"<h3>The documents' own arithmetic</h3>\n{claim_table}\n"
        f"<h3>Projected net value</h3>\n{fan_chart}\n"
        f"<h3>What moves it</h3>\n{tornado_chart}\n</section>"
    )
