"""Thin writers: planned text tables to CSV, XLSX and survey files, byte for byte repeatable.

XLSX files are zip archives whose entries carry a timestamp, and the workbook's document
properties carry dates; both are fixed here so that the same seed always gives the same
bytes. Workbooks are written with XlsxWriter, row by row in its constant-memory mode: about
three times faster than openpyxl's write-only mode on the panel workbooks (282,000 cells),
which had been most of the time it takes to generate a district.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
import yaml

from pipelines.synth.export_spec import ExportSpec, TextTable

#: Timestamp written into every XLSX (zip entries and document properties).
FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)
WORKBOOK_CREATOR = "Synthetic district generator"


@dataclass(frozen=True)
class WrittenFile:
    """A file written, for the manifest."""

    kind: str
    path: Path
    file_format: str
    rows: int
    sheets: tuple[dict, ...]
    item_map: Path | None
    school_year: int | None
    extra: dict

    @property
    def paths(self) -> tuple[Path, ...]:
        return (self.path,) if self.item_map is None else (self.path, self.item_map)

    def manifest_entry(self) -> dict:
        entry = {
            "file": self.path.name,
            "kind": self.kind,
            "format": self.file_format,
            "rows": self.rows,
        }
        if self.school_year is not None:
            entry["school_year"] = self.school_year
        if self.sheets:
            entry["sheets"] = list(self.sheets)
        if self.item_map is not None:
            entry["item_map"] = self.item_map.name
        entry.update(self.extra)
        return entry


def write_exports(plan: list[ExportSpec], folder: Path) -> list[WrittenFile]:
    """Write every planned export into ``folder``."""
    written = []
    for spec in plan:
        path = folder / spec.file_name
        if spec.file_format == "xlsx":
            path.write_bytes(xlsx_bytes(spec))
        elif spec.file_format == "csv":
            path.write_bytes(csv_bytes(spec.tables[0], spec.headers, crlf=spec.crlf))
        else:
            from pipelines.synth.survey_exports import survey_bytes

            path.write_bytes(survey_bytes(spec))
        item_map = None
        if spec.item_map is not None:
            item_map = folder / (path.stem + ".item_map.yaml")
            item_map.write_text(
                yaml.safe_dump(spec.item_map, sort_keys=False, allow_unicode=True), encoding="utf-8"
            )
        sheets = tuple(
            {"sheet": t.sheet, "rows": t.frame.height, "header_row": t.header_row}
            for t in spec.tables
            if t.sheet
        )
        written.append(
            WrittenFile(
                kind=spec.kind,
                path=path,
                file_format=spec.file_format,
                rows=spec.rows,
                sheets=sheets,
                item_map=item_map,
                school_year=spec.school_year,
                extra=spec.manifest_extra,
            )
        )
    return written


def csv_bytes(table: TextTable, headers: dict[str, str], *, crlf: bool = False) -> bytes:
    """A CSV with the file's header spellings; empty cells for missing values."""
    frame = table.frame.rename({c: headers.get(c, c) for c in table.frame.columns})
    text = frame.write_csv(None, line_terminator="\r\n" if crlf else "\n", null_value="")
    return text.encode("utf-8")


def _typed(value: str | None, cell_type: str):
    """A text cell back to the value an XLSX cell holds (a number, a date or text)."""
    if value is None:
        return None
    try:
        if cell_type == "integer":
            return int(value)
        if cell_type == "number":
            number = float(value)
            return int(number) if number.is_integer() else number
        if cell_type == "date":
            return dt.date.fromisoformat(value)
    except ValueError:
        return value  # injected text that is not a number stays text, as in a real file
    return value


def xlsx_bytes(spec: ExportSpec) -> bytes:
    """An XLSX with one sheet per table, an optional bold title block above the header.

    Every text cell is written as text, never as a formula: a planted ``=SUM(...)`` is a
    value a coordinator typed, as in a real export.
    """
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    workbook.set_properties({"author": WORKBOOK_CREATOR, "created": FIXED_TIME})
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for table in spec.tables:
        sheet = workbook.add_worksheet(table.sheet or "Sheet1")
        row_number = 0
        if table.title:
            for line in table.title:
                sheet.write_string(row_number, 0, line, bold)
                row_number += 1
            row_number += 1  # an empty row between the title block and the header
        columns = table.frame.columns
        for column_number, column in enumerate(columns):
            sheet.write_string(row_number, column_number, spec.headers.get(column, column))
        types = [spec.cell_types.get(c, "text") for c in columns]
        for row in table.frame.iter_rows():
            row_number += 1
            for column_number, (text, cell_type) in enumerate(zip(row, types, strict=True)):
                value = _typed(text, cell_type)
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(row_number, column_number, value)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(row_number, column_number, value, day)
                else:
                    sheet.write_number(row_number, column_number, value)
    workbook.close()
    return fixed_zip(buffer.getvalue())


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_CREATED = re.compile(rb"(<dcterms:created[^>]*>)[^<]*(</dcterms:created>)")


def fixed_zip(data: bytes) -> bytes:
    """The same zip with constant entry timestamps and constant document dates."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
                content = _CREATED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return output.getvalue()
