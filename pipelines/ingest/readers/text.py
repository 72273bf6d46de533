"""The one decoder of text exports: which encoding a file is in, and its text as UTF-8.

District systems write CSV as UTF-8, as UTF-8 with a byte order mark (Excel's "CSV UTF-8"),
as Windows-1252 (Excel's plain "CSV" on Windows) or as UTF-16 with a byte order mark
(Excel's "Unicode Text", and some survey tools). A file that mixes UTF-8 with another
encoding, usually rows pasted from one export into another, cannot be repaired reliably, so
it is refused with the row to look at. Every reader of text uses what is here:

- ``decode_head``: the text of a file's first bytes, to sniff its layout;
- ``scan_text``: one streaming pass over a whole file (checksum, encoding, empty lines,
  padding), in fixed-size chunks, so memory does not grow with the file;
- ``decode_text``: a whole small file (a survey export) decoded by the same rules;
- ``transcode_to_utf8``: a Windows-1252 or UTF-16 file copied as UTF-8, chunk by chunk.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipelines.errors import InputError

CHUNK_SIZE = 16 * 1024 * 1024
UTF8_BOM = codecs.BOM_UTF8
#: UTF-16 is recognised by its byte order mark only: without one it looks like binary data.
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
#: Blank-line positions kept per file; a file with more is renumbered the slow way anyway.
MAX_BLANK_LINES = 10_000

# One complete multi-byte UTF-8 character (RFC 3629). Seeing one in a file that is not valid
# UTF-8 means the file mixes encodings: Windows-1252 text almost never forms one by chance.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_RESAVE = "open it in Excel or a text editor and save the whole file again as CSV UTF-8"


@dataclass(frozen=True)
class TextScan:
    """What one pass over a text file found.

    Attributes
    ----------
    sha256
        Hex digest of the file's bytes.
    encoding
        ``"utf-8"``, ``"utf-8-sig"`` (UTF-8 starting with a byte order mark) or ``"cp1252"``.
    blank_line_starts
        Byte offsets where an empty line starts, for empty lines followed by more text
        (trailing empty lines do not shift any row number, so they are left out).
    padded
        Whether a value below the header may start or end with a space: a space sits next
        to a delimiter, a line break, a quote or the end of the file.
    """

    sha256: str
    encoding: str
    blank_line_starts: tuple[int, ...]
    padded: bool


def iter_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            yield chunk


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    for chunk in iter_chunks(path):
        digest.update(chunk)
    return digest.hexdigest()


def row_at(path: Path, offset: int) -> int:
    """Spreadsheet row of byte ``offset``: newlines before it + 1 (only for error messages)."""
    newlines = 0
    for chunk in iter_chunks(path):
        if offset <= len(chunk):
            return newlines + chunk.count(b"\n", 0, offset) + 1
        newlines += chunk.count(b"\n")
        offset -= len(chunk)
    return newlines + 1


class _Utf8Check:
    """Validates UTF-8 chunk by chunk, remembering the first multi-byte character and the
    first invalid byte (absolute offsets)."""

    def __init__(self) -> None:
        self.pending = b""  # a character cut in two by the chunk boundary
        self.pending_at = 0
        self.first_multibyte: int | None = None
        self.first_invalid: int | None = None

    def feed(self, chunk: bytes, at: int) -> None:
        data, base = self.pending + chunk, at - len(self.pending)
        self.pending = b""
        if self.first_invalid is not None:
            self._look_for_multibyte(data, base)
            return
        if data.isascii():
            return
        try:
            data.decode("utf-8")
            valid = len(data)
        except UnicodeDecodeError as error:
            valid = error.start
            if error.reason == "unexpected end of data" and len(data) - valid < 4:
                self.pending, self.pending_at = data[valid:], base + valid
            else:
                self.first_invalid = base + valid
        if self.first_multibyte is None and not data[:valid].isascii():
            self.first_multibyte = base + _NON_ASCII.search(data, 0, valid).start()
        if self.first_invalid is not None:
            self._look_for_multibyte(data[valid + 1 :], base + valid + 1)

    def _look_for_multibyte(self, data: bytes, at: int) -> None:
        # Once a file is known not to be UTF-8, only a valid multi-byte character matters.
        # The last three bytes wait for the next chunk: a character may be cut in two.
        if self.first_multibyte is not None:
            return
        if not data.isascii():
            found = _UTF8_MULTIBYTE.search(data)
            if found is not None:
                self.first_multibyte = at + found.start()
                return
        self.pending = data[-3:]

    def finish(self) -> None:
        if self.pending and self.first_invalid is None:
            self.first_invalid = self.pending_at


class _BlankLines:
    """Finds empty lines (two line terminators in a row), also across chunk boundaries."""

    def __init__(self, newline: bytes) -> None:
        self.newline = newline
        self.pattern = newline * 2
        self.word = np.dtype(f"<u{len(self.pattern)}")  # the pattern as one 2- or 4-byte word
        self.carry = b""
        self.starts: list[int] = []
        self.content_end = 0

    def feed(self, chunk: bytes, at: int) -> None:
        keep = len(self.pattern) - 1
        # Occurrences that span the boundary start in the stream's last bytes before it.
        self._collect(self.carry + chunk[:keep], at - len(self.carry))
        if self._holds(chunk):
            self._collect(chunk, at)
        self.carry = (self.carry + chunk[-keep:])[-keep:]
        content = len(chunk.rstrip(b"\r\n"))
        if content:
            self.content_end = at + content

    def _holds(self, chunk: bytes) -> bool:
        # Most files have no empty line. Comparing the chunk as whole words, at each byte
        # alignment, rules that out several times faster than bytes.find, which stops at
        # every line break.
        target = int.from_bytes(self.pattern, "little")
        for shift in range(len(self.pattern)):
            words = (len(chunk) - shift) // len(self.pattern)
            if words > 0 and (np.frombuffer(chunk, self.word, words, shift) == target).any():
                return True
        return False

    def _collect(self, data: bytes, at: int) -> None:
        found = data.find(self.pattern)
        while found != -1 and len(self.starts) < MAX_BLANK_LINES:
            self.starts.append(at + found + len(self.newline))
            found = data.find(self.pattern, found + len(self.newline))

    def inner_starts(self) -> tuple[int, ...]:
        return tuple(start for start in self.starts if start < self.content_end)


class _Padding:
    """Whether any value may start or end with a space, looking at bytes from ``start`` on.

    Most exports have no padded value at all, and then the loader need not trim any: a
    vectorised test over the bytes costs far less than testing every value in SQL.
    """

    def __init__(self, delimiter: str, start: int) -> None:
        self.edges = [ord(delimiter), ord("\n"), ord("\r"), ord('"')]
        # From the header's line terminator on: a space right after it starts a value.
        self.start = max(start - 1, 0)
        self.previous: int | None = None  # the byte before the current chunk
        self.seen = False

    def feed(self, chunk: bytes, at: int) -> None:
        if self.seen or at + len(chunk) <= self.start:
            return
        data = np.frombuffer(chunk, np.uint8, offset=max(self.start - at, 0))
        if self.previous is not None and self._pair(self.previous, int(data[0])):
            self.seen = True
        self.previous = int(data[-1])
        space = data == ord(" ")
        if self.seen or not space.any():
            return
        edge = np.zeros(len(data), dtype=bool)
        for byte in self.edges:
            edge |= data == byte
        self.seen = bool((space[1:] & edge[:-1]).any() or (space[:-1] & edge[1:]).any())

    def _pair(self, first: int, second: int) -> bool:
        space = ord(" ")
        return (first == space and second in self.edges) or (
            first in self.edges and second == space
        )

    def found(self) -> bool:
        return self.seen or self.previous == ord(" ")  # a space at the very end of the file


def scan_text(path: Path, *, newline: str, delimiter: str, data_start: int, name: str) -> TextScan:
    """Checksum, encoding, empty lines and padded values of a text file in one pass.

    Parameters
    ----------
    path
        The file.
    newline, delimiter
        Its line terminator (``"\\n"``, ``"\\r\\n"`` or ``"\\r"``) and field delimiter.
    data_start
        Byte offset where the data below the header starts (spaces in the header and the
        title block above it do not count as padding).
    name
        How error messages name the file.

    Raises
    ------
    InputError
        When the file mixes UTF-8 with another encoding.
    """
    digest = hashlib.sha256()
    utf8 = _Utf8Check()
    blanks = _BlankLines(newline.encode("ascii"))
    padding = _Padding(delimiter, data_start)
    has_bom = False
    offset = 0
    for chunk in iter_chunks(path):
        digest.update(chunk)
        if offset == 0:
            has_bom = chunk.startswith(UTF8_BOM)
        utf8.feed(chunk, offset)
        blanks.feed(chunk, offset)
        padding.feed(chunk, offset)
        if utf8.first_invalid is not None and utf8.first_multibyte is not None:
            break  # mixed: no need to read further
        offset += len(chunk)
    utf8.finish()
    encoding = _encoding(utf8, has_bom, lambda offset: row_at(path, offset), name)
    return TextScan(digest.hexdigest(), encoding, blanks.inner_starts(), padding.found())


def _encoding(utf8: _Utf8Check, has_bom: bool, row_of, name: str) -> str:
    """``utf-8``, ``utf-8-sig`` or ``cp1252`` from what a UTF-8 check of the bytes found;
    InputError naming the rows when the bytes mix UTF-8 with another encoding."""
    if utf8.first_invalid is None:
        return "utf-8-sig" if has_bom else "utf-8"
    if utf8.first_multibyte is None and not has_bom:
        return "cp1252"
    good = f", row {row_of(utf8.first_multibyte)} is" if utf8.first_multibyte else ""
    raise InputError(
        name,
        f"the file mixes text encodings (this row is not UTF-8{good})",
        _RESAVE,
        row=row_of(utf8.first_invalid),
    )


def decode_head(head: bytes, *, whole: bool) -> tuple[str, str, int]:
    """Text of a file's first bytes, the codec that decoded it (``utf-8``, ``cp1252`` or
    ``utf-16``) and the length of its byte order mark.

    Only for sniffing a layout: the whole file's encoding is decided by ``scan_text``. A
    character cut in two at the end of ``head`` is left out unless ``whole``.
    """
    if head.startswith(UTF16_BOMS):
        decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
        return decoder.decode(head, final=whole), "utf-16", 2
    bom = len(UTF8_BOM) if head.startswith(UTF8_BOM) else 0
    body = head[bom:]
    try:
        return body.decode("utf-8"), "utf-8", bom
    except UnicodeDecodeError as error:
        if not whole and error.reason == "unexpected end of data" and len(body) - error.start < 4:
            return body[: error.start].decode("utf-8"), "utf-8", bom
        return body.decode("cp1252", errors="replace"), "cp1252", bom


def decode_text(data: bytes, *, name: str) -> tuple[str, str]:
    """A whole file's text and encoding (``utf-8``, ``utf-8-sig``, ``cp1252`` or ``utf-16``),
    by the rules ``scan_text`` applies to a large file. For small files (survey exports).

    Raises
    ------
    InputError
        When the bytes mix UTF-8 with another encoding, or are not valid in the one found.
    """
    if data.startswith(UTF16_BOMS):
        encoding = "utf-16"
    else:
        utf8 = _Utf8Check()
        utf8.feed(data, 0)
        utf8.finish()
        has_bom = data.startswith(UTF8_BOM)
        encoding = _encoding(utf8, has_bom, lambda offset: data.count(b"\n", 0, offset) + 1, name)
    codec, body = _without_bom(encoding, data)
    return _decode(body, codec, name, first_row=1, final=True), encoding


def transcode_to_utf8(source: Path, target: Path, *, encoding: str, name: str) -> str:
    """Write a Windows-1252 or UTF-16 file as UTF-8 (no byte order mark), chunk by chunk;
    returns the SHA-256 of the source's bytes.

    Raises
    ------
    InputError
        When a byte is not valid in ``encoding``, naming its row.
    """
    digest = hashlib.sha256()
    decoder, codec = None, encoding
    row = 1  # the row the text written so far ends on
    with open(target, "wb") as out:
        for chunk in iter_chunks(source):
            digest.update(chunk)
            if decoder is None:
                codec, chunk = _without_bom(encoding, chunk)
                decoder = codecs.getincrementaldecoder(codec)()
            text = _decode(chunk, codec, name, first_row=row, final=False, decoder=decoder)
            row += text.count("\n")
            out.write(text.encode("utf-8"))
        if decoder is not None:
            _decode(b"", codec, name, first_row=row, final=True, decoder=decoder)
    return digest.hexdigest()


def _without_bom(encoding: str, data: bytes) -> tuple[str, bytes]:
    """The codec that reads ``data`` after its byte order mark, and the data without it.

    UTF-16 becomes its explicit byte order, so that any part of the file decodes alone.
    """
    if encoding == "utf-16":
        little = data.startswith(codecs.BOM_UTF16_LE)
        return ("utf-16-le" if little else "utf-16-be"), data[2:]
    if encoding == "utf-8-sig":
        return "utf-8", data.removeprefix(UTF8_BOM)
    return encoding, data


def _decode(
    data: bytes,
    codec: str,
    name: str,
    *,
    first_row: int,
    final: bool,
    decoder: codecs.IncrementalDecoder | None = None,
) -> str:
    """``data`` decoded (by ``decoder``, which may hold the end of the previous chunk);
    InputError naming the row of the first byte that is not valid in ``codec``."""
    decoder = decoder or codecs.getincrementaldecoder(codec)()
    try:
        return decoder.decode(data, final=final)
    except UnicodeDecodeError as error:
        before = error.object[: error.start].decode(codec, errors="replace")
        row = first_row + before.count("\n")
        if codec == "cp1252":
            problem = (
                f"byte 0x{error.object[error.start]:02X} in row {row} is neither UTF-8 "
                "nor Windows-1252 text"
            )
        else:
            problem = f"row {row} is not valid UTF-16 text"
        raise InputError(name, problem, _RESAVE, row=row) from None


def normalize_newlines(source: Path, target: Path) -> None:
    """Copy a file with every CRLF turned into LF (a CR at a chunk's end waits for the next)."""
    carry = b""
    with open(target, "wb") as out:
        for chunk in iter_chunks(source):
            data = carry + chunk
            carry = b"\r" if data.endswith(b"\r") else b""
            out.write(data[: len(data) - len(carry)].replace(b"\r\n", b"\n"))
        out.write(carry)
