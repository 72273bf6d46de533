"""Reading a survey tool's export file: its text, its layout, its header rows and dates.

A Qualtrics, Google Forms or SurveyMonkey export is CSV (or tab-separated text) in UTF-8,
UTF-16 or the Windows-1252 that Excel saves, with one to three header rows above the
responses, depending on the layout (see :mod:`.reshape` for the layouts). This module
decodes the file and finds its delimiter as every other export is read
(``pipelines.ingest.readers``: any of ``,`` ``;`` tab ``|``), recognises its layout from
the first rows, checks that every response
row is as wide as the header and reads the Qualtrics ImportIds, giving a
:class:`SurveyExport` of text for :func:`.reshape.reshape_survey` to pick
columns from; it also reads the dates and times the survey tools write
(:func:`parse_timestamp`). Nothing here knows about item maps.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipelines.errors import InputError
from pipelines.ingest.readers.csv_layout import sniff_delimiter
from pipelines.ingest.readers.text import decode_head, decode_text
from pipelines.ingest.surveys.choice_codes import normalize_text

__all__ = [
    "HEADER_ROWS",
    "LAYOUTS",
    "TIMESTAMP_HEADERS",
    "SurveyExport",
    "column_letter",
    "detect_survey_layout",
    "parse_timestamp",
    "read_export",
    "squash",
]

LAYOUTS = ("qualtrics", "qualtrics_legacy", "google_forms", "surveymonkey")
#: Header rows above the first response, by layout.
HEADER_ROWS = {"qualtrics": 3, "qualtrics_legacy": 2, "google_forms": 1, "surveymonkey": 2}
#: What SurveyMonkey writes in its second header row under a question with one answer.
_SURVEYMONKEY_SUBHEADERS = frozenset(("response", "open-ended response"))
#: The first header of a Google Forms export in the interface languages districts use.
TIMESTAMP_HEADERS = frozenset(
    normalize_text(header)
    for header in (
        "Timestamp", "Marca temporal", "Horodateur", "Zeitstempel", "Carimbo de data/hora",
        "Tijdstempel", "Informazioni cronologiche", "Sygnatura czasowa", "Отметка времени",
        "Dấu thời gian", "タイムスタンプ", "타임스탬프", "时间戳记", "時間戳記",
    )
)  # fmt: skip
_TIME = (
    r"(?:[ T]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<half>[ap])?\.?\s*(?:m\.?)?)?"
    r"\s*(?:Z|(?:GMT|UTC)?\s*[+-]\d{1,2}(?::?\d{2})?|GMT|UTC)?"
)
_YEAR_FIRST = re.compile(
    r"(?P<year>\d{4})[-/.](?P<first>\d{1,2})[-/.](?P<second_part>\d{1,2})" + _TIME, re.I
)
_YEAR_LAST = re.compile(
    r"(?P<first>\d{1,2})[/.](?P<second_part>\d{1,2})[/.](?P<year>\d{4}|\d{2})" + _TIME, re.I
)
_DIRECT_DOWNLOAD = re.compile(r"\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2}:\d{2}.*GMT.*", re.I)
_DETECT_BYTES = 256 * 1024
#: Characters the delimiter is sniffed from, as from a plain export's first bytes.
_SNIFF_CHARS = 64 * 1024


@dataclass(frozen=True)
class SurveyExport:
    """A survey export's header rows and response rows, as text, all rows as wide as row 1."""

    path: Path
    layout: str
    encoding: str
    headers: list[str]
    texts: list[str]
    import_ids: list[str | None]
    rows: list[tuple[int, list[str]]]
    time_zone: str | None = None
    #: The spreadsheet letter of each column (a SurveyMonkey multi-answer question, read as
    #: one column, has the letter of its first); by default the columns' own letters.
    letters: tuple[str, ...] = ()

    def letter(self, index: int) -> str:
        return self.letters[index] if self.letters else column_letter(index)

    def display(self, index: int) -> str:
        """A column as a user finds it: its header, or its letter when that is ambiguous."""
        header = squash(self.headers[index])
        if header and sum(squash(h) == header for h in self.headers) == 1:
            return header
        return f"column {self.letter(index)}" + (f" ({header})" if header else "")


