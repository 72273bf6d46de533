-- Definitions every claim's frame may use, created before the frames run.

-- A member's attendance tier in a school year, from the sessions attended out of the team's
-- sessions held: low below half, moderate from half to four in five, high from four in five.
-- Empty for a student outside the teams (the comparison arm of some claims).
CREATE OR REPLACE MACRO attendance_tier(attended, held) AS
    CASE
        WHEN attended IS NULL OR held IS NULL OR held = 0 THEN NULL
        WHEN attended / held < 0.5 THEN 'low'
        WHEN attended / held < 0.8 THEN 'moderate'
        ELSE 'high'
    END;
