"""A catalog metric's values as of a state of the warehouse, suppressed for publication.

``metric_values(con, metric_id, as_of=, by=)`` reads the metric's mart as of ``as_of``
(the scorecard's way: ``load_mart``), runs the catalog's definition over it in DuckDB
(``metric.sql``), by school year and at most one dimension, and applies small-cell
suppression. A claim's metric reads the stored scorecard instead and is never refitted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from pipelines.scorecard import read_claim_estimates
from pipelines.sql_text import quote_ident, read_sql
from pipelines.warehouse.marts import AsOf, MartFrame, load_mart
from reports.catalog import Catalog, Metric, load_catalog
from reports.suppression import suppress, suppress_estimates

#: ``read(metric_id, by=None)``: a catalog metric's published values (``metric_reader``).
MetricReader = Callable[..., "MetricValues"]
#: What a descriptive metric's evidence tier reads as: it estimates no effect.
DESCRIPTIVE = "descriptive (a count or rate, not an effect)"


@dataclass(frozen=True)
class MetricValues:
    """One metric's published values, with what a citation needs.

    ``frame`` has ``school_year``, the dimension's column when cut, ``value``,
    ``numerator``, ``n``, ``suppressed``, ``shown`` (the text to publish) and ``note``; a
    claim's has ``estimate``-style columns instead (see ``claim_values``).
    """

    metric: Metric
    frame: pd.DataFrame = field(repr=False)
    as_of: str | None
    as_of_batch_id: int | None
    by: str | None
    threshold: int
    evidence_tier: str

    def to_frame(self) -> pd.DataFrame:
        out = self.frame.copy()
        out.insert(0, "metric", self.metric.id)
        out["unit"] = self.metric.unit
        out["as_of_batch"] = self.as_of_batch_id
        out["evidence_tier"] = self.evidence_tier
        out["definition"] = self.metric.definition
        out["source"] = self.metric.source
        return out

    def sentence(self) -> str:
        """A sentence a grant writer can paste, of the latest school year's value."""
        if self.frame.empty:
            return f"{self.metric.title}: no data as of this state of the warehouse."
        if self.metric.claim_id:
            return _claim_sentence(self)
        latest = self.frame[self.frame["school_year"] == self.frame["school_year"].max()]
        year = int(latest["school_year"].iloc[0])
        parts = []
        for row in latest.itertuples():
            label = f"{getattr(row, self.by)}: " if self.by else ""
            n = "" if pd.isna(row.n) else f" (n = {int(row.n):,})"
            unit = (
                f" {self.metric.unit}"
                if self.metric.kind in ("count", "sum", "max", "mean") and not row.suppressed
                else ""
            )
            parts.append(f"{label}{row.shown}{unit}{n}")
        return (
            f"{self.metric.title}, school year {year - 1}-{str(year)[2:]}: "
            + "; ".join(parts)
            + f". {self.metric.definition} Source: {self.metric.source}"
            + (f", as of batch {self.as_of_batch_id}" if self.as_of_batch_id else "")
            + (f"; counts below {self.threshold} suppressed." if self.metric.people else ".")
        )


def metric_values(
    con: duckdb.DuckDBPyConnection,
    metric_id: str,
    *,
    as_of: AsOf = None,
    by: str | None = None,
    threshold: int | None = None,
    catalog: Catalog | None = None,
) -> MetricValues:
    """The metric ``metric_id`` by school year (and ``by``), suppressed for publication.

    Raises ``LookupError`` naming the closest metric or dimension for an unknown one. For
    many metrics of one state of the warehouse, ``metric_reader`` reads each source once.
    """
    with SharedReads() as shared:
        return _metric_values(con, metric_id, shared, as_of, by, threshold, catalog)


