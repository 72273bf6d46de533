-- mart.benefits_by_year: observed benefits (grants awarded, consulting and licensing
-- revenue, teacher exits and retentions, student employment) by school year and type,
-- with how many observations and dollars stand behind each.
SELECT
    _district_id AS district_id,
    CAST(_school_year AS BIGINT) AS school_year,
    benefit_type,
    count(*) AS observations,
    count(amount_usd) AS observations_with_amount,
    sum(amount_usd) AS amount_usd,
    count(DISTINCT staff_unique_id) AS staff,
    count(DISTINCT counterparty) AS counterparties,
    min(observed_date) AS first_observed_date,
    max(observed_date) AS last_observed_date
FROM core.benefit_observations
GROUP BY ALL
