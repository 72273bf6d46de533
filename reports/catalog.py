"""The metrics catalog (``reports/metrics.yaml``): one definition per published number.

``load_catalog()`` reads and checks the catalog and adds one ``claim.<id>`` metric for
every claim of the registry, so the board report, the grant metrics and the notebooks
all look numbers up here. ``Catalog.metric(id)`` and ``Catalog.dimension(name)`` refuse an
unknown name with the closest ones the catalog has.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

#: How a metric aggregates its mart's rows.
KINDS = ("count", "share", "mean", "sum", "max", "ratio_of_sums", "claim")
#: A claim's metric id starts with this.
CLAIM_PREFIX = "claim."

_METRIC_KEYS = {
    "id",
    "title",
    "definition",
    "kind",
    "unit",
    "mart",
    "counts",
    "where",
    "numerator",
    "value",
    "per",
    "n_from",
    "people",
    "dimensions",
}
_NEEDS = {
    "count": ("counts", "where"),
    "share": ("counts", "where", "numerator"),
    "mean": ("counts", "where", "value"),
    "sum": ("counts", "where", "value"),
    "max": ("counts", "where", "value"),
    "ratio_of_sums": ("counts", "where", "value", "per"),
}


@dataclass(frozen=True)
class Dimension:
    name: str
    label: str
    description: str


@dataclass(frozen=True)
class Metric:
    """One published number: what it counts, over which mart, cut by which dimensions."""

    id: str
    title: str
    definition: str
    kind: str
    unit: str
    mart: str | None
    people: bool
    dimensions: Mapping[str, str] = field(default_factory=dict, hash=False)
    counts: str | None = None
    where: str | None = None
    numerator: str | None = None
    value: str | None = None
    per: str | None = None
    n_from: str | None = None
    claim_id: str | None = None

    @property
    def source(self) -> str:
        if self.claim_id:
            return f"results.claim_estimates (claim {self.claim_id}, models/claims.yaml)"
        return f"mart.{self.mart}"


@dataclass(frozen=True)
class Catalog:
    metrics: tuple[Metric, ...]
    dimensions: Mapping[str, Dimension] = field(hash=False)
    suppression_threshold: int

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.metrics)

    def metric(self, metric_id: str) -> Metric:
        for metric in self.metrics:
            if metric.id == metric_id:
                return metric
        raise LookupError(
            f"no metric {metric_id!r}{_closest(metric_id, self.ids)}; "
            "`outcomes metrics list` names them all"
        )

    def dimension(self, metric: Metric, name: str) -> str:
        """The column of ``metric``'s mart that dimension ``name`` means."""
        if name in metric.dimensions:
            return metric.dimensions[name]
        allowed = tuple(metric.dimensions)
        if not allowed:
            raise LookupError(f"metric {metric.id} cannot be cut by any dimension")
        known = "" if name in self.dimensions else _closest(name, allowed)
        raise LookupError(
            f"metric {metric.id} cannot be cut by {name!r}{known}; it can be cut by "
            f"{', '.join(allowed)}"
        )


def catalog_text() -> str:
    return resources.files("reports").joinpath("metrics.yaml").read_text(encoding="utf-8")


def load_catalog(*, claims: tuple[tuple[str, str, str], ...] | None = None) -> Catalog:
    """The shipped catalog, checked, with a ``claim.<id>`` metric per registry claim.

    ``claims`` (id, title, metric definition) default to the registry's.
    """
    if claims is None:
        from models.scorecard import load_registry

        claims = tuple((c.id, c.title, c.metric.definition) for c in load_registry().claims)
    return parse_catalog(yaml.load(catalog_text(), Loader=yaml.CSafeLoader), claims=claims)


def parse_catalog(data: Any, *, claims: tuple[tuple[str, str, str], ...] = ()) -> Catalog:
    """Check a catalog mapping; one ``ValueError`` naming the metric and the key."""
    if not isinstance(data, Mapping) or not isinstance(data.get("metrics"), list):
        raise ValueError("catalog: expected suppression_threshold, dimensions and metrics")
    threshold = data.get("suppression_threshold", 11)
    if not isinstance(threshold, int) or threshold < 1:
        raise ValueError("suppression_threshold: give a whole number of at least 1")
    dimensions = {
        str(name): Dimension(str(name), str(d.get("label", name)), str(d.get("description", "")))
        for name, d in (data.get("dimensions") or {}).items()
    }
    metrics = [_metric(entry, dimensions) for entry in data["metrics"]]
    for claim_id, title, definition in claims:
        metrics.append(
            Metric(
                id=CLAIM_PREFIX + claim_id,
                title=title,
                definition=" ".join(str(definition).split()),
                kind="claim",
                unit="as the claim states it",
                mart=None,
                people=False,
                claim_id=claim_id,
            )
        )
    ids = [m.id for m in metrics]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ValueError(f"metric {duplicated[0]}: defined twice; one definition per metric")
    return Catalog(tuple(metrics), dimensions, threshold)


def _metric(entry: Any, dimensions: Mapping[str, Dimension]) -> Metric:
    if not isinstance(entry, Mapping) or not entry.get("id"):
        raise ValueError("metrics: every entry needs an id")
    where = f"metric {entry['id']}"
    unknown = sorted(set(entry) - _METRIC_KEYS)
    if unknown:
        raise ValueError(
            f"{where}: unknown key {unknown[0]!r}; the keys are {sorted(_METRIC_KEYS)}"
        )
    kind = entry.get("kind")
    if kind not in _NEEDS:
        raise ValueError(f"{where}: kind must be one of {', '.join(_NEEDS)}")
    for key in ("title", "definition", "unit", "mart", *_NEEDS[kind]):
        if not entry.get(key):
            raise ValueError(f"{where}: {key} is required for a {kind}")
    if not isinstance(entry.get("people"), bool):
        raise ValueError(f"{where}: people must be true or false (is it a count of people?)")
    cuts = entry.get("dimensions") or {}
    for name in cuts:
        if name not in dimensions:
            raise ValueError(f"{where}: dimension {name!r} is not in the catalog's dimensions")
    return Metric(
        id=str(entry["id"]),
        title=str(entry["title"]),
        definition=" ".join(str(entry["definition"]).split()),
        kind=kind,
        unit=str(entry["unit"]),
        mart=str(entry["mart"]),
        people=entry["people"],
        dimensions={str(k): str(v) for k, v in cuts.items()},
        counts=entry.get("counts"),
        where=entry.get("where"),
        numerator=entry.get("numerator"),
        value=entry.get("value"),
        per=entry.get("per"),
        n_from=entry.get("n_from"),
    )


def _closest(name: str, known: tuple[str, ...]) -> str:
    matches = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    return f" (closest: {', '.join(matches)})" if matches else ""
