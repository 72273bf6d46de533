-- mart.team_terms: one row per studio team per term, with its size and composition.
WITH memberships AS (
    SELECT * FROM core.team_memberships
),

students AS (
    SELECT * FROM core.students
),

teams AS (
    SELECT * FROM core.studio_teams
),

composition AS (
    SELECT
        m._district_id,
        m.team_id,
        m.school_year,
        m.term,
        count(*) AS members,
        count(*) FILTER (WHERE s.sex = 'female') AS female_members,
        count(DISTINCT m.grade_level) AS grade_levels_represented,
        count(*) FILTER (WHERE m.role IN ('senior_mentor', 'junior_mentor')) AS student_mentors,
        count(*) FILTER (WHERE m.exit_reason IS NOT NULL
            AND m.exit_reason NOT IN ('completed_term', 'graduated')) AS members_who_left,
        min(m.start_date) AS first_start_date
    FROM memberships AS m
    LEFT JOIN students AS s
        ON s._district_id = m._district_id AND s.student_unique_id = m.student_unique_id
            AND s.school_year = m.school_year
    GROUP BY ALL
)

SELECT
    c._district_id AS district_id,
    c.team_id,
    c.school_year,
    c.term,
    t.team_type,
    t.school_id,
    t.mentor_staff_unique_id,
    t.formed_date,
    c.members,
    c.female_members,
    c.grade_levels_represented,
    c.student_mentors,
    c.members_who_left,
    c.first_start_date
FROM composition AS c
LEFT JOIN teams AS t
    ON t._district_id = c._district_id AND t.team_id = c.team_id
