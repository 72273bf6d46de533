-- Every completed micro-internship with its hours recorded: were they the 10-20 planned?
SELECT within_planned_hours
FROM micro_internships
WHERE completed AND within_planned_hours IS NOT NULL
