"""`outcomes randomize` on the synthetic district: the lottery drawn, written and recorded
with pseudonyms only; every bad input one line, exit code 2, the warehouse unchanged."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.ingest.pseudonymize import pseudonym
from pipelines.warehouse.design import load_lottery_assignments

SEATS = 40


@pytest.fixture(scope="module")
def high_schoolers(synthetic_warehouse, session_pseudonym_key) -> list[str]:
    """Clear ids of the newest roster's high-school students that the warehouse holds (the
    synthetic roster's injected defects are held back, so some ids are not in core)."""
    newest = sorted(synthetic_warehouse.folder.glob("sis_students_*.csv"))[-1]
    with newest.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    ids = [r["Student Number"] for r in rows if r["Grade"] in ("9", "10", "11", "12")]
    with duckdb.connect(str(synthetic_warehouse.db), read_only=True) as con:
        held = {p for (p,) in con.execute("SELECT student_unique_id FROM core.students").fetchall()}
    return [i for i in ids if pseudonym(session_pseudonym_key.encode(), i) in held]


@pytest.fixture
def db(synthetic_warehouse, tmp_path) -> Path:
    """A private copy of the synthetic warehouse: a lottery writes to it."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(synthetic_warehouse.db, copy)
    return copy


@pytest.fixture
def applicants_file(tmp_path, high_schoolers):
    """Write an applicants file: a header row, then rows (lists of cells)."""

    def write(rows, header=("Student Number", "Student Name"), name="applicants.csv") -> Path:
        path = tmp_path / "exports" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        return path

    return write


def applicants(ids: list[str], count: int = 100) -> list[list[str]]:
    return [[student, f"Student {n}"] for n, student in enumerate(ids[:count])]


def randomize(*arguments) -> object:
    return CliRunner().invoke(main, ["randomize", *map(str, arguments)])


def read_assignment(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def warehouse_state(db: Path) -> dict[str, int]:
    """Every table's row count: what a refused file must leave as it was."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL"
        ).fetchall()
        return {
            f"{schema}.{table}": con.execute(
                f'SELECT count(*) FROM "{schema}"."{table}"'
            ).fetchone()[0]
            for schema, table in tables
        }


def test_draws_the_lottery_and_writes_one_row_per_applicant(db, applicants_file, high_schoolers):
    path = applicants_file(applicants(high_schoolers))
    result = randomize(path, "--seats", SEATS, "--seed", 2025, "--db", db)
    assert result.exit_code == 0, result.output
    rows = read_assignment(path.with_name("applicants.assignment.csv"))
    assert [r["Student Number"] for r in rows] == high_schoolers[:100]
    assert [r["row"] for r in rows] == [str(n) for n in range(2, 102)]
    assert sum(int(r["assigned"]) for r in rows) == SEATS
    assert {(r["lottery_id"], r["seed"]) for r in rows} == {("1", "2025")}
    assert {r["block"] for r in rows} <= {f"grade_level={g}" for g in (9, 10, 11, 12)}
    assert "keep both: they reproduce the assignment" in result.output
    assert path.with_name("applicants.assignment.json").exists()


def test_each_grade_gets_seats_in_proportion_to_its_applicants(db, applicants_file, high_schoolers):
    path = applicants_file(applicants(high_schoolers))
    assert randomize(path, "--seats", SEATS, "--seed", 7, "--db", db).exit_code == 0
    rows = read_assignment(path.with_name("applicants.assignment.csv"))
    for block in {r["block"] for r in rows}:
        members = [r for r in rows if r["block"] == block]
        seats = sum(int(r["assigned"]) for r in members)
        assert abs(seats - SEATS * len(members) / len(rows)) < 1


def test_the_same_seed_gives_the_same_assignment(
    synthetic_warehouse, tmp_path, applicants_file, high_schoolers
):
    path = applicants_file(applicants(high_schoolers))
    drawn = []
    for copy in ("first", "second"):
        db = tmp_path / f"{copy}.duckdb"
        shutil.copyfile(synthetic_warehouse.db, db)
        out = tmp_path / f"{copy}.csv"
        assert (
            randomize(path, "--seats", SEATS, "--seed", 99, "--db", db, "--out", out).exit_code == 0
        )
        drawn.append(
            [(r["Student Number"], r["assigned"], r["draw"]) for r in read_assignment(out)]
        )
    assert drawn[0] == drawn[1]


