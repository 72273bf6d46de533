-- Mean minutes a member attending a session stayed, over every attended session.
SELECT
    sum(mean_minutes_attended * attended_sessions) / sum(attended_sessions) AS value,
    sum(attended_sessions) AS denominator
FROM team_fidelity
WHERE mean_minutes_attended IS NOT NULL
HAVING sum(attended_sessions) > 0
