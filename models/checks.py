"""Checks of what a caller gives an estimator, shared by the models: each bad input fails
with one ``ValueError`` that names the argument."""

from __future__ import annotations

import pandas as pd


def require_columns(frame: pd.DataFrame, needed: dict[str, list[str]]) -> None:
    """Fail naming the first argument (a key of ``needed``) whose column is not in ``frame``."""
    for argument, columns in needed.items():
        absent = [c for c in columns if c not in frame.columns]
        if absent:
            raise ValueError(f"{argument}: no column {absent[0]!r} in the frame")


def check_alpha(alpha: float) -> None:
    """Fail unless ``alpha`` is strictly between 0 and 1."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")


def require_complete_numbers(frame: pd.DataFrame, column: str, argument: str | None = None) -> None:
    """Fail unless ``column`` holds numbers (or true/false) in every row; the error names
    ``argument`` (the column itself when not given)."""
    argument = argument or column
    values = frame[column]
    if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
        raise ValueError(
            f"{argument}: column {column!r} must be numeric (encode categories as 0/1 columns)"
        )
    missing = int(values.isna().sum())
    if missing:
        raise ValueError(
            f"{argument}: {missing} rows are missing in {column!r}; leave them out or fill "
            "them before estimating"
        )