def detect_survey_layout(path: str | Path) -> str | None:
    """The survey layout of an export file, or None when it is not a survey export.

    Only the first header rows are read, so this is cheap on large plain exports.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(_DETECT_BYTES)
    except OSError:
        return None
    text, _, _ = decode_head(head, whole=len(head) < _DETECT_BYTES)
    try:
        return _layout_of(_records(text, limit=4))
    except csv.Error:
        return None


def read_export(path: Path) -> SurveyExport:
    """Read a whole survey export: its layout, header rows and non-blank response rows.

    Parameters
    ----------
    path
        The export (CSV, or tab-separated text), as downloaded.

    Raises
    ------
    InputError
        The file is missing, is not text or not CSV, is not a survey export, has a row
        wider than its header, or its ImportId row is unreadable.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file", "check the path") from None
    text, encoding = decode_text(data, name=str(path))
    try:
        records = _records(text)
    except csv.Error as error:
        raise InputError(
            path, f"the file is not readable as CSV ({error})", "download the export again as CSV"
        ) from None
    layout = _layout_of(records)
    if layout is None:
        raise InputError(
            path,
            "this is not a Qualtrics, Google Forms or SurveyMonkey survey export (no "
            "ImportId row, no V1 legacy header, no Timestamp column, no Respondent ID)",
            "download the responses as CSV from Qualtrics (Data & Analysis, Export), from the "
            "form's linked sheet, or from SurveyMonkey (All responses data, CSV, expanded)",
        )
    headers = [header.replace("\ufeff", "") for header in records[0]]
    width = len(headers)
    texts = records[1] if layout not in ("google_forms", "surveymonkey") else headers
    import_ids, time_zone = (
        _import_ids(path, headers, records[2]) if layout == "qualtrics" else ([], None)
    )
    rows = []
    first = HEADER_ROWS[layout] + 1
    for number, cells in enumerate(records[first - 1 :], start=first):
        if not any(cell.strip() for cell in cells):
            continue
        if any(cell.strip() for cell in cells[width:]):
            raise InputError(
                path,
                f"the row has {len(cells)} cells but the header has {width}",
                "look for an unquoted comma, or download the export again",
                row=number,
            )
        rows.append((number, (cells + [""] * width)[:width]))
    export = SurveyExport(
        path,
        layout,
        encoding,
        headers,
        (texts + [""] * width)[:width],
        (import_ids + [None] * width)[:width],
        rows,
        time_zone,
    )
    return _joined_answer_columns(export, records[1]) if layout == "surveymonkey" else export


def _joined_answer_columns(export: SurveyExport, options: list[str]) -> SurveyExport:
    """A SurveyMonkey export with each question that spans columns read as its items.

    SurveyMonkey spreads a question over several columns: the question's text heads the
    first, blank headers the rest, and the second header row labels each column. In a
    question that takes several answers a cell holds its column's label when that option
    was chosen (an "Other" column, the text typed): such a group becomes one column under
    the question's text, its cell the chosen options joined with "; ", as a select-all
    item of an item map reads them. In a matrix, each column is a statement answered on a
    scale: each stays a column, headed "question - statement".
    """
    width = len(export.headers)
    options = (options + [""] * width)[:width]
    groups: list[list[int]] = []
    for index, header in enumerate(export.headers):
        if not header.strip() and options[index].strip() and groups:
            groups[-1].append(index)
        else:
            groups.append([index])
    headers: list[str] = []
    parts: list[list[int]] = []  # the columns each column of the result reads
    for group in groups:
        question = export.headers[group[0]]
        if len(group) > 1 and not _chosen_options(export, options, group):
            headers += [f"{question} - {options[i]}" for i in group]
            parts += [[i] for i in group]
        else:
            headers.append(question)
            parts.append(group)
    rows = [
        (number, ["; ".join(c for c in (cells[i].strip() for i in part) if c) for part in parts])
        for number, cells in export.rows
    ]
    return SurveyExport(
        export.path,
        export.layout,
        export.encoding,
        headers,
        headers,
        [None] * len(parts),
        rows,
        letters=tuple(column_letter(part[0]) for part in parts),
    )


def _chosen_options(export: SurveyExport, options: list[str], group: list[int]) -> bool:
    """Whether each column of a group holds only its own label (its last column, "Other",
    may hold typed text): a question that takes several answers, not a matrix."""
    return all(
        normalize_text(cells[index]) in ("", normalize_text(options[index]))
        for index in group[:-1]
        for _, cells in export.rows
    )


