-- One roadmap metric at the end of one program month.
SELECT value, denominator, target
FROM program_milestones
WHERE metric = getvariable('metric') AND program_month = getvariable('month')
