-- mart.program_milestones: where the program stood at the end of each program month, for
-- each roadmap metric, beside the roadmap's target for that month where it sets one.
-- Program month 1 is the month of program_start_date (a parameter; by default the month of
-- the first training or team in the data).
WITH staff AS (
    SELECT * FROM core.staff
),

training AS (
    SELECT * FROM core.teacher_training
),

memberships AS (
    SELECT * FROM core.team_memberships
),

responses AS (
    SELECT * FROM core.survey_responses
),

targets AS (
    SELECT * FROM ref.roadmap_targets
),

districts AS (
    SELECT _district_id AS district_id, min(start_date) AS first_date, max(start_date) AS last_date
    FROM (
        SELECT _district_id, start_date FROM training
        UNION ALL
        SELECT _district_id, start_date FROM memberships
    )
    GROUP BY ALL
),

calendar AS (
    SELECT
        d.district_id,
        CAST(m.program_month AS BIGINT) AS program_month,
        CAST(
            date_trunc('month', coalesce(CAST(getvariable('program_start_date') AS DATE), d.first_date))
            + to_months(CAST(m.program_month AS INTEGER)) - INTERVAL 1 DAY AS DATE
        ) AS month_end_date
    FROM districts AS d,
        range(
            1,
            2 + datediff(
                'month',
                coalesce(CAST(getvariable('program_start_date') AS DATE), d.first_date),
                d.last_date
            )
        ) AS m (program_month)
),

months AS (
    SELECT
        *,
        -- The Ed-Fi school year the month's last day falls in (July 1 starts a year).
        year(month_end_date) + CASE WHEN month(month_end_date) >= 7 THEN 1 ELSE 0 END
            AS school_year
    FROM calendar
),

employed AS (
    SELECT
        m.district_id,
        m.program_month,
        count(*) FILTER (WHERE s.staff_classification = 'teacher') AS teachers,
        count(*) FILTER (WHERE s.staff_classification = 'administrator') AS administrators
    FROM months AS m
    INNER JOIN staff AS s
        ON s._district_id = m.district_id
        AND coalesce(s.hire_date, DATE '1900-01-01') <= m.month_end_date
        AND coalesce(s.exit_date, DATE '9999-12-31') > m.month_end_date
    GROUP BY ALL
),

trained AS (
    SELECT
        m.district_id,
        m.program_month,
        count(DISTINCT t.staff_unique_id) FILTER (WHERE s.staff_classification = 'teacher')
            AS teachers_trained,
        count(DISTINCT t.staff_unique_id) FILTER (WHERE t.cohort = 'champion')
            AS champions_trained,
        count(DISTINCT t.staff_unique_id) FILTER (
            WHERE s.staff_classification = 'administrator'
            AND coalesce(s.exit_date, DATE '9999-12-31') > m.month_end_date
        ) AS administrators_trained
    FROM months AS m
    INNER JOIN training AS t
        ON t._district_id = m.district_id
        AND t.completed
        AND t.completion_date <= m.month_end_date
    LEFT JOIN staff AS s
        ON s._district_id = t._district_id AND s.staff_unique_id = t.staff_unique_id
    GROUP BY ALL
),

baseline AS (
    SELECT
        m.district_id,
        m.program_month,
        count(DISTINCT r.respondent_unique_id) AS teachers_with_baseline
    FROM months AS m
    INNER JOIN responses AS r
        ON r._district_id = m.district_id
        AND r.respondent_role = 'teacher'
        AND r.wave = 'pre'
        AND r.responded_date <= m.month_end_date
    INNER JOIN staff AS s
        ON s._district_id = r._district_id
        AND s.staff_unique_id = r.respondent_unique_id
        AND coalesce(s.exit_date, DATE '9999-12-31') > m.month_end_date
    GROUP BY ALL
),

-- Students who had joined a team by the month's end, in that month's school year.
in_teams AS (
    SELECT
        m.district_id,
        m.program_month,
        count(DISTINCT t.student_unique_id) AS students_in_teams,
        count(DISTINCT t.team_id) AS teams
    FROM months AS m
    INNER JOIN memberships AS t
        ON t._district_id = m.district_id
        AND t.school_year = m.school_year
        AND t.start_date <= m.month_end_date
    GROUP BY ALL
),

measured AS (
    SELECT
        m.district_id,
        m.program_month,
        m.month_end_date,
        m.school_year,
        coalesce(e.teachers, 0) AS teachers,
        coalesce(e.administrators, 0) AS administrators,
        coalesce(t.teachers_trained, 0) AS teachers_trained,
        coalesce(t.champions_trained, 0) AS champions_trained,
        coalesce(t.administrators_trained, 0) AS administrators_trained,
        coalesce(b.teachers_with_baseline, 0) AS teachers_with_baseline,
        coalesce(i.students_in_teams, 0) AS students_in_teams,
        coalesce(i.teams, 0) AS teams
    FROM months AS m
    LEFT JOIN employed AS e USING (district_id, program_month)
    LEFT JOIN trained AS t USING (district_id, program_month)
    LEFT JOIN baseline AS b USING (district_id, program_month)
    LEFT JOIN in_teams AS i USING (district_id, program_month)
),

metrics AS (
    SELECT district_id, program_month, month_end_date, school_year, metric, value, denominator
    FROM measured,
        LATERAL (
            VALUES
            ('administrators_trained_share', administrators_trained, administrators),
            ('champions_trained', champions_trained, NULL),
            ('teachers_trained', teachers_trained, NULL),
            ('faculty_baseline_share', teachers_with_baseline, teachers),
            ('students_in_teams', students_in_teams, NULL),
            ('teams', teams, NULL)
        ) AS v (metric, count_value, denominator),
        LATERAL (
            SELECT CASE
                WHEN v.denominator IS NULL THEN CAST(v.count_value AS DOUBLE)
                WHEN v.denominator = 0 THEN NULL
                ELSE v.count_value / v.denominator
            END AS value
        )
)

SELECT
    x.district_id,
    x.program_month,
    x.metric,
    x.month_end_date,
    CAST(x.school_year AS BIGINT) AS school_year,
    x.value,
    CAST(x.denominator AS BIGINT) AS denominator,
    g.target,
    g.source AS target_source,
    CASE WHEN g.target IS NULL THEN NULL ELSE coalesce(x.value >= g.target, false) END
        AS target_met
FROM metrics AS x
LEFT JOIN targets AS g
    ON g.metric = x.metric AND g.by_month = x.program_month
