"""Every claim against the district's data: a forest plot of the claims stated as ratios,
each estimate's 95% interval beside the documents' value, and a table of all claims with
their verdicts in words."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from reports.board_sections.charts import PALETTE, Charts, html_table


def claims_section(claims: pd.DataFrame, charts: Charts, verdict_words: Mapping[str, str]) -> str:
    """The section, from the published (suppressed) scorecard."""
    ratios = claims[
        claims["kind"].isin(["ratio", "time_ratio"])
        & claims["estimate"].notna()
        & claims["ci_lower"].notna()
        & (claims["estimate"] > 0)
    ].reset_index(drop=True)
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=ratios["estimate"],
            y=ratios["title"],
            mode="markers",
            name="the district's estimate (95% interval)",
            marker={"color": PALETTE[4], "size": 9, "symbol": "circle"},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": ratios["ci_upper"] - ratios["estimate"],
                "arrayminus": ratios["estimate"] - ratios["ci_lower"],
                "color": PALETTE[4],
            },
        )
    )
    figure.add_trace(
        go.Scatter(
            x=ratios["claimed"],
            y=ratios["title"],
            mode="markers",
            name="what the documents claim",
            marker={
                "color": PALETTE[5],
                "size": 11,
                "symbol": "diamond-open",
                "line": {"width": 2},
            },
        )
    )
    figure.add_vline(x=1, line_dash="dash", line_color="#555")
    figure.update_xaxes(type="log", title="ratio (1 = no difference; log scale)")
    figure.update_layout(
        height=max(360, 42 * len(ratios) + 120), legend={"orientation": "h", "y": -0.2}
    )
    chart = charts.html(
        figure,
        alt=(
            "Forest plot: for each claim stated as a ratio, the district's estimate with its "
            "95% interval beside the documents' claimed value."
        ),
        table=ratios[["title", "claimed", "estimate", "ci_lower", "ci_upper", "n", "verdict"]],
        shows=(
            "Where a claim's diamond lies outside the blue interval, the district's data do not "
            "bear out the number the documents give; an interval crossing the dashed line "
            "cannot tell the effect from none."
        ),
        ask=[
            "Which claims would change a decision if they were half as large?",
            "Where the interval is wide, how many more students or teachers would settle it?",
        ],
    )
    table = claims[
        ["title", "claimed", "estimate", "ci_lower", "ci_upper", "n", "verdict", "design", "note"]
    ].copy()
    table["verdict"] = table["verdict"].map(lambda v: verdict_words.get(v, v))
    return (
        '<section aria-labelledby="claims">\n'
        '<h2 id="claims">Every claim against the district\'s data</h2>\n'
        "<p>Each claim of the program's documents, tested on the district's own records "
        "(the rules for each verdict are in the methods section).</p>\n"
        f"{chart}\n<h3>All claims</h3>\n{html_table(table)}\n</section>"
    )
