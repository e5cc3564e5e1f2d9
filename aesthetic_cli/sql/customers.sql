-- name: rfm
-- Recency, frequency (deal visits) and sales over the 365 days up to $asof, per customer with any deal.
WITH d AS (SELECT * FROM customer_days WHERE day <= $asof)
SELECT d.customer_id, c.name, c.phone, coalesce(c.owner_consultant, '未指定') AS owner_consultant,
       datediff('day', max(d.day) FILTER (WHERE d.net > 0), $asof) AS recency_days,
       count(*) FILTER (WHERE d.net > 0 AND d.day > $asof - INTERVAL 365 DAY) AS deal_visits,
       coalesce(sum(d.net) FILTER (WHERE d.day > $asof - INTERVAL 365 DAY), 0) AS sales,
       sum(d.net) AS lifetime_sales
FROM d LEFT JOIN customers c USING (customer_id)
WHERE $clinic IS NULL OR c.clinic = $clinic OR d.customer_id IN (
    SELECT customer_id FROM order_facts WHERE g_clinic = $clinic)
GROUP BY ALL
HAVING count(*) FILTER (WHERE d.net > 0) > 0;

-- name: last_deal_items
-- What each customer bought on their last deal day up to $asof.
WITH last AS (SELECT customer_id, max(day) AS last_deal FROM customer_days WHERE net > 0 AND day <= $asof GROUP BY 1)
SELECT l.customer_id, l.last_deal, list(DISTINCT o.item ORDER BY o.item) AS items
FROM last l JOIN order_facts o ON o.customer_id = l.customer_id AND o.day = l.last_deal AND o.line_kind = 'sale'
GROUP BY ALL;

-- name: cards
-- Stored-value cards with what the customer topped up after the card's last use.
SELECT k.card_id, k.customer_id, c.name, c.phone, k.card_type, coalesce(k.clinic, c.clinic) AS clinic,
       k.opened_at, coalesce(k.recharge_total, 0) AS recharge_total, coalesce(k.bonus_total, 0) AS bonus_total,
       coalesce(k.balance, 0) AS balance, k.last_used_at,
       (SELECT count(*) FROM orders o WHERE o.customer_id = k.customer_id AND o.line_kind = 'topup'
          AND o.order_date > coalesce(k.last_used_at, k.opened_at)) AS topups_after_last_use
FROM cards k LEFT JOIN customers c USING (customer_id)
WHERE $clinic IS NULL OR coalesce(k.clinic, c.clinic) = $clinic;

-- name: overdue
-- Customers past the median repurchase interval of the soonest-due item of their last deal, as of
-- $asof, most lifetime value first; `overdue_customers` counts them all, the rows stop at $limit.
WITH buys AS (
    SELECT DISTINCT customer_id, item, order_date AS day FROM orders WHERE line_kind = 'sale' AND paid_amount > 0),
intervals AS (
    SELECT item, median_interval_days AS interval_days FROM item_intervals WHERE median_interval_days IS NOT NULL),
last AS (SELECT customer_id, max(day) AS last_deal FROM customer_days WHERE net > 0 AND day <= $asof GROUP BY 1),
due AS (
    SELECT l.customer_id, l.last_deal, arg_min(b.item, iv.interval_days) AS item,
           min(iv.interval_days) AS interval_days
    FROM last l JOIN buys b ON b.customer_id = l.customer_id AND b.day = l.last_deal
    JOIN intervals iv ON iv.item = b.item
    GROUP BY 1, 2),
value AS (SELECT customer_id, sum(net) AS lifetime_sales FROM customer_days WHERE day <= $asof GROUP BY 1),
listed AS (
    SELECT d.customer_id, c.name, c.phone, coalesce(c.owner_consultant, '未指定') AS owner_consultant, d.item,
           d.last_deal, d.interval_days,
           CAST(d.last_deal + to_days(CAST(round(d.interval_days) AS INTEGER)) AS DATE) AS due_date, v.lifetime_sales
    FROM due d JOIN value v USING (customer_id) LEFT JOIN customers c USING (customer_id)
    WHERE $clinic IS NULL OR c.clinic = $clinic)
SELECT *, datediff('day', due_date, $asof) AS overdue_days, count(*) OVER () AS overdue_customers
FROM listed
WHERE due_date < $asof
ORDER BY lifetime_sales DESC, overdue_days ASC, customer_id
LIMIT $limit;
