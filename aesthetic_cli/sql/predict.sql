-- name: per_customer
-- One row per customer with a deal on or before $until (a deal = a customer-day with positive net sales):
-- deal days, first and last deal day, and the average value of the repeat deals (every deal day after the
-- first), which is what the Gamma-Gamma model of Fader, Hardie & Lee reads, and lifetime net sales.
-- $clinic keeps the customers of that clinic (their record, or an order there), as customers rfm does.
-- Read from the layer's customer_deals; only the customers with a day after $until (none when $until is
-- the data's last day) are worked out again from their days up to $until. summary_from_days is the same
-- answer from customer_days alone. The shared part of summary and keep_per_customer.
late AS (SELECT DISTINCT customer_id FROM customer_days WHERE day > $until),
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
    GROUP BY 1 HAVING count(*) FILTER (WHERE net > 0) > 0),
summary AS (
    SELECT customer_id, deal_days - 1 AS repeat_deals, first_deal, last_deal,
           datediff('day', first_deal, last_deal) AS recency_days,
           datediff('day', first_deal, $until) AS age_days,
           CASE WHEN deal_days > 1 THEN (deal_sales - first_net) / (deal_days - 1) END AS avg_repeat_value,
           lifetime_sales
    FROM per
    WHERE $clinic IS NULL OR customer_id IN (SELECT customer_id FROM customers WHERE clinic = $clinic)
       OR customer_id IN (SELECT customer_id FROM order_days WHERE clinic = $clinic))

-- name: summary
-- Every customer's row of per_customer (customers predict lists them all). Names come separately
-- (customers.sql), for the customers listed.
WITH {include:per_customer}
SELECT * FROM summary ORDER BY customer_id;

-- name: keep_per_customer
-- per_customer kept for one fit (metrics/predict.per_customer_kept): bgnbd_input, gg_input and callback
-- read it, so the summary is worked out twice (once per table), not three times. Row by row for the repeat
-- customers only; the others (no repeat: recency 0, P(alive) 1, no value at risk, no repeat value) only
-- BG/NBD reads, grouped: one row per (recency, age) with its count. At 10M order lines 1.4M rows are kept
-- instead of 5M (keeping every row cost more than working the summary out again).
CREATE OR REPLACE TEMP TABLE predict_per_customer AS
WITH {include:per_customer}
SELECT customer_id, repeat_deals, last_deal, recency_days, age_days,
       CAST(avg_repeat_value AS DOUBLE) AS avg_repeat_value, lifetime_sales
FROM summary WHERE repeat_deals > 0;
CREATE OR REPLACE TEMP TABLE predict_single_deal AS
WITH {include:per_customer}
SELECT repeat_deals, recency_days, age_days, count(*) AS customers FROM summary WHERE repeat_deals = 0 GROUP BY ALL;

