-- Each applicant's newest roster row in one district: the covariates a lottery balances.
-- Reads the staging table applicant_ids (position, source_row, student_unique_id: a
-- pseudonym); $district_id is the district. An applicant the roster lacks gets NULLs.
WITH applicants AS (
    SELECT position, source_row, student_unique_id
    FROM applicant_ids
),

roster AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY student_unique_id ORDER BY school_year DESC
        ) AS recency
    FROM wh.core.students
    WHERE _district_id = $district_id
)

SELECT
    a.position,
    a.source_row,
    a.student_unique_id,
    r.school_year,
    r._batch_id AS batch_id,
    r.grade_level,
    r.school_id,
    r.sex,
    r.race_ethnicity,
    r.economically_disadvantaged,
    r.english_learner,
    r.special_education,
    r.prior_gpa
FROM applicants AS a
LEFT JOIN roster AS r
    ON r.student_unique_id = a.student_unique_id AND r.recency = 1
ORDER BY a.position