@dataclass
class SharedReads:
    """What the calls of one ``metric_reader`` share: each mart read once, the stored
    scorecard read once, and one local database the metrics' queries run in (opening one
    costs about 25 ms, as much as the query itself)."""

    marts: dict[str, MartFrame] = field(default_factory=dict)
    claims: pd.DataFrame | None = None
    local: duckdb.DuckDBPyConnection = field(default_factory=duckdb.connect)

    def __enter__(self) -> SharedReads:
        return self

    def __exit__(self, *_) -> None:
        self.local.close()

    def mart(self, con: duckdb.DuckDBPyConnection, name: str, as_of: AsOf) -> MartFrame:
        if name not in self.marts:
            self.marts[name] = load_mart(con, name, as_of=as_of)
            self.local.register(f"mart_{name}", self.marts[name].frame)
        return self.marts[name]

    def claim_estimates(self, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        if self.claims is None:
            self.claims = read_claim_estimates(con)
        return self.claims


def metric_reader(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: AsOf = None,
    threshold: int | None = None,
    catalog: Catalog | None = None,
) -> MetricReader:
    """``metric_values`` bound to one state of the warehouse, reading each mart and the
    stored scorecard once: for a report that publishes many metrics over the same few
    marts. Call it as ``read(metric_id, by=None)``. Its local database closes when the
    reader is garbage-collected."""
    catalog = catalog or load_catalog()
    shared = SharedReads()

    def read(metric_id: str, by: str | None = None) -> MetricValues:
        return _metric_values(con, metric_id, shared, as_of, by, threshold, catalog)

    return read


def _metric_values(
    con: duckdb.DuckDBPyConnection,
    metric_id: str,
    shared: SharedReads,
    as_of: AsOf,
    by: str | None,
    threshold: int | None,
    catalog: Catalog | None,
) -> MetricValues:
    catalog = catalog or load_catalog()
    metric = catalog.metric(metric_id)
    threshold = threshold or catalog.suppression_threshold
    if metric.claim_id:
        if by:
            raise LookupError(f"metric {metric.id} cannot be cut by any dimension")
        return claim_values(con, metric, threshold=threshold, claims=shared.claim_estimates(con))
    column = catalog.dimension(metric, by) if by else None
    mart = shared.mart(con, metric.mart, as_of)
    frame = _query(shared.local, f"mart_{metric.mart}", metric, by, column)
    suppressed = suppress(frame, threshold=threshold, people=metric.people, kind=metric.kind, by=by)
    return MetricValues(
        metric=metric,
        frame=suppressed,
        as_of=None if as_of is None else str(as_of),
        as_of_batch_id=mart.last_batch_id,
        by=by,
        threshold=threshold,
        evidence_tier=DESCRIPTIVE,
    )


def claim_values(
    con: duckdb.DuckDBPyConnection,
    metric: Metric,
    *,
    threshold: int,
    claims: pd.DataFrame | None = None,
) -> MetricValues:
    """A claim's stored estimate, interval, n, verdict and tier from the newest scorecard
    (``claims``: the stored estimates already read, when the caller has them)."""
    claims = read_claim_estimates(con) if claims is None else claims
    if claims.empty:
        raise LookupError("no scorecard is stored; run `outcomes claims` first")
    row = claims[claims["claim_id"] == metric.claim_id]
    if row.empty:
        raise LookupError(
            f"the stored scorecard has no claim {metric.claim_id}; run `outcomes claims` again"
        )
    record = row.iloc[0]
    frame = pd.DataFrame(
        [
            {
                "estimate": record["estimate"],
                "ci_lower": record["ci_lower"],
                "ci_upper": record["ci_upper"],
                "n": record["n"],
                "claimed": record["claimed"],
                "verdict": record["verdict"],
                "verdict_reason": record["verdict_reason"],
                "method": record["method"],
                "quote": record["quote"],
                "scorecard_run": record["run_id"],
            }
        ]
    )
    # An estimate resting on fewer cases than the threshold is not published.
    frame = suppress_estimates(frame, threshold=threshold, group=None)
    return MetricValues(
        metric=metric,
        frame=frame,
        as_of=None if pd.isna(record["as_of"]) else str(record["as_of"]),
        as_of_batch_id=None if pd.isna(record["as_of_batch_id"]) else int(record["as_of_batch_id"]),
        by=None,
        threshold=threshold,
        evidence_tier=_claim_tier(record),
    )


def _claim_tier(record: pd.Series) -> str:
    """The ESSA tier and the WWC rating the design can earn; none without an estimate."""
    if pd.isna(record["estimate"]):
        return "none yet (the data give no estimate)"
    tier = record["evidence_tier"]
    essa = "no ESSA tier" if pd.isna(tier) else f"ESSA tier {int(tier)}"
    return f"{essa}; WWC: {record['wwc_rating']}"


def _query(
    local: duckdb.DuckDBPyConnection,
    rows: str,
    metric: Metric,
    by: str | None,
    column: str | None,
) -> pd.DataFrame:
    counts = quote_ident(metric.counts)
    parts: dict[str, Any] = {
        "rows": quote_ident(rows),
        "where": metric.where,
        "dimension_select": "",
        "order": "school_year",
        "numerator": "NULL::DOUBLE",
        "n": f"count(DISTINCT {counts})",
    }
    if column:
        parts["dimension_select"] = (
            f",\n    coalesce({quote_ident(column)}::VARCHAR, 'unknown') AS {quote_ident(by)}"
        )
        # Published as text, ordered as the values are: month 2 before month 10.
        parts["order"] = f"school_year, min({quote_ident(column)}) NULLS LAST, {quote_ident(by)}"
    if metric.kind == "count":
        parts["value"] = f"count(DISTINCT {counts})::DOUBLE"
    elif metric.kind == "share":
        hit = f"count(DISTINCT CASE WHEN ({metric.numerator}) THEN {counts} END)"
        parts["numerator"] = f"{hit}::DOUBLE"
        parts["value"] = f"{hit} / count(DISTINCT {counts})"
    elif metric.kind == "mean":
        parts["value"] = f"avg({quote_ident(metric.value)})"
    elif metric.kind == "sum":
        parts["value"] = f"sum({quote_ident(metric.value)})"
        if metric.n_from:
            parts["n"] = f"sum({quote_ident(metric.n_from)})"
    elif metric.kind == "max":
        parts["value"] = f"max({quote_ident(metric.value)})"
        if metric.n_from:
            parts["n"] = f"max({quote_ident(metric.n_from)})"
    else:  # ratio_of_sums
        parts["value"] = f"sum({quote_ident(metric.value)}) / sum({quote_ident(metric.per)})"
    return local.execute(read_sql(__package__, "metric.sql").format(**parts)).df()


def _claim_sentence(values: MetricValues) -> str:
    row = values.frame.iloc[0]
    if row["suppressed"]:
        finding = (
            f"the district's data rest on fewer than {values.threshold} cases, too few to "
            "publish a number"
        )
    elif pd.isna(row["estimate"]):
        finding = f"the district's data cannot yet test it ({row['verdict_reason']})"
    else:
        interval = (
            ""
            if pd.isna(row["ci_lower"])
            else f", 95% interval {row['ci_lower']:.3g} to {row['ci_upper']:.3g}"
        )
        finding = (
            f"the district's data show {row['estimate']:.3g}{interval}, n = {int(row['n']):,}: "
            f"{row['verdict'].replace('_', ' ')} ({row['verdict_reason']})"
        )
    return (
        f'{values.metric.title}. The program\'s documents state: "{row["quote"]}"; '
        f"{finding}. Method: {row['method']}. Evidence: {values.evidence_tier}. Source: "
        f"scorecard run {row['scorecard_run']}"
        + (f", as of batch {values.as_of_batch_id}" if values.as_of_batch_id else "")
        + "."
    )
