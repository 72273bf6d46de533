-- Girls who were team members in a school year and could return the next one, by the type
-- of their team that year. One row per girl per school year.
SELECT
    district_id || '/' || team_id AS team,
    (team_type = 'girls_only')::INTEGER AS girls_only,
    returned_next_year::INTEGER AS returned,
    entry_prior_gpa AS prior_gpa,
    TRY_CAST(grade_level AS INTEGER) AS grade
FROM student_years
WHERE is_member
    AND entry_sex = 'female'
    AND eligible_to_return
    AND returned_next_year IS NOT NULL
    AND entry_prior_gpa IS NOT NULL
    AND TRY_CAST(grade_level AS INTEGER) IS NOT NULL
