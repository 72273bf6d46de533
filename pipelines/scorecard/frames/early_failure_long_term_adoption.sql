-- Teachers observed for a year after their first AI lesson, by whether their training
-- normalised early failure.
SELECT
    early_failure_normalised::INTEGER AS normalised,
    using_ai_a_year_after_first_lesson::INTEGER AS still_using,
    coalesce(years_of_prior_teaching_experience, 0) AS years_teaching
FROM teachers
WHERE early_failure_normalised IS NOT NULL
    AND using_ai_a_year_after_first_lesson IS NOT NULL
