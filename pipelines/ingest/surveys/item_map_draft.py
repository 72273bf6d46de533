"""Drafting an item map from an export, and checking a map against its export.

``draft_item_map`` reads an export's header rows and answers and writes a starting map:
every question with its text, a response scale detected from its answers (with the choice
list it needs), and an empty ``construct:`` that only a person can fill in.
``check_item_map`` reads an export through a map without loading anything and says what
would load and what the map still lacks. Both serve ``outcomes item-map``; the format is
in ``data/schemas/ITEM_MAPS.md``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipelines.contracts import load_contracts
from pipelines.ingest.surveys.choice_codes import normalize_text
from pipelines.ingest.surveys.export_file import SurveyExport, column_letter, read_export, squash
from pipelines.ingest.surveys.item_map import load_item_map
from pipelines.ingest.surveys.reshape import PERSONAL_COLUMNS, reshape_survey

#: Answer sets that give a scale away, each with the codes its choice list stores.
KNOWN_SCALES = {
    "likert_5": {"strongly disagree": "1", "disagree": "2", "neither agree nor disagree": "3",
                 "neutral": "3", "agree": "4", "strongly agree": "5"},
    "frequency_5": {"never": "1", "rarely": "2", "sometimes": "3", "often": "4", "always": "5"},
    "yes_no": {"yes": "1", "no": "0"},
    "learn_level": {"emerging": "emerging", "applying": "applying", "integrating": "integrating"},
}  # fmt: skip
#: Qualtrics columns that are not questions (its metadata), by ImportId or field name.
_QUALTRICS_META = re.compile(
    r"startdate|enddate|status|ipaddress|progress|duration.*|finished|recordeddate|_recordid|"
    r"responseid|recipient.*|externaldatareference|externalreference|location.*|"
    r"distributionchannel|userlanguage|responseset|name|emailaddress|v\d+"
)
#: SurveyMonkey's metadata columns; Custom Data holds what the district passed (an id).
_SURVEYMONKEY_META = re.compile(
    r"respondent id|collector id|start date|end date|ip address|email address|first name|"
    r"last name|custom data \d+"
)
_IDENTIFIER_QUESTION = re.compile(r"\b(id|number|student|staff|employee)\b", re.I)
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_SEEN_NOT_ANSWERED = re.compile(r"-\d+(\.0+)?")


@dataclass(frozen=True)
class _Question:
    index: int
    item_id: str
    source: dict[str, str]
    wording: str
    answers: Counter


def draft_item_map(
    export_path: str | Path,
    *,
    survey_id: str | None = None,
    wave: str = "pre",
    respondent_role: str = "student",
) -> str:
    """The YAML text of a starting item map for ``export_path``.

    Raises
    ------
    InputError
        When the file is not a survey export this reads (see ``read_export``).
    """
    export = read_export(Path(export_path))
    questions = _questions(export)
    respondent = _respondent_column(export)
    scales = {q.item_id: _detect_scale(q.answers) for q in questions}
    lists = sorted({scale for scale, _ in scales.values() if scale in KNOWN_SCALES})
    constructs = " | ".join(load_contracts()["survey_items"].column("construct").allowed)
    header = {
        "survey_id": survey_id or Path(export_path).stem,
        "wave": wave,
        "respondent_role": respondent_role,
    }
    lines = [
        f"# Item map drafted from {Path(export_path).name} by `outcomes item-map init`.",
        "# Fill in each item's construct, check the detected response scales and choice",
        "# lists, then run `outcomes item-map check` on this map and the export.",
        "# The format: data/schemas/ITEM_MAPS.md.",
        _dump(header),
    ]
    if respondent is not None:
        lines.append(_dump({"respondent_id": respondent}))
    else:
        lines.append("# respondent_id: {column: ...}   # no id column found: anonymous survey")
    if lists:
        codes = {name: _choice_list(name) for name in lists}
        lines.append(_dump({"choice_codes": codes}))
    lines.append("items:")
    for question in questions:
        scale, options = scales[question.item_id]
        entry = {"item_id": question.item_id, **question.source, "wording": question.wording}
        entry["response_scale"] = scale
        if options:
            entry["multiple"] = True
            entry["options"] = options
        body = _dump([entry]).rstrip("\n")
        lines.append("\n".join("  " + line for line in body.splitlines()))
        lines.append(f"    construct:   # fill in one of: {constructs}")
        seen = ", ".join(list(question.answers)[:8])
        lines.append(f"    # answers seen: {seen}" if seen else "    # no answers seen")
    return "\n".join(lines) + "\n"


def check_item_map(map_path: str | Path, export_path: str | Path) -> list[str]:
    """What ingesting ``export_path`` through the map would do, one line per fact.

    Raises
    ------
    InputError
        What ingestion would refuse: a map that does not load, a column it names that the
        export lacks, an answer its codes do not list.
    """
    item_map = load_item_map(map_path)
    reshaped = reshape_survey(export_path, item_map)
    undefined = [item.item_id for item in item_map.items if item.definition is None]
    lines = [
        f"{len(item_map.items)} items; {len(reshaped.responses):,} answers from "
        f"{reshaped.respondents_kept} responses would load",
        *reshaped.notes,
    ]
    if undefined:
        lines.append(
            "items without a definition (construct:, wording:, response_scale:): "
            + ", ".join(undefined)
            + "; they load only if a survey loaded before defines them"
        )
    return lines


def _questions(export: SurveyExport) -> list[_Question]:
    """The question columns: not metadata, not personal data, not the respondent id."""
    respondent = _respondent_index(export)
    questions = []
    for index, header in enumerate(export.headers):
        import_id = export.import_ids[index] or ""
        names = {normalize_text(n) for n in (header, export.texts[index], import_id)}
        if names & PERSONAL_COLUMNS or index == respondent:
            continue
        if export.layout == "qualtrics" and not import_id.startswith("QID"):
            continue
        if export.layout == "qualtrics_legacy" and _QUALTRICS_META.fullmatch(header.lower()):
            continue
        if export.layout == "google_forms" and index == 0:
            continue  # the timestamp
        if export.layout == "surveymonkey" and _SURVEYMONKEY_META.fullmatch(normalize_text(header)):
            continue
        answers = Counter(
            cell.strip()
            for _, cells in export.rows
            if cell_has_answer(cells[index])
            for cell in [cells[index]]
        )
        # A question without text (Google Forms allows it) still needs wording: say so.
        wording = squash(export.texts[index]) or squash(header)
        wording = wording or f"(no question text in column {column_letter(index)})"
        questions.append(
            _Question(index, _item_id(export, index, len(questions)), _source(export, index),
                      wording, answers)
        )  # fmt: skip
    return questions


def cell_has_answer(cell: str) -> bool:
    """An answer, not a blank (not shown) or a negative "seen, not answered" code."""
    return bool(cell.strip()) and not _SEEN_NOT_ANSWERED.fullmatch(cell.strip())


def _item_id(export: SurveyExport, index: int, position: int) -> str:
    header = export.headers[index]
    if export.layout != "google_forms" and re.fullmatch(r"[A-Za-z][\w.]*", header):
        return re.sub(r"\W", "_", header).upper()
    return f"ITEM_{position + 1:02d}"


def _source(export: SurveyExport, index: int) -> dict[str, str]:
    """How the map names the column: its ImportId, else its header when that is unique."""
    if export.layout == "qualtrics" and export.import_ids[index]:
        return {"import_id": export.import_ids[index]}
    header = squash(export.headers[index])
    if header and sum(squash(h) == header for h in export.headers) == 1:
        return {"column": header}
    return {"letter": column_letter(index)}


def _respondent_index(export: SurveyExport) -> int | None:
    for index, header in enumerate(export.headers):
        import_id = export.import_ids[index] or ""
        if import_id == "externalDataReference" or normalize_text(header) in (
            "externalreference", "externaldatareference"
        ):  # fmt: skip
            filled = any(cells[index].strip() for _, cells in export.rows)
            return index if filled else None
    if export.layout == "surveymonkey":
        for index, header in enumerate(export.headers):
            if re.fullmatch(r"custom data \d+", normalize_text(header)) and any(
                cells[index].strip() for _, cells in export.rows
            ):
                return index
    if export.layout == "google_forms":
        for index, header in enumerate(export.headers[1:], start=1):
            if _IDENTIFIER_QUESTION.search(header) and normalize_text(header) not in (
                PERSONAL_COLUMNS
            ):
                return index
    return None


def _respondent_column(export: SurveyExport) -> dict[str, str] | None:
    index = _respondent_index(export)
    return None if index is None else _source(export, index)


def _detect_scale(answers: Counter) -> tuple[str, list[str]]:
    """The response scale the answers suggest, and a select-all item's options."""
    seen = {normalize_text(answer) for answer in answers}
    if not seen:
        return "text", []
    for name, labels in KNOWN_SCALES.items():
        if seen <= set(labels):
            return name, []
    if all(_NUMBER.fullmatch(answer) for answer in seen):
        numbers = {float(answer) for answer in seen}
        if numbers <= {0.0, 1.0}:
            return "yes_no", []
        if all(n.is_integer() and 1 <= n <= 5 for n in numbers):
            return "likert_5", []
        if all(n.is_integer() and 1 <= n <= 7 for n in numbers):
            return "likert_7", []
        return "numeric", []
    parts = Counter(
        part.strip() for answer in answers for part in re.split(r"[;,]", answer) if part.strip()
    )
    joined = sum(1 for answer in answers if re.search(r"[;,]", answer))
    if joined and len(parts) <= 15 and any(count > 1 for count in parts.values()):
        return "text", sorted(parts)
    return "text", []


def _choice_list(scale: str) -> dict[str, str]:
    """A choice list as a map writes it: each label spelled as exports spell it."""
    return {label.capitalize(): code for label, code in KNOWN_SCALES[scale].items()}


def _dump(value: object) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=88)
