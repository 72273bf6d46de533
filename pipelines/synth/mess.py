"""Defects injected into the planned exports, each one recorded for the manifest.

Districts' files are never clean. At the rates in ``truth.mess`` this module leaves
required cells empty, repeats rows exactly, writes panel scores of 11 on a 0-10 scale,
scores a student number no roster has, and re-sends a few panel scores with corrected
values in a later file. Every defect is recorded with its file, sheet and row (header =
row 1) and the quarantine reason ingestion is expected to give, so tests can check that
exactly these rows are held back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import polars as pl

from pipelines.synth.export_spec import ExportSpec, TextTable
from pipelines.synth.frames import DistrictFrames
from pipelines.synth.truth import MessTruth

ROW_ID = "__row"
COPY_OF = "__copy_of"

#: defect -> (check that should catch it, words its quarantine reason contains)
EXPECTED = {
    "missing_required": ("not_null", "required value is missing"),
    "duplicate_row": ("unique", "duplicate of row"),
    "out_of_range_score": ("between", "outside the allowed range"),
    "unknown_student": ("foreign_key", "no students row has this student_unique_id"),
    "late_correction": (None, None),
}
#: kind -> the required, non-key column left empty in it
MISSING_TARGETS = {"session_attendance": "attendance_status", "team_memberships": "role"}
DUPLICATE_KINDS = ("session_attendance", "panel_scores")
CORRECTION_FILE = "panel_scores_correction.csv"


@dataclass
class Defect:
    """One injected defect, as the manifest lists it."""

    file: str
    row: int
    defect: str
    column: str | None
    expected_check: str | None
    expected_reason: str | None
    sheet: str | None = None
    sheet_row: int | None = None
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Mark:
    """A defect before rows are final: where it is by row id, not yet by row number."""

    spec: ExportSpec
    table: TextTable
    row_id: int
    defect: str
    column: str | None
    detail: dict = field(default_factory=dict)


def inject(
    plan: list[ExportSpec], frames: DistrictFrames, mess: MessTruth, rng: np.random.Generator
) -> tuple[list[ExportSpec], list[Defect]]:
    """The plan with defects injected, and the list of defects."""
    if not mess.injects_defects:
        return plan, []
    for spec in plan:
        for table in spec.tables:
            table.frame = table.frame.with_row_index(ROW_ID).with_columns(
                pl.col(ROW_ID).cast(pl.Int64)
            )
    touched: dict[int, set[int]] = {}
    marks: list[_Mark] = []

    def pick(kind: str, count: int) -> list[tuple[ExportSpec, TextTable, int]]:
        """``count`` distinct untouched rows of ``kind``, across its files and sheets."""
        tables = [
            (s, t)
            for s in plan
            if s.kind == kind and s.file_format in ("csv", "xlsx")
            for t in s.tables
        ]
        sizes = np.array([t.frame.height for _, t in tables], dtype=float)
        chosen = []
        while len(chosen) < count and sizes.sum() > 0:
            index = int(rng.choice(len(tables), p=sizes / sizes.sum()))
            spec, table = tables[index]
            row_id = int(rng.integers(0, table.frame.height))
            used = touched.setdefault(id(table), set())
            if row_id in used:
                continue
            used.add(row_id)
            chosen.append((spec, table, row_id))
        return chosen

    def rows_of(kind: str) -> int:
        return sum(s.rows for s in plan if s.kind == kind)

    def count_for(rate: float, rows: int) -> int:
        return max(1, round(rate * rows)) if rate > 0 and rows else 0

    for kind, column in MISSING_TARGETS.items():
        for spec, table, row_id in pick(kind, count_for(mess.missing_required_rate, rows_of(kind))):
            _set_cell(table, row_id, column, None)
            marks.append(_Mark(spec, table, row_id, "missing_required", column))
    for spec, table, row_id in pick("panel_scores", mess.out_of_range_scores):
        _set_cell(table, row_id, "score", "11")
        marks.append(_Mark(spec, table, row_id, "out_of_range_score", "score", {"score": "11"}))
    known = set(frames.kinds["students"]["student_unique_id"].to_list())
    for number, (spec, table, row_id) in enumerate(
        pick("panel_scores", mess.unknown_student_scores)
    ):
        unknown = _unknown_id(frames.district_id, number, known)
        _set_cell(table, row_id, "student_unique_id", unknown)
        marks.append(
            _Mark(
                spec,
                table,
                row_id,
                "unknown_student",
                "student_unique_id",
                {"student_unique_id": unknown},
            )
        )
    corrections = []
    for spec, table, row_id in pick("panel_scores", mess.late_corrections):
        original = table.frame.filter(pl.col(ROW_ID) == row_id)
        old = float(original["score"][0])
        new = old + float(rng.choice([-2.0, -1.0, 1.0, 2.0]))
        new = new if 0 <= new <= 10 else old - np.sign(new - old) * abs(new - old)
        corrections.append(original.with_columns(score=pl.lit(_number_text(new))))
        marks.append(
            _Mark(
                spec,
                table,
                row_id,
                "late_correction",
                "score",
                {"old_score": old, "new_score": new},
            )
        )
    for kind in DUPLICATE_KINDS:
        for spec, table, row_id in pick(kind, count_for(mess.duplicate_row_rate, rows_of(kind))):
            marks.append(_Mark(spec, table, row_id, "duplicate_row", None))
    _insert_copies(rng, [m for m in marks if m.defect == "duplicate_row"])
    correction_spec = _correction_spec(plan, corrections)
    defects = _resolve(marks, correction_spec)
    for spec in plan + ([correction_spec] if correction_spec else []):
        for table in spec.tables:
            table.frame = table.frame.drop(ROW_ID, COPY_OF, strict=False)
    if correction_spec:
        plan = (
            plan[: _after_last(plan, "panel_scores")]
            + [correction_spec]
            + plan[_after_last(plan, "panel_scores") :]
        )
    return plan, defects


def _after_last(plan: list[ExportSpec], kind: str) -> int:
    return max(i for i, s in enumerate(plan) if s.kind == kind) + 1


def _set_cell(table: TextTable, row_id: int, column: str, value: str | None) -> None:
    table.frame = table.frame.with_columns(
        pl.when(pl.col(ROW_ID) == row_id)
        .then(pl.lit(value, dtype=pl.String))
        .otherwise(pl.col(column))
        .alias(column)
    )


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _unknown_id(district_id: str, number: int, known: set[str]) -> str:
    """A student number shaped like the district's but held by no student."""
    candidate = f"{int(district_id[1:]):02d}9{number + 1:05d}"
    while candidate in known:
        candidate = str(int(candidate) + 1).zfill(len(candidate))
    return candidate


