-- name: weekday_sales
-- Last year's sales by ISO weekday (1 = Monday), for splitting months into days.
SELECT isodow(day) AS weekday, sum(net) AS sales, count(DISTINCT day) AS days
FROM customer_days WHERE day BETWEEN $start AND $end
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
