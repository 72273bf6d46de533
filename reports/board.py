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

from pipelines.scorecard import read_claim_estimates
from pipelines.sql_text import read_sql
from pipelines.warehouse.marts import AsOf
from reports.board_sections.charts import Charts, html_table
from reports.board_sections.claims import claims_section
from reports.board_sections.equity import equity_section, read_equity
from reports.board_sections.learn import learn_section, read_learn
from reports.board_sections.panels import panels_section, read_panels
from reports.board_sections.roadmap import read_roadmap, roadmap_section
from reports.board_sections.roi import read_roi_tables, roi_section, ten_year_outlook
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
    roi = read_roi_tables(con)
    quality = con.execute(read_sql(__package__, "held_back.sql")).df()
    batch = members.as_of_batch_id
    charts = Charts()
    # A claim resting on fewer people than the threshold publishes no number (its row says
    # why); the sections above read their own claims with the same rule.
    published = suppress_estimates(claims, threshold=threshold, group=None)
    body = "\n".join(
        [
            _first_page(published, members, teams, certificates, roi),
            claims_section(published, charts, VERDICT_WORDS),
            roadmap_section(roadmap, charts, VERDICT_WORDS),
            equity_section(equity, charts),
            learn_section(learn, charts),
            subgroups_section(subgroups, charts, VERDICT_WORDS),
            panels_section(panels, charts),
            roi_section(roi, charts),
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
        f"<p>{html.escape(ten_year_outlook(roi))}</p>\n"
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
