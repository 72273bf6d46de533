"""Employer panels and certificates: the share of portfolios at the panels' standard and
how far reviewers agree (the scorecard's stored claims), and the AI-Ready Certificates
awarded each school year (catalog metrics)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from reports.board_sections.charts import PALETTE, SYMBOLS, Charts, section
from reports.metric_values import MetricReader, MetricValues
from reports.suppression import suppress_estimates

#: The stored claims about the panels, with what each dot means.
PANEL_CLAIMS = (
    ("portfolios_at_standard", "portfolios at the 7.0 standard (reviewer severity removed)"),
    ("panel_reliability", "agreement between reviewers (Krippendorff's alpha)"),
)
#: Krippendorff's conventions for alpha: below 0.667 unreliable, 0.8 and above reliable.
RELIABLE, TENTATIVE = 0.8, 0.667


@dataclass(frozen=True)
class Panels:
    claims: pd.DataFrame
    awarded: MetricValues
    rate: MetricValues


def read_panels(values: MetricReader, claims: pd.DataFrame, *, threshold: int) -> Panels:
    return Panels(
        panel_claims(claims, threshold=threshold),
        values("certificates_awarded"),
        values("certificate_rate"),
    )


def panel_claims(claims: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """One row per panel claim, stored or not: ``claim_id, label, estimate, ci_lower,
    ci_upper, n, verdict, suppressed, note`` (an estimate over too few is suppressed)."""
    labels = dict(PANEL_CLAIMS)
    stored = claims[claims["claim_id"].isin(labels)] if len(claims) else claims
    rows = pd.DataFrame({"claim_id": list(labels), "label": list(labels.values())})
    columns = ["claim_id", "estimate", "ci_lower", "ci_upper", "n", "verdict"]
    rows = rows.merge(stored[columns] if len(stored) else pd.DataFrame(columns=columns), how="left")
    rows["n"] = rows["n"].astype("Float64")
    out = suppress_estimates(rows, threshold=threshold, group=None)
    out.loc[out["verdict"].isna(), "note"] = "not in the stored scorecard: run `outcomes claims`"
    return out


def panels_section(panels: Panels, charts: Charts) -> str:
    return section(
        "panels",
        "Employer panels and certificates",
        "<p>Employer reviewers score each student's portfolio every quarter; the AI-Ready "
        "Certificate goes to members who complete the year at the panels' standard.</p>\n"
        f"<h3>Portfolios at the standard, and whether reviewers agree</h3>\n"
        f"{_panel_chart(panels.claims, charts)}\n"
        f"<h3>Certificates awarded</h3>\n{_certificate_chart(panels, charts)}",
    )


def _panel_chart(rows: pd.DataFrame, charts: Charts) -> str:
    figure = go.Figure()
    for index, row in enumerate(rows.itertuples()):
        if pd.isna(row.estimate):
            continue
        color = PALETTE[(index * 2 + 4) % len(PALETTE)]
        lower = row.ci_lower if not pd.isna(row.ci_lower) else row.estimate
        upper = row.ci_upper if not pd.isna(row.ci_upper) else row.estimate
        figure.add_trace(
            go.Scatter(
                x=[float(row.estimate)],
                y=[f"{row.label} (n = {int(row.n):,})"],
                mode="markers",
                name=row.label,
                marker={"color": color, "size": 11, "symbol": SYMBOLS[index]},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [float(upper - row.estimate)],
                    "arrayminus": [float(row.estimate - lower)],
                    "color": color,
                },
            )
        )
    for x, words, dash, side in (
        (TENTATIVE, "0.667", "dot", "top left"),
        (RELIABLE, "0.8", "dash", "top right"),
    ):
        figure.add_vline(
            x=x,
            line_dash=dash,
            line_color="#555",
            annotation_text=f"alpha {words}",
            annotation_position=side,
        )
    figure.update_xaxes(range=[0, 1], title="share, or alpha (0 to 1)")
    figure.update_layout(height=300, showlegend=False)
    return charts.html(
        figure,
        alt=(
            "Dot chart with 95% intervals: the share of portfolios at the panels' 7.0 "
            "standard once each reviewer's severity is removed, and Krippendorff's alpha of "
            "the reviewers' scores, with lines at alpha 0.667 and 0.8; a claim not stored "
            "has no dot."
        ),
        table=rows[["label", "estimate", "ci_lower", "ci_upper", "n", "note"]],
        shows=(
            "How many portfolios reach the employers' standard, and whether reviewers agree "
            "enough (alpha of 0.8 or more) for a single panel's score to decide a certificate."
        ),
        ask=[
            "If reviewers agree less than 0.8, should a certificate rest on one panel's score?",
            "What would raise the share of portfolios at the standard?",
        ],
    )


def _certificate_chart(panels: Panels, charts: Charts) -> str:
    awarded = panels.awarded.frame
    rate = panels.rate.frame[["school_year", "shown", "n", "note"]].rename(
        columns={"shown": "share of members", "n": "members", "note": "note on the share"}
    )
    figure = go.Figure(
        go.Bar(
            x=awarded["school_year"].astype(str),
            y=awarded["value"].astype(float),
            text=awarded["shown"],
            textposition="outside",
            name="certificates awarded",
            marker={"color": PALETTE[3], "pattern": {"shape": "/"}},
        )
    )
    figure.update_layout(
        xaxis_title="school year (ending)", yaxis_title="certificates awarded", height=360
    )
    table = awarded[["school_year", "shown", "note"]].rename(
        columns={"shown": "certificates awarded"}
    )
    return charts.html(
        figure,
        alt=(
            "Bar chart: AI-Ready Certificates awarded each school year; a suppressed year has "
            "no bar."
        ),
        table=table.merge(rate, on="school_year", how="outer"),
        shows=(
            "How many team members earn the AI-Ready Certificate each year (the share of "
            "members is in the table)."
        ),
        ask=["Why do members who stay the full year miss the certificate?"],
    )
