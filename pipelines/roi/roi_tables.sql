-- The benefit-cost model's stored results: one row per run, then each scenario's tables,
-- keyed by run and scenario. The board report draws from these and refits nothing. The
-- newest run is the one read by default.

CREATE SCHEMA IF NOT EXISTS results;

CREATE TABLE IF NOT EXISTS results.roi_runs (
    run_id VARCHAR PRIMARY KEY,
    run_at TIMESTAMP NOT NULL,
    as_of VARCHAR,
    as_of_batch_id BIGINT,
    scorecard_run_id VARCHAR,
    scenarios VARCHAR[] NOT NULL,
    draws BIGINT NOT NULL,
    seed BIGINT NOT NULL,
    headline_discount_rate DOUBLE,
    package_versions JSON NOT NULL,
    scenario_sha256 JSON NOT NULL
);

-- Per scenario, perspective, discount rate (0 = undiscounted) and measure: the mean,
-- percentiles over draws and the Monte Carlo error of the mean.
CREATE TABLE IF NOT EXISTS results.roi_summary (
    run_id VARCHAR NOT NULL,
    scenario VARCHAR NOT NULL,
    perspective VARCHAR NOT NULL,
    discount_rate DOUBLE,
    measure VARCHAR NOT NULL,
    mean DOUBLE,
    p10 DOUBLE,
    p25 DOUBLE,
    p50 DOUBLE,
    p75 DOUBLE,
    p90 DOUBLE,
    mc_std_error DOUBLE,
    defined DOUBLE
);

CREATE TABLE IF NOT EXISTS results.roi_probabilities (
    run_id VARCHAR NOT NULL,
    scenario VARCHAR NOT NULL,
    perspective VARCHAR NOT NULL,
    discount_rate DOUBLE NOT NULL,
    p_benefits_exceed_costs DOUBLE NOT NULL,
    p_ratio_reaches_target DOUBLE NOT NULL,
    target_ratio DOUBLE NOT NULL
);

-- The fan chart: cumulative net value by program year at the headline rate.
CREATE TABLE IF NOT EXISTS results.roi_fan (
    run_id VARCHAR NOT NULL,
    scenario VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    p10 DOUBLE,
    p25 DOUBLE,
    p50 DOUBLE,
    p75 DOUBLE,
    p90 DOUBLE,
    perspective VARCHAR NOT NULL,
    discount_rate DOUBLE NOT NULL
);

-- Mean amount by program year: each benefit stream (kind benefit) and each payer's costs.
CREATE TABLE IF NOT EXISTS results.roi_yearly (
    run_id VARCHAR NOT NULL,
    scenario VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    item VARCHAR NOT NULL,
    mean DOUBLE
);

CREATE TABLE IF NOT EXISTS results.roi_ingredients (
    run_id VARCHAR NOT NULL,
    scenario VARCHAR NOT NULL,
    ingredient VARCHAR NOT NULL,
    description VARCHAR,
    category VARCHAR NOT NULL,
    payer VARCHAR NOT NULL,
    years VARCHAR,
    price_year INTEGER,
    price_source VARCHAR,
    quantity_source VARCHAR,
    undiscounted DOUBLE,
    pv_3pct DOUBLE,
    pv_7pct DOUBLE
);

CREATE TABLE IF NOT EXISTS results.roi_per_unit (
    run_id VARCHAR NOT NULL,
    scenario VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    per_year DOUBLE,
    source VARCHAR,
    cost_per_unit_p10 DOUBLE,
    cost_per_unit_p50 DOUBLE,
    cost_per_unit_p90 DOUBLE
);

-- Every input of every scenario: its distribution, P10, median, P90, source and basis.
CREATE TABLE IF NOT EXISTS results.roi_inputs (
    run_id VARCHAR NOT NULL,
    scenario VARCHAR NOT NULL,
    input VARCHAR NOT NULL,
    distribution VARCHAR NOT NULL,
    p10 DOUBLE,
    median DOUBLE,
    p90 DOUBLE,
    price_year INTEGER,
    basis VARCHAR NOT NULL,
    assumed BOOLEAN NOT NULL,
    source VARCHAR NOT NULL
);

-- One-way sensitivities: each uncertain input at its P10 and P90, the others at their
-- medians. `base` is the measure with every input at its median.
CREATE TABLE IF NOT EXISTS results.roi_tornado (
    run_id VARCHAR NOT NULL,
    scenario VARCHAR NOT NULL,
    input VARCHAR NOT NULL,
    low_value DOUBLE,
    median_value DOUBLE,
    high_value DOUBLE,
    at_low DOUBLE,
    at_high DOUBLE,
    swing DOUBLE,
    basis VARCHAR,
    source VARCHAR,
    measure VARCHAR NOT NULL,
    base DOUBLE
);

CREATE TABLE IF NOT EXISTS results.roi_break_even (
    run_id VARCHAR NOT NULL,
    scenario VARCHAR NOT NULL,
    input VARCHAR NOT NULL,
    perspective VARCHAR NOT NULL,
    discount_rate DOUBLE NOT NULL,
    median DOUBLE,
    break_even DOUBLE,
    ratio_to_median DOUBLE,
    npv_at_median DOUBLE,
    source VARCHAR,
    reason VARCHAR NOT NULL
);

-- The documents' own arithmetic, step by step (the claimed scenario).
CREATE TABLE IF NOT EXISTS results.roi_claimed_arithmetic (
    run_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    step VARCHAR NOT NULL,
    quantity VARCHAR NOT NULL,
    arithmetic VARCHAR NOT NULL,
    value DOUBLE,
    value_high DOUBLE,
    unit VARCHAR,
    source VARCHAR
);

-- What the evidence scenario took from the district's records, with its n and source.
CREATE TABLE IF NOT EXISTS results.roi_evidence (
    run_id VARCHAR NOT NULL,
    input VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    n BIGINT,
    basis VARCHAR NOT NULL,
    source VARCHAR NOT NULL
);
