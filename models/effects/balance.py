"""Covariate balance: standardized mean differences before and after adjustment, each
with its What Works Clearinghouse band.

The WWC (Procedures and Standards Handbook v5.0, baseline equivalence) measures a
baseline difference as an effect size: Hedges' g for a continuous covariate, the Cox index
for a binary one, and reads it against two cut-offs: |SMD| <= 0.05 satisfies baseline
equivalence, 0.05 < |SMD| <= 0.25 requires statistical adjustment for that covariate, and
|SMD| > 0.25 does not satisfy it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.effects.effect_size import cox_index, hedges_g, pooled_sd

SATISFIED = "satisfied"
REQUIRES_ADJUSTMENT = "requires statistical adjustment"
NOT_SATISFIED = "not satisfied"


@dataclass(frozen=True)
class BalanceRow:
    """One covariate's standardized difference (treated minus control) before and after
    adjustment, and the WWC band of each."""

    covariate: str
    kind: str
    smd_before: float
    smd_after: float
    band_before: str
    band_after: str


def wwc_band(smd: float) -> str:
    """The WWC baseline-equivalence band of a standardized difference."""
    size = abs(smd)
    if math.isnan(size):
        return NOT_SATISFIED
    if size <= 0.05:
        return SATISFIED
    if size <= 0.25:
        return REQUIRES_ADJUSTMENT
    return NOT_SATISFIED


def is_binary(values: np.ndarray) -> bool:
    return set(np.unique(values)) <= {0.0, 1.0}


def standardized_difference(
    values: np.ndarray,
    treated: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    sd: float | None = None,
) -> float:
    """Hedges' g (continuous) or the Cox index (binary) of treated against control.

    With ``weights`` the group means are weighted; ``sd`` fixes the denominator (the
    unweighted pooled SD of the whole sample, so that a change reflects the means only).
    """
    if weights is None:
        weights = np.ones(len(values))
    n_total = int(len(values))
    mean_t = np.average(values[treated == 1], weights=weights[treated == 1])
    mean_c = np.average(values[treated == 0], weights=weights[treated == 0])
    if is_binary(values):
        return cox_index(float(mean_t), float(mean_c), n_total)
    if sd is None:
        sd = pooled_sd(values, treated)
    if not sd > 0:
        return 0.0
    return hedges_g(float(mean_t - mean_c), sd, n_total)


def balance_rows(
    covariates: pd.DataFrame,
    treated: np.ndarray,
    after_rows: np.ndarray,
    after_weights: np.ndarray | None,
) -> tuple[BalanceRow, ...]:
    """Each covariate before (all cases given) and after adjustment (the cases in
    ``after_rows``, weighted by ``after_weights`` if the method weights)."""
    rows = []
    for name in covariates.columns:
        values = covariates[name].to_numpy(dtype=float)
        before = standardized_difference(values, treated)
        sd = pooled_sd(values, treated) if after_weights is not None else None
        after = standardized_difference(
            values[after_rows], treated[after_rows], after_weights, sd=sd
        )
        rows.append(
            BalanceRow(
                covariate=name,
                kind="binary" if is_binary(values) else "continuous",
                smd_before=float(before),
                smd_after=float(after),
                band_before=wwc_band(before),
                band_after=wwc_band(after),
            )
        )
    return tuple(rows)
