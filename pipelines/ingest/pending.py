"""The batches one ingest command has staged, validated kind by kind and written together.

great-expectations costs about a fifth of a second a run whatever the rows, and a district
folder holds many small files of few kinds (ten survey exports, four yearly rosters). So a
command stages its files first, each batch in a schema of its own in the staging database
(``b1``, ``b2``, ...: every batch has its ``typed``, ``checked`` and ``quarantined``), and
then, kind by kind with referenced kinds first, counts each batch's checks in SQL and runs
great-expectations once over the kind's clean batches together (``confirm_with_gx``). Each
batch is then written in its own transaction, referenced kinds first, in the order staged.

A foreign key may point to a row of another file of the same command: the keys it may
point to are the warehouse's and those of the command's batches of the referenced kind
that passed their checks, so the order of files within one command does not matter.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import duckdb

from pipelines.contracts import Contract, load_contracts, load_order
from pipelines.contracts.rules import reference_table
from pipelines.ingest.sources import StagedSource
from pipelines.ingest.staging import Staging
from pipelines.ingest.validate.batch import Routed, Validation, confirm_with_gx, route_batch
from pipelines.sql_text import quote_ident, quote_literal
from pipelines.warehouse.audit import Batch
from pipelines.warehouse.load import copy_known_keys, write_batch
from pipelines.warehouse.transaction import transaction

#: Test hook: seconds to sleep inside the batch transaction, just before COMMIT, so a test
#: can kill the process mid-load and check that no partial batch survives.
PAUSE_BEFORE_COMMIT_ENV = "OUTCOMES_PAUSE_BEFORE_COMMIT"

#: Past this many staged rows the pending batches are validated and written before the
#: next file is read, so a folder of large files is never held in staging all at once.
FLUSH_ROWS = 5_000_000

READ = "read"
REFERENCE_KEYS = "open warehouse, reference keys"
GREAT_EXPECTATIONS = "great-expectations"
WRITE = "write (one transaction)"


@dataclass
class StagedBatch:
    """One batch waiting in its staging schema for validation and its write."""

    contract: Contract
    #: The file's facts; the counts come when it is written.
    batch: Batch
    schema: str
    source: StagedSource
    rows: int
    #: Seconds per step, in the order the steps first ran.
    laps: dict[str, float] = field(default_factory=dict)
    routed: Routed | None = None
    validation: Validation | None = None
    #: The batch as written (its id and counts), once it is.
    result: Batch | None = None

    def add_seconds(self, step: str, seconds: float) -> None:
        self.laps[step] = self.laps.get(step, 0.0) + seconds


class Stopwatch:
    """Seconds per named step, measured one after another, added to ``laps`` (a batch's,
    or a new dict)."""

    def __init__(self, laps: dict[str, float] | None = None) -> None:
        self.laps = laps if laps is not None else {}
        self._last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.laps[step] = self.laps.get(step, 0.0) + now - self._last
        self._last = now


class PendingBatches:
    """``pending.open_schema()`` before a batch is typed in staging, ``pending.add(...)``
    when it is ready; ``pending.flush()`` validates and writes all of them."""

    def __init__(self, staging: Staging) -> None:
        self.staging = staging
        self.batches: list[StagedBatch] = []
        self._schemas = 0

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        return self.staging.con

    @property
    def rows(self) -> int:
        return sum(staged.rows for staged in self.batches)

    def open_schema(self) -> str:
        """A new schema for the next batch, made where unqualified tables are created (and
        looked up first; the staging macros and tables stay visible)."""
        self._schemas += 1
        schema = f"b{self._schemas}"
        self.con.execute(f"CREATE SCHEMA {schema}")
        self.use(schema)
        return schema

    def use(self, schema: str | None) -> None:
        """Create unqualified tables in ``schema`` (None: the main schema)."""
        path = "main" if schema is None else f"{schema},main"
        self.con.execute(f"SET search_path = {quote_literal(path)}")

    def add(self, staged: StagedBatch) -> None:
        self.batches.append(staged)

    def identical(self, *, sha256: str, kind: str, district_id: str) -> StagedBatch | None:
        """A pending batch of the same bytes, kind and district, if any."""
        for staged in self.batches:
            batch = staged.batch
            if (batch.file_sha256, batch.kind, batch.district_id) == (sha256, kind, district_id):
                return staged
        return None

    def staged_keys(self, kind: str, column: str, district_id: str) -> set[str]:
        """The values of ``column`` in the district's pending batches of ``kind``."""
        keys: set[str] = set()
        for staged in self._of(kind, district_id):
            keys.update(
                value
                for (value,) in self.con.execute(
                    f"SELECT DISTINCT {quote_ident(column)} FROM {staged.schema}.typed "
                    f"WHERE {quote_ident(column)} IS NOT NULL"
                ).fetchall()
            )
        return keys

    def discard(self, staged: Iterable[StagedBatch]) -> None:
        """Forget batches of a file that was refused after they were staged."""
        dropped = {id(s) for s in staged}
        for s in self.batches:
            if id(s) in dropped:
                self.drop_schema(s.schema)
        self.batches = [s for s in self.batches if id(s) not in dropped]

    def flush(self) -> None:
        """Validate every pending batch and write each in its own transaction.

        Kinds are routed referenced kinds first, so a foreign key's known keys include the
        pending batches of its kind that passed; great-expectations confirms each kind's
        counts; then batches are written in the same order. A batch that cannot be written
        stops the flush (its transaction rolled back, later batches not written).
        """
        if not self.batches:
            return
        contracts = load_contracts()
        rank = {kind: position for position, kind in enumerate(load_order(contracts))}
        ordered = sorted(self.batches, key=lambda s: rank[s.batch.kind])
        try:
            groups: dict[tuple[str, str], list[StagedBatch]] = {}
            for staged in ordered:
                groups.setdefault((staged.batch.kind, staged.batch.district_id), []).append(staged)
            for (kind, district_id), members in groups.items():
                self._route(contracts[kind], district_id, members)
                self._confirm(kind, members)
            for staged in ordered:
                self._write(staged)
        finally:
            self.use(None)
            for staged in self.batches:
                self.drop_schema(staged.schema)
            self.batches = []

    # --- steps ------------------------------------------------------------------------------

    def _of(self, kind: str, district_id: str) -> list[StagedBatch]:
        return [
            s for s in self.batches if s.batch.kind == kind and s.batch.district_id == district_id
        ]

    def _route(self, contract: Contract, district_id: str, members: list[StagedBatch]) -> None:
        """Known keys for the kind's foreign keys, then each batch's SQL checks."""
        clock = time.perf_counter()
        self.use(None)
        for column in contract.foreign_keys:
            # Batches of a kind pointing to itself are not routed yet: only what came before.
            routed = [
                s.schema
                for s in self._of(column.referenced_kind, district_id)
                if s.routed is not None
            ]
            copy_known_keys(self.con, column, district_id, reference_table(column), routed)
        share = (time.perf_counter() - clock) / len(members)
        for staged in members:
            staged.add_seconds(REFERENCE_KEYS, share)
            self.use(staged.schema)
            staged.routed = route_batch(self.con, contract, lap=Stopwatch(staged.laps).lap)
        self.use(None)

    def _confirm(self, kind: str, members: list[StagedBatch]) -> None:
        """great-expectations once over the clean batches together, once per other batch."""
        clean = [s for s in members if s.routed.clean]
        runs = [clean] if clean else []
        runs += [[s] for s in members if not s.routed.clean]
        for run in runs:
            clock = time.perf_counter()
            view = f"gx_{kind}"
            union = " UNION ALL BY NAME ".join(f"SELECT * FROM {s.schema}.checked" for s in run)
            self.con.execute(f"CREATE OR REPLACE VIEW main.{quote_ident(view)} AS {union}")
            validations = confirm_with_gx(
                self.con,
                view,
                [s.routed for s in run],
                [s.batch.file_name for s in run],
            )
            self.con.execute(f"DROP VIEW main.{quote_ident(view)}")
            share = (time.perf_counter() - clock) / len(run)
            for staged, validation in zip(run, validations, strict=True):
                staged.validation = validation
                staged.add_seconds(GREAT_EXPECTATIONS, share)

    def _write(self, staged: StagedBatch) -> None:
        clock = time.perf_counter()
        validation = staged.validation
        batch = replace(
            staged.batch,
            formula_like_cells=validation.routing.formula_like_cells,
            validation_success=validation.success,
            validation_engine=validation.engine,
        )
        self.use(staged.schema)
        # Staged rows carry their row numbers, so the warehouse need not keep file order,
        # and unordered inserts run in parallel.
        self.con.execute("SET preserve_insertion_order = false")
        with transaction(self.con):
            batch = write_batch(
                self.con,
                staged.contract,
                batch,
                outcomes=validation.outcomes(),
                document=validation.document,
                rejected_lines=staged.source.rejected_lines,
            )
            pause = float(os.environ.get(PAUSE_BEFORE_COMMIT_ENV, "0") or 0)
            if pause:
                print(f"pausing {pause:g} s before commit", file=sys.stderr, flush=True)
                time.sleep(pause)
        staged.add_seconds(WRITE, time.perf_counter() - clock)
        laps = tuple((step, round(seconds, 3)) for step, seconds in staged.laps.items())
        staged.result = replace(
            batch,
            seconds=sum(seconds for step, seconds in staged.laps.items() if step != READ),
            stage_seconds=laps,
        )

    def drop_schema(self, schema: str) -> None:
        """Drop a batch's schema and all in it (creating tables in the main schema again)."""
        self.use(None)
        self.con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
