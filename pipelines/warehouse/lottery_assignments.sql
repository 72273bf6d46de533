-- Every lottery's assignments with the draw that made them, or one lottery's when
-- $lottery_id is given: what an analysis of the program as a randomized trial reads.
WITH assignments AS (
    SELECT lottery_id, district_id, student_unique_id, block, assigned
    FROM design.lottery_assignments
    WHERE lottery_id = coalesce($lottery_id, lottery_id)
),

lotteries AS (
    SELECT lottery_id, seed, draw_number, created_at, file_name
    FROM design.lotteries
)

SELECT
    a.lottery_id,
    a.district_id,
    a.student_unique_id,
    a.block,
    a.assigned,
    l.seed,
    l.draw_number,
    l.created_at,
    l.file_name
FROM assignments AS a
INNER JOIN lotteries AS l USING (lottery_id)
ORDER BY a.lottery_id, a.student_unique_id
