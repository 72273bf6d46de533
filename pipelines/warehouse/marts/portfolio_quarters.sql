-- mart.portfolio_quarters: one row per student per quarter: the mean panel score over
-- components and reviewers, and whether it meets the program's 7.0 standard.
CREATE OR REPLACE VIEW mart.portfolio_quarters AS
SELECT
    _district_id AS district_id,
    student_unique_id,
    school_year,
    quarter,
    count(*) AS scores,
    count(DISTINCT reviewer_id) AS reviewers,
    count(DISTINCT component) AS components_scored,
    avg(score) AS mean_score,
    avg(score) >= 7.0 AS meets_standard
FROM core.panel_scores
GROUP BY ALL
