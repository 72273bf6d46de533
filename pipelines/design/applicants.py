"""An applicants file: one row per student who applied, found by the student id column.

The file is read as ingestion reads an export (CSV or XLSX, any of its encodings and
layouts: ``pipelines.ingest.readers``), and its id column is found as ingestion finds the
``students`` contract's ``student_unique_id``: by its name or any alias, ignoring case,
spaces and punctuation (``Student Number``, ``SIS ID``, ``student_id``), or by the header
an operator names. Every other column is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.contracts import load_contracts
from pipelines.errors import InputError
from pipelines.ingest.columns import closest_headers, map_columns
from pipelines.ingest.pseudonymize import pseudonym
from pipelines.ingest.readers import stage_file
from pipelines.sql_text import quote_ident

ID_COLUMN = "student_unique_id"


@dataclass(frozen=True)
class Applicants:
    """The applicants of one file.

    Attributes
    ----------
    path, sha256
        The file and the SHA-256 of its bytes.
    id_header
        The id column's header as the file writes it.
    frame
        One row per applicant in file order: ``source_row`` (the spreadsheet row),
        ``applicant_id`` (the id as given) and ``student_unique_id`` (its pseudonym).
    """

    path: Path
    sha256: str
    id_header: str
    frame: pd.DataFrame


def read_applicants(
    con: duckdb.DuckDBPyConnection, path: Path, *, key: bytes, id_header: str | None = None
) -> Applicants:
    """Read, check and pseudonymize an applicants file, staged in ``con``.

    Raises
    ------
    InputError
        The file cannot be read or has no rows; no column holds student ids (the closest
        headers are named); a row has no id or cannot be read; a student is listed twice
        (both rows are named).
    """
    staged = stage_file(con, path, table="applicants")
    if staged.rejected_lines:
        row, reason, _ = staged.rejected_lines[0]
        raise InputError(path, f"the row cannot be read: {reason}", "correct the row", row=row)
    header_of = dict(zip(staged.columns, staged.original_columns, strict=True))
    column = _id_column(path, staged.columns, header_of, id_header)
    frame = con.execute(
        f"SELECT _source_row AS source_row, {quote_ident(column)} AS applicant_id "
        f"FROM applicants ORDER BY _row_id"
    ).df()
    header = header_of[column]
    blank = frame[frame.applicant_id.isna()]
    if len(blank):
        raise InputError(
            path,
            "no student id in this row",
            "fill it in, or delete the row if it is not an applicant",
            row=int(blank.source_row.iloc[0]),
            column=header,
        )
    repeated = frame[frame.applicant_id.duplicated(keep=False)]
    if len(repeated):
        first, second = repeated.source_row.iloc[:2].astype(int)
        raise InputError(
            path,
            f"student {repeated.applicant_id.iloc[0]} is listed twice, in rows {first} and "
            f"{second}",
            "keep one of the two rows: a student applies once",
            column=header,
        )
    frame["student_unique_id"] = [pseudonym(key, value) for value in frame.applicant_id]
    return Applicants(path=path, sha256=staged.sha256, id_header=header, frame=frame)


def _id_column(
    path: Path, columns: tuple[str, ...], header_of: dict[str, str], id_header: str | None
) -> str:
    """The staged column of student ids: the one named, else the contract's match."""
    students = load_contracts()["students"]
    renames = {id_header: ID_COLUMN} if id_header else None
    matched = map_columns(students, columns, renames=renames).matched.get(ID_COLUMN)
    if matched is not None:
        return matched
    headers = [header_of[c] for c in columns]
    if id_header:
        raise InputError(
            path,
            f"no column is headed {id_header!r} (the headers: {', '.join(headers)})",
            "pass the id column's header as the file writes it to --id-column",
        )
    column = students.column(ID_COLUMN)
    closest = closest_headers(column, headers)
    raise InputError(
        path,
        f"no column of student ids (closest headers: {', '.join(closest)})",
        f"name it to --id-column, or head it student_id (also accepted: "
        f"{', '.join(column.aliases[1:])})",
    )
