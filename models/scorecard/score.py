"""Each claim scored on its analysis frame, and the scorecard that lines them up.

``score_claim`` calls the claim's estimator (a ``models`` function named in the registry)
on the frame a pipeline built from the marts, puts the naive comparison beside it, and
judges the claim by ``models.scorecard.verdict``. ``build_scorecard`` adjusts the
p-values against no effect across every claim (Benjamini-Hochberg) and holds the rows.
"""

from __future__ import annotations

import importlib
import inspect
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import pandas as pd
from scipy import stats

from models.multiplicity import adjust
from models.results import Result
from models.scorecard.evidence import evidence_tier, wwc_rating
from models.scorecard.registry import Claim, EstimatorSpec
from models.scorecard.verdict import VERDICTS, judge

#: The modules a registry may name estimators from.
ESTIMATOR_MODULES = ("proportions", "effects", "ratios", "retention", "reliability", "census")


#: Attendance tiers in the order they are reported.
TIERS = ("low", "moderate", "high")


@dataclass(frozen=True)
class TierEstimate:
    """An effect claim re-estimated among members of one attendance tier; ``n`` counts the
    tier's members (the comparison rows every tier shares are not counted)."""

    tier: str
    estimate: float | None
    ci_lower: float | None
    ci_upper: float | None
    n: int
    verdict: str
    verdict_reason: str
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        record = asdict(self)
        record["warnings"] = list(self.warnings)
        return record


