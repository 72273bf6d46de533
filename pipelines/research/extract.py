"""``export_research``: a research partner's de-identified extract of the marts.

The extract is one folder, ``OUT/<partner>/``, written whole or not at all:

- ``<table>.parquet`` and ``<table>.csv`` for every mart (and the lottery assignments when
  the district drew any): pseudonyms re-keyed for the partner, dates treated as the
  settings say, quasi-identifiers generalised to k-anonymity. The marts hold no free
  text (survey answers typed by hand stay in ``core.survey_responses``), so none leaves.
- ``codebook.csv``: one row per column, its definition from the contracts and what this
  extract did to it.
- ``manifest.json``: the state it was cut from, the code and packages, the settings, every
  file's checksum, and the stored scorecard's numbers with, for each claim, whether the
  extract reproduces it exactly (``pipelines.research.reproduce`` does so).
- ``README.md``: the same in words, and how to reproduce the scorecard.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from models.scorecard import Registry, load_registry
from pipelines.contracts import Contract
from pipelines.errors import InputError
from pipelines.ingest.pseudonymize import key_fingerprint, load_key
from pipelines.research.claims_read import claim_columns, lottery_contract, protected_columns
from pipelines.research.deidentify import DATE_POLICIES, partner_key
from pipelines.research.files import write_codebook, write_readme, write_table
from pipelines.research.provenance import (
    file_sha256,
    git_commit,
    loaded_batches,
    locked_versions,
)
from pipelines.research.recoding import Recoding
from pipelines.research.reproduce import MANIFEST, compare_with_manifest, plain_value
from pipelines.research.tables import (
    PERSON_COLUMNS,
    ExtractSettings,
    TableExtract,
    anonymise,
    deidentify_table,
    person_column,
    person_kind,
    quasi_identifiers,
)
from pipelines.safe_export import write_safe_frame
from pipelines.scorecard import read_claim_estimates
from pipelines.scorecard.store import package_versions
from pipelines.warehouse.design import load_lottery_assignments
from pipelines.warehouse.marts import AsOf, load_mart
from pipelines.warehouse.marts.build import resolve_as_of
from pipelines.warehouse.marts.definitions import mart_contracts, mart_names

#: A partner's name becomes a folder: letters, digits, dot, dash and underscore only.
PARTNER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
#: Claim numbers compared between the stored scorecard and a reproduction.
CLAIM_NUMBERS = ("estimate", "ci_lower", "ci_upper", "n", "verdict")


@dataclass(frozen=True)
class ResearchExtract:
    """What was written: the folder, each table's rows and the manifest."""

    folder: Path
    rows: dict[str, int]
    manifest: dict

    @property
    def reproduced_claims(self) -> list[str]:
        """The claims the extract reproduced when it was verified."""
        return [c["claim_id"] for c in self.manifest["scorecard"]["claims"] if c.get("reproduced")]


def check_partner(partner: str) -> str:
    """The partner's name, or one clear line when it could escape the output folder."""
    if not PARTNER_NAME.match(partner or "") or ".." in partner:
        raise InputError(
            "--partner",
            f"{partner!r} is not a plain name (it becomes a folder name)",
            "use letters, digits, '.', '-' and '_' only, e.g. --partner state-university",
        )
    return partner


