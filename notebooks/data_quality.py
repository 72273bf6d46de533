# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Data quality: what was loaded, what was held back, what the analyses read
#
# Run `make demo` first: it builds the synthetic district's warehouse at
# `data/warehouse/outcomes.duckdb`. To read another warehouse, set `OUTCOMES_DB` to its
# path before starting the notebook. The warehouse is opened read-only, so nothing here
# changes it.
#
# The walk-through follows a file's way into the analyses: each file loaded is one batch
# (`audit.batches`); rows that fail a check of their contract are held back in quarantine
# with every reason (`audit.quarantine`), never dropped silently; the checks' results are
# in `audit.validation_results`; and the analysis marts are built from what was accepted
# (`audit.mart_builds`).

# %%
import pandas as pd
import plotly.express as px

from pipelines.sql_text import read_sql
from pipelines.warehouse.audit import contract_versions, list_batches, list_quarantine
from pipelines.warehouse.connection import connect_read_only, resolve_db_path
from pipelines.warehouse.marts import latest_build, mart_contracts, mart_row_counts

db = resolve_db_path()  # OUTCOMES_DB, else data/warehouse/outcomes.duckdb
con = connect_read_only(db)
print(db)

# %% [markdown]
# ## Batches loaded
#
# One row per file: how many rows were read, accepted and held back, and how many
# changed a version already held (a later roster of the same students, a corrected file).

# %%
batches = pd.DataFrame(list_batches(con, limit=10_000)).sort_values("batch_id")
batches[
    [
        "batch_id",
        "kind",
        "file_name",
        "rows_read",
        "rows_accepted",
        "rows_quarantined",
        "rows_changed",
        "contract_version",
    ]
]

# %%
by_kind = batches.groupby("kind", as_index=False)[
    ["rows_read", "rows_accepted", "rows_quarantined"]
].sum()
by_kind.sort_values("rows_read", ascending=False)

# %% [markdown]
# ## Rows held back, and why
#
# The same summary the board report prints (`reports/held_back.sql`): rows held back per
# source kind with one reason as an example.

# %%
con.execute(read_sql("reports", "held_back.sql")).df()

# %% [markdown]
# Every reason of every held-back row (a row may fail several checks), counted by check:
# a reason names the row it duplicates or the value it refused, which are left out here.
# The text before the colon names the column; `outcomes quarantine --csv FILE` writes the
# rows themselves for the person who fixes the export.

# %%
held_back = list_quarantine(con, limit=None)
reason = held_back.reasons.str.split(" | ", regex=False).explode()  # keeps each row's index
reason = reason.str.replace(r"row \d+", "an earlier row", regex=True)
reason = reason.str.replace(r"'[^']*'", "a value", regex=True)
reasons = (
    pd.DataFrame({"kind": held_back.kind.loc[reason.index], "reason": reason})
    .groupby(["kind", "reason"], as_index=False)
    .size()
    .rename(columns={"size": "rows"})
    .sort_values(["kind", "rows"], ascending=[True, False])
)
reasons

# %%
fig = px.bar(
    reasons,
    x="rows",
    y="reason",
    color="kind",
    orientation="h",
    title="Rows held back, by reason",
    height=300 + 25 * len(reasons),
)
fig.update_layout(yaxis_title=None, legend_title_text="source kind")
fig.show()

# %% [markdown]
# A few held-back rows as they were loaded (already pseudonymized: no names, e-mails or
# clear ids are kept here either), with the file and row to look them up in.

# %%
held_back[["batch_id", "kind", "file_name", "source_row", "sheet", "reasons"]].head(10)

# %% [markdown]
# ## The checks
#
# Each contract entry is one check run by great-expectations and, compiled to SQL, the
# rule that routes failing rows to quarantine. Ingestion refuses a batch where the two
# counts disagree; here are the checks that found anything.

# %%
checks = con.table("audit.validation_results").df().merge(batches[["batch_id", "kind"]])
print(f"{len(checks)} checks run, {int((checks.quarantined_count > 0).sum())} found rows")
(
    checks[checks.quarantined_count > 0]
    .groupby(["kind", "check_id", "rule"], as_index=False)[
        ["unexpected_count", "quarantined_count"]
    ]
    .sum()
)

# %% [markdown]
# ## Contract versions
#
# The newest version of its contract each source kind was validated against; a result
# quotes these so a reader knows which definitions the rows met.

# %%
pd.Series(contract_versions(con), name="contract_version").rename_axis("kind").to_frame()

# %% [markdown]
# ## The marts and their row counts
#
# The analysis tables, from the newest stored build: the batch whose state they reflect,
# the parameters their queries took, and each mart's grain and row count.

# %%
build = latest_build(con)
print(f"build {build['build_id']}, as of batch {build['as_of_batch_id']}")
print("parameters:", build["parameters"])
contracts = mart_contracts()
pd.DataFrame(
    [
        {
            "mart": name,
            "rows": rows,
            "contract_version": contracts[name].version,
            "grain": contracts[name].grain,
        }
        for name, rows in sorted(mart_row_counts(con).items())
    ]
)

# %%
con.close()
