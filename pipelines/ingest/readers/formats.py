"""What a file is, from its first bytes: CSV, XLSX or Parquet, or one clear refusal.

A workbook renamed ``.csv`` is still read as a workbook, and a PDF, an old ``.xls``, an
image or a Word document named like an export is refused with one line saying what it is
and how to save the data instead.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from pipelines.errors import InputError
from pipelines.ingest.readers.text import UTF8_BOM, UTF16_BOMS, decode_head

#: File endings ingestion reads; anything else in a folder is listed as skipped.
READABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".parquet"}
_WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
#: Bytes read to recognise the format and to sniff a CSV's delimiter and header.
HEAD_SIZE = 64 * 1024
_RESAVE = "save the data as CSV UTF-8 or .xlsx"
_EXPORT = "export the data itself as CSV UTF-8 or .xlsx"
# Magic bytes of files that end up with a .csv or .xlsx name by mistake.
_NOT_TABLES = (
    (b"%PDF", "a PDF document", _EXPORT),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old Excel 97-2003 workbook (.xls) or a password-protected Office file",
        "open it in Excel, remove any password and save it as .xlsx or CSV UTF-8",
    ),
    (b"\x89PNG", "a PNG image", _EXPORT),
    (b"\xff\xd8\xff", "a JPEG image", _EXPORT),
    (b"GIF8", "a GIF image", _EXPORT),
    (b"\x1f\x8b", "a gzip-compressed file", "decompress it first"),
    (b"{\\rtf", "a rich-text (RTF) document", _RESAVE),
)
# The member that tells what an Office ZIP container holds, when it is not a workbook.
_ZIP_MEMBERS = (
    ("xl/workbook.bin", "a binary Excel workbook (.xlsb)", "save it as .xlsx or CSV UTF-8"),
    ("word/document.xml", "a Word document", _RESAVE),
    ("ppt/presentation.xml", "a PowerPoint presentation", _RESAVE),
    ("content.xml", "an OpenDocument file (.ods)", "save it as .xlsx or CSV UTF-8"),
)


def detect_format(path: Path, head: bytes) -> str:
    """``"csv"``, ``"xlsx"`` or ``"parquet"`` from a file's first bytes; else InputError."""
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_format(path)
    for magic, what, fix in _NOT_TABLES:
        if head.startswith(magic):
            raise _not_a_table(path, what, fix)
    if head.startswith(UTF16_BOMS):
        # UTF-16 text is judged by its characters: its bytes are half zeros.
        head = decode_head(head, whole=True)[0].encode("utf-8")
    start = head[:512].lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table")):
        raise _not_a_table(path, "a web page (HTML)", "open it in Excel and save it as .xlsx")
    if start.startswith(b"<?xml"):
        raise _not_a_table(path, "an XML file", "open it in Excel and save it as .xlsx")
    if b"\x00" in head:
        raise _not_a_table(path, "binary data, not text", _RESAVE)
    if not head.removeprefix(UTF8_BOM).strip():
        raise InputError(path.name, "file is empty", "export it again with the data")
    if path.suffix.lower() in _WORKBOOK_SUFFIXES:
        # Text under a workbook's name: a CSV renamed by hand, or a report saved wrongly.
        # Reading it as CSV would answer with a puzzling message about its columns.
        raise InputError(
            path.name,
            f"this is not an Excel workbook but text, although its name ends in {path.suffix}",
            "open it in Excel and save it as .xlsx, or rename it to .csv if it is CSV",
        )
    return "csv"


def _zip_format(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        raise _not_a_table(path, "a damaged ZIP or .xlsx file", "export it again") from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    for member, what, fix in _ZIP_MEMBERS:
        if member in names:
            raise _not_a_table(path, what, fix)
    inside = ", ".join(names[:3]) or "nothing"
    raise _not_a_table(path, f"a ZIP archive holding {inside}", "unzip it and load the export")


def _not_a_table(path: Path, what: str, fix: str) -> InputError:
    return InputError(path.name, f"this is not a CSV, .xlsx or Parquet file but {what}", fix)


def read_head(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(HEAD_SIZE)
    except FileNotFoundError:
        raise InputError(path.name, "no such file", "check the path") from None
