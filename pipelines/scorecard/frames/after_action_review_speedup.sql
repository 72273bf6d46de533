-- Team members at the year's last competency assessment: proficient or not after how many
-- weeks in the program, in a team that holds after-action reviews or not.
SELECT
    after_action_reviews::INTEGER AS reviews,
    competency_proficient::INTEGER AS proficient,
    competency_weeks_in_program AS weeks,
    prior_gpa,
    district_id || '/' || team_id AS team
FROM student_years
WHERE competency_proficient IS NOT NULL
    AND after_action_reviews IS NOT NULL
    AND competency_weeks_in_program > 0
    AND prior_gpa IS NOT NULL
    AND team_id IS NOT NULL
