"""Which mart columns each claim's analysis frame reads.

Read from the frames' SQL text: a column counts as read by a claim when its name appears
as a word in the claim's frame (or its naive comparison's) and its table is one the claim's
metric names. This can only over-count (a name in a comment counts), which errs the safe
way: such a column is generalised last, and a claim is said not to reproduce exactly when
a column it may read was changed.
"""

from __future__ import annotations

import re
from importlib import resources

from models.scorecard import Registry
from pipelines.contracts import Contract, load_contract
from pipelines.warehouse.marts.definitions import mart_contracts

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FRAMES = "pipelines.scorecard"


def _frame_words(frame: str) -> set[str]:
    text = (resources.files(_FRAMES) / "frames" / f"{frame}.sql").read_text(encoding="utf-8")
    return set(_WORD.findall(text))


def claim_columns(
    registry: Registry, contracts: dict[str, Contract] | None = None
) -> dict[str, set[tuple[str, str]]]:
    """For each testable claim, the ``(table, column)`` pairs its frames may read."""
    contracts = contracts or extract_contracts()
    reads: dict[str, set[tuple[str, str]]] = {}
    for claim in registry.claims:
        if claim.untestable or claim.estimator is None:
            continue
        words = _frame_words(claim.frame)
        if claim.naive is not None and claim.naive.frame:
            words |= _frame_words(claim.naive.frame)
        reads[claim.id] = {
            (table, column.name)
            for table in claim.metric.marts
            if table in contracts
            for column in contracts[table].columns
            if column.name in words
        }
    return reads


def protected_columns(registry: Registry) -> dict[str, set[str]]:
    """For each table, the columns any claim may read."""
    protected: dict[str, set[str]] = {}
    for pairs in claim_columns(registry).values():
        for table, column in pairs:
            protected.setdefault(table, set()).add(column)
    return protected


def lottery_contract() -> Contract:
    """The lottery assignments' description (not a mart: a design table)."""
    return load_contract(resources.files(__package__) / "lottery_assignments.yaml")


def extract_contracts() -> dict[str, Contract]:
    """Every table an extract may hold, by name: the marts and the lottery assignments."""
    return {**mart_contracts(), "lottery_assignments": lottery_contract()}
