-- mart.teachers: one row per teacher on the staff roster, trained or not: school,
-- department and experience; the first AI training (cohort, model, trainer, sandbox, dates,
-- hours, early-failure normalisation); how they came to AI (adoption route, exposure
-- model); the first AI-integrated lesson or the date and reason its wait was censored;
-- whether they still used AI a year on; when they left; and their LEARN results.
WITH staff AS (
    SELECT * FROM core.staff
),

training AS (
    SELECT * FROM core.teacher_training
),

adoption AS (
    SELECT * FROM core.teacher_adoption
),

learn AS (
    SELECT * FROM core.competency_assessments
    WHERE person_role = 'teacher'
),

-- The last day the adoption records cover: a teacher still waiting for a first AI lesson
-- then is censored there (unless the parameter observation_end_date says otherwise).
observation AS (
    SELECT
        _district_id AS district_id,
        coalesce(CAST(getvariable('observation_end_date') AS DATE), max(event_date))
            AS observation_end_date
    FROM adoption
    GROUP BY ALL
),

first_training AS (
    SELECT
        _district_id AS district_id,
        staff_unique_id,
        count(*) AS trainings,
        arg_min(cohort, start_date) AS cohort,
        arg_min(training_model, start_date) AS training_model,
        arg_min(trainer_staff_unique_id, start_date) AS trainer_staff_unique_id,
        arg_min(sandbox_included, start_date) AS sandbox_included,
        arg_min(exposure_model, start_date) AS exposure_model,
        arg_min(adoption_route, start_date) AS adoption_route,
        arg_min(early_failure_normalised, start_date) AS early_failure_normalised,
        min(start_date) AS training_start_date,
        min(completion_date) FILTER (WHERE completed) AS training_completion_date,
        sum(hours_completed) AS training_hours_completed,
        bool_or(completed) AS training_completed
    FROM training
    GROUP BY ALL
),

adoption_facts AS (
    SELECT
        _district_id AS district_id,
        staff_unique_id,
        arg_min(adoption_route, event_date) FILTER (WHERE adoption_route IS NOT NULL)
            AS adoption_route,
        min(event_date) FILTER (WHERE event_type = 'first_ai_lesson') AS first_ai_lesson_date,
        count(*) FILTER (WHERE event_type IN ('first_ai_lesson', 'ai_lesson')) AS ai_lessons,
        min(event_date) FILTER (WHERE event_type = 'stopped_using_ai') AS stopped_using_ai_date,
        count(*) FILTER (WHERE event_type = 'sandbox_session') AS sandbox_sessions
    FROM adoption
    GROUP BY ALL
),

learn_facts AS (
    SELECT
        _district_id AS district_id,
        person_unique_id AS staff_unique_id,
        min(exposure_model) AS exposure_model,
        count(*) AS learn_assessments,
        min(assessed_date) AS first_learn_assessed_date,
        avg(CAST(proficient AS DOUBLE)) FILTER (WHERE assessment_occasion = 'post_training')
            AS post_training_proficient_share
    FROM learn
    GROUP BY ALL
)

SELECT
    s._district_id AS district_id,
    s.staff_unique_id,
    s.school_id,
    s.subject_area AS department,
    s.sex,
    s.hire_date,
    s.years_of_prior_teaching_experience,
    t.staff_unique_id IS NOT NULL AS trained,
    coalesce(t.trainings, 0) AS trainings,
    t.cohort,
    t.training_model,
    t.trainer_staff_unique_id,
    t.sandbox_included,
    t.training_start_date,
    t.training_completion_date,
    t.training_hours_completed,
    coalesce(t.training_completed, false) AS training_completed,
    t.early_failure_normalised,
    -- The training file's route and exposure; older files gave them only on events and
    -- assessments, which are read where the training file is silent.
    coalesce(t.adoption_route, a.adoption_route) AS adoption_route,
    coalesce(t.exposure_model, lf.exposure_model) AS exposure_model,
    a.first_ai_lesson_date,
    coalesce(a.ai_lessons, 0) AS ai_lessons,
    coalesce(a.sandbox_sessions, 0) AS sandbox_sessions,
    -- The wait for a first AI lesson, from the start of training: observed, or censored at
    -- the teacher's exit or at the end of the records, whichever came first.
    CASE
        WHEN a.first_ai_lesson_date IS NOT NULL THEN a.first_ai_lesson_date
        ELSE least(coalesce(s.exit_date, o.observation_end_date), o.observation_end_date)
    END AS first_lesson_or_censor_date,
    CASE
        WHEN a.first_ai_lesson_date IS NOT NULL THEN 'observed'
        WHEN s.exit_date IS NOT NULL AND s.exit_date <= o.observation_end_date THEN 'left_district'
        ELSE 'end_of_records'
    END AS first_lesson_status,
    a.stopped_using_ai_date,
    -- Long-term adoption: still using AI a year after the first AI lesson; empty when the
    -- year is not over (records end, or the teacher left) before it could be seen.
    CASE
        WHEN a.first_ai_lesson_date IS NULL THEN NULL
        WHEN a.stopped_using_ai_date <= a.first_ai_lesson_date + INTERVAL 365 DAY THEN false
        WHEN a.first_ai_lesson_date + INTERVAL 365 DAY > o.observation_end_date THEN NULL
        WHEN s.exit_date <= a.first_ai_lesson_date + INTERVAL 365 DAY THEN NULL
        ELSE true
    END AS using_ai_a_year_after_first_lesson,
    s.exit_date,
    lf.learn_assessments,
    lf.first_learn_assessed_date,
    lf.post_training_proficient_share,
    o.observation_end_date
FROM staff AS s
LEFT JOIN first_training AS t
    ON t.district_id = s._district_id AND t.staff_unique_id = s.staff_unique_id
LEFT JOIN adoption_facts AS a
    ON a.district_id = s._district_id AND a.staff_unique_id = s.staff_unique_id
LEFT JOIN learn_facts AS lf
    ON lf.district_id = s._district_id AND lf.staff_unique_id = s.staff_unique_id
LEFT JOIN observation AS o
    ON o.district_id = s._district_id
WHERE s.staff_classification = 'teacher'
