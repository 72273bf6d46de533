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
# # The claims scorecard, and the diagnostics behind three of its lines
#
# Run `make demo` first: it builds the synthetic district's warehouse at
# `data/warehouse/outcomes.duckdb` and stores a scorecard in it (`outcomes claims` stores
# one too). To read another warehouse, set `OUTCOMES_DB` to its path. The warehouse is
# opened read-only.
#
# The scorecard holds one line per claim of the program's documents. Here it is read back
# as stored, and then three of its claims are estimated again from the marts by calling
# the estimators of `models/` directly, to look at what a single line cannot show: the
# balance and overlap of an adjusted comparison, the survival curves behind a time ratio,
# and how far the employer panels' reviewers agree.

# %%
import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from models.effects import estimate_effect
from models.effects.propensity import fit_logit
from models.growth import ordered_levels
from models.reliability import krippendorff_alpha, rater_severity
from models.retention import kaplan_meier, time_ratio
from models.scorecard import load_registry
from pipelines.scorecard import claim_frames, read_claim_estimates
from pipelines.warehouse.connection import connect_read_only, resolve_db_path
from pipelines.warehouse.marts import load_mart

con = connect_read_only(resolve_db_path())  # OUTCOMES_DB, else data/warehouse/outcomes.duckdb
#: Okabe-Ito colours, distinguishable with colour-blindness (as in the board report).
COLOURS = ["#0072B2", "#E69F00"]

# %% [markdown]
# ## The stored scorecard
#
# `read_claim_estimates` reads the newest run: each claim's claimed value, the estimate
# and its 95% interval, n, the verdict and why, with the state of the warehouse it read.

# %%
scorecard = read_claim_estimates(con)
print(
    f"run {scorecard.run_id.iloc[0]} at {scorecard.run_at.iloc[0]}, "
    f"as of batch {scorecard.as_of_batch_id.iloc[0]}"
)
columns = ["claim_id", "claimed", "estimate", "ci_lower", "ci_upper", "n", "verdict"]
scorecard[columns]

# %%
scorecard.verdict.value_counts().rename_axis("verdict").to_frame("claims")

# %% [markdown]
# ## Rebuilding claims' analysis frames
#
# The registry (`models/claims.yaml`) says which marts each claim reads and which query
# builds its frame; `claim_frames` runs those queries on mart frames handed to it, so the
# frames below are exactly the ones the scorecard scored.

# %%
registry = load_registry()
chosen = [
    "certified_graduate_wage_premium",
    "champion_adoption_speed",
    "panel_reliability",
    "portfolios_at_standard",
]
marts = sorted({name for claim_id in chosen for name in registry.claim(claim_id).metric.marts})
tables = {name: load_mart(con, name).frame for name in marts}
# each claim's frame, and its naive comparison's own frame where it has one (unused here)
frames = {claim_id: main for claim_id, (main, _) in claim_frames(tables, registry, chosen).items()}
{claim_id: frame.shape for claim_id, frame in frames.items()}

# %% [markdown]
# ## 1. Certified graduates' wage premium: balance and overlap
#
# The claim's estimator is `estimate_effect` with the registry's options: the certified
# graduates' hourly wage against other graduates of the same classes, adjusted by a
# regression with treatment-by-covariate interactions (Lin 2013), for the certified (ATT).

# %%
wage_claim = registry.claim("certified_graduate_wage_premium")
wages = frames[wage_claim.id]
print(wage_claim.estimator.options)
premium = estimate_effect(wages, **wage_claim.estimator.options)
print(premium.summary())

# %% [markdown]
# The same number as the stored line (when the marts have not been rebuilt since):

# %%
stored = scorecard.set_index("claim_id").loc[wage_claim.id]
pd.DataFrame(
    {
        "stored": [stored.estimate, stored.ci_lower, stored.ci_upper, stored.n],
        "again": [
            premium.estimate,
            premium.term("ATT").ci_lower,
            premium.term("ATT").ci_upper,
            premium.n,
        ],
    },
    index=["estimate", "ci_lower", "ci_upper", "n"],
)

# %% [markdown]
# **Balance.** Standardized mean differences (Hedges' g; the Cox index for 0/1
# covariates) between certified and other graduates, with the What Works Clearinghouse's
# bands: up to 0.05 satisfied, 0.05-0.25 needs statistical adjustment, above 0.25 not
# satisfied. A regression does not reweight the groups, so its "after" equals "before";
# inverse-probability weighting (here the doubly robust AIPW) shows what weighting does to
# them.

# %%
covariates = list(wage_claim.estimator.options["covariates"])
weighted = estimate_effect(
    wages,
    treatment="certified",
    outcome="hourly_wage",
    covariates=covariates,
    method="aipw",
    estimand="ATT",
)
balance = premium.balance_frame()[["covariate", "kind", "smd_before", "band_before"]].merge(
    weighted.balance_frame()[["covariate", "smd_after", "band_after"]], on="covariate"
)
balance

# %%
long = balance.melt(
    id_vars="covariate",
    value_vars=["smd_before", "smd_after"],
    var_name="when",
    value_name="smd",
)
long["when"] = long["when"].map({"smd_before": "raw", "smd_after": "weighted (AIPW)"})
fig = px.scatter(
    long,
    x="smd",
    y="covariate",
    color="when",
    symbol="when",
    color_discrete_sequence=COLOURS,
    title="Standardized differences, certified minus other graduates",
)
for bound in (-0.25, -0.05, 0.05, 0.25):
    fig.add_vline(x=bound, line_dash="dot", line_color="grey")
fig.update_traces(marker_size=12)
fig.show()

