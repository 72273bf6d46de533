"""Generalise a table's quasi-identifiers until every combination is shared by k people.

A quasi-identifier (sex, race/ethnicity, FRL, English learner, special education: the
contracts tag them) names nobody alone, but a rare combination of them can. The method is
the greedy full-domain generalisation of Sweeney's Datafly, with local suppression last:

1. Count, for each combination of the quasi-identifiers' values, the distinct people who
   have it. Rows whose combination is shared by fewer than ``k`` people are at risk.
2. While rows are at risk, generalise one column, the one with most distinct values,
   taking the columns an analysis reads (``protected``) last: a column with more than two
   categories first has its categories shared by fewer than ``k`` people merged into
   ``"other"``; a column at its last level is withheld (emptied) in every row.
3. When few rows are left at risk (``suppression_limit``, 1% by default, or ``k`` rows),
   or only protected columns are, first merge the rare categories of any untouched column,
   then withhold the values of the rows still at risk (local suppression): only the
   unread columns' while any remain, so that columns change in as few rows as possible.
   If the withheld rows describe fewer than k people, as many more people's values are
   withheld with them.

Every step is returned, so the extract's codebook can say what was coarsened and how much.
Empty values count as one value of their own: a withheld value and a missing one look the
same to a reader, which is the point.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

import pandas as pd

#: The category a rare value of a many-valued quasi-identifier is merged into.
OTHER = "other"
#: The level of a column emptied in every row.
WITHHELD = 2


@dataclass(frozen=True)
class Generalisation:
    """One step taken on one column: what was done and to how many rows.

    ``merged`` names the categories merged into ``OTHER``; ``everywhere`` is true when the
    column was withheld in every row; ``persons`` names the people whose value was
    withheld cell by cell. Other tables about the same people repeat these steps.
    """

    column: str
    action: str
    rows_changed: int
    merged: frozenset = frozenset()
    everywhere: bool = False
    persons: frozenset = frozenset()

    def sentence(self) -> str:
        return f"{self.column}: {self.action} ({self.rows_changed} rows changed)"


@dataclass(frozen=True)
class Anonymised:
    """The generalised table and the steps that made it k-anonymous."""

    frame: pd.DataFrame
    steps: tuple[Generalisation, ...]
    k: int
    smallest_group: int | None

    @property
    def changed_columns(self) -> set[str]:
        return {step.column for step in self.steps if step.rows_changed}


def rows_at_risk(frame: pd.DataFrame, person: str, columns: Sequence[str], k: int) -> pd.Series:
    """True for each row whose combination of ``columns`` fewer than ``k`` people share."""
    if frame.empty or not columns:
        return pd.Series(False, index=frame.index)
    people = frame[person].astype(object)
    shared_by = people.groupby(combination_keys(frame, columns)).transform("nunique")
    return shared_by < k


def combination_keys(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """A number per row naming its combination of values, an empty value included."""
    cells = frame[list(columns)].astype(object)
    return cells.groupby(list(columns), dropna=False, sort=False).ngroup()


def k_anonymise(
    frame: pd.DataFrame,
    *,
    person: str,
    quasi_identifiers: Sequence[str],
    k: int,
    protected: Collection[str] = (),
    suppression_limit: float = 0.01,
) -> Anonymised:
    """Generalise ``quasi_identifiers`` of ``frame`` until each combination is shared by
    at least ``k`` distinct values of ``person``.

    Parameters
    ----------
    frame
        One table; not changed (a copy is generalised).
    person
        The column naming the person a row is about (a pseudonym).
    quasi_identifiers
        The columns to generalise.
    k
        The smallest number of people a combination may describe.
    protected
        Columns an analysis reads: generalised only after every other column, and then
        only in the rows still at risk.
    suppression_limit
        Once no more rows than this share (or than ``k``) are at risk, their values are
        withheld rather than generalising a whole column further.
    """
    if k < 2:
        raise ValueError("k must be at least 2")
    columns = [c for c in quasi_identifiers if c in frame.columns]
    result = frame.copy()
    steps: list[Generalisation] = []
    # 0: as recorded; 1: rare categories merged; WITHHELD: emptied in every row.
    levels = dict.fromkeys(columns, 0)
    suppressed_locally: set[bool] = set()  # done without, and with, the protected columns
    while True:
        at_risk = rows_at_risk(result, person, columns, k)
        remaining = [c for c in columns if levels[c] < WITHHELD]
        if not at_risk.any() or not remaining:
            break
        unprotected = [c for c in remaining if c not in protected]
        few_at_risk = at_risk.sum() <= max(k, suppression_limit * len(result))
        touches_protected = not unprotected
        if touches_protected not in suppressed_locally and (few_at_risk or touches_protected):
            # Before emptying cells, merge the rare categories of any column not yet
            # touched: the gentlest change, and one that leaves the common values alone.
            pool = unprotected or remaining
            mergeable = [c for c in pool if levels[c] == 0 and _rare(result, c, person, k)]
            if mergeable:
                step, levels[mergeable[0]] = _generalise(result, mergeable[0], 0, person, k)
                steps.append(step)
                continue
            # While unread columns remain, only they are withheld: if that is not enough,
            # the loop goes on generalising them, and the analyses' columns stay whole.
            steps.extend(_suppress_locally(result, person, pool, at_risk))
            if pool == remaining:
                steps.extend(_pad_withheld(result, person, columns, remaining, k))
            suppressed_locally.add(touches_protected)
            continue
        # Withheld rows may still be too few to hide among: generalise on, as in step 2.
        pool = unprotected or remaining
        column = max(pool, key=lambda c: (result[c].nunique(dropna=True), -columns.index(c)))
        step, levels[column] = _generalise(result, column, levels[column], person, k)
        steps.append(step)
    smallest = _smallest_group(result, person, columns)
    return Anonymised(result, tuple(steps), k, smallest)


def _generalise(
    frame: pd.DataFrame, column: str, level: int, person: str, k: int
) -> tuple[Generalisation, int]:
    """Take ``column`` one level up; the step and the column's new level."""
    values = frame[column]
    rare = _rare(frame, column, person, k) if level == 0 else set()
    if rare:
        merged = values.isin(rare)
        frame[column] = values.astype(object).where(~merged, OTHER)
        names = ", ".join(sorted(str(r) for r in rare))
        action = f"categories shared by fewer than {k} people merged into '{OTHER}' ({names})"
        return Generalisation(column, action, int(merged.sum()), merged=frozenset(rare)), 1
    frame[column] = values.mask(pd.Series(True, index=values.index))
    step = Generalisation(
        column, "withheld in every row", int(values.notna().sum()), everywhere=True
    )
    return step, WITHHELD