@dataclass(frozen=True)
class ClaimEstimate:
    """One claim's line of the scorecard, in plain values (for JSON and the warehouse)."""

    claim_id: str
    title: str
    kind: str
    direction: str
    claimed: float | None
    no_effect: float | None
    estimate: float | None
    ci_lower: float | None
    ci_upper: float | None
    n: int
    clusters: int | None
    method: str
    design: str
    verdict: str
    verdict_reason: str
    mde: float | None
    more_cases_needed: int | None
    p_value: float | None
    p_value_vs_claimed: float | None
    p_value_adjusted: float | None
    wwc_rating: str
    evidence_tier: int | None
    cutoff: float | None
    probability_at_least_cutoff: float | None
    naive_estimate: float | None
    naive_ci_lower: float | None
    naive_ci_upper: float | None
    naive_method: str | None
    document: str
    quote: str
    metric: str
    definition: str
    warnings: tuple[str, ...] = ()
    dose_response: tuple[TierEstimate, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def verdict_label(self) -> str:
        return VERDICTS[self.verdict]

    def to_dict(self) -> dict[str, Any]:
        record = asdict(self)
        record["warnings"] = list(self.warnings)
        record["dose_response"] = [tier.to_dict() for tier in self.dose_response]
        record["details"] = dict(self.details)
        return record


def resolve_estimator(function: str):
    """The ``models`` function a registry names as ``module.function``."""
    module_name, _, name = function.partition(".")
    if module_name not in ESTIMATOR_MODULES:
        raise ValueError(f"estimator {function!r}: module must be one of {ESTIMATOR_MODULES}")
    module = importlib.import_module(f"models.{module_name}")
    found = getattr(module, name, None)
    if not callable(found):
        raise ValueError(f"estimator {function!r}: models.{module_name} has no {name}")
    return found


def fit(spec: EstimatorSpec, frame: pd.DataFrame, alpha: float = 0.05) -> Result:
    """Call the spec's estimator on ``frame`` with its options."""
    estimator = resolve_estimator(spec.function)
    options = dict(spec.options)
    if "alpha" in inspect.signature(estimator).parameters:
        options.setdefault("alpha", alpha)
    return estimator(frame, **options)


def score_claim(
    claim: Claim,
    frame: pd.DataFrame | None,
    *,
    naive_frame: pd.DataFrame | None = None,
    alpha: float = 0.05,
) -> ClaimEstimate:
    """Score ``claim`` on its analysis frame (None: the data hold nothing for it).

    An estimator's ``ValueError`` (no comparison group, a treatment that never varies)
    makes the claim untestable with that sentence as the reason: the data cannot answer
    it, which is said rather than hidden.
    """
    base = _base(claim)
    if claim.untestable or claim.estimator is None:
        return _unscored(claim, untestable=claim.untestable or "no estimator")
    if frame is None or frame.empty:
        return _unscored(claim, no_data=claim.no_data)
    resolve_estimator(claim.estimator.function)  # a registry naming no function is a bug
    try:
        result = fit(claim.estimator, frame, alpha)
    except ValueError as error:
        return _unscored(claim, untestable=str(error), n=len(frame))
    term = result.term(claim.estimator.term or result.headline)
    census = claim.design == "census"
    verdict = _judge_term(claim, term, n=result.n, alpha=alpha, census=census)
    naive = _naive(claim, naive_frame if naive_frame is not None else frame, alpha)
    favourable = _favourable(claim, term.estimate)
    return ClaimEstimate(
        **base,
        estimate=_number(term.estimate),
        ci_lower=_number(term.ci_lower),
        ci_upper=_number(term.ci_upper),
        n=int(result.n),
        clusters=result.clusters,
        method=result.method,
        verdict=verdict.code,
        verdict_reason=verdict.reason,
        mde=verdict.mde,
        more_cases_needed=verdict.more_cases_needed,
        p_value=verdict.p_value,
        p_value_vs_claimed=verdict.p_value_vs_claimed,
        p_value_adjusted=None,
        # A level with no comparison (a share, minutes) is not an effect and earns no tier.
        evidence_tier=None
        if claim.claimed.no_effect is None
        else evidence_tier(
            claim.design, favourable=favourable, p_value=verdict.p_value, alpha=alpha
        ),
        probability_at_least_cutoff=_probability_at_least(
            claim, term.estimate, verdict.std_error_test_scale
        ),
        naive_estimate=None if naive is None else _number(naive[0]),
        naive_ci_lower=None if naive is None else _number(naive[1]),
        naive_ci_upper=None if naive is None else _number(naive[2]),
        naive_method=None if naive is None else naive[3],
        warnings=tuple(result.warnings),
        dose_response=_dose_response(claim, frame, alpha),
        details={"terms": result.to_frame().to_dict("records"), **_plain(result.details)},
    )


@dataclass(frozen=True)
class Scorecard:
    """Every claim's line, p-values adjusted across the card."""

    estimates: tuple[ClaimEstimate, ...]
    alpha: float = 0.05

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([e.to_dict() for e in self.estimates])

    def to_records(self) -> list[dict[str, Any]]:
        return [e.to_dict() for e in self.estimates]

    def counts(self) -> dict[str, int]:
        """How many claims got each verdict."""
        tally: dict[str, int] = {}
        for estimate in self.estimates:
            tally[estimate.verdict] = tally.get(estimate.verdict, 0) + 1
        return tally

    def summary(self) -> str:
        lines = [f"{'claim':<42} {'claimed':>8} {'estimate':>9} {'95% CI':>18} {'n':>6}  verdict"]
        for e in self.estimates:
            interval = (
                f"[{e.ci_lower:.3g}, {e.ci_upper:.3g}]"
                if e.ci_lower is not None and e.ci_upper is not None
                else ""
            )
            claimed = "" if e.claimed is None else f"{e.claimed:.3g}"
            estimate = "" if e.estimate is None else f"{e.estimate:.3g}"
            lines.append(
                f"{e.claim_id:<42} {claimed:>8} {estimate:>9} {interval:>18} {e.n:>6}  "
                f"{e.verdict_label}"
            )
        return "\n".join(lines)


def build_scorecard(estimates: Sequence[ClaimEstimate], *, alpha: float = 0.05) -> Scorecard:
    """Line the claims up and adjust their p-values against no effect (Benjamini-Hochberg
    over every claim that has one)."""
    tested = [i for i, e in enumerate(estimates) if e.p_value is not None]
    adjusted = adjust([estimates[i].p_value for i in tested], method="bh") if tested else []
    lines = list(estimates)
    for index, value in zip(tested, adjusted, strict=True):
        lines[index] = replace(lines[index], p_value_adjusted=float(value))
    return Scorecard(tuple(lines), alpha)


def _base(claim: Claim) -> dict[str, Any]:
    return {
        "claim_id": claim.id,
        "title": claim.title,
        "kind": claim.claimed.kind,
        "direction": claim.claimed.direction,
        "claimed": claim.claimed.value,
        "no_effect": claim.claimed.no_effect,
        "design": claim.design,
        "wwc_rating": wwc_rating(claim.design),
        "cutoff": claim.cutoff,
        "document": claim.source.document,
        "quote": claim.source.quote,
        "metric": claim.metric.name,
        "definition": claim.metric.definition,
    }


def _judge_term(claim: Claim, term, *, n: int, alpha: float, census: bool = False):
    """The verdict on ``claim`` from one fitted term and the n that counts for it."""
    return judge(
        claim.claimed,
        estimate=_number(term.estimate),
        ci_lower=_number(term.ci_lower),
        ci_upper=_number(term.ci_upper),
        n=n,
        minimum_n=claim.minimum_n,
        census=census,
        p_value=_number(term.p_value),
        alpha=alpha,
    )


def _unscored(
    claim: Claim, *, untestable: str | None = None, n: int = 0, no_data: str | None = None
) -> ClaimEstimate:
    """A claim with no estimate: untestable (saying why) or without data (saying, where the
    registry does, what would supply it)."""
    verdict = judge(
        claim.claimed,
        estimate=None,
        ci_lower=None,
        ci_upper=None,
        n=0,
        minimum_n=claim.minimum_n,
        untestable=untestable,
    )
    if no_data and verdict.code == "no_data":
        verdict = replace(verdict, reason=no_data)
    return ClaimEstimate(**_base(claim), **_empty(verdict, n))


def _empty(verdict, n: int = 0) -> dict[str, Any]:
    return {
        "estimate": None,
        "ci_lower": None,
        "ci_upper": None,
        "n": n,
        "clusters": None,
        "method": "none",
        "verdict": verdict.code,
        "verdict_reason": verdict.reason,
        "mde": None,
        "more_cases_needed": None,
        "p_value": None,
        "p_value_vs_claimed": None,
        "p_value_adjusted": None,
        "evidence_tier": None,
        "probability_at_least_cutoff": None,
        "naive_estimate": None,
        "naive_ci_lower": None,
        "naive_ci_upper": None,
        "naive_method": None,
    }


def _dose_response(claim: Claim, frame: pd.DataFrame, alpha: float) -> tuple[TierEstimate, ...]:
    """The claim re-estimated within each attendance tier. Rows without a tier (students
    outside the teams, the comparison arm of some claims) are kept in every tier."""
    column = claim.dose_response
    if not column or column not in frame.columns:
        return ()
    tiers = []
    for tier in TIERS:
        rows = frame[(frame[column] == tier) | frame[column].isna()]
        tiered = (rows[column] == tier).sum()
        if not tiered:
            tiers.append(TierEstimate(tier, None, None, None, 0, "no_data", "no member in it"))
            continue
        try:
            result = fit(claim.estimator, rows, alpha)
        except ValueError as error:
            tiers.append(
                TierEstimate(tier, None, None, None, int(tiered), "untestable", str(error))
            )
            continue
        term = result.term(claim.estimator.term or result.headline)
        # The tier's own members decide whether it has cases enough, not the comparison
        # rows every tier shares.
        verdict = _judge_term(claim, term, n=int(tiered), alpha=alpha)
        tiers.append(
            TierEstimate(
                tier,
                _number(term.estimate),
                _number(term.ci_lower),
                _number(term.ci_upper),
                int(tiered),
                verdict.code,
                verdict.reason,
                tuple(result.warnings),
            )
        )
    return tuple(tiers)


def _naive(claim: Claim, frame: pd.DataFrame, alpha: float):
    if claim.naive is None or frame is None or frame.empty:
        return None
    try:
        result = fit(claim.naive, frame, alpha)
    except ValueError:
        return None
    term = result.term(claim.naive.term or result.headline)
    return term.estimate, term.ci_lower, term.ci_upper, result.method


def _favourable(claim: Claim, estimate: float | None) -> bool:
    no_effect = claim.claimed.no_effect
    if estimate is None or no_effect is None or math.isnan(estimate):
        return False
    return estimate > no_effect if claim.claimed.direction == "higher" else estimate < no_effect


def _probability_at_least(claim: Claim, estimate: float | None, se: float | None):
    """Share of the estimate's sampling distribution (normal on the test scale) at least as
    far from no effect as the district's cutoff: a confidence-distribution reading, as
    ``models.effects.probability_at_least(method="sampling")``."""
    if claim.cutoff is None or estimate is None or not se or math.isnan(estimate):
        return None
    log = claim.claimed.scale == "log"
    if log and (estimate <= 0 or claim.cutoff <= 0):
        return None
    at = math.log(estimate) if log else estimate
    cut = math.log(claim.cutoff) if log else claim.cutoff
    sign = -1.0 if claim.claimed.direction == "lower" else 1.0
    return float(stats.norm.cdf(sign * (at - cut) / se))


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _plain(details: Mapping[str, Any]) -> dict[str, Any]:
    """Details that are plain values (frames and arrays are left to the result itself)."""
    keep = {}
    for key, value in details.items():
        if isinstance(value, (str, int, float, bool, type(None))):
            keep[key] = value
        elif isinstance(value, Mapping) and all(
            isinstance(v, (str, int, float, bool, type(None))) for v in value.values()
        ):
            keep[key] = {str(k): v for k, v in value.items()}
    return keep
