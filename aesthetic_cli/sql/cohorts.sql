-- name: deal_months
-- Each customer's first deal (cohort month, first items, department, clinic, channel) and every
-- month they had a deal in, with that month's sales.
WITH deals AS (SELECT customer_id, day, net FROM customer_days WHERE net > 0),
first AS (SELECT customer_id, min(day) AS first_deal FROM deals GROUP BY 1),
first_lines AS (
    SELECT o.customer_id, arg_max(o.item, o.paid_amount) AS first_item,
           arg_max(o.g_department, o.paid_amount) AS department, any_value(o.g_clinic) AS clinic
    FROM order_facts o JOIN first f ON f.customer_id = o.customer_id AND o.day = f.first_deal
    WHERE o.line_kind = 'sale' GROUP BY 1),
months AS (
    SELECT customer_id, date_trunc('month', day)::DATE AS month, count(*) FILTER (WHERE net > 0) AS deals,
           sum(net) AS sales
    FROM customer_days GROUP BY ALL)
SELECT f.customer_id, date_trunc('month', f.first_deal)::DATE AS cohort, fl.first_item, fl.department,
       fl.clinic, cf.channel, m.month, m.deals, m.sales
FROM first f
JOIN months m USING (customer_id)
LEFT JOIN first_lines fl USING (customer_id)
LEFT JOIN customer_first cf USING (customer_id)
WHERE ($clinic IS NULL OR fl.clinic = $clinic);

-- name: item_intervals
-- Days between consecutive purchases of the same item by the same customer.
WITH buys AS (
    SELECT DISTINCT customer_id, item, day FROM order_facts WHERE line_kind = 'sale' AND paid_amount > 0),
gaps AS (
    SELECT item, day - lag(day) OVER (PARTITION BY customer_id, item ORDER BY day) AS gap FROM buys)
SELECT item, count(gap) AS repeats, median(gap) AS median_interval_days
FROM gaps GROUP BY 1 ORDER BY repeats DESC, item;
