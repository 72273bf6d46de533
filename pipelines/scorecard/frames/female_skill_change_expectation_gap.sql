-- Girls and boys answering the first school year's baseline survey about skill changes.
SELECT
    (sex = 'female')::INTEGER AS female,
    (skill_change_expectation_pre >= 0.5)::INTEGER AS expects_change
FROM student_years
WHERE sex IN ('female', 'male')
    AND skill_change_expectation_pre IS NOT NULL
    AND school_year = (SELECT min(school_year) FROM student_years)
