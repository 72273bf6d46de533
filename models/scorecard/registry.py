"""The claims registry (``models/claims.yaml``) read into frozen dataclasses and checked.

A registry is data: a claim says what is promised, about whom, against what, how it is
measured and by which estimator. ``parse_registry`` checks every entry and fails with one
``ValueError`` naming the claim and the field; ``load_registry`` reads the file shipped
with the package (or another of the same shape).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

DOCUMENTS = {
    "grant_narrative": "Innovation narrative (grant request)",
    "solution": "Solution summary",
    "roadmap": "Implementation roadmap",
    "competency_framework": "Educator competency case study",
    "strategy": "District AI strategy",
}
KINDS = ("ratio", "time_ratio", "difference", "share", "level", "count_by_month")
DIRECTIONS = ("higher", "lower", "at_least")
DESIGNS = ("randomized", "matched_comparison", "regression_with_controls", "descriptive", "census")
SCALES = ("log", "linear")
#: What "no effect" is for each kind; None where the claim is a level, not a comparison.
NO_EFFECT = {"ratio": 1.0, "time_ratio": 1.0, "difference": 0.0}

_CLAIM_FIELDS = {
    "id",
    "title",
    "source",
    "population",
    "comparison",
    "metric",
    "claimed",
    "estimator",
    "naive",
    "minimum_n",
    "design",
    "cutoff",
    "frame",
    "frame_parameters",
    "untestable",
    "reading_of",
    "dose_response",
    "no_data",
}


@dataclass(frozen=True)
class Source:
    document: str
    quote: str

    @property
    def document_title(self) -> str:
        return DOCUMENTS[self.document]


@dataclass(frozen=True)
class Metric:
    name: str
    definition: str
    marts: tuple[str, ...]
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Claimed:
    """The promised value: its kind, the value (None for a level with no number), which
    side of no effect it lies on, and the scale a test of it uses."""

    kind: str
    value: float | None
    direction: str
    scale: str

    @property
    def no_effect(self) -> float | None:
        return NO_EFFECT.get(self.kind)


@dataclass(frozen=True)
class EstimatorSpec:
    """A ``models`` function (``module.function``), its options, the term the scorecard
    reads (the result's headline by default) and, for a naive comparison, its own frame."""

    function: str
    options: Mapping[str, Any] = field(default_factory=dict, hash=False)
    term: str | None = None
    frame: str | None = None


@dataclass(frozen=True)
class Claim:
    id: str
    title: str
    source: Source
    population: str
    comparison: str
    metric: Metric
    claimed: Claimed
    estimator: EstimatorSpec | None
    naive: EstimatorSpec | None
    minimum_n: int
    design: str
    cutoff: float | None
    frame: str
    frame_parameters: Mapping[str, Any] = field(default_factory=dict, hash=False)
    untestable: str | None = None
    reading_of: str | None = None
    dose_response: str | None = None
    no_data: str | None = None


@dataclass(frozen=True)
class Fact:
    """A number a document states about the program, for the seed audit."""

    id: str
    document: str
    quote: str
    value: Any


@dataclass(frozen=True)
class Registry:
    claims: tuple[Claim, ...]
    facts: tuple[Fact, ...]

    def claim(self, claim_id: str) -> Claim:
        for claim in self.claims:
            if claim.id == claim_id:
                return claim
        known = ", ".join(c.id for c in self.claims)
        raise KeyError(f"no claim {claim_id!r}; the registry has: {known}")

    def fact(self, fact_id: str) -> Fact:
        for fact in self.facts:
            if fact.id == fact_id:
                return fact
        raise KeyError(f"no fact {fact_id!r} in the registry")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.claims)


def registry_path() -> Path:
    """The registry shipped with the package."""
    return Path(str(resources.files("models").joinpath("claims.yaml")))


def load_registry(path: str | Path | None = None) -> Registry:
    """Read and check a claims registry (by default the package's ``models/claims.yaml``)."""
    location = Path(path) if path else registry_path()
    try:
        data = yaml.load(location.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except yaml.YAMLError as error:
        raise ValueError(f"{location.name}: not valid YAML ({error})") from error
    return parse_registry(data)


def parse_registry(data: Any) -> Registry:
    """Check a registry's mapping and turn it into a ``Registry``."""
    if not isinstance(data, Mapping) or not isinstance(data.get("claims"), list):
        raise ValueError("registry: expected a mapping with a list under 'claims'")
    unknown = set(data) - {"claims", "facts"}
    if unknown:
        raise ValueError(f"registry: unknown section {sorted(unknown)[0]!r}")
    claims = tuple(_claim(entry, index) for index, entry in enumerate(data["claims"]))
    ids = [c.id for c in claims]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"claim {duplicates[0]}: the id is used twice")
    for claim in claims:
        if claim.reading_of and claim.reading_of not in ids:
            raise ValueError(f"claim {claim.id}: reading_of names no claim ({claim.reading_of!r})")
    facts = tuple(_fact(entry) for entry in data.get("facts") or [])
    fact_ids = [f.id for f in facts]
    if len(set(fact_ids)) != len(fact_ids):
        raise ValueError("facts: an id is used twice")
    return Registry(claims, facts)


