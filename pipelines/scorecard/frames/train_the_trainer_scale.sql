-- Each champion who trained two colleagues or more: colleagues trained a month after the
-- first, times the champion course's months (the outside course trained one teacher per
-- seat over those months), which makes 1 "as fast as the outside course".
WITH champion_course AS (
    SELECT
        district_id,
        date_diff('day', min(training_start_date), max(training_completion_date)) / 30.4375
            AS months
    FROM teachers
    WHERE cohort = 'champion'
    GROUP BY district_id
),
trainers AS (
    SELECT
        district_id,
        trainer_staff_unique_id,
        count(*) AS trainees,
        date_diff('day', min(training_start_date), max(training_start_date)) / 30.4375 AS months
    FROM teachers
    WHERE cohort = 'early_adopter' AND trainer_staff_unique_id IS NOT NULL
    GROUP BY district_id, trainer_staff_unique_id
    HAVING count(*) >= 2
)
SELECT
    t.district_id || '/' || t.trainer_staff_unique_id AS trainer,
    (t.trainees - 1) / t.months * c.months AS scale_up_ratio
FROM trainers AS t
JOIN champion_course AS c USING (district_id)
WHERE t.months > 0 AND c.months > 0
