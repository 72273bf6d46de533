"""The claims scorecard: the registry of what the documents promise, the verdict rules,
the scoring of each claim and the seed consistency audit.

Pure like every model: the frames come from ``pipelines.scorecard``, which also stores the
scorecard in the warehouse.
"""

from models.scorecard.audit import Audit, Finding, audit
from models.scorecard.registry import Claim, Registry, load_registry, parse_registry
from models.scorecard.score import ClaimEstimate, Scorecard, build_scorecard, score_claim
from models.scorecard.verdict import VERDICTS, Verdict, judge

__all__ = [
    "VERDICTS",
    "Audit",
    "Claim",
    "ClaimEstimate",
    "Finding",
    "Registry",
    "Scorecard",
    "Verdict",
    "audit",
    "build_scorecard",
    "judge",
    "load_registry",
    "parse_registry",
    "score_claim",
]
