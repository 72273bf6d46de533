"""Checks on what an effect estimator is given: each bad input fails with one clear
``ValueError`` that names the argument; nothing is dropped silently."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Prepared:
    """The checked columns as arrays, with the frame's row labels for export."""

    row_ids: np.ndarray
    treated: np.ndarray
    outcome: np.ndarray
    covariates: pd.DataFrame
    cluster: np.ndarray | None
    block: np.ndarray | None
    binary_outcome: bool


def require_columns(frame: pd.DataFrame, **named: str | Sequence[str] | None) -> None:
    """Fail naming the argument whose column is not in ``frame``."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    for argument, columns in named.items():
        if columns is None:
            continue
        for column in [columns] if isinstance(columns, str) else list(columns):
            if column not in frame.columns:
                raise ValueError(f"{argument}: column {column!r} is not in the frame")


def zero_one(frame: pd.DataFrame, column: str, argument: str) -> np.ndarray:
    """The column as 0/1 integers; anything else (missing, 2, 'yes') is refused."""
    values = frame[column]
    missing = int(values.isna().sum())
    if missing:
        raise ValueError(f"{argument} {column!r} is missing in {missing} rows")
    numeric = pd.to_numeric(values.astype("object").map(_as_number), errors="coerce")
    if numeric.isna().any() or not set(numeric.unique()) <= {0, 1}:
        seen = sorted(map(str, values.unique()))[:5]
        raise ValueError(f"{argument} {column!r} must be 0/1 (or true/false); saw {seen}")
    return numeric.to_numpy(dtype=int)


def _as_number(value: object) -> object:
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    return value


def prepare(
    frame: pd.DataFrame,
    *,
    treatment: str,
    outcome: str,
    covariates: Sequence[str],
    cluster: str | None,
    block: str | None,
) -> Prepared:
    """Check every input of ``estimate_effect`` and return it as arrays."""
    covariates = list(covariates)
    require_columns(
        frame,
        treatment=treatment,
        outcome=outcome,
        covariates=covariates,
        cluster=cluster,
        block=block,
    )
    if len(frame) == 0:
        raise ValueError("frame has no rows")
    treated = zero_one(frame, treatment, "treatment")
    if treated.min() == treated.max():
        group = "control" if treated[0] == 1 else "treated"
        raise ValueError(f"treatment {treatment!r} does not vary: the {group} group is empty")

    outcome_values = frame[outcome]
    if outcome_values.isna().any():
        raise ValueError(
            f"outcome {outcome!r} is missing in {int(outcome_values.isna().sum())} rows; "
            "filter them (and report the attrition) before estimating"
        )
    if outcome_values.dtype == bool or outcome_values.dtype == "boolean":
        outcome_values = outcome_values.astype(int)
    try:
        y = pd.to_numeric(outcome_values).to_numpy(dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"outcome {outcome!r} must be numeric or 0/1") from error
    if np.ptp(y) == 0:
        raise ValueError(f"outcome {outcome!r} does not vary: every row is {y[0]:g}")
    binary = set(np.unique(y)) <= {0.0, 1.0}

    design = covariate_frame(frame, covariates)

    cluster_values = _codes(frame, cluster, "cluster")
    if cluster_values is not None and cluster_values.max() < 1:
        raise ValueError(f"cluster {cluster!r} has fewer than two clusters")
    return Prepared(
        row_ids=frame.index.to_numpy(),
        treated=treated,
        outcome=y,
        covariates=design,
        cluster=cluster_values,
        block=_codes(frame, block, "block"),
        binary_outcome=binary,
    )


def _codes(frame: pd.DataFrame, column: str | None, argument: str) -> np.ndarray | None:
    """Integer codes of a grouping column (clusters, blocks); a missing value is refused."""
    if column is None:
        return None
    missing = int(frame[column].isna().sum())
    if missing:
        raise ValueError(f"{argument} {column!r} is missing in {missing} rows")
    return pd.factorize(frame[column])[0]


def covariate_frame(frame: pd.DataFrame, covariates: list[str]) -> pd.DataFrame:
    """Covariates as numbers: text and categories become 0/1 indicators (first level
    left out), booleans 0/1. A missing value is refused with its count, never dropped."""
    columns = {}
    for name in covariates:
        values = frame[name]
        missing = int(values.isna().sum())
        if missing:
            raise ValueError(
                f"covariates: {name!r} is missing in {missing} of {len(frame)} rows; "
                "impute or filter them explicitly before estimating"
            )
        if pd.api.types.is_numeric_dtype(values):  # booleans included
            columns[name] = values.astype(float)
        else:
            levels = sorted(values.astype(str).unique())
            for level in levels[1:]:
                columns[f"{name}[{level}]"] = (values.astype(str) == level).astype(float)
    return pd.DataFrame(columns, index=frame.index)
