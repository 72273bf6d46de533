"""`outcomes roi` on the synthetic district: the comparison printed, every table stored, and a
scenario file with a mistake refused in one line with exit 2, the warehouse unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
import yaml
from click.testing import CliRunner

from models.roi import load_scenario_data
from pipelines.cli import main
from pipelines.roi import DEFAULT_COMPARISON, read_roi

DRAWS = "2000"


@pytest.fixture(scope="module")
def scored_copy(synthetic_warehouse, tmp_path_factory) -> Path:
    """The synthetic warehouse with the claims the evidence scenario reads scored and stored."""
    copy = tmp_path_factory.mktemp("roi") / "scored.duckdb"
    shutil.copy(synthetic_warehouse.db, copy)
    result = CliRunner().invoke(
        main,
        ["claims", "--db", str(copy), "--claim", "female_retention_girls_only", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    return copy


@pytest.fixture
def warehouse(scored_copy, tmp_path) -> Path:
    """A copy a test may write to."""
    copy = tmp_path / "outcomes.duckdb"
    shutil.copy(scored_copy, copy)
    return copy


@pytest.fixture(scope="module")
def stored_run(scored_copy, tmp_path_factory) -> tuple[Path, str]:
    """One default run stored in its own copy; the tests only read it."""
    copy = tmp_path_factory.mktemp("stored") / "outcomes.duckdb"
    shutil.copy(scored_copy, copy)
    result = CliRunner().invoke(main, ["roi", "--db", str(copy), "--draws", DRAWS])
    assert result.exit_code == 0, result.output
    return copy, result.output


def roi_runs(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        exists = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'roi_runs'"
        ).fetchone()[0]
        return con.execute("SELECT count(*) FROM results.roi_runs").fetchone()[0] if exists else 0


def test_the_default_comparison_is_claimed_conservative_and_evidence(stored_run):
    _, output = stored_run
    for text in ("claimed", "conservative", "evidence", "chance benefits exceed costs"):
        assert text in output
    assert "$9,250,000 / $350,000 = 26.4x" in output


def test_the_compare_help_names_the_default_comparison():
    # The help is literal so that `outcomes --help` need not import the projection.
    compare = next(option for option in main.commands["roi"].params if option.name == "compare")
    assert "(default: claimed,conservative,evidence)" in compare.help
    assert ",".join(DEFAULT_COMPARISON) == "claimed,conservative,evidence"


def test_every_table_the_report_draws_is_stored_for_the_run(stored_run):
    db, _ = stored_run
    assert roi_runs(db) == 1
    with duckdb.connect(str(db), read_only=True) as con:
        fan = read_roi(con, "roi_fan")
        summary = read_roi(con, "roi_summary")
        claimed = read_roi(con, "roi_claimed_arithmetic")
        evidence = read_roi(con, "roi_evidence")
        tornado = read_roi(con, "roi_tornado")
    assert sorted(fan.groupby("scenario").size().items()) == [
        ("claimed", 10),
        ("conservative", 10),
        ("evidence", 10),
    ]
    assert set(summary["discount_rate"].dropna()) == {0.0, 0.03, 0.07}
    assert claimed["step"].iloc[0] == "investment"
    assert evidence["input"].str.startswith("costs.").any()
    assert set(tornado["scenario"]) == {"claimed", "conservative", "evidence"}


def test_the_evidence_scenario_uses_the_stored_scorecard_estimate(stored_run):
    db, _ = stored_run
    with duckdb.connect(str(db), read_only=True) as con:
        evidence = read_roi(con, "roi_evidence").set_index("input")
    girls = evidence.loc["units.additional_girls_retained"]
    assert girls["basis"] == "measured"
    assert "claim female_retention_girls_only" in girls["source"]


def test_the_same_seed_gives_the_same_projection(warehouse):
    runner = CliRunner()
    outputs = [
        runner.invoke(
            main,
            ["roi", "--db", str(warehouse), "--compare", "base", "--draws", DRAWS, "--seed", "7",
             "--format", "csv", "--no-store"],
        ).output
        for _ in range(2)
    ]  # fmt: skip
    assert outputs[0] == outputs[1]
    assert roi_runs(warehouse) == 0


def test_a_discount_rate_becomes_the_headline_with_3_and_7_percent_beside_it(warehouse):
    result = CliRunner().invoke(
        main,
        ["roi", "--db", str(warehouse), "--compare", "base", "--draws", DRAWS, "--discount",
         "0.05"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "net present value at 5%" in result.output
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rates = set(read_roi(con, "roi_summary")["discount_rate"].dropna())
    assert rates == {0.0, 0.05, 0.03, 0.07}


def scenario_file(tmp_path: Path, change) -> Path:
    data = load_scenario_data("base")
    data = {k: v for k, v in data.items() if not k.startswith("x-")}
    change(data)
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def set_in(*keys_and_value):
    *keys, value = keys_and_value

    def change(data):
        target = data
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return change


def remove(*keys):
    def change(data):
        target = data
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return change


PRICE = {"price_year": 2024, "source": "test", "basis": "assumption"}
BAD_SCENARIOS = {
    "an unknown key": (
        set_in("costs", "studio_rooms", "colour", "red"),
        "costs.studio_rooms.colour: unknown key; the keys are category",
    ),
    "a negative cost": (
        set_in("costs", "studio_rooms", "unit_price", {"fixed": -5, **PRICE}),
        "costs.studio_rooms.unit_price.fixed: -5 is below 0, which this quantity cannot be; "
        "give values of at least 0",
    ),
    "a P10 above its P90": (
        set_in(
            "benefits", "grants_attracted", "factors", "annual_grants",
            {"normal": {"p10": 300000, "p90": 100000}, **PRICE},
        ),
        "benefits.grants_attracted.factors.annual_grants.normal: p10 300,000 is not below p90 "
        "100,000; swap them",
    ),
    "a distribution that cannot be sampled": (
        set_in(
            "benefits", "grants_attracted", "factors", "annual_grants",
            {"pert": [300000, 100000, 50000], **PRICE},
        ),
        "benefits.grants_attracted.factors.annual_grants.pert: low 300,000 must be below high "
        "50,000; give [low, mode, high] in increasing order",
    ),
    "a missing stream": (
        remove("benefits", "grants_attracted"),
        "benefits.grants_attracted: the stream is missing; state it (with attribution 0",
    ),
}  # fmt: skip


@pytest.mark.parametrize("mistake", list(BAD_SCENARIOS))
def test_a_scenario_file_with_a_mistake_gets_one_line_naming_the_key_exit_2(
    mistake, warehouse, tmp_path
):
    change, expected = BAD_SCENARIOS[mistake]
    path = scenario_file(tmp_path, change)
    result = CliRunner().invoke(
        main, ["roi", "--db", str(warehouse), "--scenario", str(path), "--draws", DRAWS]
    )
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {path}: {expected}")
    assert roi_runs(warehouse) == 0


def test_a_scenario_file_that_is_not_yaml_names_its_line(warehouse, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: broken\ncosts: [unclosed\n")
    result = CliRunner().invoke(main, ["roi", "--db", str(warehouse), "--scenario", str(path)])
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {path}: not valid YAML at line 3")


def test_an_unknown_scenario_name_lists_the_known_ones(warehouse):
    result = CliRunner().invoke(main, ["roi", "--db", str(warehouse), "--compare", "rosy"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: --scenario: no scenario named 'rosy'; use one of claimed, conservative, base, "
        "optimistic, evidence or the path of a scenario YAML file"
    )