def test_a_seed_is_drawn_and_reported_when_none_is_given(db, applicants_file, high_schoolers):
    path = applicants_file(applicants(high_schoolers))
    result = randomize(path, "--seats", SEATS, "--db", db)
    assert result.exit_code == 0, result.output
    seeds = {r["seed"] for r in read_assignment(path.with_name("applicants.assignment.csv"))}
    assert len(seeds) == 1
    assert f"seed {seeds.pop()} (drawn from the operating system)" in result.output


def test_the_warehouse_records_the_lottery_with_pseudonyms_only(
    db, applicants_file, high_schoolers, warehouse_texts, pseudonym_key
):
    path = applicants_file(applicants(high_schoolers))
    assert randomize(path, "--seats", SEATS, "--seed", 3, "--db", db).exit_code == 0
    rows = read_assignment(path.with_name("applicants.assignment.csv"))
    with duckdb.connect(str(db), read_only=True) as con:
        stored = load_lottery_assignments(con)
        lottery = con.execute(
            "SELECT district_id, file_name, seats, applicants, blocks, seed, draw_number, "
            "max_abs_smd <= 0.25 FROM design.lotteries"
        ).fetchall()
    expected = {
        pseudonym(pseudonym_key.encode(), r["Student Number"]): int(r["assigned"]) for r in rows
    }
    assert dict(zip(stored.student_unique_id, stored.assigned, strict=True)) == expected
    assert lottery == [
        ("district", "applicants.csv", SEATS, 100, ["grade_level"], 3, int(rows[0]["draw"]), True)
    ]
    texts = warehouse_texts(db, text_columns_only=True)
    clear = set(high_schoolers[:100])
    assert [column for column, values in texts.items() if clear & set(values)] == []


def test_the_loader_gives_an_empty_frame_before_any_lottery(synthetic_warehouse):
    with duckdb.connect(str(synthetic_warehouse.db), read_only=True) as con:
        frame = load_lottery_assignments(con)
    assert frame.empty and "assigned" in frame.columns


def test_blocks_on_grade_and_school(db, applicants_file, high_schoolers):
    path = applicants_file(applicants(high_schoolers))
    result = randomize(path, "--seats", SEATS, "--seed", 5, "--block", "grade,school", "--db", db)
    assert result.exit_code == 0, result.output
    blocks = {r["block"] for r in read_assignment(path.with_name("applicants.assignment.csv"))}
    assert all(b.startswith("grade_level=") and ", school_id=" in b for b in blocks)


def test_finds_the_id_column_by_an_alias_and_escapes_formulas(db, applicants_file, high_schoolers):
    rows = [['=HYPERLINK("x")' if n == 0 else "", s] for n, s in enumerate(high_schoolers[:100])]
    path = applicants_file(rows, header=("Note", "SIS ID"))
    result = randomize(path, "--seats", SEATS, "--seed", 1, "--db", db)
    assert result.exit_code == 0, result.output
    written = read_assignment(path.with_name("applicants.assignment.csv"))
    assert [r["SIS ID"] for r in written] == high_schoolers[:100]


def bad_input(db: Path, *arguments) -> str:
    """Run a lottery that must be refused; its one line, after checking the warehouse."""
    before = warehouse_state(db)
    result = randomize(*arguments, "--db", db)
    assert result.exit_code == 2, result.output
    assert warehouse_state(db) == before
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    return lines[0]


def test_refuses_fewer_applicants_than_seats(db, applicants_file, high_schoolers):
    path = applicants_file(applicants(high_schoolers, 30))
    line = bad_input(db, path, "--seats", 30)
    assert line == (
        f"error: {path}: 30 applicants for 30 seats: a lottery needs more applicants than "
        "seats (every applicant could be offered one); check that the file lists every "
        "applicant, or lower --seats"
    )


def test_refuses_no_seats(db, applicants_file, high_schoolers):
    path = applicants_file(applicants(high_schoolers, 30))
    line = bad_input(db, path, "--seats", 0)
    assert line.startswith("error: --seats: 0 seats: a lottery needs at least one seat")


def test_refuses_an_applicant_the_roster_does_not_hold(db, applicants_file, high_schoolers):
    rows = applicants(high_schoolers, 50)
    rows[6][0] = "99999999"
    path = applicants_file(rows)
    line = bad_input(db, path, "--seats", 20)
    assert line.startswith(
        f"error: {path}: row 8, column Student Number: student 99999999 is not on district "
        "district's roster in the warehouse; ingest the roster that lists them first"
    )


def test_refuses_an_applicant_listed_twice_naming_both_rows(db, applicants_file, high_schoolers):
    rows = applicants(high_schoolers, 50)
    rows[9][0] = rows[2][0]
    path = applicants_file(rows)
    line = bad_input(db, path, "--seats", 20)
    assert line == (
        f"error: {path}: column Student Number: student {rows[2][0]} is listed twice, in "
        "rows 4 and 11; keep one of the two rows: a student applies once"
    )


