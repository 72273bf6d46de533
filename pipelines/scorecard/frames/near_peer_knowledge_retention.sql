-- Students with all three knowledge tests: points gained from the pre-test to the post-test
-- and points still above the pre-test at the delayed retention test. Members are clustered
-- by team; others (taught by teachers only) each form their own cluster.
SELECT
    knowledge_instruction_mode AS mode,
    knowledge_post_percent - knowledge_pre_percent AS points_gained,
    knowledge_retention_percent - knowledge_pre_percent AS points_kept,
    prior_gpa,
    district_id || '/' || coalesce(team_id, 'student:' || student_unique_id) AS team,
    attendance_tier(y.sessions_attended, f.sessions_held) AS attendance_tier
FROM student_years AS y
LEFT JOIN team_fidelity AS f USING (district_id, team_id, school_year)
WHERE knowledge_instruction_mode IN ('near_peer', 'teacher_only')
    AND knowledge_pre_percent IS NOT NULL
    AND knowledge_post_percent IS NOT NULL
    AND knowledge_retention_percent IS NOT NULL
    AND prior_gpa IS NOT NULL
