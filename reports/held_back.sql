-- Rows held back in quarantine, by source kind: how many, from how many files, and one
-- reason as an example (every reason is in `outcomes quarantine`).
SELECT
    kind,
    count(*) AS rows_held_back,
    count(DISTINCT file_name) AS files,
    any_value(reasons[1]) AS example_reason
FROM audit.quarantine
GROUP BY kind
ORDER BY rows_held_back DESC, kind
