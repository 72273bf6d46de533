-- The claims of one scorecard run ($1), or of the newest when $1 is NULL, with the state of
-- the warehouse the run read.
WITH chosen AS (
    SELECT run_id, run_at, as_of, as_of_batch_id, package_versions
    FROM results.scorecard_runs
    WHERE run_id = coalesce($1, run_id)
    ORDER BY run_at DESC, run_id
    LIMIT 1
)
SELECT c.*, chosen.run_at, chosen.as_of, chosen.as_of_batch_id, chosen.package_versions
FROM results.claim_estimates AS c
JOIN chosen USING (run_id)
