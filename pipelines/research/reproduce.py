"""Reproduce the scorecard from a research extract, as a partner would.

``read_extract`` reads the extract's Parquet tables as plain frames; ``reproduce_scorecard``
builds every claim's frame from them with the scorecard's own queries and scores it with
the same estimators; ``compare_with_manifest`` lines the result up against the numbers the
district stored, claim by claim.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from models.scorecard import Registry, Scorecard, build_scorecard, load_registry, score_claim
from pipelines.errors import InputError
from pipelines.scorecard import claim_frames
from pipelines.sql_text import quote_literal

MANIFEST = "manifest.json"
#: Relative tolerance of a reproduced number: the estimators' own numerical precision
#: (iterative fits stop at about 1e-8).
RELATIVE_TOLERANCE = 1e-6


def read_manifest(folder: str | Path) -> dict:
    path = Path(folder) / MANIFEST
    if not path.exists():
        raise InputError(folder, "is not a research extract (no manifest.json)", "give its folder")
    return json.loads(path.read_text(encoding="utf-8"))


def read_extract(folder: str | Path) -> dict[str, pd.DataFrame]:
    """Every table of an extract, by name, as the warehouse's loaders hand frames."""
    manifest = read_manifest(folder)
    con = duckdb.connect()
    try:
        paths = {name: str(Path(folder) / f"{name}.parquet") for name in manifest["tables"]}
        return {
            name: con.execute(
                f"SELECT * FROM read_parquet({quote_literal(path)}) ORDER BY ALL"
            ).df()
            for name, path in paths.items()
        }
    finally:
        con.close()


def reproduce_scorecard(
    folder: str | Path,
    *,
    registry: Registry | None = None,
    claim_ids: Sequence[str] | None = None,
) -> Scorecard:
    """Score every claim of the registry (or those of ``claim_ids``) on the extract."""
    registry = registry or load_registry()
    tables = read_extract(folder)
    frames = claim_frames(tables, registry, claim_ids)
    estimates = []
    for claim in registry.claims:
        if claim_ids and claim.id not in claim_ids:
            continue
        frame, naive = frames.get(claim.id, (None, None))
        estimates.append(score_claim(claim, frame, naive_frame=naive))
    return build_scorecard(estimates)


def compare_with_manifest(folder: str | Path, *, registry: Registry | None = None) -> pd.DataFrame:
    """One row per stored claim: the stored and reproduced estimate, interval, n and
    verdict, whether they match, and whether the extract was expected to reproduce it."""
    manifest = read_manifest(folder)
    stored_ids = [claim["claim_id"] for claim in manifest["scorecard"]["claims"]]
    scorecard = reproduce_scorecard(folder, registry=registry, claim_ids=stored_ids)
    reproduced = {record["claim_id"]: record for record in scorecard.to_records()}
    rows = []
    for stored in manifest["scorecard"]["claims"]:
        again = reproduced.get(stored["claim_id"], {})
        row = {
            "claim_id": stored["claim_id"],
            "reads_changed_columns": ", ".join(stored["altered"]),
        }
        matches = True
        for name in ("estimate", "ci_lower", "ci_upper", "n", "verdict"):
            row[f"stored_{name}"] = stored[name]
            row[f"reproduced_{name}"] = plain_value(again.get(name))
            matches &= _same(stored[name], row[f"reproduced_{name}"])
        row["matches"] = matches
        rows.append(row)
    return pd.DataFrame(rows)


def plain_value(value):
    """A stored number as a plain Python value: numpy scalars unwrapped, NA as None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _same(stored, reproduced) -> bool:
    if stored is None or reproduced is None:
        return stored is None and reproduced is None
    if isinstance(stored, str) or isinstance(reproduced, str):
        return stored == reproduced
    return math.isclose(float(stored), float(reproduced), rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-9)
