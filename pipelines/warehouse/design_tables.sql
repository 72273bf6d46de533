-- The design layer: lotteries drawn among a program's applicants, so that a later analysis
-- reads the program as the randomized trial it is. Student ids are pseudonyms, as in core.
-- The schema itself is created by ensure_design_tables, before these tables.

-- One row per lottery: the applicants file it drew from, and everything that reproduces
-- the draw (seed, draw number, blocks, seats) and shows it was balanced.
CREATE TABLE IF NOT EXISTS design.lotteries (
    lottery_id BIGINT PRIMARY KEY,
    district_id VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    seats INTEGER NOT NULL,
    applicants INTEGER NOT NULL,
    blocks VARCHAR[] NOT NULL,
    seed BIGINT NOT NULL,
    draw_number INTEGER NOT NULL,
    max_draws INTEGER NOT NULL,
    max_abs_smd DOUBLE,
    smd_bound DOUBLE NOT NULL,
    -- the newest roster school year and batch the covariates were read from
    roster_school_year INTEGER,
    roster_batch_id BIGINT,
    -- the balance table (one entry per covariate checked) and what was too rare to check
    balance VARCHAR NOT NULL,
    package_version VARCHAR NOT NULL
);

-- One row per applicant of a lottery: assigned 1 (offered a seat) or 0 (the control group).
CREATE TABLE IF NOT EXISTS design.lottery_assignments (
    lottery_id BIGINT NOT NULL,
    district_id VARCHAR NOT NULL,
    student_unique_id VARCHAR NOT NULL,
    block VARCHAR NOT NULL,
    assigned INTEGER NOT NULL CHECK (assigned IN (0, 1)),
    PRIMARY KEY (lottery_id, student_unique_id)
);
