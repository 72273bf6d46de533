-- Each reviewer's mean component score of each portfolio.
SELECT
    district_id || '/' || student_unique_id || '/' || school_year || '/' || quarter AS portfolio,
    reviewer_id,
    avg(score) AS score
FROM panel_scores
WHERE score IS NOT NULL AND reviewer_id IS NOT NULL
GROUP BY ALL
