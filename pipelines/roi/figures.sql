-- Counts and rates the evidence scenario reads from the analysis marts, one per row:
-- figure, school_year (Ed-Fi), value, n (what the value counts or is a share of),
-- std_error (binomial, for shares), source (how it was counted). The teacher-year figures
-- come from the scorecard's own teacher_retention_trained frame (see measure.py).

-- Graduates of each class who earned an AI-Ready Certificate.
SELECT
    'certified_graduates' AS figure,
    graduation_school_year AS school_year,
    count(DISTINCT student_unique_id) FILTER (WHERE certificate_earned)::DOUBLE AS value,
    count(DISTINCT student_unique_id) AS n,
    NULL::DOUBLE AS std_error,
    'graduate_outcomes: graduates of ' || graduation_school_year
        || ' who earned an AI-Ready Certificate' AS source
FROM graduate_outcomes
WHERE graduation_school_year IS NOT NULL
GROUP BY graduation_school_year

UNION ALL

-- Certified graduates employed at their latest follow-up that says.
SELECT
    'certified_graduates_employed',
    max(followup_year),
    avg(employed::INTEGER),
    count(*),
    sqrt(avg(employed::INTEGER) * (1 - avg(employed::INTEGER)) / count(*)),
    'graduate_outcomes: certified graduates employed at their latest follow-up ('
        || count(*) || ' graduates)'
FROM (
    SELECT
        employed,
        -- The Ed-Fi school year the follow-up falls in (July starts the next one).
        year(followup_date) + (month(followup_date) >= 7)::INTEGER AS followup_year
    FROM graduate_outcomes
    WHERE certificate_earned AND employed IS NOT NULL
    QUALIFY row_number() OVER (
        PARTITION BY district_id, student_unique_id ORDER BY months_after_graduation DESC
    ) = 1
)
HAVING count(*) > 0

UNION ALL

-- Team members and certificates awarded, by school year.
SELECT
    'team_members',
    school_year,
    count(*)::DOUBLE,
    count(*),
    NULL,
    'certificate_eligibility: team members in ' || school_year
FROM certificate_eligibility
GROUP BY school_year

UNION ALL

SELECT
    'certificates_awarded',
    school_year,
    count(*) FILTER (WHERE certificate_awarded)::DOUBLE,
    count(*),
    NULL,
    'certificate_eligibility: AI-Ready Certificates awarded for ' || school_year
FROM certificate_eligibility
GROUP BY school_year

UNION ALL

-- Girls of girls-only teams who could return the next year, and those who did.
SELECT
    'girls_only_girls_eligible',
    school_year,
    count(*)::DOUBLE,
    count(*),
    NULL,
    'student_years: girls of girls-only teams in ' || school_year || ' who could return'
FROM student_years
WHERE is_member AND entry_sex = 'female' AND team_type = 'girls_only'
    AND eligible_to_return AND returned_next_year IS NOT NULL
GROUP BY school_year

UNION ALL

SELECT
    'girls_only_girls_returned',
    school_year,
    count(*) FILTER (WHERE returned_next_year)::DOUBLE,
    count(*),
    NULL,
    'student_years: girls of girls-only teams in ' || school_year || ' who returned'
FROM student_years
WHERE is_member AND entry_sex = 'female' AND team_type = 'girls_only'
    AND eligible_to_return AND returned_next_year IS NOT NULL
GROUP BY school_year
