"""Fitting lifelines models quietly and reading them into terms: warnings as notes, too
few events, separation, intervals."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from lifelines.exceptions import ConvergenceError, ConvergenceWarning

from models.results import Result, Term

#: Fewer events than this per estimated coefficient (or per group, for a median) and an
#: interval is not given: Vittinghoff and McCulloch (2007, Am J Epidemiol 165:710) find
#: bias and poor coverage in Cox and logistic models below about five events per variable.
MIN_EVENTS_PER_TERM = 5


def fit_quietly(fit, *args, **kwargs) -> tuple[Any, list[str]]:
    """Run a lifelines fit, turning its convergence warnings and errors into sentences."""
    notes = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fitted = fit(*args, **kwargs)
        except ConvergenceError as error:
            fitted = None
            notes.append(f"the model did not converge: {first_sentence(str(error))}")
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            notes.append(f"convergence: {first_sentence(str(warning.message))}")
    return fitted, list(dict.fromkeys(notes))


def first_sentence(text: str) -> str:
    text = " ".join(text.split())
    return text.split(". ")[0].rstrip(".")


def few_events_notes(events: np.ndarray, coefficients: int) -> list[str]:
    count = int(events.sum())
    if count >= MIN_EVENTS_PER_TERM * coefficients:
        return []
    return [
        f"only {count} events for {coefficients} coefficients (fewer than "
        f"{MIN_EVENTS_PER_TERM} per coefficient): no interval is given"
    ]


def separated_columns(data: pd.DataFrame, columns: list[str], events: np.ndarray) -> dict[str, Any]:
    """Two-valued columns with a level where nobody has the event (its estimate diverges)."""
    separated = {}
    for column in columns:
        values = data[column].to_numpy()
        levels = np.unique(values)
        if len(levels) == 2:
            for level in levels:
                if events[values == level].sum() == 0:
                    separated[column] = level
    return separated


def separation_note(column: str, level: Any) -> str:
    return (
        f"perfect separation: no events where {column} = {level:g}; its estimate runs off "
        "to infinity, so none is given"
    )


def interval_bounds(row: pd.Series) -> tuple[float, float]:
    """The coefficient's interval from a lifelines summary row (its columns name the level)."""
    lower = next(c for c in row.index if c.startswith("coef lower"))
    upper = next(c for c in row.index if c.startswith("coef upper"))
    return float(row[lower]), float(row[upper])


def unfitted_result(
    method: str, estimand: str, names: list[str], n: int, alpha: float, notes: list[str]
) -> Result:
    """What a fit that failed to converge can say: the terms it was asked for, with no numbers."""
    return Result(
        method=method,
        estimand=estimand,
        n=n,
        terms=tuple(Term(name, None) for name in names),
        alpha=alpha,
        warnings=tuple(notes),
        headline=names[0],
    )
