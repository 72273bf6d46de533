"""De-identify one table of an extract: re-key its pseudonyms, treat its dates, generalise
its quasi-identifiers. What each column underwent is returned for the codebook."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace

import pandas as pd

from pipelines.contracts import Contract
from pipelines.research.deidentify import apply_date_policy, rekey, shift_days_by_person
from pipelines.research.k_anonymity import Anonymised, Generalisation, k_anonymise
from pipelines.research.recoding import Recoding

#: The column naming the person a table's row is about, in order of preference, and
#: whose date policy applies: survey respondents are mostly students, so their dates are
#: treated as students' (the stricter default).
PERSON_COLUMNS = {
    "student_unique_id": "students",
    "respondent_unique_id": "students",
    "staff_unique_id": "staff",
}


@dataclass(frozen=True)
class ExtractSettings:
    """How an extract is de-identified.

    Attributes
    ----------
    k
        Every combination of a table's quasi-identifiers is shared by at least k people.
    student_dates, staff_dates
        ``keep``, ``shift``, ``month`` or ``year`` for the dates of rows about students
        (and survey respondents) and about staff. Tables about no one person (teams,
        costs, milestones) keep their dates.
    shift_days
        The largest shift either way when dates are shifted.
    """

    k: int = 11
    student_dates: str = "month"
    staff_dates: str = "keep"
    shift_days: int = 30


@dataclass(frozen=True)
class TableExtract:
    """One de-identified table and what was done to each column."""

    name: str
    frame: pd.DataFrame
    treatments: dict[str, str]
    rows_changed: dict[str, int]
    steps: tuple[Generalisation, ...] = ()
    smallest_group: int | None = None
    person_column: str | None = None
    excluded: tuple[str, ...] = field(default=())

    @property
    def changed_columns(self) -> set[str]:
        """Columns whose values differ from the warehouse's beyond re-keying."""
        return {column for column, rows in self.rows_changed.items() if rows}


def person_column(frame: pd.DataFrame) -> str | None:
    """The column naming whom a row is about, or None (teams, costs, milestones)."""
    return next((c for c in PERSON_COLUMNS if c in frame.columns), None)


def person_kind(frame: pd.DataFrame) -> str | None:
    """Whom a table's rows are about: ``students``, ``staff``, or None (teams, costs)."""
    person = person_column(frame)
    return None if person is None else PERSON_COLUMNS[person]


def deidentify_table(
    name: str,
    frame: pd.DataFrame,
    contract: Contract,
    *,
    key: bytes,
    settings: ExtractSettings,
    protected: Collection[str] = (),
    recoding: Recoding | None = None,
) -> TableExtract:
    """The extract of one table read from the warehouse.

    ``protected`` names the columns an analysis (a claim's frame) reads: they are the last
    generalised. ``recoding`` holds the generalisations other tables about the same people
    needed; they are applied first. Columns the contract does not list are left out (a
    table has none in practice; a new column must be described before it can leave the
    warehouse).
    """
    described = [c.name for c in contract.columns if c.name in frame.columns]
    excluded = tuple(c for c in frame.columns if c not in described)
    result = frame[described].copy()
    person = person_column(result)
    treatments: dict[str, str] = {}
    rows_changed: dict[str, int] = {}

    policy = "keep" if person is None else _policy(person, settings)
    offsets = None
    if policy == "shift":
        offsets = shift_days_by_person(result[person], key, settings.shift_days)
    for column in contract.columns:
        if column.name not in result.columns or column.type not in ("date", "timestamp"):
            continue
        before = result[column.name]
        after = apply_date_policy(before, policy, offsets=offsets)
        result[column.name] = after
        treatments[column.name] = _DATE_WORDS[policy].format(days=settings.shift_days)
        before = pd.to_datetime(before)
        moved = (before != after) & before.notna()
        rows_changed[column.name] = int(moved.sum())

    quasi = quasi_identifiers(contract, result)
    steps: tuple[Generalisation, ...] = ()
    smallest = None
    if person is not None and quasi:
        original = result[quasi].copy()
        anonymised = anonymise(
            result, person, quasi, settings=settings, protected=protected, recoding=recoding
        )
        result, steps, smallest = anonymised.frame, anonymised.steps, anonymised.smallest_group
        for column in quasi:
            taken = [s for s in steps if s.column == column]
            rows_changed[column] = _values_changed(original[column], result[column])
            treatments[column] = (
                "; ".join(s.action for s in taken)
                if taken
                else f"as recorded (every combination shared by at least {settings.k})"
            )

    for column in contract.columns:
        if column.is_pseudonymized and column.name in result.columns:
            result[column.name] = rekey(result[column.name], key)
            treatments[column.name] = "pseudonym re-keyed for this partner"
    for column in described:
        treatments.setdefault(column, "as recorded")
        rows_changed.setdefault(column, 0)
    return TableExtract(name, result, treatments, rows_changed, steps, smallest, person, excluded)


_DATE_WORDS = {
    "keep": "as recorded",
    "shift": "shifted by up to {days} days per person (intervals within a person kept)",
    "month": "coarsened to the first day of the month",
    "year": "coarsened to the first day of the year",
}


def quasi_identifiers(contract: Contract, frame: pd.DataFrame) -> list[str]:
    """The contract's quasi-identifiers that the table holds."""
    return [
        c.name
        for c in contract.columns
        if c.privacy == "quasi_identifier" and c.name in frame.columns
    ]


def anonymise(
    frame: pd.DataFrame,
    person: str,
    quasi: list[str],
    *,
    settings: ExtractSettings,
    protected: Collection[str],
    recoding: Recoding | None,
) -> Anonymised:
    """The shared recoding applied, then the table's own generalisation to k people."""
    shared: list[Generalisation] = []
    if recoding is not None:
        frame, shared = recoding.apply(frame, person, quasi)
    anonymised = k_anonymise(
        frame, person=person, quasi_identifiers=quasi, k=settings.k, protected=protected
    )
    return replace(anonymised, steps=(*shared, *anonymised.steps))


def _values_changed(before: pd.Series, after: pd.Series) -> int:
    """Rows whose value was merged or withheld (a missing value stays missing)."""
    differs = before.astype(object) != after.astype(object)
    return int((before.notna() & (after.isna() | differs)).sum())


def _policy(person: str, settings: ExtractSettings) -> str:
    return settings.student_dates if PERSON_COLUMNS[person] == "students" else settings.staff_dates
