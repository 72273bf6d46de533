"""The staging database of one ingest command, with the warehouse attached to it once.

Each file is staged, typed and validated in a private in-memory DuckDB database, then
written to the warehouse, attached to that database as ``wh``, in one transaction per
batch. One command's files share the staging database and the attachment: attaching the
warehouse and checking its tables cost about a tenth of a second, once per command rather
than once per file. The warehouse is attached when the first batch needs it, so a command
whose first file is refused leaves no warehouse behind; from then on its write lock is
held to the last file, so another ingest waits for the whole command.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import duckdb

from pipelines.ingest.pseudonymize import key_fingerprint
from pipelines.ingest.typed import install_macros
from pipelines.sql_text import quote_ident
from pipelines.warehouse.audit import check_key_fingerprint
from pipelines.warehouse.connection import attach, detach

#: Memory the staging database may use before it spills to disk (a 2 GB file must not
#: need 2 GB of memory).
STAGING_MEMORY_LIMIT = os.environ.get("OUTCOMES_STAGING_MEMORY", "2GB")


class Staging:
    """``with Staging(db_path, key=..., wait_seconds=...) as staging:`` a staging database
    (``staging.con``); ``staging.attach_warehouse()`` attaches the warehouse (once), its
    tables ensured and its pseudonym key checked. All is detached and removed, spill files
    included, at the end of the block."""

    def __init__(self, db_path: Path, *, key: bytes, wait_seconds: float) -> None:
        self.db_path = db_path
        self.key = key
        self.wait_seconds = wait_seconds
        self.name = f":memory:stage_{uuid.uuid4().hex}"
        self.attached = False

    def __enter__(self) -> Staging:
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        # Staging spills to a private folder past its memory limit; identifiers are still
        # raw there, so the folder is readable by the owner only and removed afterwards.
        self._spill = tempfile.TemporaryDirectory(prefix="outcomes-stage-")
        os.chmod(self._spill.name, 0o700)
        self.con = duckdb.connect(
            self.name,
            config={"memory_limit": STAGING_MEMORY_LIMIT, "temp_directory": self._spill.name},
        )
        try:
            # The command line shows its own progress; DuckDB's bar would interleave.
            self.con.execute("SET enable_progress_bar = false")
            install_macros(self.con)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def attach_warehouse(self) -> None:
        """Attach the warehouse as ``wh`` (waiting for another writer's lock), create its
        tables if needed and check the pseudonym key; the first call only."""
        if not self.attached:
            attach(self.con, self.db_path, wait_seconds=self.wait_seconds)
            check_key_fingerprint(self.con, key_fingerprint(self.key), self.db_path)
            self.attached = True

    def __exit__(self, *exc_info) -> None:
        detach(self.con)
        self.con.close()
        self._spill.cleanup()

    def clear(self) -> None:
        """Drop every table and view a file left in the main schema (the macros, and the
        schemas of batches waiting to be written, stay)."""
        database = self.con.execute("SELECT current_database()").fetchone()[0]
        for kind, name in self.con.execute(
            "SELECT 'VIEW', view_name FROM duckdb_views() "
            "WHERE database_name = ? AND schema_name = 'main' AND NOT internal "
            "UNION ALL SELECT 'TABLE', table_name FROM duckdb_tables() "
            "WHERE database_name = ? AND schema_name = 'main' AND NOT temporary",
            [database, database],
        ).fetchall():
            self.con.execute(f"DROP {kind} IF EXISTS main.{quote_ident(name)}")
        temporary = self.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE temporary"
        ).fetchall()
        for (name,) in temporary:
            self.con.execute(f"DROP TABLE IF EXISTS temp.{quote_ident(name)}")
