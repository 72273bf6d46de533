-- Full-faculty teachers rated on AI confidence before and after training, by whether their
-- course had a sandbox period (assigned within the full-faculty course).
SELECT
    CASE WHEN t.sandbox_included THEN 'sandbox' ELSE 'traditional' END AS course,
    p.change,
    p.pre_score
FROM survey_pairs AS p
JOIN teachers AS t
    ON t.district_id = p.district_id AND t.staff_unique_id = p.respondent_unique_id
WHERE p.respondent_role = 'teacher'
    AND p.construct = 'ai_confidence'
    AND p.paired
    AND t.cohort = 'full_faculty'
    AND t.sandbox_included IS NOT NULL
