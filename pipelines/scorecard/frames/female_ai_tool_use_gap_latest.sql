-- Girls and boys answering the latest end-of-year survey about AI tool use.
SELECT (sex = 'female')::INTEGER AS female, (ai_tool_use_post >= 0.5)::INTEGER AS uses_ai_tools
FROM student_years
WHERE sex IN ('female', 'male')
    AND ai_tool_use_post IS NOT NULL
    AND school_year = (
        SELECT max(school_year) FROM student_years WHERE ai_tool_use_post IS NOT NULL
    )
