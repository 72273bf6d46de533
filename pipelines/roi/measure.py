"""What the warehouse can tell the benefit-cost model: plain frames for the evidence scenario.

The marts are read as of the chosen state of the warehouse, as the scorecard reads them;
the teacher-year figures come from the scorecard's own ``teacher_retention_trained``
frame, so the exit rate the model uses and the ratio the scorecard estimates count the
same teacher-years. The latest stored scorecard run gives the effects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from models.roi.evidence import (
    GIRLS_RETENTION_CLAIM,
    TEACHER_RETENTION_CLAIM,
    WAGE_PREMIUM_CLAIM,
)
from models.scorecard import load_registry
from pipelines.scorecard import claim_frames, read_claim_estimates
from pipelines.sql_text import read_sql
from pipelines.warehouse.marts import AsOf, load_mart

#: The marts the figures read.
FIGURE_MARTS = ("graduate_outcomes", "certificate_eligibility", "student_years")
#: The marts read as they are: booked costs and recorded benefits.
LEDGER_MARTS = ("costs_by_year", "benefits_by_year")
#: The scorecard claims the evidence scenario uses.
CLAIMS = (TEACHER_RETENTION_CLAIM, WAGE_PREMIUM_CLAIM, GIRLS_RETENTION_CLAIM)


@dataclass(frozen=True)
class Measurements:
    """The frames ``models.roi.evidence.evidence_scenario`` takes, and where they came from."""

    figures: pd.DataFrame = field(repr=False)
    costs: pd.DataFrame = field(repr=False)
    benefits: pd.DataFrame = field(repr=False)
    claims: pd.DataFrame = field(repr=False)
    scorecard_run_id: str | None
    as_of_batch_id: int | None


def measure(con: duckdb.DuckDBPyConnection, *, as_of: AsOf = None) -> Measurements:
    """Read the marts and the latest stored scorecard into the evidence scenario's frames."""
    loaded = {
        name: load_mart(con, name, as_of=as_of)
        for name in (*FIGURE_MARTS, *LEDGER_MARTS, "teachers")
    }
    tables = {name: mart.frame for name, mart in loaded.items()}
    figures = pd.concat(
        [_mart_figures(tables), _teacher_figures(tables)], ignore_index=True
    ).sort_values(["figure", "school_year"], na_position="first", ignore_index=True)
    claims = read_claim_estimates(con)
    run_id = None
    if not claims.empty:
        run_id = str(claims["run_id"].iloc[0])
        claims = claims[claims["claim_id"].isin(CLAIMS)].reset_index(drop=True)
    batches = [m.last_batch_id for m in loaded.values() if m.last_batch_id is not None]
    return Measurements(
        figures=figures,
        costs=tables["costs_by_year"],
        benefits=tables["benefits_by_year"],
        claims=claims,
        scorecard_run_id=run_id,
        as_of_batch_id=max(batches) if batches else None,
    )


def _mart_figures(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    local = duckdb.connect()
    try:
        for name in FIGURE_MARTS:
            local.register(name, tables[name])
        return local.execute(read_sql(__package__, "figures.sql")).df()
    finally:
        local.close()


def _teacher_figures(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Teachers at risk in the latest year; exit rates, all teacher-years and trained."""
    registry = load_registry()
    rows: list[tuple] = []
    frame = None
    if TEACHER_RETENTION_CLAIM in registry.ids:
        frames = claim_frames({"teachers": tables["teachers"]}, registry, [TEACHER_RETENTION_CLAIM])
        frame, _ = frames[TEACHER_RETENTION_CLAIM]
    if frame is None or frame.empty:
        return pd.DataFrame(
            rows, columns=["figure", "school_year", "value", "n", "std_error", "source"]
        )
    # The frame carries the school year as text (a fixed effect); here it is a year.
    frame = frame.assign(school_year=frame["school_year"].astype(int))
    latest = int(frame["school_year"].max())
    first = int(frame["school_year"].min())
    at_risk = int((frame["school_year"] == latest).sum())
    rows.append(
        (
            "teachers_at_risk",
            latest,
            float(at_risk),
            at_risk,
            None,
            f"teachers: teachers on the roster at the start of {latest}",
        )
    )
    for name, subset, who in (
        ("teacher_exit_rate", frame, "teacher-years"),
        ("teacher_exit_rate_trained", frame[frame["trained"] == 1], "trained teacher-years"),
    ):
        n = len(subset)
        if n == 0:
            continue
        rate = float(subset["exited"].mean())
        rows.append(
            (
                name,
                latest,
                rate,
                n,
                float(np.sqrt(rate * (1 - rate) / n)),
                f"teachers: exits over {who} in {first}-{latest} ({int(subset['exited'].sum())} "
                f"of {n})",
            )
        )
    return pd.DataFrame(
        rows, columns=["figure", "school_year", "value", "n", "std_error", "source"]
    )