def _import_ids(path: Path, headers: list[str], cells: list[str]) -> tuple[list, str | None]:
    """ImportIds of Qualtrics' third header row (JSON, or the single-quoted 2017 form)."""
    ids: list[str | None] = []
    time_zone = None
    for index, cell in enumerate(cell.strip() for cell in cells):
        parsed = None
        for parse in (json.loads, ast.literal_eval) if cell else ():
            with contextlib.suppress(
                ValueError, SyntaxError, TypeError, MemoryError, RecursionError
            ):
                parsed = parse(cell)
                break
        if cell and not (isinstance(parsed, dict) and isinstance(parsed.get("ImportId"), str)):
            column = headers[index] if index < len(headers) else column_letter(index)
            raise InputError(
                path,
                f"the ImportId cell {cell!r} is neither JSON nor a quoted "
                "{'ImportId': ...} mapping",
                "download the export again from Qualtrics",
                row=3,
                column=column,
            )
        ids.append(parsed["ImportId"] if parsed else None)
        time_zone = time_zone or (parsed or {}).get("timeZone")
    return ids, time_zone


def _records(text: str, limit: int | None = None) -> list[list[str]]:
    """CSV records, split by the delimiter plain exports are sniffed for; record N is
    spreadsheet row N+1, as a cell may hold line breaks."""
    head = text[:_SNIFF_CHARS]
    delimiter = sniff_delimiter(head, whole=len(head) == len(text))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [record for _, record in zip(range(limit), reader, strict=False)] if limit else [*reader]


def _layout_of(records: list[list[str]]) -> str | None:
    row1, row2, row3 = (records[n] if len(records) > n else [] for n in range(3))
    if any(re.match(r"\s*\{.*importid", cell, re.I | re.S) for cell in row3):
        return "qualtrics"
    if row1[:1] == ["V1"] and "responseid" in {normalize_text(cell) for cell in row2}:
        return "qualtrics_legacy"
    if (row1 and normalize_text(row1[0]) in TIMESTAMP_HEADERS) or (
        row2 and _DIRECT_DOWNLOAD.fullmatch(row2[0].strip())
    ):
        return "google_forms"
    if row1 and normalize_text(row1[0]) == "respondent id" and row2 and not row2[0].strip():
        return "surveymonkey"
    return None


def column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def squash(text: str) -> str:
    """Text as a header is compared: surrounding and repeated spaces ignored, not case."""
    return " ".join(text.replace("\ufeff", "").split())


def parse_timestamp(text: str, date_order: str = "month_first") -> datetime:
    """A survey tool's date and time as a naive wall-clock datetime.

    Reads ISO (``2026-03-05 09:15:02``, ``2026-03-05T09:15:02Z``), Google Forms direct
    downloads (``2026/03/05 9:15:02 am GMT+8``) and spreadsheet dates (``3/5/2026 9:15:02``,
    day first when ``date_order`` is ``day_first``). A stated UTC offset is dropped: a
    Sheets download of the same form states none, and both are in the form's time zone,
    so keeping wall-clock time gives both the same dates.

    Raises
    ------
    ValueError
        With two arguments, the problem and its fix: not a date this reads, or not a real
        date in the order given.
    """
    text = " ".join(text.split())
    match = _YEAR_FIRST.fullmatch(text)
    if match:
        year, month, day = match["year"], match["first"], match["second_part"]
    elif match := _YEAR_LAST.fullmatch(text):
        year, month, day = match["year"], match["first"], match["second_part"]
        if date_order == "day_first":
            month, day = day, month
        elif int(month) > 12 >= int(day):
            raise ValueError(f"{text!r} is not a month-first date", "add date_order: day_first")
        year = f"20{year}" if len(year) == 2 else year
    else:
        raise ValueError(f"{text!r} is not a date and time", "correct the cell")
    hour = int(match["hour"] or 0)
    if match["half"]:
        if not 1 <= hour <= 12:
            raise ValueError(f"{text!r} has an hour that is not on a 12-hour clock", "correct it")
        hour = hour % 12 + (12 if match["half"].lower() == "p" else 0)
    minute, second = int(match["minute"] or 0), int(match["second"] or 0)
    try:
        return datetime(int(year), int(month), int(day), hour, minute, second)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date and time", "correct the cell") from None
