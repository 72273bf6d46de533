-- The naive comparison: every trained teacher assessed after training, champions and early
-- adopters (all graduated exposure) included.
SELECT
    (exposure_model = 'graduated')::INTEGER AS graduated,
    post_training_proficient_share AS proficient_share
FROM teachers
WHERE exposure_model IN ('graduated', 'sink_or_swim')
    AND post_training_proficient_share IS NOT NULL
