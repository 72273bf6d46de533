-- The claims scorecard's stored results: one row per run, one row per claim per run. The
-- board report, the grant metrics and the benefit-cost model read these, so every user
-- quotes the same numbers. Runs are kept: `latest` picks the newest.

CREATE SCHEMA IF NOT EXISTS results;

CREATE TABLE IF NOT EXISTS results.scorecard_runs (
    run_id VARCHAR PRIMARY KEY,
    run_at TIMESTAMP NOT NULL,
    as_of VARCHAR,
    as_of_batch_id BIGINT,
    batches_read BIGINT[],
    mart_builds VARCHAR[],
    package_versions JSON NOT NULL,
    registry_sha256 VARCHAR NOT NULL,
    claims INTEGER NOT NULL,
    alpha DOUBLE NOT NULL
);

CREATE TABLE IF NOT EXISTS results.claim_estimates (
    run_id VARCHAR NOT NULL,
    claim_id VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    direction VARCHAR NOT NULL,
    claimed DOUBLE,
    no_effect DOUBLE,
    estimate DOUBLE,
    ci_lower DOUBLE,
    ci_upper DOUBLE,
    n BIGINT NOT NULL,
    clusters BIGINT,
    method VARCHAR NOT NULL,
    design VARCHAR NOT NULL,
    verdict VARCHAR NOT NULL,
    verdict_reason VARCHAR NOT NULL,
    mde DOUBLE,
    more_cases_needed BIGINT,
    p_value DOUBLE,
    p_value_vs_claimed DOUBLE,
    p_value_adjusted DOUBLE,
    wwc_rating VARCHAR NOT NULL,
    evidence_tier INTEGER,
    cutoff DOUBLE,
    probability_at_least_cutoff DOUBLE,
    naive_estimate DOUBLE,
    naive_ci_lower DOUBLE,
    naive_ci_upper DOUBLE,
    naive_method VARCHAR,
    document VARCHAR NOT NULL,
    quote VARCHAR NOT NULL,
    metric VARCHAR NOT NULL,
    definition VARCHAR NOT NULL,
    warnings VARCHAR[] NOT NULL,
    details JSON,
    PRIMARY KEY (run_id, claim_id)
);

-- Each effect claim re-estimated within an attendance tier (low / moderate / high sessions
-- attended), n counting the members of the tier.
CREATE TABLE IF NOT EXISTS results.claim_dose_response (
    run_id VARCHAR NOT NULL,
    claim_id VARCHAR NOT NULL,
    tier VARCHAR NOT NULL,
    estimate DOUBLE,
    ci_lower DOUBLE,
    ci_upper DOUBLE,
    n BIGINT NOT NULL,
    verdict VARCHAR NOT NULL,
    verdict_reason VARCHAR NOT NULL,
    warnings VARCHAR[] NOT NULL,
    PRIMARY KEY (run_id, claim_id, tier)
);
