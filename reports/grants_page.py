"""The grant writers' page: every catalog metric and every claim's finding as a sentence to
paste, with its number, n, as-of state, evidence tier and source; one offline HTML file.

Sentences come from ``reports.metric_values`` (the catalog's definitions, suppression
applied; the claims from the stored scorecard), so the page can say no more than the
evidence: an inconclusive claim reads as inconclusive.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from importlib import resources
from string import Template

import duckdb

from pipelines.warehouse.marts import AsOf
from reports.catalog import Catalog, load_catalog
from reports.metric_values import MetricValues, metric_reader


@dataclass(frozen=True)
class GrantsPage:
    html: str
    metrics: int
    claims: int
    as_of_batch_id: int | None


def grants_page(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: AsOf = None,
    threshold: int | None = None,
    catalog: Catalog | None = None,
) -> GrantsPage:
    """Build the page; ``LookupError`` when no scorecard is stored (run the claims first)."""
    catalog = catalog or load_catalog()
    read = metric_reader(con, as_of=as_of, threshold=threshold, catalog=catalog)
    values = []
    missing = []
    for metric in catalog.metrics:
        try:
            values.append(read(metric.id))
        except LookupError as error:
            # A scorecard run of some claims only: the page says which it lacks.
            if metric.claim_id and "has no claim" in str(error):
                missing.append(metric)
                continue
            raise
    batches = [v.as_of_batch_id for v in values if v.as_of_batch_id is not None]
    batch = max(batches) if batches else None
    sections = "\n".join(_section(index, value) for index, value in enumerate(values))
    if missing:
        sections += "\n" + _missing_section(missing)
    claims = sum(1 for v in values if v.metric.claim_id)
    subtitle = (
        f"{len(values) - claims} metrics and {claims} claims, "
        + (f"as of batch {batch}" if batch else "as of the newest data")
        + f"; counts of fewer than {values[0].threshold if values else 11} people suppressed. "
        "Each sentence carries its number, n, definition and source."
    )
    text = Template(_template()).substitute(
        title="AI Studio Teams: metrics and findings for grant applications",
        subtitle=html.escape(subtitle),
        sections=sections,
    )
    return GrantsPage(text, len(values) - claims, claims, batch)


def _section(index: int, values: MetricValues) -> str:
    metric = values.metric
    anchor = f"s{index}"
    return (
        f'<section id="{html.escape(_slug(metric.id))}">\n'
        f'<h2>{html.escape(metric.title)} <span class="id">{html.escape(metric.id)}</span></h2>\n'
        f'<p class="sentence" id="{anchor}">{html.escape(values.sentence())}</p>\n'
        f'<p class="tier">Evidence: {html.escape(values.evidence_tier)}. '
        f'<button type="button" data-copy="{anchor}">Copy sentence</button></p>\n'
        "</section>"
    )


def _missing_section(missing) -> str:
    names = ", ".join(html.escape(m.claim_id) for m in missing)
    return (
        '<section id="not-scored">\n<h2>Claims not in the stored scorecard</h2>\n'
        f"<p>{names}: the newest scorecard run did not score them; run "
        "<code>outcomes claims</code> to score every claim.</p>\n</section>"
    )


def _template() -> str:
    return (
        resources.files("reports").joinpath("templates", "grants.html").read_text(encoding="utf-8")
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