def _rare(frame: pd.DataFrame, column: str, person: str, k: int) -> set:
    """The categories of a many-valued column shared by fewer than ``k`` people, when
    merging them leaves more than one category (booleans and two-valued columns have
    nothing to merge)."""
    values = frame[column]
    if pd.api.types.is_bool_dtype(values) or values.nunique(dropna=True) <= 2:
        return set()
    people = frame.groupby(values.astype(object), dropna=True)[person].nunique()
    rare = set(people[people < k].index) - {OTHER}  # "other" already holds the merged
    return rare if len(rare) < len(people) else set()


def _suppress_locally(
    frame: pd.DataFrame, person: str, columns: Sequence[str], at_risk: pd.Series
) -> list[Generalisation]:
    steps = []
    for column in columns:
        filled = at_risk & frame[column].notna()
        if filled.any():
            frame[column] = frame[column].mask(filled)
            steps.append(
                Generalisation(
                    column,
                    "withheld in the rows whose combination was still shared by too few",
                    int(filled.sum()),
                    persons=frozenset(frame.loc[filled, person]),
                )
            )
    return steps


def _pad_withheld(
    frame: pd.DataFrame, person: str, columns: Sequence[str], remaining: Sequence[str], k: int
) -> list[Generalisation]:
    """When the rows just withheld describe fewer than ``k`` people, withhold as many more
    people's values as that takes, from the largest group (which stays at ``k`` or more),
    so that a handful of withheld rows cannot be told apart from the rest as a group."""
    at_risk = rows_at_risk(frame, person, columns, k)
    if not at_risk.any() or frame.loc[at_risk, list(remaining)].notna().any(axis=None):
        return []
    needed = k - frame.loc[at_risk, person].nunique()
    keys = combination_keys(frame, columns)
    people = frame[person].astype(object)
    sizes = people[~at_risk].groupby(keys[~at_risk]).nunique()
    if sizes.empty or sizes.max() < k + needed:
        return []
    donors = sorted(people[keys == sizes.idxmax()].unique())[:needed]
    chosen = people.isin(donors)
    steps = _suppress_locally(frame, person, remaining, chosen)
    return [
        replace(
            step,
            action=f"withheld for {needed} more people so the withheld rows describe at least {k}",
        )
        for step in steps
    ]


def _smallest_group(frame: pd.DataFrame, person: str, columns: Sequence[str]) -> int | None:
    if frame.empty or not columns:
        return None
    people = frame[person].astype(object)
    return int(people.groupby(combination_keys(frame, columns)).nunique().min())
