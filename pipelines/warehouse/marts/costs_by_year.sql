-- mart.costs_by_year: the program's cost ingredients by school year (the ingredients
-- method): quantity times unit price, by category and by who pays, in that year's prices.
SELECT
    _district_id AS district_id,
    school_year,
    category,
    item,
    quantity,
    unit,
    unit_price_usd,
    quantity * unit_price_usd AS cost_usd,
    coalesce(funding_source, 'unknown') AS payer,
    -- Unit prices are those of the year the ingredient was used; the benefit-cost model
    -- brings them to one base year.
    school_year AS price_year,
    ingredient_notes
FROM core.program_costs
