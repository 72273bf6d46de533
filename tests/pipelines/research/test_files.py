"""An extract's table files: Parquet typed by the contract, CSV safe to open in a
spreadsheet."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from pipelines.research.claims_read import lottery_contract
from pipelines.research.files import write_table


def test_a_formula_in_a_text_cell_is_neutralised_in_the_csv_and_kept_in_parquet(tmp_path):
    frame = pd.DataFrame(
        {
            "lottery_id": ["L1", "L1"],
            "district_id": ["d", "d"],
            "student_unique_id": ["a" * 24, "b" * 24],
            "block": ['=HYPERLINK("http://x")', "-12"],
            "assigned": [True, False],
            "seed": [7, 7],
            "draw_number": [1, 1],
            "created_at": [dt.datetime(2026, 5, 1, 9, 30)] * 2,
        }
    )
    parquet, csv = write_table(tmp_path, "lottery_assignments", frame, lottery_contract())
    lines = csv.read_text(encoding="utf-8").splitlines()
    assert lines[1].split(",")[3] == '"\'=HYPERLINK(""http://x"")"'
    assert lines[2].split(",")[3] == "-12"  # a number stays a number
    with duckdb.connect() as con:
        described = con.execute(f"DESCRIBE SELECT * FROM '{parquet}'").fetchall()
        types = {row[0]: row[1] for row in described}
        kept = con.execute(f"SELECT block FROM '{parquet}' ORDER BY block").fetchall()
    assert types["assigned"] == "BOOLEAN" and types["created_at"] == "TIMESTAMP"
    assert kept[1][0] == '=HYPERLINK("http://x")'
