-- Full-faculty teachers from the end of training to a first AI lesson (or to leaving or the
-- end of the records), supported by the champion network or under a mandate.
SELECT
    (adoption_route = 'champion_network')::INTEGER AS champion,
    greatest(date_diff('day', training_completion_date, first_lesson_or_censor_date), 0) AS days,
    (first_lesson_status = 'observed')::INTEGER AS adopted
FROM teachers
WHERE cohort = 'full_faculty'
    AND adoption_route IN ('champion_network', 'mandate')
    AND training_completion_date IS NOT NULL
    AND first_lesson_or_censor_date IS NOT NULL
