-- Girls who were team members in a school year and could return the next one, by the type
-- of their team that year. One row per girl per school year.
SELECT
    district_id || '/' || team_id AS team,
    (y.team_type = 'girls_only')::INTEGER AS girls_only,
    returned_next_year::INTEGER AS returned,
    entry_prior_gpa AS prior_gpa,
    TRY_CAST(y.grade_level AS INTEGER) AS grade,
    attendance_tier(y.sessions_attended, f.sessions_held) AS attendance_tier
FROM student_years AS y
LEFT JOIN team_fidelity AS f USING (district_id, team_id, school_year)
WHERE is_member
    AND entry_sex = 'female'
    AND eligible_to_return
    AND returned_next_year IS NOT NULL
    AND entry_prior_gpa IS NOT NULL
    AND TRY_CAST(y.grade_level AS INTEGER) IS NOT NULL
