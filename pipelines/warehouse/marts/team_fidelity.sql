-- mart.team_fidelity: one row per studio team per school year, the program held against
-- its plan, as usage reports count it: weekly sessions held, how long members stayed,
-- attendance, and the quarters with an employer panel and with a new project brief.
WITH sessions AS (
    SELECT * FROM core.session_attendance
),

panel_scores AS (
    SELECT * FROM core.panel_scores
),

projects AS (
    SELECT * FROM core.client_projects
),

teams AS (
    SELECT * FROM core.studio_teams
),

-- A week in which any team of the district met is a week the program was in session, so
-- school holidays do not count as sessions missed.
district_weeks AS (
    SELECT DISTINCT _district_id, _school_year AS school_year,
        date_trunc('week', session_date) AS week
    FROM sessions
),

team_sessions AS (
    SELECT
        _district_id,
        team_id,
        _school_year AS school_year,
        min(session_date) AS first_session_date,
        max(session_date) AS last_session_date,
        count(DISTINCT date_trunc('week', session_date)) AS sessions_held,
        count(*) AS student_sessions,
        count(*) FILTER (WHERE attendance_status IN ('present', 'tardy')) AS attended_sessions,
        avg(minutes_attended) FILTER (WHERE attendance_status IN ('present', 'tardy'))
            AS mean_minutes_attended
    FROM sessions
    GROUP BY ALL
),

planned AS (
    SELECT t._district_id, t.team_id, t.school_year, count(w.week) AS planned_sessions
    FROM team_sessions AS t
    JOIN district_weeks AS w
        ON w._district_id = t._district_id AND w.school_year = t.school_year
            AND w.week BETWEEN date_trunc('week', t.first_session_date)
                AND date_trunc('week', t.last_session_date)
    GROUP BY ALL
),

-- Quarters of the school year: q1 August-October, q2 November-January, q3 February-April,
-- q4 May-July (the employer panels' own quarters).
active_quarters AS (
    SELECT DISTINCT _district_id, team_id, _school_year AS school_year,
        'q' || (((month(session_date) + 4) % 12) // 3 + 1) AS quarter
    FROM sessions
),

panel_quarters AS (
    SELECT DISTINCT _district_id, team_id, school_year, quarter
    FROM panel_scores
),

brief_quarters AS (
    SELECT DISTINCT
        _district_id,
        team_id,
        year(brief_received_date) + (month(brief_received_date) >= 8)::INTEGER AS school_year,
        'q' || (((month(brief_received_date) + 4) % 12) // 3 + 1) AS quarter
    FROM projects
    WHERE brief_received_date IS NOT NULL
),

quarters AS (
    SELECT
        a._district_id,
        a.team_id,
        a.school_year,
        count(*) AS quarters_active,
        count(p.quarter) AS quarters_with_panel,
        count(b.quarter) AS quarters_with_brief
    FROM active_quarters AS a
    LEFT JOIN panel_quarters AS p
        ON p._district_id = a._district_id AND p.team_id = a.team_id
            AND p.school_year = a.school_year AND p.quarter = a.quarter
    LEFT JOIN brief_quarters AS b
        ON b._district_id = a._district_id AND b.team_id = a.team_id
            AND b.school_year = a.school_year AND b.quarter = a.quarter
    GROUP BY ALL
)

SELECT
    s._district_id AS district_id,
    s.team_id,
    s.school_year::BIGINT AS school_year,
    t.team_type,
    t.school_id,
    s.first_session_date,
    s.last_session_date,
    p.planned_sessions,
    s.sessions_held,
    s.sessions_held / p.planned_sessions AS sessions_held_share,
    s.student_sessions,
    s.attended_sessions,
    s.attended_sessions / s.student_sessions AS attendance_rate,
    s.mean_minutes_attended,
    q.quarters_active,
    q.quarters_with_panel,
    q.quarters_with_brief
FROM team_sessions AS s
JOIN planned AS p USING (_district_id, team_id, school_year)
JOIN quarters AS q USING (_district_id, team_id, school_year)
LEFT JOIN teams AS t ON t._district_id = s._district_id AND t.team_id = s.team_id
