-- One catalog metric by school year, and by one dimension when asked: metric_values.py
-- fills the braces from the catalog's reviewed parts (reports/metrics.yaml). A dimension
-- arrives as a quoted column name, the mart as a quoted view name; nothing else a user
-- types reaches this text.
SELECT
    school_year{dimension_select},
    {value} AS value,
    {numerator} AS numerator,
    {n} AS n
FROM {rows}
WHERE ({where}) AND school_year IS NOT NULL
GROUP BY ALL
ORDER BY {order}
