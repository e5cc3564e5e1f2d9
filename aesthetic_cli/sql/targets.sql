-- name: weekday_sales
-- Last year's sales by ISO weekday (1 = Monday), for splitting months into days. Summed per day first: a
-- count(DISTINCT day) per weekday over every customer-day cost more than the rest of the plan.
SELECT isodow(day) AS weekday, sum(net) AS sales, count(*) AS days
FROM (SELECT day, sum(net) AS net FROM customer_days WHERE day BETWEEN $start AND $end GROUP BY 1)
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

-- name: month_sales
-- Per calendar month from $start to $end (a month's first and last days), what a plan leans on: sales, new
-- customers' sales (first_seen in that month), visitors, buyers and deal visits, as kpis gives them for the
-- month, in one pass over customer_months (one row per customer and month: no grouping by customer here).
-- A month with any order line or treatment but no sale or visit still gets its row (zeros).
WITH s AS (
    SELECT month, sum(net) AS sales,
           sum(net) FILTER (WHERE date_trunc('month', first_seen) = month) AS new_sales,
           count(*) FILTER (WHERE visited) AS visitors,
           count(*) FILTER (WHERE deal_days > 0) AS buyers,
           CAST(sum(deal_days) AS BIGINT) AS deal_visits
    FROM customer_months WHERE month BETWEEN $start AND $end
    GROUP BY 1),
months AS (
    SELECT month FROM s
    UNION SELECT DISTINCT date_trunc('month', day)::DATE FROM order_days WHERE day BETWEEN $start AND $end
    UNION SELECT DISTINCT date_trunc('month', day)::DATE FROM treatment_days WHERE day BETWEEN $start AND $end)
SELECT m.month, coalesce(s.sales, 0) AS sales, coalesce(s.new_sales, 0) AS new_sales,
       coalesce(s.visitors, 0) AS visitors, coalesce(s.buyers, 0) AS buyers,
       coalesce(s.deal_visits, 0) AS deal_visits
FROM months m LEFT JOIN s USING (month);

-- name: dimension_sales
-- Sales per key of a dimension ({g}) from $start to $end, the keys that sold.
SELECT {g} AS "key", sum(net) AS sales
FROM order_day_facts
WHERE sales_lines > 0 AND day BETWEEN $start AND $end
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
