-- Graduates' hourly wage at their latest follow-up with a wage, certified or not. One row
-- per graduate.
WITH wages AS (
    SELECT
        district_id,
        student_unique_id,
        graduation_school_year,
        months_after_graduation,
        hourly_wage_usd,
        certificate_earned,
        prior_gpa,
        sex,
        economically_disadvantaged,
        row_number() OVER (
            PARTITION BY district_id, student_unique_id ORDER BY months_after_graduation DESC
        ) AS latest_first
    FROM graduate_outcomes
    WHERE hourly_wage_usd IS NOT NULL
),

-- Classes in which someone earned the certificate: a class that graduated before any
-- certificate was awarded could not earn one, and differs from the later classes in its
-- labour market as well.
classes_with_certificates AS (
    SELECT DISTINCT district_id, graduation_school_year
    FROM graduate_outcomes
    WHERE certificate_earned
)

SELECT
    w.district_id || '/' || w.student_unique_id AS graduate,
    w.certificate_earned::INTEGER AS certified,
    w.hourly_wage_usd AS hourly_wage,
    w.prior_gpa,
    (w.sex = 'female')::INTEGER AS female,
    w.economically_disadvantaged::INTEGER AS disadvantaged,
    w.months_after_graduation AS months_after
FROM wages AS w
JOIN classes_with_certificates AS c USING (district_id, graduation_school_year)
WHERE w.latest_first = 1
    AND w.prior_gpa IS NOT NULL
    AND w.sex IS NOT NULL
    AND w.economically_disadvantaged IS NOT NULL
ORDER BY graduate
