"""Checking the frame a survival estimator is given: columns, durations, 0/1 flags."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def require_frame_columns(frame: pd.DataFrame, **columns: str | Sequence[str] | None) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame: expected a pandas DataFrame, got {type(frame).__name__}")
    if frame.empty:
        raise ValueError("frame: it has no rows")
    for argument, names in columns.items():
        if names is None:
            continue
        for name in [names] if isinstance(names, str) else names:
            if name not in frame.columns:
                raise ValueError(f"{argument}: column {name!r} is not in the frame")


def checked_durations(frame: pd.DataFrame, column: str) -> np.ndarray:
    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise ValueError(
            f"duration: column {column!r} must hold numbers (days, weeks...), not {values.dtype}"
        )
    missing = int(values.isna().sum())
    if missing:
        raise ValueError(f"duration: column {column!r} is missing in {missing} rows")
    numbers = values.to_numpy(dtype=float)
    negative = int((numbers < 0).sum())
    if negative:
        raise ValueError(f"duration: column {column!r} is negative in {negative} rows")
    return numbers


def zero_one_flags(frame: pd.DataFrame, column: str, argument: str) -> np.ndarray:
    values = frame[column]
    missing = int(values.isna().sum())
    if missing:
        raise ValueError(f"{argument}: column {column!r} is missing in {missing} rows")
    if pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=int)
    other = sorted({v for v in values.unique()} - {0, 1}, key=str)
    if other or not pd.api.types.is_numeric_dtype(values):
        raise ValueError(
            f"{argument}: column {column!r} must be 0/1 or boolean; it also holds {other[:5]}"
        )
    return values.to_numpy(dtype=int)


def event_flags(frame: pd.DataFrame, column: str) -> np.ndarray:
    events = zero_one_flags(frame, column, "event")
    if events.sum() == 0:
        raise ValueError(f"event: column {column!r} has no events (every wait is censored)")
    return events


def treatment_flags(frame: pd.DataFrame, column: str) -> np.ndarray:
    treated = zero_one_flags(frame, column, "treatment")
    if treated.min() == treated.max():
        raise ValueError(f"treatment: column {column!r} is {treated[0]} in every row")
    return treated


def covariate_frame(frame: pd.DataFrame, columns: list[str], argument: str) -> pd.DataFrame:
    if len(set(columns)) != len(columns):
        raise ValueError(f"{argument}: a column is named twice in {columns}")
    data = pd.DataFrame(index=frame.index)
    for column in columns:
        values = frame[column]
        if not pd.api.types.is_numeric_dtype(values):
            raise ValueError(
                f"{argument}: column {column!r} is {values.dtype}; give numbers or booleans "
                "(dummy-code a category against a reference level)"
            )
        missing = int(values.isna().sum())
        if missing:
            raise ValueError(
                f"{argument}: column {column!r} is missing in {missing} rows; fill or drop "
                "them before fitting"
            )
        numbers = values.astype(float)
        if numbers.nunique() < 2:
            raise ValueError(f"{argument}: column {column!r} does not vary")
        data[column] = numbers.to_numpy()
    return data.reset_index(drop=True)
