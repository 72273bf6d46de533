"""Build every claim's analysis frame from the marts and score the registry."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from models.scorecard import Registry, Scorecard, build_scorecard, load_registry, score_claim
from models.scorecard.registry import registry_path
from pipelines.sql_text import read_sql
from pipelines.warehouse.design import load_lottery_assignments
from pipelines.warehouse.marts import AsOf, MartFrame, load_mart

#: Tables a claim's frame may read besides the marts: the lotteries drawn among applicants
#: (not versioned by batch, so the same whatever the as-of state).
DESIGN_TABLES = {"lottery_assignments": load_lottery_assignments}


@dataclass(frozen=True)
class ScorecardRun:
    """A scorecard and the state of the warehouse it was computed from."""

    scorecard: Scorecard
    run_at: dt.datetime
    as_of: str | None
    as_of_batch_id: int | None
    mart_builds: tuple[str, ...]
    registry_sha256: str
    marts: dict[str, MartFrame] = field(default_factory=dict, repr=False)


def claim_frames(
    marts: dict[str, pd.DataFrame], registry: Registry, claim_ids: Sequence[str] | None = None
) -> dict[str, tuple[pd.DataFrame | None, pd.DataFrame | None]]:
    """Each claim's analysis frame and its naive comparison's own frame (None when the
    naive comparison uses the claim's frame), from mart frames by name."""
    local = duckdb.connect()
    try:
        for name, frame in marts.items():
            local.register(name, frame)
        local.execute(read_sql(__package__, "frames/_macros.sql"))
        frames = {}
        for claim in registry.claims:
            if claim_ids and claim.id not in claim_ids:
                continue
            if claim.untestable or claim.estimator is None:
                frames[claim.id] = (None, None)
                continue
            main = _query(local, claim.frame, claim.frame_parameters)
            naive = None
            if claim.naive is not None and claim.naive.frame:
                naive = _query(local, claim.naive.frame, claim.frame_parameters)
            frames[claim.id] = (main, naive)
        return frames
    finally:
        local.close()


def run_scorecard(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: AsOf = None,
    claim_ids: Sequence[str] | None = None,
    registry: Registry | None = None,
    alpha: float = 0.05,
    progress: Callable[[str], None] | None = None,
) -> ScorecardRun:
    """Score every claim (or those of ``claim_ids``) on the warehouse as of ``as_of``."""
    registry = registry or load_registry()
    if claim_ids:
        for claim_id in claim_ids:
            registry.claim(claim_id)  # an unknown id fails here, naming the known ones
    wanted = [c for c in registry.claims if not claim_ids or c.id in claim_ids]
    names = sorted({m for c in wanted if not c.untestable for m in c.metric.marts})
    loaded = {
        name: load_mart(con, name, as_of=as_of) for name in names if name not in DESIGN_TABLES
    }
    tables = {n: m.frame for n, m in loaded.items()}
    tables |= {n: DESIGN_TABLES[n](con) for n in names if n in DESIGN_TABLES}
    frames = claim_frames(tables, registry, claim_ids)
    estimates = []
    for claim in wanted:
        if progress:
            progress(claim.id)
        frame, naive = frames[claim.id]
        estimates.append(score_claim(claim, frame, naive_frame=naive, alpha=alpha))
    batches = {m.last_batch_id for m in loaded.values() if m.last_batch_id is not None}
    return ScorecardRun(
        scorecard=build_scorecard(estimates, alpha=alpha),
        run_at=dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
        as_of=None if as_of is None else str(as_of),
        as_of_batch_id=max(batches) if batches else None,
        mart_builds=tuple(sorted({str(m.build_id) for m in loaded.values() if m.build_id})),
        registry_sha256=hashlib.sha256(registry_path().read_bytes()).hexdigest(),
        marts=loaded,
    )


def _query(local: duckdb.DuckDBPyConnection, frame: str, parameters: dict) -> pd.DataFrame:
    for name, value in parameters.items():
        local.execute(f"SET VARIABLE {name} = ?", [value])
    return local.execute(read_sql(__package__, f"frames/{frame}.sql")).df()
