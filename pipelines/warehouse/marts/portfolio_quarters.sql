-- mart.portfolio_quarters: one row per student per quarter: the mean panel score over
-- components and reviewers, whether it meets the program's standard (the parameter
-- portfolio_standard, whose default is in the mart's contract), and the student's grade and
-- team type as that school year held them.
SELECT
    district_id,
    student_unique_id,
    school_year,
    quarter,
    min(grade_level) AS grade_level,
    min(team_type) AS team_type,
    count(*) AS scores,
    count(DISTINCT reviewer_id) AS reviewers,
    count(DISTINCT component) AS components_scored,
    avg(score) AS mean_score,
    CAST(getvariable('portfolio_standard') AS DOUBLE) AS portfolio_standard,
    avg(score) >= CAST(getvariable('portfolio_standard') AS DOUBLE) AS meets_standard
FROM mart.panel_scores
GROUP BY district_id, student_unique_id, school_year, quarter
