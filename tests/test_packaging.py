"""The package as a research partner installs it: a wheel, in a fresh venv, outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
#: The Makefile installs uv into the project's venv, beside its Python.
UV = Path(sys.executable).parent / "uv"


def run(*command: object, cwd: Path, env: dict | None = None) -> str:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A venv holding the locked dependencies and the wheel built from this checkout."""
    root = tmp_path_factory.mktemp("wheel")
    run(UV, "build", "--wheel", "--out-dir", root / "dist", REPO, cwd=root)
    (wheel,) = (root / "dist").glob("studio_outcomes-*.whl")
    run(UV, "venv", "--quiet", "--python", sys.executable, root / "venv", cwd=root)
    python = root / "venv" / "bin" / "python"
    run(UV, "pip", "sync", "--quiet", "--python", python, REPO / "requirements.lock", cwd=root)
    run(UV, "pip", "install", "--quiet", "--python", python, "--no-deps", wheel, cwd=root)
    return root


@pytest.mark.slow
def test_the_wheel_ships_every_sub_package_and_data_file(installed):
    python = installed / "venv" / "bin" / "python"
    script = (
        "import pipelines.synth, pipelines.ingest.surveys, pipelines.warehouse.marts;"
        "from pipelines.contracts import SCHEMA_DIR, load_contracts;"
        "from pipelines.warehouse.marts import mart_names;"
        "from pipelines.synth import load_truth;"
        "assert load_truth('null').staff.trained_exit_hazard_ratio == 1.0;"
        "from models.scorecard import load_registry;"
        "from pipelines.sql_text import read_sql;"
        "claims = load_registry().claims;"
        "[read_sql('pipelines.scorecard', f'frames/{c.frame}.sql') for c in claims if c.estimator];"
        "from reports.catalog import load_catalog; load_catalog();"
        "read_sql('reports', 'metric.sql'); read_sql('pipelines.roi', 'figures.sql');"
        "read_sql('pipelines.roi', 'roi_tables.sql');"
        "from models.roi import load_scenario; load_scenario('base');"
        "print(pipelines.__file__, len(load_contracts()), len(mart_names()), len(claims) > 30)"
    )
    printed = run(python, "-c", script, cwd=installed).split()
    assert printed[0].startswith(str(installed / "venv"))  # not the checkout
    assert printed[1:] == ["19", "15", "True"]


@pytest.mark.slow
def test_the_installed_command_synthesizes_and_ingests_outside_the_checkout(installed):
    outcomes = installed / "venv" / "bin" / "outcomes"
    work = installed / "work"
    work.mkdir()
    env = {**os.environ, "OUTCOMES_PSEUDONYM_KEY": "packaging-test-key-0123456789"}
    env.pop("OUTCOMES_DB", None)
    run(outcomes, "synth", "--out", "district", "--students", "300", cwd=work, env=env)
    printed = run(outcomes, "ingest", "district", "--db", "wh.duckdb", cwd=work, env=env)
    assert "44 file(s) loaded" in printed
    with duckdb.connect(str(work / "wh.duckdb"), read_only=True) as con:
        kinds = con.execute("SELECT count(DISTINCT kind) FROM audit.batches").fetchone()[0]
        students = con.execute("SELECT count(*) FROM mart.student_terms").fetchone()[0]
    assert kinds == 19
    assert students > 0