def export_research(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    partner: str,
    *,
    as_of: AsOf = None,
    settings: ExtractSettings | None = None,
    registry: Registry | None = None,
    progress: Callable[[str], None] | None = None,
    verify: bool = True,
) -> ResearchExtract:
    """Cut ``partner``'s extract of the warehouse as of ``as_of`` into ``out/partner``.

    With ``verify`` the scorecard is reproduced from the written files before they are
    put in place, and the manifest records which claims matched.

    Raises ``InputError`` (one line) for a bad partner name or setting, a warehouse
    without marts or without a stored scorecard of the same state, and a folder that
    cannot be written; nothing is left half-written.
    """
    check_partner(partner)
    settings = settings or ExtractSettings()
    _check_settings(settings)
    registry = registry or load_registry()
    batch = resolve_as_of(con, as_of)
    if batch is None:
        raise InputError(
            "outcomes export research",
            "the warehouse holds nothing loaded yet",
            "run `outcomes ingest` (or `outcomes demo`) first",
        )
    scorecard = _stored_scorecard(con, batch)
    key = partner_key(load_key(), partner)
    protected = protected_columns(registry)

    sources = {}
    builds: set[str] = set()
    for name in mart_names():
        if progress:
            progress(f"reading {name}")
        mart = load_mart(con, name, as_of=as_of)
        if mart.build_id:
            builds.add(str(mart.build_id))
        sources[name] = (mart.frame, mart_contracts()[name])
    # Written even when no lottery was drawn, so that a lottery claim finds its table.
    sources["lottery_assignments"] = (load_lottery_assignments(con), lottery_contract())
    if progress:
        progress("de-identifying the tables")
    tables = deidentify_tables(sources, key=key, settings=settings, protected=protected)

    changed = {name: table.changed_columns for name, (table, _) in tables.items()}
    claims = _claims_to_reproduce(scorecard, registry, changed)
    lock_sha256, pins = locked_versions()
    manifest = {
        "partner": partner,
        "partner_key_fingerprint": key_fingerprint(key),
        "created_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "as_of": None if as_of is None else str(as_of),
        "as_of_batch_id": batch,
        "settings": {
            "k": settings.k,
            "student_dates": settings.student_dates,
            "staff_dates": settings.staff_dates,
            "shift_days": settings.shift_days,
        },
        "git_commit": git_commit(),
        "lock_sha256": lock_sha256,
        "locked_packages": pins,
        "installed_packages": package_versions(),
        "batches": loaded_batches(con, batch),
        "mart_builds": sorted(builds),
        "tables": {},
        "scorecard": {
            "run_id": str(scorecard["run_id"].iloc[0]),
            "as_of_batch_id": batch,
            "claims": claims,
        },
    }
    folder = _write_folder(out, partner, tables, manifest, verify=verify, registry=registry)
    rows = {name: len(table.frame) for name, (table, _) in tables.items()}
    return ResearchExtract(folder, rows, json.loads((folder / MANIFEST).read_text()))


#: Tables are generalised round by round until no table adds a step to the shared
#: recoding; a round can only add steps, so it ends, in practice within three.
MAX_ROUNDS = 6


def deidentify_tables(
    sources: dict[str, tuple[pd.DataFrame, Contract]],
    *,
    key: bytes,
    settings: ExtractSettings,
    protected: dict[str, set[str]],
) -> dict[str, tuple[TableExtract, Contract]]:
    """Every table de-identified, tables about the same kind of person recoded alike.

    A column an analysis reads in any table is protected in every table: the same
    column withheld in one table and read from another would protect nobody.
    """
    read_anywhere = set().union(*protected.values()) if protected else set()
    recodings: dict[str, Recoding] = {}
    # Rounds settle the shared recoding on the quasi-identifiers alone; the tables are
    # then de-identified whole once, with it.
    for _ in range(MAX_ROUNDS):
        grew = False
        for frame, contract in sources.values():
            person, quasi = person_column(frame), quasi_identifiers(contract, frame)
            if person is None or not quasi:
                continue
            recoding = recodings.setdefault(PERSON_COLUMNS[person], Recoding())
            anonymised = anonymise(
                frame[[person, *quasi]],
                person,
                quasi,
                settings=settings,
                protected=read_anywhere,
                recoding=recoding,
            )
            grew |= recoding.absorb(anonymised.steps)
        if not grew:
            break
    return {
        name: (
            deidentify_table(
                name,
                frame,
                contract,
                key=key,
                settings=settings,
                protected=read_anywhere,
                recoding=recodings.get(person_kind(frame) or ""),
            ),
            contract,
        )
        for name, (frame, contract) in sources.items()
    }


