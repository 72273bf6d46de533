-- The naive comparison: every teacher rated before and after, whatever the cohort.
SELECT
    CASE WHEN t.sandbox_included THEN 'sandbox' ELSE 'traditional' END AS course,
    p.change
FROM survey_pairs AS p
JOIN teachers AS t
    ON t.district_id = p.district_id AND t.staff_unique_id = p.respondent_unique_id
WHERE p.respondent_role = 'teacher'
    AND p.construct = 'ai_confidence'
    AND p.paired
    AND t.sandbox_included IS NOT NULL
