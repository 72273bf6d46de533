"""Where an extract came from: the code, the environment and the data it was cut from.

The manifest lets a partner rebuild the same environment (the lock's pins and checksum),
name the code (the git commit) and check that two extracts were cut from the same loaded
files (each batch's checksum), without any file name, which may carry a person's name.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import duckdb

from pipelines.sql_text import read_sql

#: The repository root when the code runs from a checkout (the lock and .git live there).
REPOSITORY = Path(__file__).resolve().parents[2]
LOCK_FILE = "requirements.lock"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git_commit(root: Path = REPOSITORY) -> str | None:
    """The checkout's commit, with ``+changes`` when files differ from it; None outside git."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}+changes" if dirty else commit


def locked_versions(root: Path = REPOSITORY) -> tuple[str | None, dict[str, str]]:
    """The lock file's checksum and each package it pins (``name==version`` lines)."""
    lock = root / LOCK_FILE
    if not lock.exists():
        return None, {}
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        name, separator, rest = line.partition("==")
        if separator and not line.startswith((" ", "#")):
            pins[name.strip()] = rest.split()[0].rstrip("\\").strip()
    return file_sha256(lock), pins


def loaded_batches(con: duckdb.DuckDBPyConnection, as_of_batch_id: int | None) -> list[dict]:
    """Each batch loaded by the state: id, kind, file checksum, contract version, rows."""
    frame = con.execute(
        read_sql(__package__, "batches.sql"), {"as_of_batch_id": as_of_batch_id}
    ).df()
    return [
        {key: (value.item() if hasattr(value, "item") else value) for key, value in row.items()}
        for row in frame.to_dict(orient="records")
    ]
