-- Girls and boys answering the first school year's baseline survey about AI tool use.
SELECT (sex = 'female')::INTEGER AS female, (ai_tool_use_pre >= 0.5)::INTEGER AS uses_ai_tools
FROM student_years
WHERE sex IN ('female', 'male')
    AND ai_tool_use_pre IS NOT NULL
    AND school_year = (SELECT min(school_year) FROM student_years)
