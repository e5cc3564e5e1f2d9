-- name: cohort_cells
-- Per group ({grp}: a column of the first deal), cohort month (of the first deal) and months since
-- (k): the cohort's size, how many had a deal in that month, and that month's sales.
WITH deals AS (SELECT customer_id, day, net FROM customer_days WHERE net > 0),
first AS (SELECT customer_id, min(day) AS first_deal FROM deals GROUP BY 1),
first_lines AS (
    SELECT o.customer_id, arg_max(o.item, o.paid_amount) AS first_item,
           arg_max(coalesce(o.department, i.department, '未指定'), o.paid_amount) AS department,
           any_value(o.clinic) AS clinic
    FROM orders o JOIN first f ON f.customer_id = o.customer_id AND o.order_date = f.first_deal
    LEFT JOIN items i ON i.item = o.item
    WHERE o.line_kind = 'sale' GROUP BY 1),
people AS (
    SELECT f.customer_id, date_trunc('month', f.first_deal)::DATE AS cohort,
           coalesce(CAST({grp} AS VARCHAR), '未知') AS grp
    FROM first f LEFT JOIN first_lines fl USING (customer_id) LEFT JOIN customer_first cf USING (customer_id)
    WHERE ($clinic IS NULL OR fl.clinic = $clinic)
      AND ($from::DATE IS NULL OR f.first_deal >= $from::DATE) AND ($to::DATE IS NULL OR f.first_deal <= $to::DATE)),
months AS (
    SELECT p.grp, p.cohort, p.customer_id,
           datediff('month', p.cohort, date_trunc('month', d.day)) AS k, d.net
    FROM people p JOIN customer_days d USING (customer_id)),
sizes AS (SELECT grp, cohort, count(*) AS customers FROM people GROUP BY ALL)
SELECT m.grp AS "group", m.cohort, s.customers, m.k,
       count(DISTINCT m.customer_id) FILTER (WHERE m.net > 0) AS active, sum(m.net) AS sales
FROM months m JOIN sizes s USING (grp, cohort)
WHERE m.k BETWEEN 0 AND $months
GROUP BY ALL;

-- name: item_intervals
-- The derived table, most repeated first.
SELECT item, repeats, median_interval_days FROM item_intervals ORDER BY repeats DESC, item;
