"""Ingestion benchmark: validated ingestion against a plain DuckDB load of the same CSV,
and against what else could validate it; a synthetic district's folder as a coordinator
loads it.

Writes a 10-million-row session_attendance CSV (``--rows``), then, each in a fresh
subprocess so peak memory is its own:

- baseline: ``CREATE TABLE t AS SELECT * FROM read_csv(path)`` into a new DuckDB file;
- ingest: ``outcomes ingest`` of the same file (after the students, staff and teams it
  references, loaded in the same process so great-expectations' one-off start-up is not
  charged to the file, as in a folder ingest).

Then, in the same run: pandas with great-expectations and pandera on polars checking the
same file with the same rules (``comparisons.py``), and ``outcomes ingest`` of the
synthetic district's folder, timed whole.

With ``--against REV``, the same ingests also run from an export of commit ``REV`` of this
repository (``git archive``), interleaved with the others, so a change's speed is compared
with its base on the same machine in the same run.

Reports wall seconds (median of ``--repeat`` runs), the ratio ingest / baseline, rows per
second and peak resident memory, into ``benchmarks/README.md`` and
``benchmarks/out/results.json``.
Usage: ``python benchmarks/run.py [--rows N] [--repeat K] [--against REV]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import duckdb
from comparisons import DISTRICT, PANDAS_GX, PANDERA_POLARS

from pipelines.synth import DEFAULT_SEED, generate_district

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "benchmarks" / "README.md"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
STUDENTS, TEAMS = 20_000, 400


def write_inputs(folder: Path, rows: int) -> dict[str, Path]:
    """Referenced rosters and a big attendance file, written by DuckDB (fast, deterministic)."""
    con = duckdb.connect()
    paths = {
        name: folder / f"{name}.csv"
        for name in ("staff", "students", "studio_teams", "session_attendance")
    }
    con.execute(f"""COPY (SELECT 'T' || i AS staff_unique_id, 'HS' AS school_id,
        'teacher' AS staff_classification FROM range(1, {TEAMS + 1}) r(i))
        TO '{paths["staff"]}' (HEADER)""")
    con.execute(f"""COPY (SELECT 'S' || lpad(i::VARCHAR, 7, '0') AS student_unique_id,
        2025 AS school_year, 'HS' AS school_id, (9 + i % 4)::VARCHAR AS grade_level,
        CASE WHEN i % 2 = 0 THEN 'female' ELSE 'male' END AS sex
        FROM range(1, {STUDENTS + 1}) r(i)) TO '{paths["students"]}' (HEADER)""")
    con.execute(f"""COPY (SELECT 'TEAM' || i AS team_id, 'HS' AS school_id,
        CASE WHEN i % 4 = 0 THEN 'girls_only' ELSE 'mixed' END AS team_type,
        'T' || i AS mentor_staff_unique_id, DATE '2024-08-15' AS formed_date
        FROM range(1, {TEAMS + 1}) r(i)) TO '{paths["studio_teams"]}' (HEADER)""")
    # Each row a distinct (student, team, date): student i % STUDENTS, team, week number.
    con.execute(f"""COPY (SELECT
        'S' || lpad((1 + i % {STUDENTS})::VARCHAR, 7, '0') AS student_unique_id,
        'TEAM' || (1 + (i // {STUDENTS}) % {TEAMS}) AS team_id,
        strftime(DATE '2024-09-02' + (i // ({STUDENTS} * {TEAMS}))::INTEGER, '%m/%d/%Y')
            AS session_date,
        CASE WHEN i % 10 = 0 THEN 'absent' ELSE 'present' END AS attendance_status,
        CASE WHEN i % 10 = 0 THEN 0 ELSE 90 - i % 7 END AS minutes_attended
        FROM range({rows}) r(i)) TO '{paths["session_attendance"]}' (HEADER)""")
    con.close()
    return paths


BASELINE = """
import duckdb, json, resource, sys, time
con = duckdb.connect(sys.argv[2])
con.execute("SET enable_progress_bar = false")
started = time.perf_counter()
con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{sys.argv[1]}')")
seconds = time.perf_counter() - started
rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "rows": rows, "peak_kib": peak, "stages": []}))
"""

# The same rows typed and pseudonymized as ingestion does, with DuckDB and nothing else: no
# validation, no quarantine, no audit, no raw text. What ingestion costs beyond this is
# the price of checking the rows and keeping what the checks and the audit need.
TYPED = """
import duckdb, json, os, resource, sys, time
import pyarrow as pa
from pipelines.ingest.pseudonymize import pseudonym_table
key = b"benchmark-key-0123456789abcdef"
con = duckdb.connect(sys.argv[2])
con.execute("SET enable_progress_bar = false")
started = time.perf_counter()
source = f"read_csv('{sys.argv[1]}', all_varchar = true)"
ids = con.execute(f"SELECT DISTINCT student_unique_id FROM {source}").fetchall()
con.register("pseudonyms", pa.table(pseudonym_table(key, (i for (i,) in ids))))
con.execute(f\"\"\"CREATE TABLE t AS SELECT p.pseudonym AS student_unique_id, r.team_id,
    CAST(strptime(r.session_date, '%m/%d/%Y') AS DATE) AS session_date, r.attendance_status,
    CAST(r.minutes_attended AS BIGINT) AS minutes_attended
    FROM {source} r JOIN pseudonyms p ON p.original = r.student_unique_id\"\"\")
seconds = time.perf_counter() - started
rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "rows": rows, "peak_kib": peak, "stages": []}))
"""

# Runs from this tree or from an export of an earlier commit (its cwd), so it uses only what
# both offer: pipelines.ingest.ingest_file and ingest_paths, and the batch's counts.
INGEST = """
import json, os, resource, sys, time
from pathlib import Path
os.environ.setdefault("OUTCOMES_PSEUDONYM_KEY", "benchmark-key-0123456789abcdef")
import pipelines
assert Path(pipelines.__file__).resolve().is_relative_to(Path.cwd().resolve()), pipelines.__file__
from pipelines.ingest import ingest_file, ingest_paths
db = sys.argv[2]
folder = Path(sys.argv[1]).parent
ingest_paths([folder / n for n in ("staff.csv", "students.csv", "studio_teams.csv")], db=db)
started = time.perf_counter()
result = ingest_file(sys.argv[1], kind="session_attendance", db=db)[0]
seconds = time.perf_counter() - started
assert result.rows_accepted == result.rows_read, result
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "rows": result.rows_accepted, "peak_kib": peak,
                  "stages": result.stage_seconds}))
