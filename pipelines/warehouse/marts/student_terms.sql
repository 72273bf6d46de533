-- mart.student_terms: one row per student per team per term of membership, with the
-- student's demographics and prior GPA as that school year's roster held them, the team's
-- type and the term's attendance.
WITH memberships AS (
    SELECT * FROM core.team_memberships
),

students AS (
    SELECT * FROM core.students
),

teams AS (
    SELECT * FROM core.studio_teams
),

attendance AS (
    SELECT
        m._district_id,
        m.student_unique_id,
        m.team_id,
        m.school_year,
        m.term,
        count(*) AS sessions_recorded,
        count(*) FILTER (WHERE a.attendance_status IN ('present', 'tardy')) AS sessions_attended,
        CAST(sum(a.minutes_attended) AS BIGINT) AS minutes_attended
    FROM memberships AS m
    INNER JOIN core.session_attendance AS a
        ON a._district_id = m._district_id
        AND a.student_unique_id = m.student_unique_id
        AND a.team_id = m.team_id
        AND a.session_date >= m.start_date
        AND a.session_date <= coalesce(m.end_date, DATE '9999-12-31')
    GROUP BY ALL
)

SELECT
    m._district_id AS district_id,
    m.student_unique_id,
    m.team_id,
    m.school_year,
    m.term,
    m.role,
    m.grade_level,
    m.start_date,
    m.end_date,
    m.exit_reason,
    m.reflection_narrative_completed,
    -- Retained: still in the team at the end of the term, or left only by finishing it.
    (m.exit_reason IS NULL OR m.exit_reason IN ('completed_term', 'graduated'))
        AS retained_through_term,
    t.team_type,
    t.school_id AS team_school_id,
    t.mentor_staff_unique_id,
    s.sex,
    s.race_ethnicity,
    s.economically_disadvantaged,
    s.english_learner,
    s.special_education,
    s.prior_gpa,
    coalesce(a.sessions_recorded, 0) AS sessions_recorded,
    coalesce(a.sessions_attended, 0) AS sessions_attended,
    coalesce(a.minutes_attended, 0) AS minutes_attended
FROM memberships AS m
LEFT JOIN students AS s
    ON s._district_id = m._district_id AND s.student_unique_id = m.student_unique_id
        AND s.school_year = m.school_year
LEFT JOIN teams AS t
    ON t._district_id = m._district_id AND t.team_id = m.team_id
LEFT JOIN attendance AS a
    ON a._district_id = m._district_id
    AND a.student_unique_id = m.student_unique_id
    AND a.team_id = m.team_id
    AND a.school_year = m.school_year
    AND a.term = m.term
