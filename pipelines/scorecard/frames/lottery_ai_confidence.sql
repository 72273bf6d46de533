-- Applicants of every lottery, offered a seat or not, with their AI confidence at the end of
-- the school year after the draw (a draw in calendar year Y places students for the school
-- year ending in Y + 1).
SELECT
    a.assigned,
    y.ai_confidence_post AS confidence,
    y.prior_gpa
FROM lottery_assignments AS a
JOIN student_years AS y
    ON y.district_id = a.district_id
        AND y.student_unique_id = a.student_unique_id
        AND y.school_year = year(a.created_at::TIMESTAMP) + 1
WHERE y.ai_confidence_post IS NOT NULL AND y.prior_gpa IS NOT NULL
