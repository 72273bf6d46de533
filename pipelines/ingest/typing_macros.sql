-- Parsers that turn a district export's text into the contract's types.
-- Each returns NULL when the text is not of its type; validation then reports the cell.

-- Dates arrive as ISO, MM/DD/YYYY, M/D/YY, YYYY/MM/DD or Excel serial day numbers.
-- The shape is matched first because strptime's %Y also accepts two-digit years.
-- Slashed dates are read month first: the districts this serves are in the United States.
CREATE OR REPLACE MACRO parse_date(text) AS (
    CASE
        WHEN regexp_full_match(text, '\d{4}-\d{1,2}-\d{1,2}') THEN TRY_CAST(text AS DATE)
        WHEN regexp_full_match(text, '\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?')
            THEN CAST(TRY_CAST(text AS TIMESTAMP) AS DATE)
        WHEN regexp_full_match(text, '\d{1,2}/\d{1,2}/\d{4}')
            THEN CAST(try_strptime(text, '%m/%d/%Y') AS DATE)
        WHEN regexp_full_match(text, '\d{1,2}/\d{1,2}/\d{2}')
            THEN CAST(try_strptime(text, '%m/%d/%y') AS DATE)
        WHEN regexp_full_match(text, '\d{4}/\d{1,2}/\d{1,2}')
            THEN CAST(try_strptime(text, '%Y/%m/%d') AS DATE)
        -- Excel serial days from 1954 to 2119; day 0 is 1899-12-30 in Excel's 1900 system.
        WHEN regexp_full_match(text, '[2-7]\d{4}(\.\d+)?')
            THEN DATE '1899-12-30' + CAST(floor(CAST(text AS DOUBLE)) AS INTEGER)
        ELSE NULL
    END
);

CREATE OR REPLACE MACRO parse_timestamp(text) AS (
    CASE
        WHEN regexp_full_match(text, '\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?')
            THEN TRY_CAST(text AS TIMESTAMP)
        WHEN regexp_full_match(text, '\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}(:\d{2})?')
            THEN COALESCE(try_strptime(text, '%m/%d/%Y %H:%M:%S'),
                          try_strptime(text, '%m/%d/%Y %H:%M'))
        WHEN regexp_full_match(text, '[2-7]\d{4}(\.\d+)?')
            THEN TIMESTAMP '1899-12-30' + to_microseconds(
                CAST(round(CAST(text AS DOUBLE) * 86400e6) AS BIGINT))
        ELSE CAST(parse_date(text) AS TIMESTAMP)
    END
);

CREATE OR REPLACE MACRO parse_boolean(text) AS (
    CASE
        WHEN lower(text) IN ('true', 't', 'yes', 'y', '1', '1.0') THEN true
        WHEN lower(text) IN ('false', 'f', 'no', 'n', '0', '0.0') THEN false
        ELSE NULL
    END
);

-- Codes are compared in one spelling: 'Girls Only', 'girls-only' and 'GIRLS_ONLY' are the
-- same code, and a grade written '09' is grade '9'.
CREATE OR REPLACE MACRO normalize_code(text) AS (
    CASE
        WHEN regexp_full_match(text, '0+[1-9][0-9]*') THEN ltrim(text, '0')
        ELSE regexp_replace(lower(text), '[\s\-]+', '_', 'g')
    END
);

-- Numbers may carry thousands separators or a currency sign in spreadsheet exports.
CREATE OR REPLACE MACRO parse_double(text) AS (
    TRY_CAST(regexp_replace(text, '^\$|,', '', 'g') AS DOUBLE)
);

CREATE OR REPLACE MACRO parse_integer(text) AS (
    CASE
        WHEN regexp_full_match(text, '-?[0-9,]+(\.0+)?')
            THEN TRY_CAST(regexp_replace(regexp_replace(text, ',', '', 'g'), '\.0+$', '') AS BIGINT)
        ELSE NULL
    END
);
