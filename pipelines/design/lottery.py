"""The lottery job: an applicants file in, an assignment file out, the lottery recorded.

Reads the applicants (``applicants``), looks each up on the district's newest roster in
the warehouse (pseudonymized with the warehouse's key, as ingestion does), draws the
blocked, balanced lottery (``models.lottery``), then writes the assignment file and
records the lottery and its pseudonymized assignments in ``design.*`` in one
transaction. Any problem with the input raises ``InputError`` before that transaction,
so the warehouse is never changed by a refused file.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

import pandas as pd

from models.lottery import Lottery, LotteryUnbalanced, draw_lottery
from pipelines.contracts import header_key, load_contracts
from pipelines.design.applicants import Applicants, read_applicants
from pipelines.errors import InputError
from pipelines.ingest.pseudonymize import load_key
from pipelines.ingest.staging import Staging
from pipelines.safe_export import write_safe_csv
from pipelines.warehouse.connection import resolve_db_path
from pipelines.warehouse.design import (
    applicant_roster,
    find_lottery,
    record_lottery,
    roster_districts,
)
from pipelines.warehouse.transaction import transaction

#: Roster columns a lottery may block on: each has few values. ``--block`` takes their
#: names or any alias the students contract gives them (``grade``, ``school``, ``gender``).
BLOCK_COLUMNS = (
    "grade_level", "school_id", "sex", "race_ethnicity", "economically_disadvantaged",
    "english_learner", "special_education",
)  # fmt: skip
#: The roster covariates every lottery balances. Grade is compared as a number (tk -1,
#: k 0): one covariate rather than one per grade.
COVARIATES = (
    "grade_number", "school_id", "sex", "race_ethnicity", "economically_disadvantaged",
    "english_learner", "special_education", "prior_gpa",
)  # fmt: skip
GRADE_NUMBERS = {"tk": -1, "k": 0}
#: Seeds drawn when none is given stay below 2**32: ten digits, which a spreadsheet shows
#: exactly (it rounds numbers past fifteen).
DRAWN_SEED_LIMIT = 2**32
#: The largest seed the warehouse stores (BIGINT).
SEED_LIMIT = 2**63


@dataclass(frozen=True)
class LotteryRun:
    """What ``run_lottery`` did: the lottery, its id and district, and the files written."""

    lottery: Lottery
    lottery_id: int
    district_id: str
    assignment_file: Path
    sidecar_file: Path
    seed_was_given: bool


def assignment_path(applicants_path: Path, out: Path | None = None) -> Path:
    """``--out``, else ``<applicants>.assignment.csv`` beside the applicants file."""
    return out if out is not None else applicants_path.with_name(
        applicants_path.stem + ".assignment.csv"
    )  # fmt: skip


def resolve_blocks(names: str | None) -> tuple[str, ...]:
    """Roster columns from ``--block grade,school`` (names or aliases); grade by default."""
    if names is None:
        return ("grade_level",)
    students = load_contracts()["students"]
    known = {k: c for k, c in students.header_names().items() if c in BLOCK_COLUMNS}
    blocks: list[str] = []
    for name in (part.strip() for part in names.split(",")):
        column = known.get(header_key(name))
        if column is None:
            raise InputError(
                "--block",
                f"{name!r} is not a roster column a lottery can block on",
                "use one or more of grade, school, sex, race_ethnicity, "
                "economically_disadvantaged, english_learner, special_education, "
                "separated by commas",
            )
        if column not in blocks:
            blocks.append(column)
    return tuple(blocks)


def run_lottery(
    path: Path,
    *,
    seats: int,
    blocks: tuple[str, ...] = ("grade_level",),
    seed: int | None = None,
    max_draws: int = 100,
    out: Path | None = None,
    db: str | Path | None = None,
    district_id: str | None = None,
    id_header: str | None = None,
    wait_seconds: float = 60,
) -> LotteryRun:
    """Draw a lottery among the applicants in ``path`` and record it (see the module).

    Raises
    ------
    InputError
        Bad options, an unreadable or empty file, no id column, a student listed twice or
        unknown to the roster, no more applicants than seats, a file already drawn, or no
        balanced draw within ``max_draws``.
    """
    path = Path(path)
    _check_options(seats=seats, seed=seed, max_draws=max_draws)
    out_path = assignment_path(path, out)
    if out_path.resolve() == path.resolve():
        raise InputError("--out", "the assignment file would replace the applicants file",
                         "give --out another file name")  # fmt: skip
    db_path = resolve_db_path(db)
    if not db_path.exists():
        raise InputError(
            db_path, "no warehouse here yet", "ingest the district's student roster first"
        )
    seed_was_given = seed is not None
    seed = seed if seed is not None else secrets.randbelow(DRAWN_SEED_LIMIT)
    key = load_key()
    with Staging(db_path, key=key, wait_seconds=wait_seconds) as staging:
        applicants = read_applicants(staging.con, path, key=key, id_header=id_header)
        count = len(applicants.frame)
        if count <= seats:
            raise InputError(
                path,
                f"{count} applicants for {seats} seats: a lottery needs more applicants "
                "than seats (every applicant could be offered one)",
                "check that the file lists every applicant, or lower --seats",
            )
        staging.attach_warehouse()
        con = staging.con
        district = _district(roster_districts(con), district_id, db_path)
        drawn = find_lottery(con, file_sha256=applicants.sha256, district_id=district)
        if drawn is not None:
            raise InputError(
                path,
                f"this file was drawn already, as lottery {drawn['lottery_id']} on "
                f"{drawn['created_at']:%Y-%m-%d} (seed {drawn['seed']}, draw "
                f"{drawn['draw_number']}), and that draw stands",
                "a second draw of the same applicants would let a result be chosen; if the "
                "list was wrong, correct the file and draw from the corrected file",
            )
        roster = _roster(con, applicants, district)
        lottery = _draw(roster, applicants, seats=seats, blocks=blocks, seed=seed,
                        max_draws=max_draws)  # fmt: skip
        record = _lottery_record(lottery, applicants, roster, district)
        assignments = lottery.assignment_frame().assign(
            student_unique_id=applicants.frame.student_unique_id.to_numpy()
        )
        partial = out_path.with_name(out_path.name + ".partial")
        try:
            with transaction(con):
                lottery_id = record_lottery(con, record, assignments)
                _write_assignment_file(partial, lottery, lottery_id, applicants)
            os.replace(partial, out_path)
        finally:
            partial.unlink(missing_ok=True)
    sidecar = out_path.with_name(out_path.stem + ".json")
    if sidecar == out_path:
        sidecar = out_path.with_name(out_path.name + ".json")
    _write_sidecar(sidecar, lottery, lottery_id, record)
    return LotteryRun(lottery, lottery_id, district, out_path, sidecar, seed_was_given)


def _check_options(*, seats: int, seed: int | None, max_draws: int) -> None:
    if seats <= 0:
        raise InputError("--seats", f"{seats} seats: a lottery needs at least one seat",
                         "give the number of seats the program offers")  # fmt: skip
    if seed is not None and not 0 <= seed < SEED_LIMIT:
        raise InputError(
            "--seed",
            f"{seed} is not a seed: seeds are whole numbers from 0 to {SEED_LIMIT - 1}",
            "give another seed, or none to draw one",
        )
    if max_draws < 1:
        raise InputError("--max-draws", f"{max_draws} draws: at least one is needed",
                         "give a number of draws of 1 or more (default 100)")  # fmt: skip


def _district(districts: list[str], district_id: str | None, db_path: Path) -> str:
    """The district the applicants belong to: the one named, else the only one."""
    if not districts:
        raise InputError(
            db_path, "the warehouse holds no student roster", "ingest the district's roster first"
        )
    if district_id is None:
        if len(districts) > 1:
            raise InputError(
                "--district",
                f"the warehouse holds {len(districts)} districts ({', '.join(districts)})",
                "name the applicants' district with --district",
            )
        return districts[0]
    if district_id not in districts:
        raise InputError(
            "--district",
            f"the warehouse holds no roster of district {district_id!r} (it holds "
            f"{', '.join(districts)})",
            "name one of those, or ingest that district's roster first",
        )
    return district_id


def _roster(con, applicants: Applicants, district: str) -> pd.DataFrame:
    """The applicants' newest roster rows, with grade as a number; refuses an applicant
    the roster does not hold, naming its row."""
    roster = applicant_roster(con, applicants.frame, district_id=district)
    unknown = roster[roster.school_year.isna()]
    if len(unknown):
        row = int(unknown.source_row.iloc[0])
        student = applicants.frame.applicant_id.iloc[int(unknown.position.iloc[0])]
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        raise InputError(
            applicants.path,
            f"student {student} is not on district {district}'s roster in the warehouse{more}",
            "ingest the roster that lists them first (outcomes ingest ROSTER), or correct the id",
            row=row,
            column=applicants.id_header,
        )
    grade = roster.grade_level.map(lambda g: GRADE_NUMBERS.get(g, g))
    return roster.assign(
        grade_number=pd.to_numeric(grade, errors="coerce"),
        applicant_id=applicants.frame.applicant_id.to_numpy(),
    )


def _draw(roster, applicants: Applicants, *, seats, blocks, seed, max_draws) -> Lottery:
    try:
        return draw_lottery(
            roster, unit="applicant_id", seats=seats, seed=seed, blocks=blocks,
            covariates=COVARIATES, max_draws=max_draws,
        )  # fmt: skip
    except LotteryUnbalanced as error:
        fewer = " or fewer --block columns" if len(blocks) > 1 else ""
        raise InputError(
            applicants.path,
            str(error),
            f"try more draws (--max-draws {max(10 * max_draws, 1000)}){fewer}",
        ) from error


def _lottery_record(lottery: Lottery, applicants: Applicants, roster, district: str) -> dict:
    """The ``design.lotteries`` row of a lottery (without its id)."""
    balance = {
        "covariates": lottery.to_frame()[["term", "estimate", "kind", "band"]]
        .rename(columns={"term": "covariate", "estimate": "smd"})
        .to_dict(orient="records"),
        "unchecked": list(lottery.unchecked),
    }
    largest = lottery.max_abs_smd
    return {
        "district_id": district,
        "created_at": datetime.now(),
        "file_name": applicants.path.name,
        "file_sha256": applicants.sha256,
        "seats": lottery.seats,
        "applicants": lottery.n,
        "blocks": list(lottery.blocks),
        "seed": lottery.seed,
        "draw_number": lottery.draw,
        "max_draws": lottery.max_draws,
        "max_abs_smd": None if largest != largest else largest,
        "smd_bound": lottery.bound,
        "roster_school_year": int(roster.school_year.max()),
        "roster_batch_id": int(roster.batch_id.max()),
        "balance": json.dumps(balance, sort_keys=True),
        "package_version": _package_version(),
    }


def _write_assignment_file(
    path: Path, lottery: Lottery, lottery_id: int, applicants: Applicants
) -> None:
    """One row per applicant in file order: the id as the file gives it, its row, block,
    assigned, and the lottery, seed and draw on every row, so that no copy of the file
    loses them. Every cell is escaped for spreadsheets."""
    frame = lottery.assignment_frame()
    rows = (
        (unit, int(row), block, int(assigned), lottery_id, lottery.seed, lottery.draw)
        for unit, row, block, assigned in zip(
            frame.unit, applicants.frame.source_row, frame.block, frame.assigned, strict=True
        )
    )
    header = (applicants.id_header, "row", "block", "assigned", "lottery_id", "seed", "draw")
    write_safe_csv(path, header, rows)


def _write_sidecar(path: Path, lottery: Lottery, lottery_id: int, record: dict) -> None:
    """The lottery's facts and balance as JSON beside the assignment file."""
    facts = {
        "lottery_id": lottery_id,
        **{k: record[k] for k in ("district_id", "file_name", "file_sha256",
                                  "roster_school_year", "package_version")},
        "created_at": record["created_at"].isoformat(timespec="seconds"),
        **lottery.to_dict(),
    }  # fmt: skip
    path.write_text(json.dumps(facts, indent=2, default=str) + "\n", encoding="utf-8")


def _package_version() -> str:
    try:
        return metadata.version("studio-outcomes")
    except metadata.PackageNotFoundError:
        return "unknown"
