-- mart.certificate_eligibility: every member-year held against each AI-Ready Certificate
-- rule of the solution summary, and whether a certificate was awarded. Thresholds are the
-- parameters certificate_min_client_projects, portfolio_standard and
-- certificate_min_project_types.
WITH memberships AS (
    SELECT * FROM core.team_memberships
),

projects AS (
    SELECT * FROM core.client_projects
),

scores AS (
    SELECT * FROM core.panel_scores
),

pairs AS (
    SELECT * FROM core.mentorship_pairs
),

certificates AS (
    SELECT * FROM core.certificates
),

member_years AS (
    SELECT
        _district_id AS district_id,
        student_unique_id,
        school_year,
        arg_min(grade_level, start_date) AS grade_level,
        bool_or(term = 'fall') AS has_fall,
        bool_or(term = 'spring') AS has_spring,
        coalesce(
            bool_and(coalesce(exit_reason, 'completed_term') IN ('completed_term', 'graduated'))
                FILTER (WHERE term = 'spring'),
            false
        ) AS finished_spring,
        bool_or(reflection_narrative_completed) AS reflection_narrative_completed
    FROM memberships
    GROUP BY ALL
),

-- Signed-off client projects the student's team delivered while the student was in it.
projects_done AS (
    SELECT
        m._district_id AS district_id,
        m.student_unique_id,
        m.school_year,
        count(DISTINCT p.project_id) AS client_projects_completed,
        count(DISTINCT p.employer_sector) AS project_types_demonstrated
    FROM memberships AS m
    INNER JOIN projects AS p
        ON p._district_id = m._district_id
        AND p.team_id = m.team_id
        AND p.client_signed_off
        AND p.delivered_date BETWEEN m.start_date AND coalesce(m.end_date, DATE '9999-12-31')
    GROUP BY ALL
),

-- The portfolio score is the mean of the year's latest panel.
latest_panel AS (
    SELECT district_id, student_unique_id, school_year, avg(score) AS portfolio_score
    FROM (
        SELECT _district_id AS district_id, student_unique_id, school_year, score
        FROM scores
        QUALIFY scored_date = max(scored_date) OVER (
            PARTITION BY _district_id, student_unique_id, school_year
        )
    )
    GROUP BY ALL
),

mentors AS (
    SELECT DISTINCT
        _district_id AS district_id,
        mentor_student_unique_id AS student_unique_id,
        school_year
    FROM pairs
),

awarded AS (
    SELECT
        _district_id AS district_id,
        student_unique_id,
        school_year,
        min(awarded_date) AS awarded_date,
        bool_or(reflection_narrative_completed) AS reflection_narrative_completed
    FROM certificates
    GROUP BY ALL
),

criteria AS (
    SELECT
        y.district_id,
        y.student_unique_id,
        y.school_year,
        y.grade_level,
        y.has_fall AND y.has_spring AND y.finished_spring AS full_year,
        coalesce(d.client_projects_completed, 0) AS client_projects_completed,
        coalesce(d.project_types_demonstrated, 0) AS project_types_demonstrated,
        l.portfolio_score,
        y.grade_level IN ('11', '12') AS mentorship_required,
        mt.student_unique_id IS NOT NULL AS mentored_a_younger_member,
        -- The membership file's status for the year, else the certificate's.
        coalesce(y.reflection_narrative_completed, a.reflection_narrative_completed)
            AS reflection_narrative_completed,
        a.awarded_date
    FROM member_years AS y
    LEFT JOIN projects_done AS d USING (district_id, student_unique_id, school_year)
    LEFT JOIN latest_panel AS l USING (district_id, student_unique_id, school_year)
    LEFT JOIN mentors AS mt USING (district_id, student_unique_id, school_year)
    LEFT JOIN awarded AS a USING (district_id, student_unique_id, school_year)
),

checked AS (
    SELECT
        *,
        client_projects_completed
        >= CAST(getvariable('certificate_min_client_projects') AS BIGINT) AS meets_client_projects,
        coalesce(portfolio_score >= CAST(getvariable('portfolio_standard') AS DOUBLE), false)
            AS meets_portfolio_standard,
        project_types_demonstrated
        >= CAST(getvariable('certificate_min_project_types') AS BIGINT) AS meets_project_types,
        NOT mentorship_required OR mentored_a_younger_member AS meets_mentorship
    FROM criteria
)

SELECT
    district_id,
    student_unique_id,
    school_year,
    grade_level,
    full_year,
    client_projects_completed,
    meets_client_projects,
    portfolio_score,
    meets_portfolio_standard,
    project_types_demonstrated,
    meets_project_types,
    mentorship_required,
    mentored_a_younger_member,
    meets_mentorship,
    reflection_narrative_completed,
    -- Every rule that can be checked is met; the reflection narrative is known only where a
    -- file reports it, so eligibility is empty (unknown) when it is the only open question.
    CASE
        WHEN NOT (full_year AND meets_client_projects AND meets_portfolio_standard
            AND meets_project_types AND meets_mentorship) THEN false
        ELSE reflection_narrative_completed
    END AS eligible,
    awarded_date IS NOT NULL AS certificate_awarded,
    awarded_date
FROM checked
