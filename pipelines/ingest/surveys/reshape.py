"""Survey exports (Qualtrics, Google Forms, SurveyMonkey) reshaped to ``survey_responses``.

A survey tool writes one row per respondent and one column per question. Ingestion wants
one row per answer, named by stable item ids, so an item map (see :mod:`.item_map`) says
which column is which item. Four layouts are read:

``qualtrics``
    Three header rows: column ids (``Q1_1``), question texts (possibly in another
    language), and ImportIds (``{"ImportId":"QID1_1"}``; 2017 exports wrote them with
    single quotes). Metadata columns vary; only ResponseId, Status, Finished and the date
    are read.
``qualtrics_legacy``
    Two header rows: ``V1``..``V10`` and question ids, then the field names
    (``ResponseID``, ``Status`` ...) and question texts; no ImportIds.
``google_forms``
    One header row of question texts after a timestamp column (its header localised).
``surveymonkey``
    Two header rows: question texts (with Respondent ID, Start Date, End Date ... first),
    then "Response" or each column's option; a question taking several answers spans
    columns and is read as one (see :func:`.export_file.read_export`).

Preview, test and spam responses (Qualtrics Status) and unfinished ones (Finished) are
left out and counted. A -99 or other negative whole number (Qualtrics' "seen but not
answered" recode) gives a row with no value; an empty cell (not shown) gives no row.
Only the columns the map names are read, so names, e-mails and IP addresses never reach
the output; respondent ids are passed on as written, for ingestion to pseudonymize like
every other identifier. Reading the file itself (encodings, header rows, layout, dates)
is :mod:`.export_file`; coding the answers is
:mod:`.choice_codes`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipelines.contracts import load_contracts
from pipelines.errors import WARNING, InputError
from pipelines.ingest.surveys.export_file import (
    SurveyExport,
    parse_timestamp,
    read_export,
    squash,
)
from pipelines.ingest.surveys.item_map import ItemMap, SourceRef, load_item_map, normalize_text

__all__ = ["ReshapedSurvey", "reshape_survey"]

#: Qualtrics Status (code or text, lower case) -> why the response is left out.
STATUS_EXCLUSIONS = {
    **dict.fromkeys(("0", "ip address", "4", "imported", "16", "offline")),
    **dict.fromkeys(("1", "survey preview", "17", "offline survey preview"), "survey preview"),
    **dict.fromkeys(("2", "survey test"), "survey test"),
    **dict.fromkeys(("8", "spam"), "spam"),
}
FINISHED = {"1": True, "true": True, "0": False, "false": False}
#: Qualtrics fields and Google Forms headers holding personal data: never mapped.
PERSONAL_COLUMNS = frozenset(
    ("recipientlastname", "recipientfirstname", "recipientemail", "ipaddress", "name",
     "emailaddress", "email", "email address", "locationlatitude", "locationlongitude",
     "ip address", "first name", "last name")
)  # fmt: skip
_SEEN_NOT_ANSWERED = re.compile(r"-\d+(\.0+)?")


@dataclass(frozen=True, eq=False)
class ReshapedSurvey:
    """One survey export in the long ``survey_responses`` form, with what was left out.

    Attributes
    ----------
    responses
        The contract's columns (all text or None) and ``_source_row``, the spreadsheet row
        of the respondent's row in the export, counting every header row.
    items
        ``survey_items`` rows from the item map's definitions (all text); may be empty.
    layout, encoding
        The export's layout (one of ``LAYOUTS``) and text encoding.
    respondents_read
        Response rows in the export (blank lines not counted).
    excluded
        Responses left out, by reason ("survey preview", "survey test", "spam",
        "unfinished").
    unanswered
        Cells with a "seen, not answered" code (-99 or another negative), loaded as None.
    blank_cells
        Empty cells of mapped items (question not shown); they give no row.
    unmapped_columns
        Columns of the export that were not read.
    time_zone
        The time zone Qualtrics states for its dates, if it does.
    """

    responses: pd.DataFrame
    items: pd.DataFrame
    layout: str
    encoding: str
    respondents_read: int
    excluded: dict[str, int] = field(default_factory=dict)
    unanswered: int = 0
    blank_cells: int = 0
    unmapped_columns: tuple[str, ...] = ()
    time_zone: str | None = None

    @property
    def respondents_kept(self) -> int:
        return self.respondents_read - sum(self.excluded.values())

    @property
    def notes(self) -> tuple[str, ...]:
        """One line per fact a user should see in the ingest report."""
        notes = [
            f"{self.layout} export: {self.respondents_kept} of {self.respondents_read} "
            f"responses kept"
        ]
        if self.excluded:
            reasons = ", ".join(f"{count} {reason}" for reason, count in self.excluded.items())
            notes.append(f"left out {sum(self.excluded.values())} responses: {reasons}")
        if self.respondents_read and not self.respondents_kept:
            hint = (
                "; if they are real responses given in test mode, pass --include-test-responses"
                if "survey test" in self.excluded
                else ""
            )
            notes.append(
                f"{WARNING}every response was left out, so nothing loads from this export{hint}"
            )
        if self.unanswered:
            notes.append(f"{self.unanswered} answers seen but not answered (negative codes)")
        if self.unmapped_columns:
            notes.append("columns not read: " + ", ".join(self.unmapped_columns))
        if self.time_zone:
            notes.append(f"dates are wall-clock time in {self.time_zone}")
        return tuple(notes)


def reshape_survey(
    path: str | Path, item_map: ItemMap | str | Path, *, include_test_responses: bool = False
) -> ReshapedSurvey:
    """Reshape one survey export to ``survey_responses`` rows through its item map.

    Parameters
    ----------
    path
        The export (CSV, or tab-separated text), as downloaded.
    item_map
        The loaded item map, or the path of its YAML file.
    include_test_responses
        Keep Qualtrics responses marked "survey test" (a pilot in test mode with real
        respondents); previews and spam are always left out.

    Raises
    ------
    InputError
        The file is not a survey export, its ImportId row is unreadable, the map names a
        column the export lacks, or a cell cannot be read (date, status, choice).
    """
    item_map = item_map if isinstance(item_map, ItemMap) else load_item_map(item_map)
    excluded = dict(STATUS_EXCLUSIONS)
    if include_test_responses:
        excluded.update({status: None for status, why in excluded.items() if why == "survey test"})
    return _Reshaper(read_export(Path(path)), item_map, excluded).reshape()


class _Reshaper:
    """One export through one item map: finds the columns, then reads row by row."""

    def __init__(
        self, export: SurveyExport, item_map: ItemMap, status_exclusions: dict[str, str | None]
    ) -> None:
        self.export, self.map = export, item_map
        self.status_exclusions = status_exclusions
        self.item_columns = [self.find(i.source, f"item {i.item_id}") for i in item_map.items]
        for item, index in zip(item_map.items, self.item_columns, strict=True):
            self.refuse_personal(index, f"item {item.item_id}")
            if self.item_columns.count(index) > 1:
                problem = f"two items read {export.display(index)}, {item.item_id} among them"
                raise self.map_error(problem, "give each item its own column")
        qualtrics = export.layout in ("qualtrics", "qualtrics_legacy")
        monkey = export.layout == "surveymonkey"
        self.status = self._meta(("status", "Status")) if qualtrics else None
        self.finished = self._meta(("finished", "Finished")) if qualtrics else None
        self.response_id = None
        if qualtrics or monkey:
            field = "ResponseId" if qualtrics else "Respondent ID"
            self.response_id = self._meta(("_recordId", field))
            if self.response_id is None:
                raise self.error(f"there is no {field} column", f"export it again with {field}")
        if item_map.responded_at is not None or not (qualtrics or monkey):
            date = self.find(item_map.responded_at or SourceRef(letter="A"), "responded_at")
        else:
            fields = (("recordedDate", "RecordedDate"), ("endDate", "EndDate"))
            date = self._meta(*(fields if qualtrics else (("", "End Date"), ("", "Start Date"))))
            if date is None:
                names = "RecordedDate or EndDate" if qualtrics else "End Date or Start Date"
                raise self.error(
                    f"there is no {names} column",
                    "name the date column by responded_at: in the item map",
                )
        self.date = date
        self.respondent = None
        self.counts: Counter[str] = Counter()  # blank and unanswered cells
        self.seen_ids: dict[str, int] = {}  # ResponseId -> row, to catch repeats
        if item_map.respondent_id is not None:
            self.respondent = self.find(item_map.respondent_id, "respondent_id")
            self.refuse_personal(self.respondent, "respondent_id")

    def error(self, problem: str, fix: str, row: int | None = None, index: int | None = None):
        column = None if index is None else self.export.display(index)
        return InputError(self.export.path, problem, fix, row=row, column=column)

    def map_error(self, problem: str, fix: str, column: str | None = None) -> InputError:
        return InputError(self.map.path, problem, fix, column=column)

    def find(self, ref: SourceRef, what: str) -> int:
        """The column an item map names; an error naming it when it is missing or ambiguous."""
        export = self.export
        if ref.letter is not None:
            letters = [export.letter(i) for i in range(len(export.headers))]
            candidates = [letters.index(ref.letter)] if ref.letter in letters else []
        elif ref.import_id is not None:
            if export.layout != "qualtrics":
                raise self.map_error(
                    f"{what} is named by import_id, but {export.path.name} is "
                    f"a {export.layout} export, which has no ImportIds",
                    "name it by column: or question:",
                    column=ref.import_id,
                )
            candidates = [i for i, v in enumerate(export.import_ids) if v == ref.import_id]
        else:
            wanted = ref.column if ref.column is not None else ref.question
            names = export.headers if ref.column is not None else export.texts
            candidates = [i for i, name in enumerate(names) if squash(name) == squash(wanted)]
        named = ref.column or ref.import_id or ref.question or ref.letter
        if not candidates or (ref.occurrence or 1) > len(candidates):
            raise self.map_error(
                f"{what} is read from {ref.describe()}, which {export.path.name} does not have",
                "correct the item map, or export the survey with that question",
                column=named,
            )
        if len(candidates) > 1 and ref.occurrence is None:
            letters = ", ".join(export.letter(i) for i in candidates)
            raise self.map_error(
                f"{what}: {len(candidates)} columns ({letters}) match {ref.describe()}",
                "add occurrence: N, or name it by letter:",
                column=named,
            )
        return candidates[(ref.occurrence or 1) - 1]

    def refuse_personal(self, index: int, what: str) -> None:
        export = self.export
        names = {export.headers[index], export.texts[index], export.import_ids[index] or ""}
        if {normalize_text(name) for name in names} & PERSONAL_COLUMNS:
            raise self.map_error(
                f"{what} reads {export.display(index)}, which holds names, "
                "e-mails or locations that must not be stored",
                "map only question columns and the respondent's id number",
            )

    def _meta(self, *choices: tuple[str, str]) -> int | None:
        """The first column found of (ImportId, field name) choices, in order of preference.

        Field names in the first header row are the same in every survey language; legacy
        exports keep them in the second row, under V1..V10.
        """
        export = self.export
        rows = [export.headers] + ([export.texts] if export.layout != "qualtrics" else [])
        for import_id, name in choices:
            for index in range(len(export.headers)):
                if (import_id and export.import_ids[index] == import_id) or any(
                    normalize_text(row[index]) == normalize_text(name) for row in rows
                ):
                    return index
        return None

    def reshape(self) -> ReshapedSurvey:
        excluded: Counter[str] = Counter()
        records: list[dict] = []
        for row_number, cells in self.export.rows:
            reason = self.exclusion(row_number, cells)
            if reason:
                excluded[reason] += 1
            else:
                records.extend(self.answers(row_number, cells))
        columns = [*load_contracts()["survey_responses"].column_names]
        responses = pd.DataFrame(records, columns=[*columns, "_source_row"], dtype=object)
        responses["_source_row"] = responses["_source_row"].astype("int64")
        read = {self.status, self.finished, self.response_id, self.date, self.respondent}
        read |= set(self.item_columns)
        return ReshapedSurvey(
            responses=responses,
            items=self.map.items_frame(),
            layout=self.export.layout,
            encoding=self.export.encoding,
            respondents_read=len(self.export.rows),
            excluded=dict(excluded),
            unanswered=self.counts["unanswered"],
            blank_cells=self.counts["blank"],
            unmapped_columns=tuple(
                self.export.display(i) for i in range(len(self.export.headers)) if i not in read
            ),
            time_zone=self.export.time_zone,
        )

    def exclusion(self, row: int, cells: list[str]) -> str | None:
        """Why a Qualtrics response is left out (preview, test, spam, unfinished), or None."""
        if self.status is not None:
            status = normalize_text(cells[self.status])
            if status not in self.status_exclusions:
                raise self.error(
                    f"{cells[self.status]!r} is not a Qualtrics response type",
                    "keep IP Address, Imported, Offline, Survey Preview, Survey "
                    "Test and Spam responses only",
                    row,
                    self.status,
                )
            if self.status_exclusions[status]:
                return self.status_exclusions[status]
        if self.finished is not None and not self.map.include_unfinished:
            finished = FINISHED.get(normalize_text(cells[self.finished]))
            if finished is None:
                raise self.error(
                    f"Finished is {cells[self.finished]!r}, not 1/0 or True/False",
                    "download the export again",
                    row,
                    self.finished,
                )
            if not finished:
                return "unfinished"
        return None

    def answers(self, row: int, cells: list[str]) -> list[dict]:
        """The long rows of one response: one per mapped item with an answer or a -99."""
        try:
            moment = parse_timestamp(cells[self.date], self.map.date_order)
        except ValueError as error:
            problem, fix = error.args
            if "date_order" in fix:
                fix = f"{fix} to {self.map.path.name}"
            raise self.error(problem, fix, row, self.date) from None
        if self.response_id is None:
            # Google Forms has no response id: the row and the time of submission are
            # the same every time this file is read, and unique within it.
            response_id = f"gf-{row}-{moment:%Y%m%dT%H%M%S}"
        else:
            response_id = cells[self.response_id].strip()
            if not response_id or response_id in self.seen_ids:
                where = f"also on row {self.seen_ids[response_id]}" if response_id else "empty"
                raise self.error(
                    f"the ResponseId {response_id!r} is {where}",
                    "download the export again",
                    row,
                    self.response_id,
                )
        self.seen_ids[response_id] = row
        respondent = cells[self.respondent].strip() if self.respondent is not None else ""
        shared = {
            "survey_id": self.map.survey_id,
            "response_id": response_id,
            "wave": self.map.wave,
            "respondent_role": self.map.respondent_role,
            "respondent_unique_id": respondent or None,
            "responded_date": f"{moment:%Y-%m-%d}",
            "responded_at": f"{moment:%Y-%m-%d %H:%M:%S}",
            "_source_row": row,
        }
        rows = []
        for item, index in zip(self.map.items, self.item_columns, strict=True):
            answer = cells[index].strip()
            value = numeric = None
            if not answer:
                self.counts["blank"] += 1  # not shown (skip logic) or skipped: no row
                continue
            if _SEEN_NOT_ANSWERED.fullmatch(answer):
                self.counts["unanswered"] += 1
            else:
                try:
                    value = item.code(answer)
                except ValueError as error:
                    raise self.error(
                        str(error),
                        f"add it to the codes of item {item.item_id} in {self.map.path.name}",
                        row,
                        index,
                    ) from None
                numeric = item.numeric(value)
            rows.append(
                {
                    **shared,
                    "item_id": item.item_id,
                    "response_value": value,
                    "response_numeric": numeric,
                }
            )
        return rows
