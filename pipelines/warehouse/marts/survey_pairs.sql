-- mart.survey_pairs: one row per respondent per construct per survey cycle (a role's
-- surveys in one school year), with the construct's score before and after. A score is the
-- mean of the construct's numeric answers (a LEARN level by its rank), reverse-coded items
-- turned round first.
WITH responses AS (
    SELECT * FROM core.survey_responses
),

items AS (
    SELECT * FROM core.survey_items
),

-- A LEARN level is a code, not a number: its rank on the progression counts.
numbered AS (
    SELECT
        r.*,
        CASE
            WHEN i.response_scale = 'learn_level' THEN CASE r.response_value
                WHEN 'emerging' THEN 1.0 WHEN 'applying' THEN 2.0 WHEN 'integrating' THEN 3.0
            END
            ELSE r.response_numeric
        END AS numeric_answer
    FROM responses AS r
    INNER JOIN items AS i
        ON i._district_id = r._district_id AND i.item_id = r.item_id
),

answers AS (
    SELECT
        r._district_id AS district_id,
        r.respondent_unique_id,
        r.respondent_role,
        CAST(r._school_year AS BIGINT) AS school_year,
        i.construct,
        i.response_scale,
        r.wave,
        r.responded_date,
        CASE
            WHEN i.reverse_coded THEN i.scale_min + i.scale_max - r.numeric_answer
            ELSE r.numeric_answer
        END AS answer
    FROM numbered AS r
    INNER JOIN items AS i
        ON i._district_id = r._district_id AND i.item_id = r.item_id
    WHERE r.numeric_answer IS NOT NULL
        AND r.respondent_unique_id IS NOT NULL
        AND i.response_scale <> 'text'
)

SELECT
    district_id,
    respondent_unique_id,
    respondent_role,
    school_year,
    construct,
    min(response_scale) AS response_scale,
    avg(answer) FILTER (WHERE wave = 'pre') AS pre_score,
    avg(answer) FILTER (WHERE wave = 'post') AS post_score,
    avg(answer) FILTER (WHERE wave = 'followup') AS followup_score,
    count(*) FILTER (WHERE wave = 'pre') AS pre_answers,
    count(*) FILTER (WHERE wave = 'post') AS post_answers,
    min(responded_date) FILTER (WHERE wave = 'pre') AS pre_date,
    min(responded_date) FILTER (WHERE wave = 'post') AS post_date,
    count(*) FILTER (WHERE wave = 'pre') > 0 AND count(*) FILTER (WHERE wave = 'post') > 0
        AS paired,
    avg(answer) FILTER (WHERE wave = 'post') - avg(answer) FILTER (WHERE wave = 'pre')
        AS change
FROM answers
GROUP BY district_id, respondent_unique_id, respondent_role, school_year, construct
