-- Quarters in which an employer panel scored the team's portfolios, out of the quarters the
-- team met.
SELECT sum(quarters_with_panel) / sum(quarters_active) AS value, sum(quarters_active) AS denominator
FROM team_fidelity
HAVING sum(quarters_active) > 0