def _check_settings(settings: ExtractSettings) -> None:
    if settings.k < 2:
        raise InputError("--k", f"k = {settings.k} protects nobody", "give a k of 2 or more")
    for option, policy in (
        ("--student-dates", settings.student_dates),
        ("--staff-dates", settings.staff_dates),
    ):
        if policy not in DATE_POLICIES:
            raise InputError(option, f"unknown date policy {policy!r}", f"use {DATE_POLICIES}")
    if settings.shift_days < 1:
        raise InputError("--shift-days", "must be at least 1", "give a number of days")


def _stored_scorecard(con: duckdb.DuckDBPyConnection, batch: int | None) -> pd.DataFrame:
    scorecard = read_claim_estimates(con)
    if scorecard.empty:
        raise InputError(
            "outcomes export research",
            "no scorecard is stored, so the extract could not say which numbers it reproduces",
            "run `outcomes claims` first",
        )
    scored = scorecard["as_of_batch_id"].iloc[0]
    scored = None if pd.isna(scored) else int(scored)
    if scored != batch:
        raise InputError(
            "outcomes export research",
            f"the stored scorecard is of batch {scored}, the extract would be of batch {batch}",
            f"run `outcomes claims --as-of {batch}` first, or export with --as-of {scored}",
        )
    return scorecard


def _claims_to_reproduce(
    scorecard: pd.DataFrame, registry: Registry, changed: dict[str, set[str]]
) -> list[dict]:
    reads = claim_columns(registry)
    claims = []
    for row in scorecard.to_dict(orient="records"):
        altered = sorted(
            f"{table}.{column}"
            for table, column in reads.get(row["claim_id"], set())
            if column in changed.get(table, set())
        )
        numbers = {name: plain_value(row[name]) for name in CLAIM_NUMBERS}
        claims.append(
            {
                "claim_id": row["claim_id"],
                **numbers,
                "reproducible": not altered,
                "altered": altered,
            }
        )
    return claims


def _write_manifest(folder: Path, manifest: dict) -> None:
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str) + "\n")


def _verify(folder: Path, manifest: dict, registry: Registry) -> None:
    """Reproduce the scorecard from the written extract, as the partner will, and record
    claim by claim whether it matched (``reproduction.csv`` has both numbers)."""
    comparison = compare_with_manifest(folder, registry=registry)
    write_safe_frame(folder / "reproduction.csv", comparison)
    matched = dict(zip(comparison["claim_id"], comparison["matches"], strict=True))
    for claim in manifest["scorecard"]["claims"]:
        claim["reproduced"] = bool(matched.get(claim["claim_id"], False))
    manifest["scorecard"]["verified"] = True
    _write_manifest(folder, manifest)


def _write_folder(
    out: Path,
    partner: str,
    tables: dict[str, tuple[TableExtract, Contract]],
    manifest: dict,
    *,
    verify: bool,
    registry: Registry,
) -> Path:
    """Write everything into a hidden sibling folder, then swap it in for any old extract."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=out, prefix=f".{partner}."))
    except OSError as error:
        raise InputError(
            out, f"cannot be written ({error.strerror})", "choose a folder you can write to"
        ) from error
    try:
        for name, (table, contract) in tables.items():
            written = write_table(staging, name, table.frame, contract)
            manifest["tables"][name] = {
                "rows": len(table.frame),
                "files": {path.name: file_sha256(path) for path in written},
                "smallest_group": table.smallest_group,
                "generalisations": [step.sentence() for step in table.steps],
            }
        write_codebook(staging / "codebook.csv", tables)
        _write_manifest(staging, manifest)
        if verify:
            _verify(staging, manifest, registry)
        write_readme(staging / "README.md", manifest)
        os.chmod(staging, 0o755)
        target = out / partner
        if target.exists():
            retired = Path(tempfile.mkdtemp(dir=out, prefix=f".{partner}.old."))
            os.replace(target, retired / partner)
            os.replace(staging, target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, target)
    except OSError as error:
        raise InputError(
            out, f"cannot be written ({error.strerror})", "choose a folder you can write to"
        ) from error
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return out / partner