def test_refuses_a_file_without_an_id_column_naming_the_closest_headers(
    db, applicants_file, high_schoolers
):
    rows = applicants(high_schoolers, 50)
    path = applicants_file(rows, header=("Pupil", "Student Name"))
    line = bad_input(db, path, "--seats", 20)
    assert line.startswith(
        f"error: {path}: no column of student ids (closest headers: Student Name, Pupil); "
        "name it to --id-column"
    )


def test_reads_the_id_column_named_with_id_column(db, applicants_file, high_schoolers):
    path = applicants_file(applicants(high_schoolers), header=("Pupil", "Student Name"))
    result = randomize(path, "--seats", SEATS, "--seed", 4, "--id-column", "Pupil", "--db", db)
    assert result.exit_code == 0, result.output


def test_refuses_an_empty_file(db, tmp_path):
    path = tmp_path / "applicants.csv"
    path.write_text("")
    line = bad_input(db, path, "--seats", 20)
    assert line == f"error: {path.name}: file is empty; export it again with the data"


def test_refuses_an_unknown_block(db, applicants_file, high_schoolers):
    path = applicants_file(applicants(high_schoolers))
    line = bad_input(db, path, "--seats", SEATS, "--block", "grade,homeroom")
    assert line.startswith(
        "error: --block: 'homeroom' is not a roster column a lottery can block on; use one "
        "or more of grade, school"
    )


def test_refuses_to_draw_the_same_file_twice(db, applicants_file, high_schoolers):
    path = applicants_file(applicants(high_schoolers))
    assert randomize(path, "--seats", SEATS, "--seed", 1, "--db", db).exit_code == 0
    line = bad_input(db, path, "--seats", SEATS, "--seed", 2)
    assert "this file was drawn already, as lottery 1 on " in line
    assert "(seed 1, draw " in line


def test_no_balanced_draw_is_one_line_saying_what_to_try(
    db, applicants_file, high_schoolers, monkeypatch
):
    from models.lottery import LotteryUnbalanced
    from pipelines.design import lottery

    def unbalanced(*args, **kwargs):
        raise LotteryUnbalanced(draws=100, best_draw=12, best_smd=0.31, covariate="prior_gpa")

    monkeypatch.setattr(lottery, "draw_lottery", unbalanced)
    path = applicants_file(applicants(high_schoolers))
    line = bad_input(db, path, "--seats", SEATS, "--block", "grade,school")
    assert line == (
        f"error: {path}: no draw of 100 balanced every covariate within |SMD| <= 0.25: the "
        "best, draw 12, has |SMD| 0.310 on prior_gpa; try more draws (--max-draws 1000) or "
        "fewer --block columns"
    )
    assert not path.with_name("applicants.assignment.csv").exists()


def test_a_rejected_file_leaves_every_value_of_the_warehouse_unchanged(
    db, applicants_file, high_schoolers, warehouse_texts
):
    assert randomize(applicants_file(applicants(high_schoolers)), "--seats", SEATS,
                     "--seed", 1, "--db", db).exit_code == 0  # fmt: skip
    before = warehouse_texts(db)
    rows = applicants(high_schoolers[100:], 60)
    rows[-1][0] = "00000000"
    result = randomize(applicants_file(rows, name="second.csv"), "--seats", 20, "--db", db)
    assert result.exit_code == 2
    after = warehouse_texts(db)
    assert {k: sorted(v) for k, v in after.items()} == {k: sorted(v) for k, v in before.items()}


def test_the_next_scorecard_analyses_a_drawn_lottery_as_a_randomized_comparison(
    db, applicants_file, high_schoolers
):
    from pipelines.scorecard import run_scorecard

    with duckdb.connect(str(db), read_only=True) as con:
        before = run_scorecard(con, claim_ids=["lottery_ai_confidence"]).scorecard.estimates[0]
    assert before.verdict == "no_data"
    assert "outcomes randomize" in before.verdict_reason

    path = applicants_file(applicants(high_schoolers, 200))
    assert randomize(path, "--seats", 80, "--seed", 7, "--db", db).exit_code == 0
    with duckdb.connect(str(db), read_only=True) as con:
        after = run_scorecard(con, claim_ids=["lottery_ai_confidence"]).scorecard.estimates[0]
    assert after.design == "randomized" and after.n > 0, after
    assert after.method != "none" and after.ci_lower < after.estimate < after.ci_upper
