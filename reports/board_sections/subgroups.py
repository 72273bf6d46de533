"""Where it works and for whom: each effect claim re-estimated within the attendance tiers
the scorecard stores (``results.claim_dose_response``), beside the claim's estimate over
all members. A tier resting on too few members is suppressed."""

from __future__ import annotations

import duckdb
import pandas as pd
import plotly.graph_objects as go

from pipelines.scorecard import read_dose_response
from reports.board_sections.charts import PALETTE, SYMBOLS, Charts, section
from reports.suppression import suppress_estimates

#: The rows of each claim, top to bottom: the claim over everyone, then each tier.
TIERS = ("all members", "low", "moderate", "high")


def read_subgroups(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return read_dose_response(con)


def subgroup_frame(claims: pd.DataFrame, tiers: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """Each dose-response claim's overall estimate and its tiers', suppressed for
    publication: ``claim_id, title, claimed, tier, estimate, ci_lower, ci_upper, n,
    verdict, suppressed, note``."""
    if tiers.empty:
        return pd.DataFrame(
            columns=[
                "claim_id",
                "title",
                "claimed",
                "tier",
                "estimate",
                "ci_lower",
                "ci_upper",
                "n",
                "verdict",
                "suppressed",
                "note",
            ]
        )
    about = claims[claims["claim_id"].isin(tiers["claim_id"])]
    overall = about[["claim_id", "estimate", "ci_lower", "ci_upper", "n", "verdict"]].assign(
        tier="all members"
    )
    rows = pd.concat(
        [overall, tiers[["claim_id", "tier", "estimate", "ci_lower", "ci_upper", "n", "verdict"]]],
        ignore_index=True,
    )
    rows = rows.merge(about[["claim_id", "title", "claimed"]], on="claim_id")
    overall = rows["tier"] == "all members"
    published = pd.concat(
        [
            suppress_estimates(rows[overall], threshold=threshold, group=None),
            suppress_estimates(rows[~overall], threshold=threshold, group="claim_id"),
        ]
    )
    published["order"] = published["tier"].map(TIERS.index)
    return published.sort_values(["claim_id", "order"]).drop(columns="order").reset_index(drop=True)


def subgroups_section(frame: pd.DataFrame, charts: Charts, verdict_words: dict[str, str]) -> str:
    if frame.empty:
        return section(
            "subgroups",
            "Where it works and for whom",
            "<p>No attendance tiers are stored: run <code>outcomes claims</code> to score the "
            "effect claims that have them.</p>",
        )
    figure = go.Figure()
    for index, tier in enumerate(TIERS):
        rows = frame[(frame["tier"] == tier) & frame["estimate"].notna() & (frame["estimate"] > 0)]
        rows = rows.astype({"estimate": float, "ci_lower": float, "ci_upper": float})
        color = PALETTE[(index + 4) % len(PALETTE)] if index else PALETTE[0]
        figure.add_trace(
            go.Scatter(
                x=rows["estimate"],
                y=[rows["title"].tolist(), [f"{tier} (n = {int(n):,})" for n in rows["n"]]],
                mode="markers",
                name=tier if index == 0 else f"{tier} attendance",
                marker={"color": color, "size": 9, "symbol": SYMBOLS[index]},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": (rows["ci_upper"] - rows["estimate"]).fillna(0),
                    "arrayminus": (rows["estimate"] - rows["ci_lower"]).fillna(0),
                    "color": color,
                },
            )
        )
    figure.add_vline(x=1, line_dash="dash", line_color="#555")
    figure.update_xaxes(type="log", title="ratio (1 = no difference; log scale)")
    figure.update_yaxes(autorange="reversed")
    figure.update_layout(
        height=max(380, 30 * len(frame) + 140), legend={"orientation": "h", "y": -0.2}
    )
    table = frame[["title", "tier", "claimed", "estimate", "ci_lower", "ci_upper", "n"]].copy()
    words = frame["verdict"].map(lambda v: verdict_words.get(v, v))
    table["verdict"] = words.where(~frame["suppressed"].astype(bool), "")
    table["note"] = frame["note"]
    chart = charts.html(
        figure,
        alt=(
            "Dot chart with 95% intervals: for each effect claim with attendance tiers, the "
            "estimate over all members and within low, moderate and high attendance; "
            "suppressed tiers have no dot."
        ),
        table=table,
        shows=(
            "Whether an effect grows with the sessions students attend (it works when they "
            "come) or appears whatever the attendance (which points to who joins, not to the "
            "program)."
        ),
        ask=[
            "If the effect lives only in the high-attendance tier, how could more students "
            "attend that often?",
            "Which groups the tiers cannot speak for, because too few of them attended?",
        ],
    )
    return section(
        "subgroups",
        "Where it works and for whom",
        "<p>Each effect claim the registry re-estimates by attendance (sessions attended: low,"
        " moderate, high), from the stored scorecard. Tiers are not randomized: students who "
        "attend more may differ in other ways.</p>\n"
        f"{chart}",
    )
