-- Weekly sessions held out of the weeks the program was in session, over every team-year.
SELECT sum(sessions_held) / sum(planned_sessions) AS value, sum(planned_sessions) AS denominator
FROM team_fidelity
HAVING sum(planned_sessions) > 0
