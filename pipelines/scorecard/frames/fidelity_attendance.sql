-- Members' sessions attended (present or tardy) out of their attendance records.
SELECT sum(attended_sessions) / sum(student_sessions) AS value, sum(student_sessions) AS denominator
FROM team_fidelity
HAVING sum(student_sessions) > 0
