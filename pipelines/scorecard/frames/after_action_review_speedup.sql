-- Team members at the year's last competency assessment: proficient or not after how many
-- weeks in the program, in a team that holds after-action reviews or not.
SELECT
    after_action_reviews::INTEGER AS reviews,
    competency_proficient::INTEGER AS proficient,
    competency_weeks_in_program AS weeks,
    prior_gpa,
    district_id || '/' || team_id AS team,
    attendance_tier(y.sessions_attended, f.sessions_held) AS attendance_tier
FROM student_years AS y
LEFT JOIN team_fidelity AS f USING (district_id, team_id, school_year)
WHERE competency_proficient IS NOT NULL
    AND after_action_reviews IS NOT NULL
    AND competency_weeks_in_program > 0
    AND prior_gpa IS NOT NULL
    AND y.team_id IS NOT NULL