"""


def measure(script: str, csv: Path, scratch: Path, run: int, tree: Path = ROOT) -> dict:
    """Seconds, rows, peak MB and per-stage seconds of one run in a fresh process, with the
    ``pipelines`` package of ``tree`` (this checkout, or an export of another commit)."""
    db = scratch / f"{run}-{abs(hash((script, str(tree))))}.duckdb"
    output = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), str(csv), str(db)],
        check=True,
        capture_output=True,
        text=True,
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
    ).stdout
    db.unlink(missing_ok=True)
    measured = json.loads(output.strip().splitlines()[-1])
    measured["peak_mb"] = measured.pop("peak_kib") / 1024
    return measured


def median_stages(runs: list[dict]) -> dict[str, float]:
    """Median seconds of each ingestion stage over ``runs``, in the order they ran."""
    return {
        name: round(statistics.median(dict(run["stages"])[name] for run in runs), 2)
        for name, _ in runs[0]["stages"]
    }


def export_commit(revision: str, scratch: Path) -> tuple[Path, str]:
    """The files of commit ``revision`` under ``scratch``, and its short hash."""
    short = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", revision],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    tree = scratch / f"tree-{short}"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", short], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree, short


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--against", default=None, help="Also time the ingest of this commit, in the same run."
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="outcomes-bench-") as scratch_name:
        scratch = Path(scratch_name)
        paths = write_inputs(scratch, args.rows)
        csv = paths["session_attendance"]
        size_mb = csv.stat().st_size / 1e6
        other_tree, other = export_commit(args.against, scratch) if args.against else (None, None)
        baseline, typed, ingest, ingest_other, pandera = [], [], [], [], []
        for run in range(args.repeat):
            baseline.append(measure(BASELINE, csv, scratch, run))
            typed.append(measure(TYPED, csv, scratch, run))
            ingest.append(measure(INGEST, csv, scratch, run))
            if other_tree is not None:
                ingest_other.append(measure(INGEST, csv, scratch, run, tree=other_tree))
            pandera.append(measure(PANDERA_POLARS, csv, scratch, run))
        # Ten times slower than the rest: one run says enough.
        pandas_gx = measure(PANDAS_GX, csv, scratch, 0)
        folder = scratch / "district"
        generate_district(folder, seed=DEFAULT_SEED)
        district_files = sum(1 for path in folder.rglob("*") if path.is_file())
        district, district_other = [], []
        for run in range(args.repeat):
            district.append(measure(DISTRICT, folder, scratch, run))
            if other_tree is not None:
                district_other.append(measure(DISTRICT, folder, scratch, run, tree=other_tree))
    base_s = statistics.median(b["seconds"] for b in baseline)
    ingest_s = statistics.median(i["seconds"] for i in ingest)
    typed_s = statistics.median(t["seconds"] for t in typed)
    stages = median_stages(ingest)
    pandera_s = statistics.median(p["seconds"] for p in pandera)
    district_s = statistics.median(d["seconds"] for d in district)
    results = {
        "rows": args.rows,
        "csv_megabytes": round(size_mb, 1),
        "repeat": args.repeat,
        "baseline_seconds": round(base_s, 2),
        "typed_pseudonymized_seconds": round(typed_s, 2),
        "ingest_seconds": round(ingest_s, 2),
        "ratio_ingest_to_baseline": round(ingest_s / base_s, 2),
        "ingest_rows_per_second": round(args.rows / ingest_s),
        "baseline_peak_mb": round(max(b["peak_mb"] for b in baseline)),
        "ingest_peak_mb": round(max(i["peak_mb"] for i in ingest)),
        "ingest_stage_seconds": stages,
        "against_commit": other,
        "against_ingest_seconds": (
            round(statistics.median(i["seconds"] for i in ingest_other), 2) if other else None
        ),
        "against_stage_seconds": median_stages(ingest_other) if other else None,
        "pandas_gx_seconds": round(pandas_gx["seconds"], 2),
        "pandera_polars_seconds": round(pandera_s, 2),
        "district_files": district_files,
        "district_rows": district[0]["rows"],
        "district_seconds": round(district_s, 2),
        "against_district_seconds": (
            round(statistics.median(d["seconds"] for d in district_other), 2) if other else None
        ),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores, "
        f"Python {platform.python_version()}, duckdb {duckdb.__version__}",
    }
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    table = textwrap.dedent(f"""\
        | measure | value |
        | --- | --- |
        | rows / CSV size | {args.rows:,} / {size_mb:.0f} MB |
        | plain DuckDB `read_csv` into a table (s, median of {args.repeat}) | {base_s:.2f} |
        | typed and pseudonymized, no validation, DuckDB alone (s, median of {args.repeat}) | {typed_s:.2f} |
        | validated ingestion (s, median of {args.repeat}) | {ingest_s:.2f} |
        | ratio ingestion / plain load | {ingest_s / base_s:.2f} |
        | ratio typed and pseudonymized / plain load | {typed_s / base_s:.2f} |
        | **ratio ingestion / typed and pseudonymized** (target <= 2.0) | **{ingest_s / typed_s:.2f}** |
        | pandas + great-expectations, same checks, no pseudonyms, no writing (s, 1 run) | {pandas_gx["seconds"]:.2f} |
        | **ratio pandas + great-expectations / ingestion** (target >= 5) | **{pandas_gx["seconds"] / ingest_s:.2f}** |
        | pandera on polars, same checks, no pseudonyms, no writing (s, median of {args.repeat}) | {pandera_s:.2f} |
        | ingestion rows per second | {args.rows / ingest_s:,.0f} |
        | **synthetic district folder: `outcomes ingest`, whole** ({results["district_files"]} files, {results["district_rows"]:,} rows; s, median of {args.repeat}; target < 8) | **{district_s:.2f}** |
        | peak memory, plain load / ingestion (MB; target < 3,000) | {results["baseline_peak_mb"]:,} / {results["ingest_peak_mb"]:,} |
        | machine | {results["machine"]} |

        Validated ingestion by stage (median seconds of the same runs; the file is read
        once, in "read", and "write" is the batch's one transaction):

        | stage | seconds | share of a plain load |
        | --- | --- | --- |
        """)  # noqa: E501
    table += "".join(
        f"| {name} | {seconds:.2f} | {seconds / base_s:.2f} |\n" for name, seconds in stages.items()
    )
    if other:
        other_s = results["against_ingest_seconds"]
        table += textwrap.dedent(f"""
            Against commit `{other}`, its validated ingestion timed in the same runs,
            interleaved with the others (same file, same machine):

            | measure | at `{other}` | this tree | ratio |
            | --- | --- | --- | --- |
            | validated ingestion (s, median of {args.repeat}) | {other_s:.2f} | {ingest_s:.2f} | {ingest_s / other_s:.2f} |
            | synthetic district folder (s, median of {args.repeat}) | {results["against_district_seconds"]:.2f} | {district_s:.2f} | {district_s / results["against_district_seconds"]:.2f} |
            """)  # noqa: E501
        other_stages = results["against_stage_seconds"]
        table += "".join(
            f"| {name} (s) | {other_stages.get(name, float('nan')):.2f} | {seconds:.2f} | "
            f"{seconds / other_stages[name] if other_stages.get(name) else float('nan'):.2f} |\n"
            for name, seconds in stages.items()
        )
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN, 1)
    README.write_text(head + BEGIN + "\n" + table + END + rest.split(END, 1)[1], encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
