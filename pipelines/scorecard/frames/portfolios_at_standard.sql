-- Every component score of every quarterly portfolio, with its reviewer.
SELECT
    district_id || '/' || student_unique_id AS student_unique_id,
    school_year,
    quarter,
    reviewer_id,
    score
FROM panel_scores
WHERE score IS NOT NULL AND reviewer_id IS NOT NULL
