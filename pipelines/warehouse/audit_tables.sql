-- Audit tables: what was loaded, when, from which file, with which result.

CREATE SEQUENCE IF NOT EXISTS audit.batch_ids START 1;

CREATE TABLE IF NOT EXISTS audit.warehouse_facts (
    fact VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- One row per file loaded. A file that is rejected as a whole leaves no row: the warehouse
-- is exactly as it was before the attempt.
CREATE TABLE IF NOT EXISTS audit.batches (
    batch_id BIGINT PRIMARY KEY,
    district_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    file_format VARCHAR NOT NULL,
    file_encoding VARCHAR,
    contract_version INTEGER NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_accepted BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    rows_new BIGINT NOT NULL,
    rows_changed BIGINT NOT NULL,
    rows_unchanged BIGINT NOT NULL,
    extra_columns VARCHAR[],
    dropped_columns VARCHAR[],
    formula_like_cells BIGINT NOT NULL,
    validation_success BOOLEAN NOT NULL,
    validation_engine VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP NOT NULL
);

-- Each expectation's result for each batch: great-expectations' count and the count of the
-- rows routed to quarantine for it, which ingestion requires to agree.
CREATE TABLE IF NOT EXISTS audit.validation_results (
    batch_id BIGINT NOT NULL,
    check_id VARCHAR NOT NULL,
    rule VARCHAR NOT NULL,
    unexpected_count BIGINT,
    quarantined_count BIGINT NOT NULL,
    success BOOLEAN NOT NULL,
    PRIMARY KEY (batch_id, check_id)
);

-- The full great-expectations validation result of each batch, as JSON.
CREATE TABLE IF NOT EXISTS audit.validation_documents (
    batch_id BIGINT PRIMARY KEY,
    document VARCHAR NOT NULL
);

-- Rows held back, with every reason. row_data holds the row as loaded, already
-- pseudonymized and without names or e-mails, so nothing private is kept here either.
CREATE TABLE IF NOT EXISTS audit.quarantine (
    batch_id BIGINT NOT NULL,
    kind VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,
    sheet VARCHAR,
    reasons VARCHAR[] NOT NULL,
    row_data VARCHAR
);

-- The usual spelling of a date column's dates in one batch's file (a strftime format).
-- Core keeps a date's text only where it differs, and the raw view spells the rest this way.
CREATE TABLE IF NOT EXISTS audit.date_formats (
    batch_id BIGINT NOT NULL,
    column_name VARCHAR NOT NULL,
    date_format VARCHAR NOT NULL,
    PRIMARY KEY (batch_id, column_name)
);

CREATE SEQUENCE IF NOT EXISTS audit.mart_build_ids START 1;

-- One row per build of the marts (`outcomes build`): the batch whose state they reflect,
-- the parameters their queries took and what each holds, as JSON. The newest row
-- describes the tables in `mart` now.
CREATE TABLE IF NOT EXISTS audit.mart_builds (
    build_id BIGINT PRIMARY KEY,
    built_at TIMESTAMP NOT NULL,
    as_of_batch_id BIGINT,
    parameters VARCHAR NOT NULL,
    mart_versions VARCHAR NOT NULL,
    row_counts VARCHAR NOT NULL
);
