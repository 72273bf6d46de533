-- Sandbox-course teachers' confidence before and after training, one row per rating.
WITH rated AS (
    SELECT p.district_id || '/' || p.respondent_unique_id AS teacher, p.pre_score, p.post_score
    FROM survey_pairs AS p
    JOIN teachers AS t
        ON t.district_id = p.district_id AND t.staff_unique_id = p.respondent_unique_id
    WHERE p.respondent_role = 'teacher'
        AND p.construct = 'ai_confidence'
        AND p.paired
        AND t.cohort = 'full_faculty'
        AND t.sandbox_included
)
SELECT teacher, 'before' AS occasion, pre_score AS confidence FROM rated
UNION ALL
SELECT teacher, 'after' AS occasion, post_score AS confidence FROM rated
