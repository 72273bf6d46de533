-- Quarters in which the team received a client project brief, out of the quarters it met.
SELECT sum(quarters_with_brief) / sum(quarters_active) AS value, sum(quarters_active) AS denominator
FROM team_fidelity
HAVING sum(quarters_active) > 0
