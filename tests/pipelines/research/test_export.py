"""``outcomes export research``: a partner's de-identified extract that reproduces the
stored scorecard, carries its codebook and manifest, and refuses bad input in one line."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.research import compare_with_manifest, read_extract
from pipelines.research.k_anonymity import rows_at_risk
from pipelines.research.provenance import file_sha256

#: Claims scored before the export: two read student rows (one of them the sex the
#: extract generalises), one reads staff dates to the day, one FRL of graduates.
SCORED = (
    "female_retention_girls_only",
    "near_peer_knowledge_retention",
    "teacher_retention_trained",
    "certified_graduate_wage_premium",
)
QUASI_IDENTIFIERS = {
    "student_years": ["sex", "race_ethnicity", "economically_disadvantaged"],
    "graduate_outcomes": ["sex", "race_ethnicity", "economically_disadvantaged"],
}


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def scored_db(synthetic_warehouse, scored_copy, tmp_path_factory) -> Path:
    return scored_copy(synthetic_warehouse.db, tmp_path_factory.mktemp("research"), SCORED)


@pytest.fixture(scope="module")
def extract(scored_db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("extracts")
    result = invoke("export", "research", "--db", str(scored_db), "--out", str(out),
                    "--partner", "state-university")  # fmt: skip
    assert result.exit_code == 0, result.output
    return out / "state-university"


@pytest.fixture(scope="module")
def manifest(extract) -> dict:
    return json.loads((extract / "manifest.json").read_text())


def warehouse_pseudonyms(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT student_unique_id FROM mart.student_years "
            "UNION SELECT staff_unique_id FROM mart.teachers"
        ).fetchall()
    return {row[0] for row in rows}


def test_the_extract_reproduces_the_stored_scorecard(extract):
    comparison = compare_with_manifest(extract).set_index("claim_id")
    assert comparison.loc["female_retention_girls_only", "matches"]
    assert comparison.loc["near_peer_knowledge_retention", "matches"]
    assert comparison.loc["teacher_retention_trained", "matches"]  # staff dates kept


def test_a_claim_that_reads_a_generalised_column_is_named_not_hidden(manifest):
    claims = {c["claim_id"]: c for c in manifest["scorecard"]["claims"]}
    wage = claims["certified_graduate_wage_premium"]
    assert not wage["reproducible"]
    assert any(column.startswith("graduate_outcomes.") for column in wage["altered"])
    assert manifest["scorecard"]["verified"]


def test_no_warehouse_pseudonym_leaves_in_any_file(extract, scored_db):
    pseudonyms = warehouse_pseudonyms(scored_db)
    for path in extract.glob("*.csv"):
        tokens = set(re.findall(r"[0-9a-f]{24}", path.read_text(encoding="utf-8")))
        assert tokens.isdisjoint(pseudonyms), path.name


@pytest.mark.slow
def test_two_partners_extracts_cannot_be_joined(extract, scored_db, tmp_path):
    result = invoke("export", "research", "--db", str(scored_db), "--out", str(tmp_path),
                    "--partner", "city-college", "--no-verify")  # fmt: skip
    assert result.exit_code == 0, result.output
    ours = set(read_extract(extract)["student_years"]["student_unique_id"])
    theirs = set(read_extract(tmp_path / "city-college")["student_years"]["student_unique_id"])
    assert len(ours) == len(theirs) > 0
    assert ours.isdisjoint(theirs)


def test_every_combination_of_quasi_identifiers_is_shared_by_k_students(extract, manifest):
    tables = read_extract(extract)
    assert manifest["settings"]["k"] == 11
    for table, columns in QUASI_IDENTIFIERS.items():
        at_risk = rows_at_risk(tables[table], "student_unique_id", columns, 11)
        assert not at_risk.any(), table
        assert manifest["tables"][table]["smallest_group"] >= 11


def test_a_sex_withheld_in_one_table_is_withheld_in_every_table(extract):
    tables = read_extract(extract)
    students = ("student_years", "student_terms", "graduate_outcomes", "panel_scores")
    withheld = set()
    for name in students:
        frame = tables[name]
        withheld |= set(frame.loc[frame["sex"].isna(), "student_unique_id"])
    assert withheld, "the synthetic district has students whose sex must be withheld"
    for name in students:
        frame = tables[name]
        shown = frame[frame["student_unique_id"].isin(withheld)]["sex"]
        assert shown.isna().all(), name


def test_students_dates_are_coarsened_to_the_month_and_staff_dates_kept(extract, scored_db):
    tables = read_extract(extract)
    joined = tables["student_years"]["joined_date"].dropna()
    assert len(joined) > 0 and (joined.dt.day == 1).all()
    with duckdb.connect(str(scored_db), read_only=True) as con:
        hired = con.execute("SELECT hire_date FROM mart.teachers ORDER BY ALL").df()["hire_date"]
    assert sorted(tables["teachers"]["hire_date"].dropna()) == sorted(hired.dropna())


def test_the_codebook_describes_every_column_of_every_table(extract):
    codebook = pd.read_csv(extract / "codebook.csv")
    for name, frame in read_extract(extract).items():
        described = set(codebook.loc[codebook["table"] == name, "column"])
        assert described == set(frame.columns), name
    assert codebook["description"].notna().all()
    race = codebook.query("table == 'student_years' and column == 'race_ethnicity'").iloc[0]
    assert "withheld" in race["in_this_extract"] or "merged" in race["in_this_extract"]


def test_the_manifest_pins_the_state_the_code_and_every_file(extract, manifest, scored_db):
    with duckdb.connect(str(scored_db), read_only=True) as con:
        query = "SELECT file_sha256 FROM audit.batches ORDER BY 1"
        loaded = [r[0] for r in con.execute(query).fetchall()]
    assert sorted(b["file_sha256"] for b in manifest["batches"]) == loaded
    assert all("file_name" not in b for b in manifest["batches"])
    assert manifest["locked_packages"]["duckdb"] == manifest["installed_packages"]["duckdb"]
    for entry in manifest["tables"].values():
        for name, digest in entry["files"].items():
            assert file_sha256(extract / name) == digest


# Bad input: one line, exit 2, nothing written.


def test_a_partner_name_with_path_characters_is_refused(scored_db, tmp_path):
    result = invoke("export", "research", "--db", str(scored_db), "--out", str(tmp_path),
                    "--partner", "../elsewhere")  # fmt: skip
    assert result.exit_code == 2
    assert "--partner" in result.output and "plain name" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_warehouse_without_a_scorecard_says_which_command_to_run(synthetic_warehouse, tmp_path):
    db = tmp_path / "unscored.duckdb"
    shutil.copy(synthetic_warehouse.db, db)
    result = invoke("export", "research", "--db", str(db), "--out", str(tmp_path / "out"),
                    "--partner", "state-university")  # fmt: skip
    assert result.exit_code == 2
    assert "run `outcomes claims` first" in result.output
    assert not (tmp_path / "out").exists()


def test_an_empty_warehouse_says_to_load_data_first(tmp_path):
    from pipelines.warehouse.connection import connect

    db = tmp_path / "empty.duckdb"
    connect(db).close()
    result = invoke("export", "research", "--db", str(db), "--out", str(tmp_path / "out"),
                    "--partner", "state-university")  # fmt: skip
    assert result.exit_code == 2
    assert "nothing loaded yet" in result.output and "outcomes ingest" in result.output
    assert not (tmp_path / "out").exists()


def test_a_missing_warehouse_is_named(tmp_path):
    result = invoke("export", "research", "--db", str(tmp_path / "none.duckdb"),
                    "--out", str(tmp_path / "out"), "--partner", "state-university")  # fmt: skip
    assert result.exit_code == 2
    assert "none.duckdb: no warehouse here yet" in result.output


def test_an_as_of_date_before_any_data_is_refused(scored_db, tmp_path):
    result = invoke("export", "research", "--db", str(scored_db), "--out", str(tmp_path),
                    "--partner", "state-university", "--as-of", "1999-01-01")  # fmt: skip
    assert result.exit_code == 2
    assert "1999-01-01" in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_as_of_state_other_than_the_scorecards_is_refused(scored_db, tmp_path):
    result = invoke("export", "research", "--db", str(scored_db), "--out", str(tmp_path),
                    "--partner", "state-university", "--as-of", "3")  # fmt: skip
    assert result.exit_code == 2
    assert "stored scorecard is of batch" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_written_is_refused(scored_db, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    result = invoke("export", "research", "--db", str(scored_db), "--out", str(blocked / "sub"),
                    "--partner", "state-university", "--no-verify")  # fmt: skip
    assert result.exit_code == 2
    assert "cannot be written" in result.output
    assert blocked.read_text() == "not a folder"


def test_k_below_two_is_refused(scored_db, tmp_path):
    result = invoke("export", "research", "--db", str(scored_db), "--out", str(tmp_path),
                    "--partner", "state-university", "--k", "1")  # fmt: skip
    assert result.exit_code == 2
    assert "k = 1" in result.output
