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
# # The ten-year return: stored projections, and a scenario of one's own
#
# Run `make demo` first: it builds the synthetic district's warehouse at
# `data/warehouse/outcomes.duckdb` and stores a projection in it (`outcomes roi` stores one
# too). To read another warehouse, set `OUTCOMES_DB` to its path. The warehouse is opened
# read-only.
#
# The documents claim "13x over 10 years". The stored run sets that claim's own arithmetic
# beside Monte Carlo benefit-cost projections (costs by who pays, four benefit streams by
# who gains, every input a distribution with its source). Then `models.roi` is run here on
# a changed scenario, to show how a partner can test a what-if without touching the
# warehouse.

# %%
import pandas as pd
import plotly.graph_objects as go

from models.roi import break_even, load_scenario, simulate, tornado
from pipelines.roi import read_roi
from pipelines.warehouse.connection import connect_read_only, resolve_db_path

con = connect_read_only(resolve_db_path())  # OUTCOMES_DB, else data/warehouse/outcomes.duckdb
#: Okabe-Ito colours, distinguishable with colour-blindness (as in the board report).
COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"]


def millions(value: float) -> str:
    """-1234567 -> -$1.23M"""
    return f"{'-' if value < 0 else ''}${abs(value) / 1e6:,.2f}M"


# %% [markdown]
# ## The stored run
#
# `read_roi(con, table)` reads one `results.roi_*` table of the newest run. First the
# documents' arithmetic, line by line, each with its quote.

# %%
run = con.table("results.roi_runs").df().sort_values("run_at").iloc[-1]
print(f"run {run.run_id}: {run.draws:,} draws, seed {run.seed}, scorecard {run.scorecard_run_id}")
read_roi(con, "roi_claimed_arithmetic")[["step", "arithmetic", "source"]]

# %% [markdown]
# Each scenario's net present value and benefit-cost ratio at a 3% discount rate, from the
# whole community's view (`total`, as the documents count), median and P10-P90, with the
# chance that benefits exceed costs.

# %%
summary = read_roi(con, "roi_summary")
headline = summary[
    (summary.perspective == "total")
    & (summary.discount_rate == 0.03)
    & summary.measure.isin(["costs", "npv", "benefit_cost_ratio"])
]
medians = headline.pivot(index="scenario", columns="measure", values="p50")
npv = headline[headline.measure == "npv"].set_index("scenario")
probabilities = read_roi(con, "roi_probabilities")
chance = probabilities[
    (probabilities.perspective == "total") & (probabilities.discount_rate == 0.03)
].set_index("scenario")
pd.DataFrame(
    {
        "costs (median)": medians.costs.map(millions),
        "NPV median": medians.npv.map(millions),
        "NPV P10": npv.p10.map(millions),
        "NPV P90": npv.p90.map(millions),
        "benefit-cost ratio": medians.benefit_cost_ratio.round(2),
        "P(benefits > costs)": chance.p_benefits_exceed_costs,
        "P(ratio >= 13x)": chance.p_ratio_reaches_target,
    }
)

# %% [markdown]
# **Fan chart**: cumulative discounted net value by program year, the median line and the
# P10-P90 band of each scenario.


# %%
def translucent(colour: str, alpha: float = 0.25) -> str:
    """'#0072B2' -> 'rgba(0, 114, 178, 0.25)', so overlapping bands stay visible."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def fan_chart(fan: pd.DataFrame, title: str) -> go.Figure:
    figure = go.Figure()
    for colour, (scenario, rows) in zip(COLOURS, fan.groupby("scenario"), strict=False):
        rows = rows.sort_values("year")
        figure.add_scatter(x=rows.year, y=rows.p90, mode="lines", line_width=0, showlegend=False)
        figure.add_scatter(
            x=rows.year,
            y=rows.p10,
            mode="lines",
            fill="tonexty",
            line_width=0,
            fillcolor=translucent(colour),
            name=f"{scenario} P10-P90",
        )
        figure.add_scatter(
            x=rows.year, y=rows.p50, mode="lines", line_color=colour, name=f"{scenario} median"
        )
    figure.add_hline(y=0, line_dash="dot", line_color="grey")
    figure.update_layout(
        title=title, xaxis_title="program year", yaxis_title="cumulative net value ($, at 3%)"
    )
    return figure


fan_chart(read_roi(con, "roi_fan"), "Cumulative net value, stored scenarios").show()

# %% [markdown]
# **What the evidence scenario measured**: the inputs taken from the district's records and
# the stored scorecard, each with its n and source.

# %%
read_roi(con, "roi_evidence")[["input", "value", "n", "basis", "source"]]

# %% [markdown]
# ## A scenario of one's own
#
# Scenarios are YAML files in `models/scenarios/`; `load_scenario` reads one and
# `with_overrides` replaces inputs, each with its distribution, source and basis, checked as
# a file would be. The what-if below asks: suppose more students earned the certificate and
# a larger share of a career academy's earnings effect could be credited to one year of
# studio teams. Both are marked as assumptions, so the result says which numbers nobody
# measured.

# %%
base = load_scenario("base")
what_if = base.with_overrides(
    {
        "benefits.graduate_earnings.factors.certified_graduates": {
            "pert": [30, 45, 60],
            "source": "what-if: half again as many certified graduates as the base case",
            "basis": "assumption",
        },
        "benefits.graduate_earnings.attribution": {
            "pert": [0.2, 0.4, 0.7],
            "source": "what-if: twice the base case's share of the career academy effect",
            "basis": "assumption",
        },
    },
    name="what_if",
    title="More certificates, more of the effect credited",
)
projections = {s.name: simulate(s, draws=20_000, seed=20250815) for s in (base, what_if)}
print(projections["what_if"].summary())

# %%
frames = pd.concat([p.to_frame() for p in projections.values()])
npv = frames[
    (frames.perspective == "total") & (frames.discount_rate == 0.03) & (frames.measure == "npv")
]
npv.set_index("scenario")[["p10", "p50", "p90"]].map(millions)

# %%
fan_chart(
    pd.concat([p.fan_frame() for p in projections.values()]),
    "Cumulative net value: the base case and the what-if",
).show()

# %% [markdown]
# **Tornado**: each uncertain input moved to its P10 and its P90, the others at their
# medians; the inputs that move the net present value most come first.

# %%
swings = tornado(what_if).to_frame().head(10).iloc[::-1]
figure = go.Figure()
figure.add_bar(
    y=swings.input,
    x=swings.at_low - swings.base,
    base=swings.base,
    orientation="h",
    name="input at its P10",
    marker_color=COLOURS[0],
)
figure.add_bar(
    y=swings.input,
    x=swings.at_high - swings.base,
    base=swings.base,
    orientation="h",
    name="input at its P90",
    marker_color=COLOURS[1],
    marker_pattern_shape="/",
)
figure.update_layout(
    barmode="overlay",
    title="What moves the what-if's net present value (at 3%)",
    xaxis_title="net present value ($)",
    height=500,
)
figure.show()

# %% [markdown]
# **Break-even**: the value of one input at which benefits equal costs, every other input
# at its median.

# %%
premium = "benefits.graduate_earnings.factors.annual_premium"
for scenario in (base, what_if):
    print(scenario.name, "-", break_even(scenario, premium).summary())

# %% [markdown]
# Which inputs of the what-if are still assumptions nobody measured:

# %%
inputs = projections["what_if"].inputs_frame()
inputs.basis.value_counts().rename_axis("basis").to_frame("inputs")

# %%
con.close()