# %%
pd.DataFrame(
    {
        "regression (the scorecard's)": premium.to_frame().set_index("term").loc["ATT"],
        "AIPW": weighted.to_frame().set_index("term").loc["ATT"],
    }
).loc[["estimate", "std_error", "ci_lower", "ci_upper", "p_value"]]

# %% [markdown]
# **Overlap.** The propensity score is a logit of being certified on the covariates (the
# same `fit_logit` the estimator trims with). Where one group's scores have no
# counterpart in the other's, the comparison rests on extrapolation; the default trimming
# (Crump et al. 2009) keeps 0.1 to 0.9, only the upper bound for the ATT.

# %%
fit = fit_logit(
    wages["certified"].to_numpy(), wages[covariates].to_numpy(dtype=float), what="propensity model"
)
scores = wages.assign(
    propensity=fit.probability,
    group=np.where(wages["certified"] == 1, "certified", "not certified"),
)
print(scores.groupby("group").propensity.describe())
fig = px.histogram(
    scores,
    x="propensity",
    color="group",
    barmode="overlay",
    nbins=40,
    opacity=0.6,
    histnorm="probability density",
    color_discrete_sequence=COLOURS,
    title="Propensity of earning the certificate, by group",
)
fig.add_vline(x=0.9, line_dash="dot", line_color="grey", annotation_text="trim above 0.9")
fig.show()

# %% [markdown]
# ## 2. AI champions and the speed of adoption: survival curves
#
# "3x faster adoption" is read as a time ratio of 1/3. Kaplan-Meier curves show the share
# of teachers still without an AI lesson by days since training, with no model assumed;
# the scorecard's estimator is a Weibull time ratio with a share that never adopts.

# %%
adoption_claim = registry.claim("champion_adoption_speed")
waits = frames[adoption_claim.id]
curves = kaplan_meier(waits, duration="days", event="adopted", group="champion")
print(curves.summary())

# %%
curve = curves.curve_frame()
curve["route"] = np.where(curve["group"].astype(str) == "1", "champion network", "mandate")
fig = go.Figure()
for colour, (route, points) in zip(COLOURS, curve.groupby("route"), strict=False):
    fig.add_scatter(
        x=points.time,
        y=points.survival,
        line_shape="hv",
        name=route,
        line_color=colour,
        line_dash="solid" if route == "champion network" else "dash",
    )
fig.update_layout(
    title="Teachers without a first AI lesson, by days since training",
    xaxis_title="days since training",
    yaxis_title="share still waiting",
    yaxis_range=[0, 1.02],
)
fig.show()

# %%
ratio = time_ratio(waits, **adoption_claim.estimator.options)
print(ratio.summary())
print(f"claimed time ratio: {adoption_claim.claimed.value}")

# %% [markdown]
# ## 3. The employer panels: do reviewers agree?
#
# Krippendorff's alpha of reviewers' mean scores of the same portfolio (interval level;
# 0.8 or more is commonly taken as reliable, below 0.667 as not), with a bootstrap interval
# over portfolios.

# %%
reliability_claim = registry.claim("panel_reliability")
alpha = krippendorff_alpha(
    frames[reliability_claim.id], **reliability_claim.estimator.options, resamples=500
)
print(alpha.summary())

# %% [markdown]
# Reviewers' severity: crossed random effects for portfolios and reviewers give each
# reviewer's offset (negative: severe), shrunk towards the average reviewer, and the share
# of portfolios at the 7.0 standard before and after removing the offsets.

# %%
standard_claim = registry.claim("portfolios_at_standard")
severity = rater_severity(frames[standard_claim.id], **standard_claim.estimator.options)
terms = severity.to_frame()
per_reviewer = terms.term.isin(frames[standard_claim.id].reviewer_id)  # one term per reviewer
terms[~per_reviewer][["term", "estimate", "ci_lower", "ci_upper"]]

# %%
offsets = terms[per_reviewer].sort_values("estimate")
offsets = offsets.assign(reviewer=[f"reviewer {i + 1}" for i in range(len(offsets))])
fig = go.Figure(
    go.Scatter(
        x=offsets.estimate,
        y=offsets.reviewer,
        mode="markers",
        marker_color=COLOURS[0],
        error_x={
            "type": "data",
            "symmetric": False,
            "array": offsets.ci_upper - offsets.estimate,
            "arrayminus": offsets.estimate - offsets.ci_lower,
        },
    )
)
fig.add_vline(x=0, line_dash="dot", line_color="grey")
fig.update_layout(
    title="Reviewers' offsets to a score (points out of 10), severe to lenient",
    xaxis_title="offset",
    height=250 + 18 * len(offsets),
)
fig.show()

# %% [markdown]
# ## Educators' LEARN progression: the ordinal model
#
# The board's report shows the observed shares of educators at emerging, applying and
# integrating on each pillar. The levels are ordered, so the model behind them is an
# ordered logit (`models.growth.ordered_levels`): the odds of being at a higher level, by
# months since training and by pillar, with errors clustered by educator (each is
# assessed on several pillars and terms). An odds ratio above 1 for months since training
# means educators move up the levels as time passes after their training.

# %%
learn = load_mart(con, "teacher_learn_levels").frame
learn = learn[learn.level.notna() & learn.months_since_training.notna()].copy()
pillars = sorted(learn.pillar.unique())
for pillar in pillars[1:]:  # the first pillar is the reference
    learn[f"pillar_{pillar}"] = (learn.pillar == pillar).astype(int)
progression = ordered_levels(
    learn,
    level="level",
    covariates=["months_since_training", *[f"pillar_{p}" for p in pillars[1:]]],
    cluster="staff_unique_id",
)
print(progression.summary())

# %%
con.close()
