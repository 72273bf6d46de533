-- mart.micro_internships: one row per micro-internship, with the student's grade that year.
WITH internships AS (
    SELECT * FROM core.micro_internships
),

students AS (
    SELECT * FROM core.students
)

SELECT
    i._district_id AS district_id,
    i.internship_id,
    i.student_unique_id,
    i._school_year::BIGINT AS school_year,
    s.grade_level,
    i.employer_id,
    i.start_date,
    i.end_date,
    i.hours_worked,
    i.paid,
    i.hourly_wage_usd,
    i.completed,
    i.hours_worked BETWEEN 10 AND 20 AS within_planned_hours
FROM internships AS i
LEFT JOIN students AS s
    ON s._district_id = i._district_id AND s.student_unique_id = i.student_unique_id
        AND s.school_year = i._school_year
