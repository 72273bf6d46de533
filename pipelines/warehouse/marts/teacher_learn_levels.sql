-- mart.teacher_learn_levels: every LEARN assessment of an educator, with the time since
-- their training and whether they mentor a studio team, for models of how educators
-- progress from emerging to applying to integrating on each pillar.
WITH learn AS (
    SELECT * FROM core.competency_assessments
    WHERE person_role = 'teacher'
),

teachers AS (
    SELECT * FROM mart.teachers
),

mentors AS (
    SELECT DISTINCT _district_id AS district_id, mentor_staff_unique_id AS staff_unique_id
    FROM core.studio_teams
)

SELECT
    l._district_id AS district_id,
    l.assessment_id,
    l.person_unique_id AS staff_unique_id,
    l.competency AS pillar,
    l.assessment_occasion,
    l.assessed_date,
    CAST(l._school_year AS BIGINT) AS school_year,
    l.level,
    CAST(CASE l.level WHEN 'emerging' THEN 1 WHEN 'applying' THEN 2 WHEN 'integrating' THEN 3 END
        AS BIGINT) AS level_rank,
    l.proficient,
    t.cohort,
    t.training_model,
    t.training_completion_date,
    -- Months since training was completed (negative: assessed before finishing).
    CAST(datediff('day', t.training_completion_date, l.assessed_date) / 30.4375 AS DOUBLE)
        AS months_since_training,
    m.staff_unique_id IS NOT NULL AS team_mentor
FROM learn AS l
LEFT JOIN teachers AS t
    ON t.district_id = l._district_id AND t.staff_unique_id = l.person_unique_id
LEFT JOIN mentors AS m
    ON m.district_id = l._district_id AND m.staff_unique_id = l.person_unique_id
