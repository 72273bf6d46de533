"""Choice codes: how one survey answer becomes the code that is stored.

An item map (see :mod:`.item_map`) gives a coded item a list of exported answers
and their stored codes. This module applies such a list to the text of one cell: it
looks the answer up ignoring case and spaces (a stored code itself is accepted too),
refuses an answer that is none of the listed choices, splits a select-all cell where a
known choice starts so that free "Other" text with commas in it stays one answer, and
gives the numeric form of an answer on a numeric scale. :func:`normalize_text`, the way
every survey module compares text, lives here because answers are where it matters most.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

__all__ = ["NUMERIC_SCALES", "code_answer", "normalize_text", "numeric_code", "split_choices"]

#: Scales whose answers are numbers; other answers (words, levels, unknown scale) get none.
NUMERIC_SCALES = ("likert_5", "likert_7", "yes_no", "frequency_5", "numeric")


def normalize_text(text: str) -> str:
    """Text as compared: surrounding and repeated spaces ignored, case ignored."""
    return " ".join(text.replace("\ufeff", "").split()).casefold()


def code_answer(
    answer: str,
    codes: Mapping[str, str],
    options: Sequence[str] = (),
    multiple: bool = False,
    response_scale: str | None = None,
) -> str:
    """The stored code of one answer (not blank, not a 'seen, not answered' code).

    Parameters
    ----------
    answer
        The cell as exported.
    codes
        Normalised exported answer -> stored code; empty for an item without codes.
    options
        The choice texts of a select-all item, to split on.
    multiple
        Whether the item is select-all: its choices are coded one by one and joined
        with "; ".
    response_scale
        The item's scale; a ``text`` item keeps answers its codes do not list.

    Raises
    ------
    ValueError
        The item is coded and the answer is none of its choices.
    """
    if multiple:
        return "; ".join(
            _code_one(part, codes, options, multiple)
            for part in split_choices(answer, codes, options)
        )
    return _code_one(
        answer, codes, options, multiple, strict=bool(codes) and response_scale != "text"
    )


def _code_one(
    answer: str,
    codes: Mapping[str, str],
    options: Sequence[str],
    multiple: bool,
    strict: bool = False,
) -> str:
    key = normalize_text(answer)
    if key in codes:
        return codes[key]
    for code in codes.values():
        if normalize_text(code) == key:
            return code
    if strict:
        raise ValueError(f"{answer!r} is not one of the choices the item map lists")
    # An option listed without a code keeps the map's spelling; "Other" text as typed,
    # with ";" made "," so the "; "-joined cell splits back into the same answers.
    for option in options:
        if normalize_text(option) == key:
            return option
    return " ".join(answer.split()).replace(";", ",") if multiple else answer


def split_choices(
    answer: str, codes: Mapping[str, str] | None = None, options: Sequence[str] = ()
) -> list[str]:
    """The choices of a select-all answer, in the order written.

    Google Sheets joins choices with ", " and a direct download with ";". Free "Other"
    text may hold commas too, so where the map lists the choices (``options``, or the
    answers and codes of ``codes``) the cell is split only where a known choice starts
    and ends; without a list, ";" wins over ",".
    """
    codes = codes or {}
    known = {normalize_text(text) for text in (*options, *codes)}
    known |= {normalize_text(code) for code in codes.values()}
    if not known:
        separator = ";" if ";" in answer else ","
        return [part.strip() for part in answer.split(separator) if part.strip()]
    pieces = re.split(r"([;,])", answer)
    tokens, separators = pieces[0::2], pieces[1::2]
    # A choice spans at most as many pieces as the longest known choice has.
    longest = 1 + max(len(re.findall(r"[;,]", text)) for text in known)
    choices: list[str] = []  # known choices, and "Other" text between them
    other_start: int | None = None
    start = 0
    while start < len(tokens):
        end = next(
            (
                end
                for end in range(min(len(tokens), start + longest), start, -1)
                if normalize_text(_rejoin(tokens, separators, start, end)) in known
            ),
            None,
        )
        if end is None:
            other_start = start if other_start is None else other_start
            start += 1
            continue
        if other_start is not None:
            choices.append(_rejoin(tokens, separators, other_start, start).strip())
            other_start = None
        choices.append(_rejoin(tokens, separators, start, end).strip())
        start = end
    if other_start is not None:
        choices.append(_rejoin(tokens, separators, other_start, len(tokens)).strip())
    return [choice for choice in choices if choice]


def _rejoin(tokens: list[str], separators: list[str], start: int, end: int) -> str:
    """The original text of ``tokens[start:end]`` with the separators between them."""
    parts = [tokens[start]]
    for index in range(start + 1, end):
        parts += [separators[index - 1], tokens[index]]
    return "".join(parts)


def numeric_code(code: str, response_scale: str | None, multiple: bool = False) -> str | None:
    """The answer's numeric code as text ("4"), or None unless the scale is numeric."""
    if multiple or response_scale not in NUMERIC_SCALES:
        return None
    try:
        number = float(code)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return str(int(number)) if number.is_integer() else repr(number)
