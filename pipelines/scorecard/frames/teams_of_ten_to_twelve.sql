-- Each team in the fall term: 10-12 members, and members of all four high-school grades.
SELECT
    district_id || '/' || team_id AS team,
    school_year,
    members BETWEEN 10 AND 12 AND grade_levels_represented = 4 AS as_designed
FROM team_terms
WHERE term = 'fall'
