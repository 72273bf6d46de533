-- mart.panel_scores: one row per employer-panel score, with the student's demographics,
-- grade and prior GPA as that school year's roster held them, and the team's type, ready
-- for reviewer-severity and growth models.
WITH scores AS (
    SELECT * FROM core.panel_scores
),

students AS (
    SELECT * FROM core.students
),

teams AS (
    SELECT * FROM core.studio_teams
)

SELECT
    p._district_id AS district_id,
    p.student_unique_id,
    p.team_id,
    p.school_year,
    p.quarter,
    p.reviewer_id,
    p.employer_id,
    p.component,
    p.score,
    p.scored_date,
    t.team_type,
    s.sex,
    s.race_ethnicity,
    s.grade_level,
    s.prior_gpa
FROM scores AS p
LEFT JOIN students AS s
    ON s._district_id = p._district_id AND s.student_unique_id = p.student_unique_id
        AND s.school_year = p.school_year
LEFT JOIN teams AS t
    ON t._district_id = p._district_id AND t.team_id = p.team_id
