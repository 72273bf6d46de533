-- Teachers at risk of leaving the district in each school year, and whether they had
-- completed an AI training by the end of it. One row per teacher per school year.
WITH roster AS (
    SELECT
        district_id,
        staff_unique_id,
        -- A teacher on the roster without a hire date has been on the staff since before
        -- the records begin.
        coalesce(hire_date, DATE '1900-01-01') AS hire_date,
        exit_date,
        training_completion_date,
        coalesce(years_of_prior_teaching_experience, 0) AS years_teaching
    FROM teachers
),

bounds AS (
    SELECT
        district_id,
        -- The program's first school year (Ed-Fi: the calendar year it ends in). Before it
        -- nobody is trained, and a roster of the present holds only those who stayed.
        year(min(training_completion_date) + INTERVAL 5 MONTH) AS first_year,
        max(exit_date) AS last_exit,
        greatest(max(observation_end_date), max(exit_date)) AS records_end
    FROM teachers
    GROUP BY district_id
),

school_years AS (
    SELECT
        b.district_id,
        y.school_year,
        make_date(y.school_year - 1, 8, 1) AS year_start,
        make_date(y.school_year, 7, 31) AS year_end
    FROM bounds AS b,
        LATERAL (SELECT unnest(range(b.first_year, year(b.records_end) + 1)) AS school_year) AS y
    -- A year counts once the records show its leavers: an exit on or after 1 June of it
    -- (teachers leave when the spring term ends), or records running to its 31 July.
    WHERE b.records_end >= make_date(y.school_year, 7, 31)
        OR b.last_exit >= make_date(y.school_year, 6, 1)
)

SELECT
    r.district_id || '/' || r.staff_unique_id AS teacher,
    y.school_year::VARCHAR AS school_year,
    (r.training_completion_date IS NOT NULL
        AND r.training_completion_date <= make_date(y.school_year, 6, 30))::INTEGER AS trained,
    (r.exit_date IS NOT NULL AND r.exit_date <= y.year_end)::INTEGER AS exited,
    r.years_teaching
FROM roster AS r
JOIN school_years AS y USING (district_id)
-- On the staff when the school year began (every California school year has begun by
-- 1 September) and not gone before it.
WHERE r.hire_date < make_date(y.school_year - 1, 9, 1)
    AND (r.exit_date IS NULL OR r.exit_date >= y.year_start)
ORDER BY teacher, school_year
