-- Teachers of the full-faculty certification assessed after training, by whether their
-- course built up AI use step by step. The champions and early adopters all had graduated
-- exposure and are left out: they differ from the faculty in more than the course.
SELECT
    (exposure_model = 'graduated')::INTEGER AS graduated,
    post_training_proficient_share AS proficient_share,
    coalesce(years_of_prior_teaching_experience, 0) AS years_teaching
FROM teachers
WHERE cohort = 'full_faculty'
    AND exposure_model IN ('graduated', 'sink_or_swim')
    AND post_training_proficient_share IS NOT NULL
