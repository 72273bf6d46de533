"""Overall and differential attrition against the What Works Clearinghouse boundaries,
and the rating that follows for a randomized design.

The boundary table is WWC Standards Handbook Table II.1 ("Highest differential attrition
rate for a sample to maintain low attrition, by overall attrition rate, under optimistic
and cautious assumptions"), carried unchanged from Handbook v4.1 into the Procedures and
Standards Handbook v5.0 (2022). Overall attrition is in whole percent (0-65); each value is
the highest differential attrition, in percentage points, that is still low attrition.
Beyond the table (cautious above 57%, optimistic above 65%) attrition is high whatever the
differential.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.effects.inputs import require_columns, zero_one
from models.results import Result, Term

# fmt: off
#: Cautious boundary: overall attrition 0%, 1%, ... 57% (WWC Table II.1).
CAUTIOUS = (
    5.7, 5.8, 5.9, 5.9, 6.0, 6.1, 6.2, 6.3, 6.3, 6.3, 6.3, 6.2, 6.2, 6.1, 6.0,
    5.9, 5.9, 5.8, 5.7, 5.5, 5.4, 5.3, 5.2, 5.1, 4.9, 4.8, 4.7, 4.5, 4.4, 4.3,
    4.1, 4.0, 3.8, 3.6, 3.5, 3.3, 3.2, 3.1, 2.9, 2.8, 2.6, 2.5, 2.3, 2.1, 2.0,
    1.8, 1.6, 1.5, 1.3, 1.2, 1.0, 0.9, 0.7, 0.6, 0.4, 0.3, 0.2, 0.0,
)
#: Optimistic boundary: overall attrition 0%, 1%, ... 65% (WWC Table II.1).
OPTIMISTIC = (
    10.0, 10.1, 10.2, 10.3, 10.4, 10.5, 10.7, 10.8, 10.9, 10.9, 10.9, 10.9, 10.9,
    10.8, 10.8, 10.7, 10.6, 10.5, 10.3, 10.2, 10.0, 9.9, 9.7, 9.5, 9.4, 9.2, 9.0,
    8.8, 8.6, 8.4, 8.2, 8.0, 7.8, 7.6, 7.4, 7.2, 7.0, 6.7, 6.5, 6.3, 6.0, 5.8, 5.6,
    5.3, 5.1, 4.9, 4.6, 4.4, 4.2, 3.9, 3.7, 3.5, 3.2, 3.0, 2.8, 2.6, 2.3, 2.1, 1.9,
    1.6, 1.4, 1.1, 0.9, 0.7, 0.5, 0.3,
)
# fmt: on
BOUNDARIES = {"cautious": CAUTIOUS, "optimistic": OPTIMISTIC}

WITHOUT_RESERVATIONS = "Meets WWC standards without reservations"
WITH_RESERVATIONS = "Meets WWC standards with reservations"
DOES_NOT_MEET = "Does not meet WWC standards"


@dataclass(frozen=True)
class AttritionResult(Result):
    """Attrition rates with the boundary applied: ``level`` is "low" or "high",
    ``rating`` the WWC rating that follows for a randomized design."""

    level: str = ""
    rating: str = ""
    boundary: str = ""


def highest_low_differential(overall_percent: float, boundary: str) -> float | None:
    """The boundary's highest differential attrition (percentage points) that is still
    low at this overall attrition, or None beyond the table (always high). The overall
    rate is rounded to a whole percent, as the table lists it."""
    table = BOUNDARIES[boundary]
    row = int(np.floor(overall_percent + 0.5))
    return table[row] if 0 <= row < len(table) else None


def attrition(
    frame: pd.DataFrame,
    *,
    treatment: str,
    observed: str,
    boundary: str = "cautious",
    baseline_equivalence: bool | None = None,
    alpha: float = 0.05,
) -> AttritionResult:
    """Overall and differential attrition of a randomized sample, against the WWC
    attrition boundary, and the rating that follows.

    Parameters
    ----------
    frame
        One row per case as randomized (not just those with an outcome).
    treatment
        The 0/1 arm each case was assigned to.
    observed
        1 (true) when the case's outcome was measured, 0 when it was lost.
    boundary
        ``"cautious"`` when the program itself may affect who stays (the WWC default for
        most topic areas) or ``"optimistic"`` when attrition is unlikely to depend on it.
        The review protocol sets it, not the result.
    baseline_equivalence
        For high attrition only: whether the analytic sample was shown equivalent at
        baseline (then the design can meet standards with reservations).

    Returns
    -------
    AttritionResult
        Terms ``overall_attrition``, ``differential_attrition`` (headline; its extra
        ``boundary_pp`` is the table value), ``treatment_attrition`` and
        ``control_attrition``, all as proportions; ``level`` and ``rating``.

    References
    ----------
    What Works Clearinghouse (2022). Procedures and Standards Handbook, Version 5.0,
    attrition standard and Table II.1 (boundary values as in the Standards Handbook
    v4.1, 2020).

    Example
    -------
    >>> frame = pd.DataFrame({"arm": [1] * 100 + [0] * 100,
    ...                       "tested": [1] * 92 + [0] * 8 + [1] * 90 + [0] * 10})
    >>> attrition(frame, treatment="arm", observed="tested").level
    'low'
    """
    if boundary not in BOUNDARIES:
        raise ValueError(f"boundary must be 'cautious' or 'optimistic', got {boundary!r}")
    require_columns(frame, treatment=treatment, observed=observed)
    if len(frame) == 0:
        raise ValueError("frame has no rows")
    arm = zero_one(frame, treatment, "treatment")
    kept = zero_one(frame, observed, "observed")
    for group, flag in (("treated", 1), ("control", 0)):
        if not np.any(arm == flag):
            raise ValueError(f"treatment {treatment!r}: the {group} group is empty")
    lost = 1 - kept
    overall = float(lost.mean())
    treated_rate = float(lost[arm == 1].mean())
    control_rate = float(lost[arm == 0].mean())
    differential = abs(treated_rate - control_rate)
    limit = highest_low_differential(100 * overall, boundary)
    # A hair of tolerance keeps a rate exactly on the boundary (1.4 points stored as
    # 1.4000000000000001) on the low side, as the table intends.
    low = limit is not None and 100 * differential <= limit + 1e-9
    notes = []
    if low:
        level, rating = "low", WITHOUT_RESERVATIONS
    else:
        level = "high"
        if baseline_equivalence:
            rating = WITH_RESERVATIONS
        else:
            rating = DOES_NOT_MEET
            if baseline_equivalence is None:
                notes.append(
                    "attrition is high: the design can meet WWC standards with reservations "
                    "only if the analytic sample is shown equivalent at baseline "
                    "(pass baseline_equivalence=True once it is)"
                )
    if limit is None:
        notes.append(
            f"overall attrition of {overall:.1%} is beyond the {boundary} boundary's table: "
            "high attrition whatever the differential"
        )
    terms = (
        Term("overall_attrition", overall),
        Term("differential_attrition", differential, extra=(("boundary_pp", limit),)),
        Term("treatment_attrition", treated_rate),
        Term("control_attrition", control_rate),
    )
    return AttritionResult(
        method=f"WWC attrition standard, {boundary} boundary (Handbook v5.0, Table II.1)",
        estimand="attrition (share of randomized cases without an outcome)",
        n=len(arm),
        terms=terms,
        alpha=alpha,
        warnings=tuple(notes),
        headline="differential_attrition",
        details={
            "randomized_treated": int(arm.sum()),
            "randomized_control": int((1 - arm).sum()),
            "observed_treated": int(kept[arm == 1].sum()),
            "observed_control": int(kept[arm == 0].sum()),
            "boundary_pp": limit,
        },
        level=level,
        rating=rating,
        boundary=boundary,
    )