def _insert_copies(rng: np.random.Generator, marks: list[_Mark]) -> None:
    """Repeat each marked row: half right after the original, half in a re-sent tail."""
    by_table: dict[int, list[_Mark]] = {}
    for mark in marks:
        by_table.setdefault(id(mark.table), []).append(mark)
    for table_marks in by_table.values():
        table = table_marks[0].table
        frame = table.frame.with_columns(pl.lit(None, dtype=pl.Int64).alias(COPY_OF))
        adjacent = {m.row_id for m in table_marks if rng.random() < 0.5}
        tail = [m.row_id for m in table_marks if m.row_id not in adjacent]
        ids = frame[ROW_ID].to_list()
        order = []
        for row_id in ids:
            order.append((row_id, False))
            if row_id in adjacent:
                order.append((row_id, True))
        order.extend((row_id, True) for row_id in sorted(tail))
        index_of = {row_id: i for i, row_id in enumerate(ids)}
        positions = pl.Series([index_of[r] for r, _ in order], dtype=pl.Int64)
        copies = pl.Series([r if is_copy else None for r, is_copy in order], dtype=pl.Int64)
        table.frame = frame[positions].with_columns(copies.alias(COPY_OF))


def _position(table: TextTable, row_id: int, copy: bool) -> int:
    """0-based position of the original (or its copy) in the final table."""
    frame = table.frame.with_row_index("__position")
    if copy:
        match = frame.filter(pl.col(COPY_OF) == row_id)
    else:
        match = frame.filter(pl.col(ROW_ID) == row_id)
        if COPY_OF in frame.columns:
            match = match.filter(pl.col(COPY_OF).is_null())
    return int(match["__position"][0])


def _correction_spec(plan: list[ExportSpec], corrections: list[pl.DataFrame]) -> ExportSpec | None:
    if not corrections:
        return None
    frame = pl.concat(corrections).drop(COPY_OF, strict=False)
    return ExportSpec(
        file_name=CORRECTION_FILE, kind="panel_scores", file_format="csv", tables=[TextTable(frame)]
    )


def _resolve(marks: list[_Mark], correction_spec: ExportSpec | None) -> list[Defect]:
    """Turn row ids into spreadsheet rows (header = row 1), in file and row order."""
    defects = []
    for mark in marks:
        copy = mark.defect == "duplicate_row"
        position = _position(mark.table, mark.row_id, copy)
        check, reason = EXPECTED[mark.defect]
        detail = dict(mark.detail)
        if copy:
            detail["duplicate_of_row"] = _position(mark.table, mark.row_id, False) + 2
        if mark.defect == "late_correction" and correction_spec is not None:
            table = correction_spec.tables[0]
            detail["correction_file"] = correction_spec.file_name
            detail["correction_row"] = (
                int(table.frame.with_row_index("p").filter(pl.col(ROW_ID) == mark.row_id)["p"][0])
                + 2
            )
        defects.append(
            Defect(
                file=mark.spec.file_name,
                row=position + 2,
                defect=mark.defect,
                column=mark.column,
                expected_check=check,
                expected_reason=reason,
                sheet=mark.table.sheet,
                sheet_row=position + mark.table.header_row + 1 if mark.table.sheet else None,
                detail=detail,
            )
        )
    return sorted(defects, key=lambda d: (d.file, d.sheet or "", d.row, d.defect))


def expected_quarantine(defects: list[Defect]) -> dict[str, int]:
    """Rows ingestion should hold back, per file: every defect a check catches."""
    counts: dict[str, int] = {}
    for defect in defects:
        if defect.expected_check is not None:
            counts[defect.file] = counts.get(defect.file, 0) + 1
    return dict(sorted(counts.items()))


def realistic_events(frames: DistrictFrames, plan: list[ExportSpec]) -> dict:
    """Events that look like problems but are real life, with where they are in the files."""
    rows = []
    for spec in plan:
        if spec.kind != "team_memberships":
            continue
        frame = spec.tables[0].frame.with_row_index("position")
        for position, student, year, term in (
            frame.filter(pl.col("exit_reason") == "left_district")
            .select("position", "student_unique_id", "school_year", "term")
            .iter_rows()
        ):
            rows.append(
                {
                    "file": spec.file_name,
                    "row": position + 2,
                    "student_unique_id": student,
                    "school_year": int(year),
                    "term": term,
                }
            )
    return {
        "left_district_mid_year": {
            "description": (
                "memberships that end early because the student left the district; "
                "real data, not a defect"
            ),
            "rows": rows,
        }
    }
