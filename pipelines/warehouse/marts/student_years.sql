-- mart.student_years: every high-school student (grades 9-12 on that year's roster) in
-- every school year, members of a studio team and the non-members they are compared with.
-- Covariates come from that year's roster and, for members, from the roster of the year
-- they first joined (selection happened then, so adjustment must use those values).
WITH rosters AS (
    SELECT * FROM core.students
),

high_school AS (
    SELECT _district_id AS district_id, * EXCLUDE (_district_id)
    FROM rosters
    WHERE grade_level IN ('9', '10', '11', '12')
),

terms AS (
    SELECT * FROM mart.student_terms
),

surveys AS (
    SELECT * FROM mart.survey_pairs
    WHERE respondent_role = 'student'
),

knowledge AS (
    SELECT * FROM core.knowledge_assessments
),

competency AS (
    SELECT * FROM core.competency_assessments
    WHERE person_role = 'student'
),

certificates AS (
    SELECT * FROM core.certificates
),

member_years AS (
    SELECT
        district_id,
        student_unique_id,
        school_year,
        count(*) AS terms_as_member,
        count(DISTINCT team_id) AS teams,
        arg_min(team_id, start_date) AS team_id,
        arg_min(team_type, start_date) AS team_type,
        arg_min(role, start_date) AS role,
        min(start_date) AS joined_date,
        CAST(sum(sessions_attended) AS BIGINT) AS sessions_attended,
        CAST(sum(minutes_attended) AS BIGINT) AS minutes_attended,
        bool_and(retained_through_term) AS finished_year,
        bool_or(reflection_narrative_completed) AS reflection_narrative_completed,
        bool_or(exit_reason = 'graduated') AS graduated,
        min(end_date) FILTER (WHERE NOT retained_through_term) AS left_team_date,
        arg_min(exit_reason, start_date) FILTER (WHERE NOT retained_through_term)
            AS left_team_reason
    FROM terms
    GROUP BY ALL
),

first_entry AS (
    SELECT district_id, student_unique_id, min(school_year) AS entry_school_year
    FROM member_years
    GROUP BY ALL
),

entry_covariates AS (
    SELECT
        f.district_id,
        f.student_unique_id,
        f.entry_school_year,
        r.school_id AS entry_school_id,
        r.grade_level AS entry_grade_level,
        r.sex AS entry_sex,
        r.race_ethnicity AS entry_race_ethnicity,
        r.economically_disadvantaged AS entry_economically_disadvantaged,
        r.english_learner AS entry_english_learner,
        r.special_education AS entry_special_education,
        r.prior_gpa AS entry_prior_gpa
    FROM first_entry AS f
    LEFT JOIN rosters AS r
        ON r._district_id = f.district_id
        AND r.student_unique_id = f.student_unique_id
        AND r.school_year = f.entry_school_year
),

loaded_years AS (
    SELECT DISTINCT _district_id AS district_id, school_year FROM rosters
),

knowledge_years AS (
    SELECT
        _district_id AS district_id,
        student_unique_id,
        _school_year AS school_year,
        min(instruction_mode) AS knowledge_instruction_mode,
        avg(100 * score / max_score) FILTER (WHERE timepoint = 'pre') AS knowledge_pre_percent,
        avg(100 * score / max_score) FILTER (WHERE timepoint = 'post') AS knowledge_post_percent,
        avg(100 * score / max_score) FILTER (WHERE timepoint = 'retention')
            AS knowledge_retention_percent
    FROM knowledge
    GROUP BY ALL
),

competency_years AS (
    SELECT
        _district_id AS district_id,
        person_unique_id AS student_unique_id,
        _school_year AS school_year,
        count(*) AS competency_assessments,
        min(exposure_model) AS competency_exposure_model,
        bool_or(after_action_reviews) AS after_action_reviews,
        arg_max(proficient, assessed_date) AS competency_proficient,
        arg_max(level, assessed_date) AS competency_level,
        arg_max(weeks_in_program, assessed_date) AS competency_weeks_in_program,
        min(weeks_in_program) FILTER (WHERE proficient) AS weeks_to_proficiency
    FROM competency
    GROUP BY ALL
),

survey_years AS (
    SELECT
        district_id,
        respondent_unique_id AS student_unique_id,
        school_year,
        max(pre_score) FILTER (WHERE construct = 'ai_confidence') AS ai_confidence_pre,
        max(post_score) FILTER (WHERE construct = 'ai_confidence') AS ai_confidence_post,
        max(pre_score) FILTER (WHERE construct = 'ai_tool_use') AS ai_tool_use_pre,
        max(post_score) FILTER (WHERE construct = 'ai_tool_use') AS ai_tool_use_post,
        max(pre_score) FILTER (WHERE construct = 'skill_change_expectation')
            AS skill_change_expectation_pre,
        max(post_score) FILTER (WHERE construct = 'skill_change_expectation')
            AS skill_change_expectation_post
    FROM surveys
    GROUP BY ALL
),

certificate_years AS (
    SELECT _district_id AS district_id, student_unique_id, school_year, min(awarded_date) AS awarded
    FROM certificates
    GROUP BY ALL
)

SELECT
    district_id,
    student_unique_id,
    school_year,
    s.school_id,
    s.grade_level,
    s.sex,
    s.race_ethnicity,
    s.economically_disadvantaged,
    s.english_learner,
    s.special_education,
    s.prior_gpa,
    s.exit_date,
    m.terms_as_member IS NOT NULL AS is_member,
    coalesce(e.entry_school_year < s.school_year, false) AS member_in_earlier_year,
    e.entry_school_year,
    e.entry_school_id,
    e.entry_grade_level,
    e.entry_sex,
    e.entry_race_ethnicity,
    e.entry_economically_disadvantaged,
    e.entry_english_learner,
    e.entry_special_education,
    e.entry_prior_gpa,
    m.team_id,
    m.team_type,
    m.role,
    m.joined_date,
    coalesce(m.terms_as_member, 0) AS terms_as_member,
    coalesce(m.sessions_attended, 0) AS sessions_attended,
    coalesce(m.minutes_attended, 0) AS minutes_attended,
    m.finished_year,
    m.left_team_date,
    m.left_team_reason,
    m.reflection_narrative_completed,
    n.student_unique_id IS NOT NULL AS enrolled_next_year,
    -- Unknown (empty) until next year's roster is loaded: whether a member could come back
    -- is only known then.
    CASE
        WHEN ny.school_year IS NULL THEN NULL
        ELSE coalesce(
            m.finished_year AND NOT m.graduated AND s.grade_level <> '12'
            AND n.student_unique_id IS NOT NULL,
            false
        )
    END AS eligible_to_return,
    CASE
        WHEN ny.school_year IS NULL OR m.terms_as_member IS NULL THEN NULL
        WHEN NOT (m.finished_year AND NOT m.graduated AND s.grade_level <> '12'
            AND n.student_unique_id IS NOT NULL) THEN NULL
        ELSE next_member.student_unique_id IS NOT NULL
    END AS returned_next_year,
    k.knowledge_instruction_mode,
    k.knowledge_pre_percent,
    k.knowledge_post_percent,
    k.knowledge_retention_percent,
    coalesce(c.competency_assessments, 0) AS competency_assessments,
    c.competency_exposure_model,
    c.after_action_reviews,
    c.competency_proficient,
    c.competency_level,
    c.competency_weeks_in_program,
    c.weeks_to_proficiency,
    v.ai_confidence_pre,
    v.ai_confidence_post,
    v.ai_tool_use_pre,
    v.ai_tool_use_post,
    v.skill_change_expectation_pre,
    v.skill_change_expectation_post,
    cert.awarded IS NOT NULL AS certificate_earned,
    cert.awarded AS certificate_date
FROM high_school AS s
LEFT JOIN member_years AS m USING (district_id, student_unique_id, school_year)
LEFT JOIN knowledge_years AS k USING (district_id, student_unique_id, school_year)
LEFT JOIN competency_years AS c USING (district_id, student_unique_id, school_year)
LEFT JOIN survey_years AS v USING (district_id, student_unique_id, school_year)
LEFT JOIN certificate_years AS cert USING (district_id, student_unique_id, school_year)
LEFT JOIN entry_covariates AS e
    ON e.district_id = s.district_id
    AND e.student_unique_id = s.student_unique_id
    AND e.entry_school_year <= s.school_year
LEFT JOIN loaded_years AS ny
    ON ny.district_id = s.district_id AND ny.school_year = s.school_year + 1
LEFT JOIN rosters AS n
    ON n._district_id = s.district_id
    AND n.student_unique_id = s.student_unique_id
    AND n.school_year = s.school_year + 1
LEFT JOIN member_years AS next_member
    ON next_member.district_id = s.district_id
    AND next_member.student_unique_id = s.student_unique_id
    AND next_member.school_year = s.school_year + 1
