-- mart.graduate_outcomes: every follow-up of a graduate (survey or state data match), with
-- the graduate's covariates from the roster of the graduation year and their program
-- history: member or not, years in a team, certificate earned. The wage premium of
-- certified graduates is estimated from it, adjusted for prior GPA.
WITH followups AS (
    SELECT * FROM core.graduate_followups
),

rosters AS (
    SELECT * FROM core.students
),

years AS (
    SELECT * FROM mart.student_years
),

history AS (
    SELECT
        district_id,
        student_unique_id,
        bool_or(is_member) AS ever_member,
        count(*) FILTER (WHERE is_member) AS years_as_member,
        bool_or(certificate_earned) AS certificate_earned,
        min(certificate_date) AS first_certificate_date
    FROM years
    GROUP BY ALL
)

SELECT
    f._district_id AS district_id,
    f.student_unique_id,
    f.months_after_graduation,
    f.graduation_school_year,
    f.followup_date,
    f.response_source,
    f.enrolled_postsecondary,
    f.employed,
    f.hourly_wage_usd,
    f.hourly_wage_band,
    f.ai_related_role,
    r.school_id,
    r.sex,
    r.race_ethnicity,
    r.economically_disadvantaged,
    r.english_learner,
    r.special_education,
    r.prior_gpa,
    coalesce(h.ever_member, false) AS ever_member,
    coalesce(h.years_as_member, 0) AS years_as_member,
    coalesce(h.certificate_earned, false) AS certificate_earned,
    h.first_certificate_date
FROM followups AS f
LEFT JOIN rosters AS r
    ON r._district_id = f._district_id
    AND r.student_unique_id = f.student_unique_id
    AND r.school_year = f.graduation_school_year
LEFT JOIN history AS h
    ON h.district_id = f._district_id AND h.student_unique_id = f.student_unique_id
