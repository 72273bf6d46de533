"""Item maps: which column of a survey export is which survey item, and how its answers code.

The format is documented for the people who write maps in ``data/schemas/ITEM_MAPS.md``;
``outcomes item-map init`` drafts one from an export. This module loads and checks a map;
applying its codes to answers is :mod:`.choice_codes`, and the YAML dialect it is read in
(yes/no kept as text, repeated keys refused) is :mod:`.item_map_yaml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from pipelines.contracts import load_contracts
from pipelines.errors import InputError
from pipelines.ingest.surveys.choice_codes import NUMERIC_SCALES as NUMERIC_SCALES
from pipelines.ingest.surveys.choice_codes import (
    code_answer,
    normalize_text,
    numeric_code,
    split_choices,
)
from pipelines.ingest.surveys.item_map_yaml import ItemMapLoader

SOURCE_KEYS = ("column", "import_id", "question", "letter")
MAP_KEYS = (
    "survey_id", "wave", "respondent_role", "respondent_id", "responded_at", "date_order",
    "include_unfinished", "choice_codes", "items",
)  # fmt: skip
ITEM_KEYS = (
    *SOURCE_KEYS, "occurrence", "item_id", "response_scale", "codes", "multiple", "options",
    "construct", "wording", "scale_min", "scale_max", "reverse_coded", "respondent_roles",
    "survey_id",
)  # fmt: skip
DATE_ORDERS = ("month_first", "day_first")
_TRUE = ("true", "yes", "y", "1")
_FALSE = ("false", "no", "n", "0")


@dataclass(frozen=True)
class SourceRef:
    """Where a value is in an export: one of four ways to name a column."""

    column: str | None = None
    import_id: str | None = None
    question: str | None = None
    letter: str | None = None
    occurrence: int | None = None

    def describe(self) -> str:
        """``column Q1``, ``import_id QID1``, ... as the map wrote it."""
        for key in SOURCE_KEYS:
            value = getattr(self, key)
            if value is not None:
                suffix = f" (occurrence {self.occurrence})" if self.occurrence else ""
                return f"{key} {value!r}{suffix}"
        return "no column"


@dataclass(frozen=True)
class MappedItem:
    """One item of the map: its column, how its answers code, and its definition."""

    item_id: str
    source: SourceRef
    response_scale: str | None = None
    #: normalised exported answer -> stored code
    codes: dict[str, str] = field(default_factory=dict)
    multiple: bool = False
    options: tuple[str, ...] = ()
    #: the survey_items row (all text), when the map defines the item
    definition: dict[str, str | None] | None = None

    def code(self, answer: str) -> str:
        """The stored code of one answer (not blank, not a 'seen, not answered' code).

        Raises
        ------
        ValueError
            The item is coded and the answer is none of its choices.
        """
        return code_answer(answer, self.codes, self.options, self.multiple, self.response_scale)

    def split_choices(self, answer: str) -> list[str]:
        """The choices of a select-all answer, in the order written.

        Where the map lists the choices (``options``, or the answers and codes of the
        item's list) the cell is split only where a known choice starts and ends; see
        :func:`.choice_codes.split_choices`.
        """
        return split_choices(answer, self.codes, self.options)

    def numeric(self, code: str) -> str | None:
        """The answer's numeric code as text ("4"), or None unless the scale is numeric."""
        return numeric_code(code, self.response_scale, self.multiple)


@dataclass(frozen=True)
class ItemMap:
    """An item map as loaded and checked by :func:`load_item_map`."""

    path: Path
    survey_id: str
    wave: str
    respondent_role: str
    items: tuple[MappedItem, ...]
    respondent_id: SourceRef | None = None
    responded_at: SourceRef | None = None
    date_order: str = "month_first"
    include_unfinished: bool = False

    def items_frame(self) -> pd.DataFrame:
        """The ``survey_items`` rows the map defines (all text), possibly none."""
        columns = load_contracts()["survey_items"].column_names
        rows = [item.definition for item in self.items if item.definition is not None]
        return pd.DataFrame(rows, columns=list(columns), dtype=object)


class _Reader:
    """Checks one map file's fields, raising InputError that names the map and the key."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.responses = load_contracts()["survey_responses"]
        self.items = load_contracts()["survey_items"]

    def fail(self, problem: str, fix: str = "correct the item map") -> InputError:
        return InputError(self.path, problem, fix)

    def known_keys(self, raw: dict, known: tuple[str, ...], where: str) -> None:
        # A misspelt key would otherwise be ignored: a respondent_ID left anonymous.
        unknown = [str(key) for key in raw if key not in known]
        if unknown:
            raise self.fail(
                f"{where} has unknown keys {', '.join(unknown)}", f"use only {', '.join(known)}"
            )

    def allowed(self, contract, column: str) -> tuple[str, ...]:
        return contract.column(column).allowed or ()

    def text(self, raw: dict, key: str, where: str, required: bool = False) -> str | None:
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(f"{where} has no {key}", f"add {key}: to the item map")
            return None
        if isinstance(value, dict | list):
            raise self.fail(f"{where}: {key} must be a single value, not {value!r}")
        return str(value).strip()

    def choice(self, raw: dict, key: str, where: str, allowed, required=False) -> str | None:
        value = self.text(raw, key, where, required)
        if value is not None and value not in allowed:
            raise self.fail(f"{where}: {key} {value!r} is not one of {', '.join(allowed)}")
        return value

    def boolean(self, raw: dict, key: str, where: str) -> bool | None:
        value = raw.get(key)
        if value is None or isinstance(value, bool):
            return value
        if str(value).strip().lower() in _TRUE + _FALSE:
            return str(value).strip().lower() in _TRUE
        raise self.fail(f"{where}: {key} must be true or false, not {value!r}")

    def number(self, raw: dict, key: str, where: str) -> str | None:
        value = raw.get(key)
        if value is None:
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise self.fail(f"{where}: {key} must be a number, not {value!r}") from None
        return str(int(number)) if number.is_integer() else repr(number)

    def source(self, raw, where: str) -> SourceRef:
        if isinstance(raw, str):
            raw = {"column": raw}
        if not isinstance(raw, dict):
            raise self.fail(f"{where} must name a column, e.g. {{column: Q1}}")
        if not where.startswith("item "):
            self.known_keys(raw, (*SOURCE_KEYS, "occurrence"), where)
        given = [key for key in SOURCE_KEYS if self.text(raw, key, where) is not None]
        if len(given) != 1:
            raise self.fail(
                f"{where} names its column {len(given)} ways",
                "give exactly one of column, import_id, question or letter",
            )
        occurrence = raw.get("occurrence")
        if occurrence is not None and (not isinstance(occurrence, int) or occurrence < 1):
            raise self.fail(f"{where}: occurrence must be a whole number from 1")
        letter = self.text(raw, "letter", where)
        if letter is not None and not re.fullmatch(r"[A-Za-z]{1,3}", letter):
            raise self.fail(f"{where}: letter {letter!r} is not a spreadsheet column letter")
        return SourceRef(
            column=self.text(raw, "column", where),
            import_id=self.text(raw, "import_id", where),
            question=self.text(raw, "question", where),
            letter=letter.upper() if letter else None,
            occurrence=occurrence,
        )

    def code_list(self, raw, where: str) -> dict[str, str]:
        if not isinstance(raw, dict) or not raw:
            raise self.fail(f"{where} must map exported answers to codes")
        codes = {}
        for answer, code in raw.items():
            if code is None or isinstance(code, dict | list):
                raise self.fail(f"{where}: the answer {answer!r} needs one code")
            codes[normalize_text(str(answer))] = str(code).strip()
        return codes

    def item(self, raw, position: int, code_lists: dict, defaults: dict) -> MappedItem:
        if not isinstance(raw, dict):
            raise self.fail(f"items entry {position} must be a mapping with item_id")
        item_id = self.text(raw, "item_id", f"items entry {position}", required=True)
        where = f"item {item_id}"
        self.known_keys(raw, ITEM_KEYS, where)
        scales = self.allowed(self.items, "response_scale")
        scale = self.choice(raw, "response_scale", where, scales)
        named = raw.get("codes", scale)
        if isinstance(named, dict):
            codes = self.code_list(named, f"{where}: codes")
        elif raw.get("codes") is not None and named not in code_lists:
            raise self.fail(f"{where}: codes names {named!r}, which choice_codes does not list")
        else:
            codes = code_lists.get(named, {})
        options = raw.get("options", [])
        if not isinstance(options, list) or any(isinstance(o, dict | list) for o in options):
            raise self.fail(f"{where}: options must be a list of choice texts")
        return MappedItem(
            item_id=item_id,
            source=self.source(raw, where),
            response_scale=scale,
            codes=codes,
            multiple=bool(self.boolean(raw, "multiple", where)),
            options=tuple(str(option).strip() for option in options),
            definition=self.definition(raw, item_id, where, defaults),
        )

    def definition(self, raw: dict, item_id: str, where: str, defaults: dict) -> dict | None:
        if raw.get("construct") is None and raw.get("wording") is None:
            return None
        roles = self.text(raw, "respondent_roles", where) or defaults["respondent_role"]
        allowed_roles = self.allowed(self.responses, "respondent_role")
        for role in (part.strip() for part in re.split(r"[;,]", roles)):
            if role not in allowed_roles:
                raise self.fail(f"{where}: respondent role {role!r} is not one of {allowed_roles}")
        reverse = self.boolean(raw, "reverse_coded", where)
        return {
            "item_id": item_id,
            "survey_id": self.text(raw, "survey_id", where) or defaults["survey_id"],
            "construct": self.choice(
                raw, "construct", where, self.allowed(self.items, "construct"), required=True
            ),
            "wording": " ".join(self.text(raw, "wording", where, required=True).split()),
            "response_scale": self.text(raw, "response_scale", where, required=True),
            "scale_min": self.number(raw, "scale_min", where),
            "scale_max": self.number(raw, "scale_max", where),
            "reverse_coded": None if reverse is None else str(reverse).lower(),
            "respondent_roles": "; ".join(p.strip() for p in re.split(r"[;,]", roles)),
        }


def load_item_map(path: str | Path) -> ItemMap:
    """Read and check an item map (format in ``data/schemas/ITEM_MAPS.md``).

    Raises
    ------
    InputError
        The file is missing, is not YAML, or a field is missing or not allowed.
    """
    path = Path(path)
    reader = _Reader(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=ItemMapLoader)
    except FileNotFoundError:
        raise reader.fail("no such item map", "check the path of the item map") from None
    except UnicodeDecodeError:
        raise reader.fail("the item map is not UTF-8 text", "save it as UTF-8") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "unreadable"
        raise reader.fail(f"the item map is not valid YAML{line}: {problem}") from None
    if not isinstance(raw, dict):
        raise reader.fail("the item map must be a YAML mapping with survey_id, wave and items")
    where = "the item map"
    reader.known_keys(raw, MAP_KEYS, where)
    survey_id = reader.text(raw, "survey_id", where, required=True)
    wave = reader.choice(raw, "wave", where, reader.allowed(reader.responses, "wave"), True)
    roles = reader.allowed(reader.responses, "respondent_role")
    role = reader.choice(raw, "respondent_role", where, roles, required=True)
    code_lists_raw = raw.get("choice_codes") or {}
    if not isinstance(code_lists_raw, dict):
        raise reader.fail("choice_codes must map list names to {answer: code} mappings")
    code_lists = {
        str(name): reader.code_list(codes, f"choice_codes.{name}")
        for name, codes in code_lists_raw.items()
    }
    entries = raw.get("items")
    if not isinstance(entries, list) or not entries:
        raise reader.fail("the item map lists no items", "add items: with item_id and a column")
    defaults = {"survey_id": survey_id, "respondent_role": role}
    items = tuple(
        reader.item(entry, position, code_lists, defaults)
        for position, entry in enumerate(entries, start=1)
    )
    seen: set[str] = set()
    for item in items:
        if item.item_id in seen:
            raise reader.fail(f"item {item.item_id} is listed twice", "give each item one entry")
        seen.add(item.item_id)
    optional = {
        key: reader.source(raw[key], key) if raw.get(key) is not None else None
        for key in ("respondent_id", "responded_at")
    }
    return ItemMap(
        path=path,
        survey_id=survey_id,
        wave=wave,
        respondent_role=role,
        items=items,
        date_order=reader.choice(raw, "date_order", where, DATE_ORDERS) or "month_first",
        include_unfinished=bool(reader.boolean(raw, "include_unfinished", where)),
        **optional,
    )