def _claim(entry: Any, index: int) -> Claim:
    if not isinstance(entry, Mapping) or not entry.get("id"):
        raise ValueError(f"claims[{index}]: every claim needs an id")
    claim_id = str(entry["id"])

    def fail(message: str) -> ValueError:
        return ValueError(f"claim {claim_id}: {message}")

    unknown = set(entry) - _CLAIM_FIELDS
    if unknown:
        raise fail(f"unknown field {sorted(unknown)[0]!r}")
    for name in ("title", "source", "population", "comparison", "metric", "claimed", "design"):
        if not entry.get(name):
            raise fail(f"{name} is required")
    source = entry["source"]
    if source.get("document") not in DOCUMENTS:
        raise fail(f"source.document must be one of {sorted(DOCUMENTS)}")
    if not source.get("quote"):
        raise fail("source.quote is required: quote the document's sentence")
    metric = entry["metric"]
    for name in ("name", "definition", "marts", "columns"):
        if not metric.get(name):
            raise fail(f"metric.{name} is required")
    claimed = _claimed(entry["claimed"], fail)
    if entry["design"] not in DESIGNS:
        raise fail(f"design must be one of {DESIGNS}")
    untestable = entry.get("untestable")
    estimator = _estimator(entry.get("estimator"), "estimator", fail)
    if estimator is None and not untestable:
        raise fail("an estimator is required (or say why the claim is untestable)")
    minimum_n = entry.get("minimum_n")
    if not isinstance(minimum_n, int) or isinstance(minimum_n, bool) or minimum_n < 1:
        raise fail("minimum_n must be a whole number of at least 1")
    cutoff = entry.get("cutoff")
    if cutoff is not None and not _finite(cutoff):
        raise fail("cutoff must be a number")
    if claimed.kind in ("ratio", "time_ratio") and cutoff is not None and cutoff <= 0:
        raise fail("a ratio's cutoff must be above 0")
    return Claim(
        id=claim_id,
        title=str(entry["title"]),
        source=Source(str(source["document"]), str(source["quote"])),
        population=str(entry["population"]),
        comparison=str(entry["comparison"]),
        metric=Metric(
            str(metric["name"]),
            " ".join(str(metric["definition"]).split()),
            tuple(metric["marts"]),
            tuple(metric["columns"]),
        ),
        claimed=claimed,
        estimator=estimator,
        naive=_estimator(entry.get("naive"), "naive", fail),
        minimum_n=minimum_n,
        design=str(entry["design"]),
        cutoff=None if cutoff is None else float(cutoff),
        frame=str(entry.get("frame") or claim_id),
        frame_parameters=dict(entry.get("frame_parameters") or {}),
        untestable=None if not untestable else str(untestable),
        reading_of=entry.get("reading_of"),
        dose_response=entry.get("dose_response"),
        no_data=entry.get("no_data"),
    )


def _claimed(value: Any, fail) -> Claimed:
    if not isinstance(value, Mapping):
        raise fail("claimed must be a mapping with kind, value and direction")
    kind, direction = value.get("kind"), value.get("direction")
    if kind not in KINDS:
        raise fail(f"claimed.kind must be one of {KINDS}")
    if direction not in DIRECTIONS:
        raise fail(f"claimed.direction must be one of {DIRECTIONS}")
    number = value.get("value")
    if number is not None and not _finite(number):
        raise fail("claimed.value must be a number")
    if number is None and kind not in ("share", "level", "difference"):
        raise fail(f"claimed.value is required for a {kind}")
    if kind in ("ratio", "time_ratio") and number is not None and number <= 0:
        raise fail("a claimed ratio must be above 0")
    no_effect = NO_EFFECT.get(kind)
    if no_effect is not None and number is not None and direction != "at_least":
        side = "higher" if number > no_effect else "lower"
        if number == no_effect or side != direction:
            raise fail(f"claimed.value {number} is not {direction} than no effect ({no_effect})")
    default_scale = "log" if kind in ("ratio", "time_ratio") else "linear"
    scale = value.get("scale", default_scale)
    if scale not in SCALES:
        raise fail(f"claimed.scale must be one of {SCALES}")
    return Claimed(str(kind), None if number is None else float(number), str(direction), scale)


def _estimator(value: Any, name: str, fail) -> EstimatorSpec | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or "." not in str(value.get("function", "")):
        raise fail(f"{name}.function must name a models function as module.function")
    unknown = set(value) - {"function", "options", "term", "frame"}
    if unknown:
        raise fail(f"{name}: unknown field {sorted(unknown)[0]!r}")
    options = value.get("options") or {}
    if not isinstance(options, Mapping):
        raise fail(f"{name}.options must be a mapping")
    return EstimatorSpec(
        str(value["function"]), dict(options), value.get("term"), value.get("frame")
    )


def _fact(entry: Any) -> Fact:
    if not isinstance(entry, Mapping) or not entry.get("id"):
        raise ValueError("facts: every fact needs an id")
    for name in ("document", "quote", "value"):
        if entry.get(name) is None:
            raise ValueError(f"fact {entry['id']}: {name} is required")
    if entry["document"] not in DOCUMENTS:
        raise ValueError(f"fact {entry['id']}: document must be one of {sorted(DOCUMENTS)}")
    return Fact(str(entry["id"]), str(entry["document"]), str(entry["quote"]), entry["value"])


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
