-- name: summary
-- One row per customer with a deal on or before $until (a deal = a customer-day with positive net sales):
-- deal days, first and last deal day, and the average value of the repeat deals (every deal day after the
-- first), which is what the Gamma-Gamma model of Fader, Hardie & Lee reads, and lifetime net sales.
-- $clinic keeps the customers of that clinic (their record, or an order there), as customers rfm does.
-- Names come separately (customers.sql), for the customers listed.
-- Read from the layer's customer_deals; only the customers with a day after $until (none when $until is
-- the data's last day) are worked out again from their days up to $until. summary_from_days is the same
-- answer from customer_days alone.
WITH late AS (SELECT DISTINCT customer_id FROM customer_days WHERE day > $until),
per AS (
    SELECT customer_id, deal_days, first_deal, last_deal, CAST(deal_sales AS DECIMAL(38, 2)) AS deal_sales,
           CAST(first_net AS DECIMAL(38, 2)) AS first_net, CAST(lifetime_sales AS DECIMAL(38, 2)) AS lifetime_sales
    FROM customer_deals WHERE customer_id NOT IN (SELECT customer_id FROM late)
    UNION ALL
    SELECT customer_id, count(*) FILTER (WHERE net > 0), min(day) FILTER (WHERE net > 0),
           max(day) FILTER (WHERE net > 0), sum(net) FILTER (WHERE net > 0), arg_min(net, day) FILTER (WHERE net > 0),
           sum(net)
    FROM customer_days
    WHERE day <= $until AND customer_id IN (SELECT customer_id FROM late)
    GROUP BY 1 HAVING count(*) FILTER (WHERE net > 0) > 0)
SELECT customer_id, deal_days - 1 AS repeat_deals, first_deal, last_deal,
       datediff('day', first_deal, last_deal) AS recency_days,
       datediff('day', first_deal, $until) AS age_days,
       CASE WHEN deal_days > 1 THEN (deal_sales - first_net) / (deal_days - 1) END AS avg_repeat_value,
       lifetime_sales
FROM per
WHERE $clinic IS NULL OR customer_id IN (SELECT customer_id FROM customers WHERE clinic = $clinic)
   OR customer_id IN (SELECT customer_id FROM order_days WHERE clinic = $clinic)
ORDER BY customer_id;

-- name: summary_from_days
-- The definition of summary above, straight from customer_days (no layer shortcut); the tests hold
-- summary to it at several dates.
-- One row per customer with a deal on or before $until (a deal = a customer-day with positive net sales,
-- customer_days in base.sql): deal days, first and last deal day, and the average value of the repeat deals
-- (every deal day after the first), which is what the Gamma-Gamma model of Fader, Hardie & Lee reads.
-- $clinic keeps the customers of that clinic (their record, or an order there), as customers rfm does.
-- Names come separately (customers.sql), for the customers listed.
WITH deals AS (
    SELECT customer_id, day, net FROM customer_days WHERE net > 0 AND day <= $until),
per AS (
    SELECT customer_id, count(*) AS deal_days, min(day) AS first_deal, max(day) AS last_deal,
           sum(net) AS deal_sales, arg_min(net, day) AS first_net
    FROM deals GROUP BY 1),
lifetime AS (SELECT customer_id, sum(net) AS lifetime_sales FROM customer_days WHERE day <= $until GROUP BY 1)
SELECT p.customer_id, p.deal_days - 1 AS repeat_deals, p.first_deal, p.last_deal,
       datediff('day', p.first_deal, p.last_deal) AS recency_days,
       datediff('day', p.first_deal, $until) AS age_days,
       CASE WHEN p.deal_days > 1 THEN (p.deal_sales - p.first_net) / (p.deal_days - 1) END AS avg_repeat_value,
       l.lifetime_sales
FROM per p JOIN lifetime l USING (customer_id)
WHERE $clinic IS NULL OR p.customer_id IN (SELECT customer_id FROM customers WHERE clinic = $clinic)
   OR p.customer_id IN (SELECT customer_id FROM order_days WHERE clinic = $clinic)
ORDER BY p.customer_id;

-- name: holdout
-- Deal days per customer after the calibration end $until up to $last (the holdout period of --check).
SELECT customer_id, count(*) AS actual_deals
FROM customer_days WHERE net > 0 AND day > $until AND day <= $last
GROUP BY 1;
