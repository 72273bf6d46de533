"""One recoding of the quasi-identifiers for every table about the same people.

k-anonymity is reached table by table, but a partner can join an extract's tables on the
pseudonym: a value withheld in one table must not be readable in another. So every
generalisation a table needed is repeated in the other tables of the same kind of person
(students, or staff): categories merged into ``other`` there are merged here, a column
withheld in every row there is withheld here, and a person whose value was withheld
there has it withheld here. The extract applies the recoding before each table's own
generalisation, and goes round the tables again until no table adds a step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from pipelines.research.k_anonymity import OTHER, Generalisation


@dataclass
class Recoding:
    """The generalisations every table about one kind of person shares, by column name."""

    merged: dict[str, set] = field(default_factory=dict)
    everywhere: set[str] = field(default_factory=set)
    persons: dict[str, set] = field(default_factory=dict)

    def absorb(self, steps: Iterable[Generalisation]) -> bool:
        """Take in a table's steps; True when any of them is new to the recoding."""
        grew = False
        for step in steps:
            if step.merged - self.merged.get(step.column, set()):
                self.merged.setdefault(step.column, set()).update(step.merged)
                grew = True
            if step.everywhere and step.column not in self.everywhere:
                self.everywhere.add(step.column)
                grew = True
            if step.persons - self.persons.get(step.column, set()):
                self.persons.setdefault(step.column, set()).update(step.persons)
                grew = True
        return grew

    def apply(
        self, frame: pd.DataFrame, person: str, columns: Sequence[str]
    ) -> tuple[pd.DataFrame, list[Generalisation]]:
        """``frame`` with the shared generalisations of ``columns`` applied, and the steps
        taken (described as following the other tables)."""
        result = frame.copy()
        steps = []
        for column in columns:
            values = result[column]
            if column in self.everywhere:
                changed = int(values.notna().sum())
                result[column] = values.mask(pd.Series(True, index=values.index))
                steps.append(_step(column, "withheld in every row", changed, everywhere=True))
                continue
            merged = values.isin(self.merged.get(column, set()))
            if merged.any():
                result[column] = values.astype(object).where(~merged, OTHER)
                categories = ", ".join(sorted(str(c) for c in self.merged[column]))
                steps.append(
                    _step(column, f"categories merged into '{OTHER}' ({categories})", merged.sum())
                )
            withheld = result[person].isin(self.persons.get(column, set())) & result[column].notna()
            if withheld.any():
                result[column] = result[column].mask(withheld)
                steps.append(
                    _step(column, "withheld for the people it was withheld for", withheld.sum())
                )
        return result, steps


def _step(column: str, action: str, rows: int, *, everywhere: bool = False) -> Generalisation:
    return Generalisation(
        column, f"{action}, as in another table", int(rows), everywhere=everywhere
    )
