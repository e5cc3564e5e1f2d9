-- name: weekday_sales
-- Last year's sales by ISO weekday (1 = Monday), for splitting months into days: from the rollup day_sales
-- (one row per day with a sale or refund line), not every customer-day. A weekday's days are its calendar days
-- within the data (a Sunday without a sale is a Sunday of 0: indep8 K1 counted only the days with sales).
WITH covered AS (
    SELECT greatest(CAST($start AS DATE), min(day)) AS first, least(CAST($end AS DATE), max(day)) AS last
    FROM day_sales),
days AS (SELECT CAST(unnest(generate_series(first, last, INTERVAL 1 DAY)) AS DATE) AS day FROM covered)
SELECT isodow(d.day) AS weekday, coalesce(sum(s.net), 0) AS sales, count(*) AS days
FROM days d LEFT JOIN day_sales s ON s.day = d.day
GROUP BY 1 ORDER BY 1;

-- name: plan_days
-- A saved plan's daily targets in a period for one dimension.
SELECT key, sum(target) AS target, sum(target) FILTER (WHERE day <= $asof) AS target_to_date
FROM target_days
WHERE year = $year AND dimension = $dimension AND day BETWEEN $start AND $end
GROUP BY 1;

-- name: actual
-- Sales per key of a dimension from $start to $asof.
SELECT {g} AS key, sum(net) AS actual
FROM order_day_facts
WHERE sales_lines > 0 AND day BETWEEN $start AND $asof
GROUP BY 1;

-- name: actual_by_consultant
-- actual for the consultant dimension, credited as `aesops consultants` credits (SPEC §2, by the visit's
-- consultant): attributed_days gives a customer-day the consultant who received the customer that day, else the
-- order lines'. Its rows are the customer-days with a sale or refund line, as actual's sales_lines > 0.
SELECT consultant AS key, sum(net) AS actual
FROM attributed_days
WHERE day BETWEEN $start AND $asof
GROUP BY 1;

-- name: month_sales
-- Per calendar month from $start to $end (a month's first and last days), what a plan leans on: sales, new
-- customers' sales (first_seen in that month), visitors, buyers and deal visits, as kpis gives them for the
-- month: the months' rows of the rollup month_totals (sql/rollups.sql), which has a row (zeros) for a month
-- with any order line or treatment but no sale or visit too.
SELECT month, sales, new_sales, visitors, buyers, deal_visits
FROM month_totals WHERE month BETWEEN $start AND $end
ORDER BY month;

-- name: dimension_sales
-- Sales per key of a dimension ({g}) from $start to $end, the keys that sold.
SELECT {g} AS "key", sum(net) AS sales
FROM order_day_facts
WHERE sales_lines > 0 AND day BETWEEN $start AND $end
GROUP BY 1
HAVING sum(net) > 0;

-- name: dimension_sales_by_consultant
-- dimension_sales for consultants, credited as actual_by_consultant: a consultant's share of the plan is their
-- share of the sales `aesops consultants` shows.
SELECT consultant AS "key", sum(net) AS sales
FROM attributed_days
WHERE day BETWEEN $start AND $end
GROUP BY 1
HAVING sum(net) > 0;

-- name: plan_exists
SELECT count(*) FROM target_plans WHERE year = $y;

-- name: delete_plan
DELETE FROM target_plans WHERE year = $y;
DELETE FROM target_days WHERE year = $y;
DELETE FROM target_levers WHERE year = $y;

-- name: insert_plan
INSERT INTO target_plans VALUES ($y, $t, $p, now());

-- name: insert_days
INSERT INTO target_days SELECT year, day, dimension, key, target FROM plan_days_in;

-- name: insert_levers
INSERT INTO target_levers SELECT * FROM plan_levers_in;

-- name: has_plans
SELECT count(*) FROM information_schema.tables WHERE table_name = 'target_plans';

-- name: saved_plan
SELECT total, saved_at FROM target_plans WHERE year = $y;

-- name: lever_plan
-- The plan's levers over the tracked days: visitors at the planned pace, rates weighted by target.
SELECT sum(visitors * share) AS visitors, sum(close_rate * target) / sum(target) AS close_rate,
       sum(ticket * target) / sum(target) AS ticket, sum(frequency * target) / sum(target) AS frequency
FROM (SELECT l.*, coalesce(d.to_date, 0) / nullif(l.target, 0) AS share
      FROM target_levers l
      LEFT JOIN (SELECT date_trunc('month', day)::DATE AS month, sum(target) AS to_date FROM target_days
                 WHERE year = $y AND dimension = 'all' AND day BETWEEN $s AND $a GROUP BY 1) d USING (month)
      WHERE l.year = $y AND l.month BETWEEN date_trunc('month', $s::DATE) AND $e);
