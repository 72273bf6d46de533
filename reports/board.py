"""The school board's report: one self-contained HTML file a trustee reads in ten minutes.

It draws only what is stored: the scorecard (``results.claim_estimates``), the benefit-cost
run (``results.roi_*``), catalog metrics (suppressed as the catalog says) and the
warehouse's audit of held-back rows. Nothing is refitted. Each chart carries a text
alternative and its numbers in a table, one line on what it shows and the questions a
trustee might ask; colours come from the Okabe-Ito palette, which survives colour-blindness,
and every series also differs by marker or dash, which survives greyscale printing.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from importlib import resources
from string import Template

import duckdb
import pandas as pd
import plotly.graph_objects as go

from pipelines.roi import read_roi
from pipelines.scorecard import read_claim_estimates
from pipelines.sql_text import read_sql
from pipelines.warehouse.marts import AsOf
from reports.board_sections.charts import PALETTE, Charts, html_table, translucent
from reports.board_sections.equity import equity_section, read_equity
from reports.board_sections.learn import learn_section, read_learn
from reports.board_sections.panels import panels_section, read_panels
from reports.board_sections.roadmap import read_roadmap, roadmap_section
from reports.board_sections.subgroups import read_subgroups, subgroup_frame, subgroups_section
from reports.catalog import load_catalog
from reports.metric_values import metric_reader
from reports.suppression import suppress_estimates

#: Effect claims in the order the documents make them; the first page picks from these.
EFFECT_CLAIMS = (
    "female_retention_girls_only",
    "near_peer_knowledge_retention",
    "graduated_exposure_competency",
    "sandbox_confidence_gain",
    "champion_adoption_speed",
    "train_the_trainer_scale",
    "after_action_review_speedup",
    "early_failure_long_term_adoption",
    "teacher_retention_trained",
)
#: Verdicts that settle a claim one way or the other.
DECISIVE = ("consistent", "smaller_than_claimed", "larger_than_claimed", "not_supported")
VERDICT_WORDS = {
    "consistent": "consistent with the claim",
    "smaller_than_claimed": "real but smaller than claimed",
    "larger_than_claimed": "larger than claimed",
    "not_supported": "not supported",
    "inconclusive": "too few cases to tell",
    "no_data": "no data yet",
    "untestable": "cannot be tested with these data",
    "descriptive": "reported (no number claimed)",
    "target_met": "target met",
    "target_not_met": "target not met",
}


@dataclass(frozen=True)
class BoardReport:
    html: str
    charts: int
    claims: int
    as_of_batch_id: int | None


def board_report(
    con: duckdb.DuckDBPyConnection, *, as_of: AsOf = None, threshold: int | None = None
) -> BoardReport:
    """Build the report; ``LookupError`` when the scorecard is not stored (say what to run)."""
    claims = read_claim_estimates(con)
    if claims.empty:
        raise LookupError("no scorecard is stored; run `outcomes claims` first")
    catalog = load_catalog()
    threshold = threshold or catalog.suppression_threshold

    values = metric_reader(con, as_of=as_of, threshold=threshold, catalog=catalog)
    members = values("students_in_teams")
    certificates = values("certificate_rate")
    teams = values("studio_teams")
    roadmap = read_roadmap(values, claims, threshold=threshold)
    equity = read_equity(values)
    learn = read_learn(values)
    subgroups = subgroup_frame(claims, read_subgroups(con), threshold=threshold)
    panels = read_panels(values, claims, threshold=threshold)
    roi = {
        name: read_roi(con, name)
        for name in (
            "roi_probabilities",
            "roi_summary",
            "roi_fan",
            "roi_tornado",
            "roi_claimed_arithmetic",
        )
    }
    quality = con.execute(read_sql(__package__, "held_back.sql")).df()
    batch = members.as_of_batch_id
    charts = Charts()
    # A claim resting on fewer people than the threshold publishes no number (its row says
    # why); the sections above read their own claims with the same rule.
    published = suppress_estimates(claims, threshold=threshold, group=None)
    body = "\n".join(
        [
            _first_page(published, members, teams, certificates, roi),
            _claims_section(published, charts),
            roadmap_section(roadmap, charts, VERDICT_WORDS),
            equity_section(equity, charts),
            learn_section(learn, charts),
            subgroups_section(subgroups, charts, VERDICT_WORDS),
            panels_section(panels, charts),
            _roi_section(roi, charts),
            _quality_section(quality),
            _methods_section(threshold),
        ]
    )
    subtitle = (
        f"AI Studio Teams: what the district's own data show, as of batch {batch}. "
        f"Scorecard run {claims['run_id'].iloc[0]}; every number carries its n; counts of "
        f"1 to {threshold - 1} students are suppressed."
    )
    text = Template(_template()).substitute(
        title="AI Studio Teams: report to the board",
        subtitle=html.escape(subtitle),
        body=body,
    )
    return BoardReport(text, charts.count, len(claims), batch)


def _first_page(claims, members, teams, certificates, roi) -> str:
    latest_members = _latest(members)
    latest_teams = _latest(teams)
    latest_certificates = _latest(certificates)
    year = int(members.frame["school_year"].max()) if not members.frame.empty else None
    stand = (
        f"In {year - 1}-{str(year)[2:]}, {latest_members} students took part in "
        f"{latest_teams} studio teams; {latest_certificates} of them earned the AI-Ready "
        "Certificate."
        if year
        else "No students are recorded in studio teams yet."
    )
    findings = "".join(f"<li>{html.escape(s)}</li>" for s in _findings(claims))
    return (
        '<section class="first-page" aria-labelledby="first">\n'
        '<h2 id="first">Where the program stands</h2>\n'
        f"<p>{html.escape(stand)}</p>\n"
        "<h3>The three findings that matter most</h3>\n"
        f"<ul>{findings}</ul>\n"
        "<h3>The ten-year outlook</h3>\n"
        f"<p>{html.escape(_outlook(roi))}</p>\n"
        "</section>"
    )


def _findings(claims: pd.DataFrame) -> list[str]:
    effects = claims[claims["claim_id"].isin(EFFECT_CLAIMS) & claims["estimate"].notna()].copy()
    effects["order"] = effects["claim_id"].map(EFFECT_CLAIMS.index)
    effects["decisive"] = effects["verdict"].isin(DECISIVE)
    chosen = effects.sort_values(["decisive", "order"], ascending=[False, True]).head(3)
    return [
        f"{row.title}: the documents claim {_claimed(row)}; the district's data show "
        f"{row.estimate:.3g}{_interval(row)} (n = {int(row.n):,}): "
        f"{VERDICT_WORDS.get(row.verdict, row.verdict)}."
        for row in chosen.itertuples()
    ] or ["No effect claim has an estimate yet."]


def _outlook(roi: dict[str, pd.DataFrame]) -> str:
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


def _claims_section(claims: pd.DataFrame, charts: Charts) -> str:
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
    table["verdict"] = table["verdict"].map(lambda v: VERDICT_WORDS.get(v, v))
    return (
        '<section aria-labelledby="claims">\n'
        '<h2 id="claims">Every claim against the district\'s data</h2>\n'
        "<p>Each claim of the program's documents, tested on the district's own records "
        "(the rules for each verdict are in the methods section).</p>\n"
        f"{chart}\n<h3>All claims</h3>\n{html_table(table)}\n</section>"
    )


def _roi_section(roi: dict[str, pd.DataFrame], charts: Charts) -> str:
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


def _quality_section(quality: pd.DataFrame) -> str:
    body = html_table(quality) if not quality.empty else "<p>No row was held back.</p>"
    return (
        '<section aria-labelledby="quality">\n'
        '<h2 id="quality">Data quality: what was held back and why</h2>\n'
        "<p>Rows that failed a check were kept aside with their reasons, never dropped; the "
        "district's data coordinator can correct and reload them.</p>\n"
        f"{body}\n</section>"
    )


def _methods_section(threshold: int) -> str:
    text = (
        "Each claim is tested with the estimator named in the claims registry, on the "
        "district's records as of the batch shown, beside a naive comparison. A verdict says "
        "whether the 95% interval agrees with the claimed value, lies short of it, excludes any "
        "effect, or is too wide to tell; 'too few cases to tell' is not evidence against a claim. "
        "Students choose to join teams, so most comparisons are adjusted but not randomized: "
        "they earn ESSA tier 3 at best, and unmeasured differences between joiners and others "
        "may remain. The ten-year projection is a Monte Carlo over every uncertain input, each "
        "with its source; assumed inputs are marked in the stored results. Counts of 1 to "
        f"{threshold - 1} students are suppressed (none is shown as 0), with a second cell "
        "where one alone could be worked out; so is an estimate for an attendance tier or a "
        "milestone resting on fewer. "
        "The LEARN chart shows the observed shares of educators' end-of-term assessments at "
        "each level; the ordinal (proportional-odds) model of how educators progress from "
        "emerging to integrating is fitted in the notebooks, not by this report, and the "
        "scorecard stores no result of it yet. Attendance tiers are not randomized: an effect "
        "that grows with attendance is consistent with the program working when students come, "
        "but students who attend more may differ in other ways."
    )
    return (
        '<section aria-labelledby="methods">\n<h2 id="methods">Methods and limitations</h2>\n'
        f"<p>{html.escape(text)}</p>\n</section>"
    )


def _latest(values) -> str:
    frame = values.frame
    if frame.empty:
        return "no"
    row = frame[frame["school_year"] == frame["school_year"].max()].iloc[0]
    return str(row["shown"])


def _claimed(row) -> str:
    if row.kind in ("ratio", "time_ratio"):
        return f"{row.claimed:g}x"
    if row.kind == "difference":
        return f"a difference of {row.claimed:+g}"
    return f"{row.claimed:g}"


def _interval(row) -> str:
    if row.ci_lower is None or (isinstance(row.ci_lower, float) and math.isnan(row.ci_lower)):
        return ""
    return f" (95% interval {row.ci_lower:.3g} to {row.ci_upper:.3g})"


def _template() -> str:
    return (
        resources.files("reports").joinpath("templates", "board.html").read_text(encoding="utf-8")
    )
