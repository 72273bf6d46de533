"""Checking and shaping the ratings every reliability estimator is given."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from models.checks import require_columns

#: A target or unit: one column, or several together (a portfolio is student, year and
#: quarter).
Key = str | Sequence[str]


def with_key(frame: pd.DataFrame, key: Key, argument: str, others: list[str]) -> pd.DataFrame:
    """The columns needed, with the key (one column or several together) as ``_<argument>``."""
    key_columns = [key] if isinstance(key, str) else list(key)
    if not key_columns:
        raise ValueError(f"{argument}: name at least one column")
    require_columns(frame, {argument: key_columns, **{name: [name] for name in others}})
    kept = frame[list(dict.fromkeys(key_columns + others))].copy()
    if len(key_columns) == 1:
        kept[f"_{argument}"] = kept[key_columns[0]]
    else:
        # Several columns name one key: number their combinations (a key with a gap is none).
        codes = kept.groupby(key_columns, sort=False, dropna=False).ngroup()
        kept[f"_{argument}"] = codes.where(kept[key_columns].notna().all(axis=1))
    return kept.reset_index(drop=True)


def require_numeric(frame: pd.DataFrame, column: str, argument: str) -> None:
    if not pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_bool_dtype(
        frame[column]
    ):
        raise ValueError(f"{argument}: column {column!r} must be numeric")


def reject_missing_ids(frame: pd.DataFrame, columns: dict[str, str]) -> None:
    """``columns`` maps each argument to its column."""
    for argument, column in columns.items():
        missing = int(frame[column].isna().sum())
        if missing:
            raise ValueError(f"{argument}: {missing} rows have no {argument}")


def one_rating_each(
    frame: pd.DataFrame,
    scored: tuple[str, Key],
    scorer: tuple[str, str],
    value: str,
    statistic: str,
) -> tuple[pd.DataFrame, int]:
    """The ratings with the scored thing's key as one column, checked: every row names what
    is scored and who scored it, no one scores the same thing twice, and there are at least
    two scorers. Returns the frame and the number of scorers."""
    (key_argument, key), (scorer_argument, scorer_column) = scored, scorer
    frame = with_key(frame, key, key_argument, [scorer_column, value])
    reject_missing_ids(frame, {key_argument: f"_{key_argument}", scorer_argument: scorer_column})
    repeated = int(frame.duplicated([f"_{key_argument}", scorer_column]).sum())
    if repeated:
        raise ValueError(
            f"{key_argument}: {repeated} rows repeat a {scorer_argument}'s score of the same "
            f"{key_argument}; average them, or name the {key_argument} more finely"
        )
    scorers = frame[scorer_column].nunique()
    if scorers < 2:
        raise ValueError(
            f"{scorer_argument}: {statistic} needs at least two {scorer_argument}s, got {scorers}"
        )
    return frame, scorers
