"""How a CSV export is laid out, decided from its first bytes with Python's csv module.

DuckDB's own sniffer is not used: on odd files it picks the wrong delimiter (``|`` for a
comma file whose last line is cut short, taking that line for the header). Here each
candidate delimiter splits the first records, quotes respected, and the one that gives a
header of names and rows of as many fields wins. The header may sit below a title block.
"""

from __future__ import annotations

import csv
import functools
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import InputError
from pipelines.ingest.readers.table import NO_DATA, TableColumn, find_header_row, name_columns
from pipelines.ingest.readers.text import decode_head

DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class CsvLayout:
    """How a CSV is laid out, decided from its first bytes."""

    delimiter: str
    newline: str
    #: Spreadsheet row of the header: rows above it are a title block or empty.
    header_row: int
    columns: tuple[TableColumn, ...]
    #: Blank header cells past the rows' width (a header ending in commas the rows lack).
    dropped: tuple[str, ...]
    #: Offset, in characters of the decoded head, where the first data record starts.
    data_start: int
    #: Non-empty data records in the head.
    sample_rows: int
    #: Whether a value in the head's data records starts or ends with a space.
    padded: bool


def csv_header(path: Path, head: bytes, expected: set[str] | None) -> list[TableColumn]:
    """The header's columns, from the first bytes only."""
    whole = path.stat().st_size <= len(head)
    text, _, _ = decode_head(head, whole=whole)
    return list(csv_layout(text, path, expected, whole=whole).columns)


@dataclass(frozen=True)
class _Record:
    fields: list[str]
    end: int  # offset just past the record's line terminator
    terminator: str


def _records(text: str, delimiter: str, *, whole: bool) -> list[_Record]:
    """The records of ``text`` with where each ends; the last is dropped if it may be cut."""
    lines = io.StringIO(text, newline="")
    consumed = {"end": 0, "line": ""}

    def tracked_lines():
        # csv.reader pulls one physical line at a time, so after each record the lines
        # consumed end exactly where the record ends.
        for line in lines:
            consumed["end"] += len(line)
            consumed["line"] = line
            yield line

    records = []
    try:
        for fields in csv.reader(tracked_lines(), delimiter=delimiter, quotechar='"'):
            line = consumed["line"]
            terminator = next((t for t in ("\r\n", "\n", "\r") if line.endswith(t)), "")
            records.append(_Record(fields, consumed["end"], terminator))
    except csv.Error:
        whole = False  # a field over the csv module's size limit: sniff on what came before
    return records if whole else records[:-1]


def sniff_delimiter(text: str, *, whole: bool) -> str:
    """The delimiter of ``text`` (the start of a file, or all of it when ``whole``) chosen as
    ``csv_layout`` chooses it; a comma when none splits it into a table."""
    best = _best_layout(text, None, whole=whole)
    return best[1].delimiter if best is not None else ","


def csv_layout(text: str, path: Path, expected: set[str] | None, *, whole: bool) -> CsvLayout:
    """Pick the delimiter that splits the header into names, and the rows below it into as
    many fields, most consistently; InputError when no layout makes a table of the text."""
    best = _best_layout(text, expected, whole=whole)
    if best is None:
        raise InputError(path.name, "file is empty", "export it again with the data")
    (_, matching, width), layout, data = best
    first = layout.columns[0].original
    if width == 1 and any(delimiter in first for delimiter in DELIMITERS):
        raise InputError(
            path.name,
            f"its header reads as one column, {first!r}, although it holds a separator",
            "save it again as plain CSV, without quotes around whole lines",
            row=layout.header_row,
        )
    if data and not matching:
        raise InputError(
            path.name,
            f"no row has as many fields as the header ({width}); "
            f"the first row has {len(data[0].fields)}",
            "check that the rows use the header's separator, or export the file again",
            row=layout.header_row + 1,
        )
    if not data and whole:
        raise InputError(path.name, *NO_DATA)
    return layout


def _best_layout(
    text: str, expected: set[str] | None, *, whole: bool
) -> tuple[tuple[bool, int, int], CsvLayout, tuple[_Record, ...]] | None:
    """The best-scoring layout of ``text``, its score and its data records; None if no
    delimiter gives a header."""
    return _cached_best_layout(text, None if expected is None else frozenset(expected), whole)


# One file's head is sniffed up to four times in a command (planning its kind, telling a
# survey export, staging it, reshaping a survey), each time splitting 64 KB four ways; a
# folder is planned whole before it is staged, so the last 64 heads are kept.
@functools.lru_cache(maxsize=64)
def _cached_best_layout(
    text: str, expected: frozenset[str] | None, whole: bool
) -> tuple[tuple[bool, int, int], CsvLayout, tuple[_Record, ...]] | None:
    best = None
    for delimiter in DELIMITERS:
        records = _records(text, delimiter, whole=whole)
        cells = [[field.strip(" ") or None for field in r.fields] for r in records]
        header_index = find_header_row(cells, expected)
        if header_index is None:
            continue
        header = records[header_index]
        below = zip(records[header_index + 1 :], cells[header_index + 1 :], strict=True)
        data = tuple(record for record, row in below if any(row))
        width, dropped = _width(header.fields, [len(r.fields) for r in data])
        matching = sum(len(r.fields) == width for r in data)
        named = sum(1 for field in header.fields if field.strip())
        score = (named >= 2, matching, width)
        if best is None or score > best[0]:
            padded = header.fields[:width] + [""] * (width - len(header.fields))
            layout = CsvLayout(
                delimiter=delimiter,
                newline=header.terminator or "\n",
                header_row=header_index + 1,
                columns=tuple(name_columns(padded)),
                dropped=dropped,
                data_start=header.end,
                sample_rows=len(data),
                padded=any(f != f.strip(" ") for record in data for f in record.fields),
            )
            best = (score, layout, data)
    return best


def _width(header: list[str], field_counts: list[int]) -> tuple[int, tuple[str, ...]]:
    """How many columns to read, and the blank trailing header cells dropped to get there.

    Rows ending in a comma the header lacks get an extra (unnamed) column; a header ending
    in commas the rows lack loses those blank cells.
    """
    if not field_counts:
        return len(header), ()
    usual = Counter(field_counts).most_common(1)[0][0]
    named = len(header)
    while named and not header[named - 1].strip():
        named -= 1
    if named <= usual < len(header):
        return usual, tuple(f"unnamed_{n}" for n in range(usual + 1, len(header) + 1))
    return max(usual, len(header)), ()
