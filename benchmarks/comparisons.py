"""What the benchmark compares validated ingestion with, as scripts run in fresh processes.

Each script reads the 10-million-row attendance file (``argv[1]``) and prints one JSON line
with its seconds, rows and peak memory, timed from after its imports (great-expectations'
start-up is paid once per process, as ingestion pays it once per command):

- ``PANDAS_GX``: pandas reads the file and great-expectations validates the frame with the
  checks ingestion runs (required values, dates and whole numbers that parse, codes,
  range, known students and teams, unique keys). Neither pseudonymizes nor writes.
- ``PANDERA_POLARS``: polars reads and types the file and pandera checks the same rules.
  Reported for honesty: it is fast, and it neither pseudonymizes nor writes a warehouse.
- ``DISTRICT``: ``outcomes ingest`` of a synthetic district's folder, timed as the
  coordinator feels it (the whole command, imports included).
"""

from __future__ import annotations

# The checks, stated once for both competitors: ingestion's contract for
# session_attendance (see data/schemas/session_attendance.yaml).
CHECKS = """
REQUIRED = ["student_unique_id", "team_id", "session_date", "attendance_status"]
STATUSES = ["present", "absent", "excused", "tardy"]
KEY = ["student_unique_id", "team_id", "session_date"]
MINUTES = (0, 90)
"""

PANDAS_GX = (
    CHECKS
    + """
import json, resource, sys, time
from pathlib import Path
import pandas as pd
import great_expectations as gx
import great_expectations.expectations as gxe
folder = Path(sys.argv[1]).parent
context = gx.get_context(mode="ephemeral")
started = time.perf_counter()
frame = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False, na_values=[""])
students = pd.read_csv(folder / "students.csv", dtype=str)["student_unique_id"]
teams = pd.read_csv(folder / "studio_teams.csv", dtype=str)["team_id"]
frame["minutes_number"] = pd.to_numeric(frame["minutes_attended"], errors="coerce")
batch = (
    context.data_sources.add_pandas("p").add_dataframe_asset("a")
    .add_batch_definition_whole_dataframe("b").get_batch(batch_parameters={"dataframe": frame})
)
expectations = [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in REQUIRED] + [
    gxe.ExpectColumnValuesToMatchStrftimeFormat(column="session_date", strftime_format="%m/%d/%Y"),
    gxe.ExpectColumnValuesToMatchRegex(column="minutes_attended", regex=r"^-?[0-9]+$"),
    gxe.ExpectColumnValuesToBeInSet(column="attendance_status", value_set=STATUSES),
    gxe.ExpectColumnValuesToBeBetween(
        column="minutes_number", min_value=MINUTES[0], max_value=MINUTES[1]
    ),
    gxe.ExpectColumnValuesToBeInSet(column="student_unique_id", value_set=list(students)),
    gxe.ExpectColumnValuesToBeInSet(column="team_id", value_set=list(teams)),
    gxe.ExpectCompoundColumnsToBeUnique(column_list=KEY),
]
result = batch.validate(gx.ExpectationSuite(name="s", expectations=expectations),
                        result_format="BASIC")
seconds = time.perf_counter() - started
assert result.success, "the benchmark file is clean"
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "rows": len(frame), "peak_kib": peak, "stages": []}))
"""
)

PANDERA_POLARS = (
    CHECKS
    + """
import json, resource, sys, time
from pathlib import Path
import polars as pl
import pandera.polars as pa
folder = Path(sys.argv[1]).parent
started = time.perf_counter()
frame = pl.read_csv(sys.argv[1], infer_schema=False)
students = pl.read_csv(folder / "students.csv", infer_schema=False)["student_unique_id"]
teams = pl.read_csv(folder / "studio_teams.csv", infer_schema=False)["team_id"]
typed = frame.with_columns(
    pl.col("session_date").str.strptime(pl.Date, "%m/%d/%Y", strict=False),
    pl.col("minutes_attended").cast(pl.Int64, strict=False),
)
schema = pa.DataFrameSchema(
    {
        "student_unique_id": pa.Column(str, pa.Check.isin(students.to_list())),
        "team_id": pa.Column(str, pa.Check.isin(teams.to_list())),
        "session_date": pa.Column(pl.Date),
        "attendance_status": pa.Column(str, pa.Check.isin(STATUSES)),
        "minutes_attended": pa.Column(pl.Int64, pa.Check.in_range(*MINUTES), nullable=True),
    },
    unique=KEY,
)
schema.validate(typed, lazy=True)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "rows": typed.height, "peak_kib": peak, "stages": []}))
"""
)

# argv[1] is the district's folder; timed from before the first import of the project.
DISTRICT = """
import json, os, resource, sys, time
started = time.perf_counter()
os.environ.setdefault("OUTCOMES_PSEUDONYM_KEY", "benchmark-key-0123456789abcdef")
from pipelines.ingest import ingest_paths
batches = ingest_paths([sys.argv[1]], db=sys.argv[2])
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rows = sum(batch.rows_read for batch in batches)
print(json.dumps({"seconds": seconds, "rows": rows, "peak_kib": peak, "stages": []}))
"""