-- name: due_cutoffs
-- The item cycle as of $asof in one map: item -> the day before which a purchase of it is overdue ($asof minus its
-- median repurchase interval's whole days; sql/customers.sql overdue_count explains the cutoff). A customer is overdue
-- (customers.sql overdue) when their last deal day lies before the latest cutoff among the items of that day
-- (customer_deals.last_items, layer 8): one map lookup per item of a customer's list, where joining the list to
-- the cutoffs cost 0.2 s more at 10M order lines. The shared part of keep_current_overdue and
-- callback_single_current.
due_cutoffs AS (
    SELECT map_from_entries(list((item, CAST($asof AS DATE) - CAST(floor(median_interval_days) AS INTEGER))))
           AS cutoff
    FROM item_intervals WHERE median_interval_days IS NOT NULL)

-- name: keep_current
-- keep_per_customer's repeat customers when $until is the data's last day and no clinic is asked: then no
-- customer has a day after $until and every customer is kept, so per_customer's rows are customer_deals' own,
-- read straight (per_customer's `late` anti-join and clinic filter, run anyway, cost as much as the reading
-- at 10M order lines). The same rows in the same order, so the callbacks plan and sum them as over
-- keep_per_customer's. The repeat value is the same double: deal_sales − first_net is a whole number of cents
-- far below 2^53, exact in 64 or 128 bits, and DECIMAL / BIGINT divides in DOUBLE. BG/NBD's input comes
-- straight from customer_deals (bgnbd_input_current), so the customers without a repeat are not kept.
CREATE OR REPLACE TEMP TABLE predict_per_customer AS
SELECT {include:current_columns} FROM customer_deals WHERE deal_days > 1;

-- name: keep_current_overdue
-- keep_current for the call-back list (metrics/customers.reactivate), each customer flagged `overdue` or not as
-- of $asof (due_cutoffs): callback_current keeps the overdue. A separate query, for it reads last_items, which a
-- lake's layer from before layer 8 lacks (customers predict, which needs no flag, still reads such a layer).
CREATE OR REPLACE TEMP TABLE predict_per_customer AS
WITH {include:due_cutoffs}
SELECT {include:current_columns},
       coalesce(last_deal < list_max(list_transform(last_items, i -> c.cutoff[i])), false) AS overdue
FROM customer_deals, due_cutoffs c WHERE deal_days > 1;

-- name: current_columns
-- keep_current's and keep_current_overdue's columns, from customer_deals.
customer_id, deal_days - 1 AS repeat_deals, last_deal, datediff('day', first_deal, last_deal) AS recency_days,
datediff('day', first_deal, $until) AS age_days,
CAST((deal_sales - first_net) / (deal_days - 1) AS DOUBLE) AS avg_repeat_value, CAST(lifetime_sales AS DECIMAL(38, 2)) AS lifetime_sales

-- name: bgnbd_input_current
-- bgnbd_input when $until is the data's last day and no clinic is asked (keep_current): every customer's
-- (repeat deals, recency, age) straight from customer_deals, grouped.
SELECT deal_days - 1 AS repeat_deals, datediff('day', first_deal, last_deal) AS recency_days,
       datediff('day', first_deal, $until) AS age_days, count(*) AS customers
FROM customer_deals GROUP BY ALL
ORDER BY repeat_deals, recency_days, age_days;

-- name: drop_per_customer
DROP TABLE IF EXISTS temp.predict_per_customer;
DROP TABLE IF EXISTS temp.predict_single_deal;

-- name: bgnbd_input
-- What the BG/NBD fit reads, grouped in the warehouse: the distinct (repeat deals, recency, age) in days
-- with how many customers share each (about 28k rows for 508k customers at 1M order lines), ascending,
-- the order metrics/clv_models.distinct_rows gives.
SELECT repeat_deals, recency_days, age_days, count(*) AS customers
FROM temp.predict_per_customer GROUP BY ALL
UNION ALL
SELECT repeat_deals, recency_days, age_days, customers FROM temp.predict_single_deal
ORDER BY repeat_deals, recency_days, age_days;

-- name: gg_input
-- What the Gamma-Gamma fit reads: the distinct (repeat deals, average repeat value) of the repeat customers with
-- a positive value, with how many customers share each (8.4k rows for 1.4M customers at 10M order lines). The
-- fit solves for the maximum itself (metrics/clv_models._maximum), so the rows' order does not move it.
SELECT repeat_deals, avg_repeat_value, count(*) AS customers
FROM temp.predict_per_customer WHERE repeat_deals > 0 AND avg_repeat_value > 0
GROUP BY ALL ORDER BY ALL;

-- name: ranked_callback
-- The call-back list ranked in the warehouse, so that only $limit customers leave it: the customers of
-- `universe` (customer_id, last_deal, repeat_deals, recency_days, age_days, avg_repeat_value, lifetime_sales,
-- and what else the query keeps), most value at risk first, then most lifetime sales, then customer_id.
-- P(alive) and E[deals in the horizon | alive] depend on (repeat deals, recency, age) alone: worked out in Python
-- once per distinct row of BG/NBD's input and read here from `forecast_rows` (numpy arrays the connection scans
-- in place, metrics/predict.fit_and_rank; bound lists of 28k values cost seconds to convert).
-- Gamma-Gamma's expected deal value is closed: p (v + x·mx) / (p x + q − 1), mx = 0 without a repeat
-- (metrics/clv_models.expected_value, the same operations in the same order). value_at_risk =
-- (1 − P(alive)) × E[deals | alive] × E[value], as metrics/customers.reactivate defines it; without a repeat
-- P(alive) is exactly 1 (metrics/clv_models.p_alive) and the value at risk exactly 0. Every row carries the
-- universe's count, how many of it have a value at risk above 0 and its sum (one row with nulls when the
-- universe is empty).
valued AS (
    SELECT u.*, f.p_alive,
           f.if_alive * ($p * ($v + u.repeat_deals * CASE WHEN u.repeat_deals > 0 AND u.avg_repeat_value IS NOT NULL
                                                            THEN u.avg_repeat_value ELSE 0.0 END)
                         / ($p * u.repeat_deals + $q - 1.0)) AS expected_sales_if_alive
    FROM universe u LEFT JOIN forecast_rows f USING (repeat_deals, recency_days, age_days)),
risk AS (SELECT *, (1.0::DOUBLE - p_alive) * expected_sales_if_alive AS value_at_risk FROM valued),
totals AS (
    SELECT count(*) AS universe_customers, count(*) FILTER (WHERE value_at_risk > 0) AS customers_at_risk,
           sum(value_at_risk) AS value_at_risk_total
    FROM risk)
SELECT r.*, t.*
FROM totals t LEFT JOIN (SELECT * FROM risk ORDER BY value_at_risk DESC, lifetime_sales DESC, customer_id
                         LIMIT $limit) r ON true
ORDER BY r.value_at_risk DESC, r.lifetime_sales DESC, r.customer_id

-- name: callback_current
-- The call-back list's repeat customers when $until is the data's last day and no clinic is asked (flagged
-- overdue or not by keep_current_overdue), ranked (ranked_callback). The overdue customers without a repeat come from
-- callback_single_current when these leave room (metrics/customers.reactivate).
WITH universe AS (
    SELECT customer_id, last_deal, repeat_deals, recency_days, age_days, avg_repeat_value, lifetime_sales
    FROM temp.predict_per_customer WHERE overdue),
{include:ranked_callback};

-- name: callback_single_current
-- The overdue customers with a single deal day as of $asof ($until the data's last day, no clinic), most lifetime
-- sales first, ranked as ranked_callback ranks (their value at risk is 0): read only when the repeat customers
-- with a value at risk do not fill the list. Their (0, 0, age) rows are in forecast_rows: BG/NBD read them.
WITH {include:due_cutoffs},
universe AS (
    SELECT customer_id, last_deal, 0 AS repeat_deals, 0 AS recency_days,
           datediff('day', first_deal, $until) AS age_days, CAST(NULL AS DOUBLE) AS avg_repeat_value,
           CAST(lifetime_sales AS DECIMAL(38, 2)) AS lifetime_sales
    FROM customer_deals, due_cutoffs c
    WHERE deal_days = 1 AND last_deal < list_max(list_transform(last_items, i -> c.cutoff[i]))),
{include:ranked_callback};

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
