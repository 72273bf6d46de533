"""Which files to load, of which kind, in which order.

A folder stands for the readable files in it. Each file's kind is given (``--kind``) or
inferred: a survey export is ``survey_responses``; any other file is the kind whose
required columns its header has. Files are ordered so that the kinds a foreign key points
to load first (students before their attendance).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.contracts import Contract, load_contracts, load_order
from pipelines.errors import InputError
from pipelines.ingest.column_map import renames_for
from pipelines.ingest.columns import infer_kind
from pipelines.ingest.options import DEFAULT_OPTIONS, IngestOptions
from pipelines.ingest.readers import READABLE_SUFFIXES, sniff_header
from pipelines.ingest.sources import is_survey_export


@dataclass(frozen=True)
class PlannedFile:
    """One file to load: where it is, its kind, the district it belongs to, and the renames
    of its headers (``--rename`` and its column maps, read once here)."""

    path: Path
    kind: str
    district_id: str = "district"
    renames: Mapping[str, str] = field(default_factory=dict)


def plan_ingest(
    paths: Iterable[str | Path],
    *,
    kind: str | None = None,
    district_id: str = "district",
    options: IngestOptions = DEFAULT_OPTIONS,
) -> list[PlannedFile]:
    """Files to load with their kinds, ordered so referenced kinds load first.

    A file's kind is ``kind`` if given, else its column map's, else inferred from its
    header read through the renames that apply to it.
    """
    contracts = load_contracts()
    if kind is not None and kind not in contracts:
        raise InputError(
            "--kind", f"unknown kind {kind!r}", "use one of " + ", ".join(sorted(contracts))
        )
    planned = []
    for path in discover_files(paths):
        mapped_kind, renames = renames_for(path, options.renames, options.column_map)
        file_kind = (
            kind or mapped_kind or _infer_kind(path, contracts, renames, options.fixed_values)
        )
        planned.append(PlannedFile(path, file_kind, district_id, renames))
    order = {k: i for i, k in enumerate(load_order(contracts))}
    return sorted(planned, key=lambda file: (order[file.kind], str(file.path)))


def _infer_kind(
    path: Path, contracts: dict[str, Contract], renames: dict[str, str], fixed: Iterable[str]
) -> str:
    if is_survey_export(path):
        return "survey_responses"
    return infer_kind(contracts, sniff_header(path), path.name, renames=renames, fixed=fixed)


def discover_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files named, and the readable files inside folders named (not recursive)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.is_file() and _is_readable(p)))
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(path, "no such file or folder", "check the path")
    if not found:
        raise InputError(
            ", ".join(map(str, paths)),
            "no readable files (.csv, .xlsx, .parquet) found",
            "name the export files or the folder that holds them",
        )
    return found


def _is_readable(path: Path) -> bool:
    return path.suffix.lower() in READABLE_SUFFIXES and not path.name.startswith(".")
