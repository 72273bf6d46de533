-- Rows of the checked staging table that fail at least one check, with every reason.
-- {reason_list} and {any_failure} are filled in from the contract's compiled checks.
CREATE OR REPLACE TABLE quarantined AS
WITH failing AS (
    SELECT *
    FROM checked
    WHERE {any_failure}
)
SELECT
    _row_id,
    _source_row,
    _sheet,
    list_filter({reason_list}, lambda reason: reason IS NOT NULL) AS reasons,
    {row_json} AS row_data
FROM failing
