-- Customer analyses (metrics/customers.py). A query's {include:x} is the shared part x below, written once.

-- name: of_clinic
-- A customer of $clinic (by their record); every customer when $clinic is NULL.
($clinic IS NULL OR d.customer_id IN (SELECT customer_id FROM customers WHERE clinic = $clinic))

-- name: rfm_parts
-- rfm_per's and rfm_segments' shared part, per customer: `settled`, the first and last deal up to $asof, the deal
-- days and lifetime sales up to then of every customer with a deal by then; `window_rows`, the rows of the 365
-- days (customer-months and customer-days, deal visits and sales); `recent`, those summed per customer with a
-- day in the 365 days (a deal or not).
-- The last deal and lifetime sales come from the layer's customer_deals; only the customers with a day after
-- $asof (none when $asof is the data's last day) are worked out again from their days up to $asof, as
-- overdue does. The 365 days' figures come from customer_months for the whole calendar months in the 365 days
-- and from customer_days for the days of the part-months at either end (none when $asof is a month's last day):
-- customer_days' net is a 128-bit DECIMAL, whose reading cost more than half of the analysis at 10M order lines;
-- customer_months holds the same sums (net, deal days) per customer-month in 64 bits. A customer-month row
-- without net (visits only) adds nothing. m0 is the first whole month's first day, m1 the first day of the
-- month after the last whole one.
late AS (SELECT DISTINCT customer_id FROM customer_days WHERE day > $asof),
settled AS NOT MATERIALIZED (
    SELECT customer_id, first_deal, last_deal, deal_days, CAST(lifetime_sales AS DECIMAL(38, 2)) AS lifetime_sales
    FROM customer_deals
    WHERE customer_id NOT IN (SELECT customer_id FROM late)
    UNION ALL
    SELECT customer_id, min(day) FILTER (WHERE net > 0), max(day) FILTER (WHERE net > 0),
           count(*) FILTER (WHERE net > 0), sum(net)
    FROM customer_days
    WHERE day <= $asof AND customer_id IN (SELECT customer_id FROM late)
    GROUP BY 1 HAVING count(*) FILTER (WHERE net > 0) > 0),
window_rows AS NOT MATERIALIZED (
    SELECT customer_id, deal_days AS deal_visits, net AS sales FROM customer_months
    WHERE month >= CAST(date_trunc('month', CAST($asof AS DATE) - 365) + INTERVAL 1 MONTH AS DATE)
      AND month < CAST(date_trunc('month', CAST($asof AS DATE) + 1) AS DATE) AND net IS NOT NULL
    UNION ALL
    SELECT customer_id, CAST(net > 0 AS BIGINT), CAST(net AS DECIMAL(18, 2)) FROM customer_days
    WHERE day > CAST($asof AS DATE) - 365
      AND day < CAST(date_trunc('month', CAST($asof AS DATE) - 365) + INTERVAL 1 MONTH AS DATE)
    UNION ALL
    SELECT customer_id, CAST(net > 0 AS BIGINT), CAST(net AS DECIMAL(18, 2)) FROM customer_days
    WHERE day >= CAST(date_trunc('month', CAST($asof AS DATE) + 1) AS DATE) AND day <= $asof),
recent AS (
    SELECT customer_id, CAST(sum(deal_visits) AS BIGINT) AS deal_visits, sum(sales) AS sales
    FROM window_rows GROUP BY 1)

-- name: rfm_per
-- Per customer with a deal up to $asof, of $clinic by their record or by an order there (rfm_customers):
-- recency, deal visits and sales in the 365 days, lifetime sales. rfm_per_from_days is the same answer from
-- every day.
{include:rfm_parts},
per AS (
    SELECT d.customer_id, datediff('day', d.last_deal, $asof) AS recency_days,
           coalesce(r.deal_visits, 0) AS deal_visits, coalesce(r.sales, 0) AS sales, d.lifetime_sales
    FROM settled d LEFT JOIN recent r USING (customer_id)
    WHERE {include:of_clinic} OR d.customer_id IN (SELECT customer_id FROM order_days WHERE clinic = $clinic))

-- name: rfm_per_from_days
-- The definition of rfm_per above, straight from every customer-day up to $asof (no layer shortcut); the
-- tests hold rfm_per to it at several dates.
d AS (SELECT * FROM customer_days WHERE day <= $asof),
per AS (
    SELECT d.customer_id,
           datediff('day', max(d.day) FILTER (WHERE d.net > 0), $asof) AS recency_days,
           count(*) FILTER (WHERE d.net > 0 AND d.day > CAST($asof AS DATE) - 365) AS deal_visits,
           coalesce(sum(d.net) FILTER (WHERE d.day > CAST($asof AS DATE) - 365), 0) AS sales,
           sum(d.net) AS lifetime_sales
    FROM d
    WHERE {include:of_clinic} OR d.customer_id IN (SELECT customer_id FROM order_days WHERE clinic = $clinic)
    GROUP BY 1
    HAVING count(*) FILTER (WHERE d.net > 0) > 0)

-- name: rfm_cells_from_per
-- The definition of rfm_segments' cells from `per` (rfm_per's rows), every customer through the same two
-- passes; the tests hold rfm_segments to it over rfm_per_from_days.
med AS (
    SELECT median(recency_days::DOUBLE) FILTER (WHERE deal_visits > 0) AS med_r,
           median(deal_visits::DOUBLE) FILTER (WHERE deal_visits > 0) AS med_f,
           median(sales::DOUBLE) FILTER (WHERE deal_visits > 0) AS med_m,
           count(*) AS total
    FROM per),
tagged AS (
    -- The dormant (no deal in the 365 days) are one cell whatever their figures.
    SELECT per.*, deal_visits > 0 AS active,
           CASE WHEN deal_visits > 0 THEN recency_days <= med_r END AS r_hi,
           CASE WHEN deal_visits > 0 THEN deal_visits > med_f END AS f_hi,
           CASE WHEN deal_visits > 0 THEN sales::DOUBLE > med_m END AS m_hi
    FROM per, med)
SELECT active, r_hi, f_hi, m_hi, count(*) AS customers, sum(sales) AS sales,
       avg(recency_days) AS avg_recency_days, avg(deal_visits) AS avg_deal_visits,
       sum(lifetime_sales) AS lifetime_sales,
       any_value(med_r) AS med_r, any_value(med_f) AS med_f, any_value(med_m) AS med_m, any_value(total) AS total
FROM tagged, med
GROUP BY active, r_hi, f_hi, m_hi

-- name: rfm_segments
-- RFM over the 365 days up to $asof, per customer with any deal up to then: recency (days since the
-- last deal), frequency (deal visits) and sales, each high or not against the median of the active
-- customers (a deal in the 365 days). Computed here and summed per (active, r, f, m) cell, so no
-- per-customer frame leaves the database; metrics/customers.py names the cells.
-- The cells of rfm_cells_from_per over rfm_per's rows, with the dormant (last deal 365 days or more before
-- $asof: no deal in the 365 days) kept out of the per-customer work: they are one cell whatever their figures,
-- summed straight from `settled`, and only those few of them with a day in the 365 days (a refund, a day
-- netting 0.00) are looked up in `recent`. At 10M order lines 2M of the 5M customers are dormant.
WITH {include:rfm_parts},
straddling AS (
    SELECT * FROM settled WHERE first_deal <= CAST($asof AS DATE) - 365 AND last_deal > CAST($asof AS DATE) - 365),
-- The 365 days' figures of the customers whose deals straddle the window's start, from its rows.
straddling_recent AS (
    SELECT customer_id, CAST(sum(deal_visits) AS BIGINT) AS deal_visits, sum(sales) AS sales
    FROM window_rows WHERE customer_id IN (SELECT customer_id FROM straddling)
    GROUP BY 1),
-- What came before the window: the net of the days up to $asof − 365 without a deal (the whole months without a
-- deal day, and the days of the part-month at the window's start netting 0.00 or less). A customer whose first
-- deal lies in the window had only such days before it: their window's sales are their lifetime sales less these.
before_window AS (
    SELECT customer_id, sum(net) AS net
    FROM (
        SELECT customer_id, net FROM customer_months
        WHERE month < CAST(date_trunc('month', CAST($asof AS DATE) - 364) AS DATE) AND deal_days = 0
          AND net IS NOT NULL
        UNION ALL
        SELECT customer_id, CAST(net AS DECIMAL(18, 2)) FROM customer_days
        WHERE day >= CAST(date_trunc('month', CAST($asof AS DATE) - 364) AS DATE)
          AND day <= CAST($asof AS DATE) - 365 AND net <= 0)
    GROUP BY 1),
active AS (
    -- First deal in the window: every deal day of theirs is in it, and the window's sales are the lifetime's
    -- less the days before it.
    SELECT d.customer_id, datediff('day', d.last_deal, $asof) AS recency_days, d.deal_days AS deal_visits,
           d.lifetime_sales - coalesce(b.net, 0) AS sales, d.lifetime_sales
    FROM (SELECT * FROM settled WHERE first_deal > CAST($asof AS DATE) - 365) d
    LEFT JOIN before_window b USING (customer_id)
    WHERE {include:of_clinic} OR d.customer_id IN (SELECT customer_id FROM order_days WHERE clinic = $clinic)
    UNION ALL
    SELECT d.customer_id, datediff('day', d.last_deal, $asof), r.deal_visits, r.sales, d.lifetime_sales
    FROM straddling d JOIN straddling_recent r USING (customer_id)
    WHERE {include:of_clinic} OR d.customer_id IN (SELECT customer_id FROM order_days WHERE clinic = $clinic)),
dormant AS (
    -- No deal in the window: every row of theirs in it is one without a deal.
    SELECT count(*) AS customers, coalesce(sum(r.sales), 0) AS sales,
           avg(datediff('day', d.last_deal, $asof)) AS avg_recency_days, sum(d.lifetime_sales) AS lifetime_sales
    FROM (SELECT * FROM settled WHERE last_deal <= CAST($asof AS DATE) - 365) d
    LEFT JOIN (SELECT customer_id, sum(sales) AS sales FROM window_rows WHERE deal_visits = 0 GROUP BY 1) r
      USING (customer_id)
    WHERE {include:of_clinic} OR d.customer_id IN (SELECT customer_id FROM order_days WHERE clinic = $clinic)),
med AS (
    SELECT median(recency_days::DOUBLE) AS med_r, median(deal_visits::DOUBLE) AS med_f,
           median(sales::DOUBLE) AS med_m, count(*) + (SELECT customers FROM dormant) AS total
    FROM active),
cells AS (
    SELECT true AS active, recency_days <= med_r AS r_hi, deal_visits > med_f AS f_hi, sales::DOUBLE > med_m AS m_hi,
           count(*) AS customers, sum(sales) AS sales, avg(recency_days) AS avg_recency_days,
           avg(deal_visits) AS avg_deal_visits, sum(lifetime_sales) AS lifetime_sales
    FROM active, med
    GROUP BY ALL
    UNION ALL
    SELECT false, NULL, NULL, NULL, customers, sales, avg_recency_days, 0.0, lifetime_sales
    FROM dormant WHERE customers > 0)
SELECT cells.*, med_r, med_f, med_m, total FROM cells, med;

-- name: rfm_customers
-- The same customers one by one, with their record, for --list; $med_* are rfm_segments' medians.
WITH {include:rfm_per}
SELECT per.*, c.name, c.phone, coalesce(c.owner_consultant, '未指定') AS owner_consultant,
       deal_visits > 0 AS active, recency_days <= $med_r AS r_hi, deal_visits > $med_f AS f_hi,
       sales::DOUBLE > $med_m AS m_hi
FROM per LEFT JOIN customers c USING (customer_id);

-- name: cards
-- Stored-value cards with what the customer topped up after the card's last use. Names and phones are read
-- for the listed cards only (customer_names): joining every customer's record cost most of the analysis at
-- 10M lines; a card's clinic falls back to its customer's, read for the cards without one. Top-ups are
-- counted per card by one join of the top-up lines, not a subquery per card.
WITH k AS (
    SELECT k.*, coalesce(k.clinic, c.clinic) AS card_clinic
    FROM cards k
    LEFT JOIN (SELECT customer_id, clinic FROM customers
               WHERE customer_id IN (SELECT customer_id FROM cards WHERE clinic IS NULL)) c
      ON k.clinic IS NULL AND c.customer_id = k.customer_id
    WHERE $clinic IS NULL OR coalesce(k.clinic, c.clinic) = $clinic),
topups AS (
    SELECT k.card_id, count(*) AS n
    FROM k JOIN (SELECT customer_id, order_date FROM orders WHERE line_kind = 'topup') o
      ON o.customer_id = k.customer_id AND o.order_date > coalesce(k.last_used_at, k.opened_at)
    GROUP BY 1)
SELECT k.card_id, k.customer_id, k.card_type, k.card_clinic AS clinic,
       k.opened_at, coalesce(k.recharge_total, 0) AS recharge_total, coalesce(k.bonus_total, 0) AS bonus_total,
       coalesce(k.balance, 0) AS balance, k.last_used_at, coalesce(t.n, 0) AS topups_after_last_use
FROM k LEFT JOIN topups t USING (card_id);

-- name: cards_snapshot_day
-- The latest day the cards file records (a card opened or used): its balances are as of that day or later. A day
-- after today is a mistyped cell (2062 for 2026), not the export's day.
SELECT max(greatest(opened_at, last_used_at)) AS day FROM cards
WHERE greatest(opened_at, last_used_at) <= current_date;

-- name: intervals_upto
-- Each item's median repurchase interval from the purchases in upto_orders (the order lines up to $asof, a CTE of
-- the query that includes this): the days between a customer's consecutive purchase days of the item (a sale line
-- paid above zero), as derived.sql's item_intervals has them for every purchase.
SELECT item, median(gap) AS interval_days
FROM (SELECT item, day - lag(day) OVER (PARTITION BY customer_id, item ORDER BY day) AS gap
      FROM (SELECT DISTINCT customer_id, item, order_date AS day FROM upto_orders
            WHERE line_kind = 'sale' AND paid_amount > 0))
WHERE gap IS NOT NULL
GROUP BY item

-- name: last_deal_items
-- overdue's, overdue_count's and overdue_listed's shared part: item intervals, the customers with a day after
-- $asof (late) and their last deal and lifetime sales up to $asof worked out from their days, and what each
-- customer bought on their last deal day (buys: from the layer, or for the late ones from their order lines).
-- buys is not materialized: not kept as a table of every customer's items.
late AS (SELECT DISTINCT customer_id FROM customer_days WHERE day > $asof),
-- The layer's medians count every purchase; as of a day the data goes on after, those after it are left out (the
-- list as of a past day is the one that day would have shown): worked out from the order lines up to $asof, read
-- only then (the test on late sits in the scan, where DuckDB reads nothing without it: 0.02 s, not 0.25, at 1M).
upto_orders AS (SELECT * FROM orders WHERE order_date <= $asof AND EXISTS (SELECT 1 FROM late)),
intervals AS (
    SELECT item, median_interval_days AS interval_days FROM item_intervals
    WHERE median_interval_days IS NOT NULL AND NOT EXISTS (SELECT 1 FROM late)
    UNION ALL
    {include:intervals_upto}),
late_last AS (
    SELECT customer_id, max(day) FILTER (WHERE net > 0) AS last_deal, sum(net) AS lifetime_sales
    FROM customer_days
    WHERE day <= $asof AND customer_id IN (SELECT customer_id FROM late)
    GROUP BY 1),
buys AS NOT MATERIALIZED (
    SELECT customer_id, item, last_deal AS day FROM customer_last_items
    WHERE customer_id NOT IN (SELECT customer_id FROM late)
    UNION ALL
    SELECT DISTINCT o.customer_id, o.item, o.order_date AS day
    FROM orders o JOIN late_last l ON o.customer_id = l.customer_id AND o.order_date = l.last_deal
    WHERE o.line_kind = 'sale' AND o.paid_amount > 0)

-- name: overdue_rows
-- (The soonest-due item of a last deal: of two with one interval, the first by name, so that every path picks the
-- same.)
-- overdue's and callback_single's shared part, after last_deal_items: every overdue customer's row (late_ones).
last AS (
    SELECT customer_id, last_deal, CAST(lifetime_sales AS DECIMAL(38, 2)) AS lifetime_sales FROM customer_deals
    WHERE customer_id NOT IN (SELECT customer_id FROM late)
    UNION ALL
    SELECT customer_id, last_deal, lifetime_sales FROM late_last WHERE last_deal IS NOT NULL),
due AS (
    SELECT b.customer_id, any_value(b.day) AS last_deal, arg_min(b.item, (iv.interval_days, b.item)) AS item,
           min(iv.interval_days) AS interval_days
    FROM buys b JOIN intervals iv ON iv.item = b.item
    GROUP BY 1),
overdue AS (
    SELECT customer_id, item, last_deal, interval_days,
           CAST(last_deal + to_days(CAST(floor(interval_days) AS INTEGER)) AS DATE) AS due_date
    FROM due
    WHERE $clinic IS NULL OR customer_id IN (SELECT customer_id FROM customers WHERE clinic = $clinic)
       OR customer_id IN (SELECT customer_id FROM order_days WHERE clinic = $clinic)),
late_ones AS (SELECT * FROM overdue WHERE due_date < $asof)

-- name: overdue
-- Customers past the median repurchase interval of the soonest-due item of their last deal, as of
-- $asof, most lifetime value first; `overdue_customers` counts them all, the rows stop at $limit. With
-- $ids (a list) only those customers' rows come back, plus one other row, so that the count arrives even
-- when none of them is overdue. Names are read for the listed customers only (customer_names).
-- Read from the layer: customer_deals and customer_last_items hold every customer's last deal, its items
-- and lifetime sales. Only the customers with a day after $asof (none when $asof is the data's last day,
-- a handful at a month's end) are worked out again from their days and order lines up to $asof.
-- overdue_from_orders is the same answer from the order lines alone.
-- No window functions here: count(*) OVER () with row_number() in a QUALIFY made DuckDB 1.5.5 fail now
-- and then ("INTERNAL Error: Attempted to access index 0 within vector of size 0" in a window's
-- finalize, seen once in a full test run). The count is a one-row join; the extra row is the first id.
WITH {include:last_deal_items},
{include:overdue_rows},
counted AS (
    SELECT o.*, datediff('day', o.due_date, $asof) AS overdue_days, t.overdue_customers
    FROM late_ones o CROSS JOIN (SELECT count(*) AS overdue_customers FROM late_ones) t
    WHERE $ids IS NULL OR o.customer_id IN (SELECT unnest($ids::VARCHAR[]))
       OR o.customer_id = (SELECT min(customer_id) FROM late_ones))
-- Lifetime sales joined last, to the rows that come back only.
SELECT c.customer_id, c.item, c.last_deal, c.interval_days, c.due_date, l.lifetime_sales, c.overdue_days,
       c.overdue_customers
FROM counted c JOIN last l USING (customer_id)
ORDER BY lifetime_sales DESC, overdue_days ASC, customer_id
LIMIT $limit;

-- name: callback_repeat
-- The call-back list's repeat customers as of another day than the data's last, or of a clinic: those of the kept
-- summary (sql/predict.sql keep_per_customer, up to $until) overdue as overdue defines them (as of $asof, of
-- $clinic), with overdue's columns, ranked by predict.sql ranked_callback (put in at the end by
-- metrics/customers.reactivate). The item cycle is worked out for the kept repeat customers only (145k of 508k at
-- 1M order lines); the overdue customers with a single deal day come from callback_single when these leave room,
-- and their count from overdue_count.
WITH {include:last_deal_items},
due AS (
    SELECT b.customer_id, any_value(b.day) AS last_deal, arg_min(b.item, (iv.interval_days, b.item)) AS item,
           min(iv.interval_days) AS interval_days
    FROM buys b JOIN intervals iv ON iv.item = b.item
    WHERE b.customer_id IN (SELECT customer_id FROM temp.predict_per_customer)
      AND ($clinic IS NULL OR b.customer_id IN (SELECT customer_id FROM customers WHERE clinic = $clinic)
           OR b.customer_id IN (SELECT customer_id FROM order_days WHERE clinic = $clinic))
    GROUP BY 1),
flagged AS (
    SELECT customer_id, item, interval_days,
           CAST(last_deal + to_days(CAST(floor(interval_days) AS INTEGER)) AS DATE) AS due_date
    FROM due),
universe AS (
    SELECT s.customer_id, s.last_deal, s.repeat_deals, s.recency_days, s.age_days, s.avg_repeat_value,
           s.lifetime_sales, o.item, o.interval_days, o.due_date, datediff('day', o.due_date, $asof) AS overdue_days
    FROM temp.predict_per_customer s JOIN flagged o USING (customer_id)
    WHERE o.due_date < $asof),
{ranked};

-- name: callback_single
-- callback_repeat's complement: the overdue customers (as overdue defines them) without a row in the kept summary,
-- i.e. with a single deal day up to $until (repeat deals 0, recency 0, age from that day), ranked by
-- predict.sql ranked_callback (their value at risk is 0: by lifetime sales). Read only when the repeat customers with a value at risk do not
-- fill the list.
WITH {include:last_deal_items},
{include:overdue_rows},
universe AS (
    SELECT o.customer_id, o.last_deal, 0 AS repeat_deals, 0 AS recency_days,
           datediff('day', o.last_deal, $until) AS age_days, CAST(NULL AS DOUBLE) AS avg_repeat_value,
           l.lifetime_sales, o.item, o.interval_days, o.due_date, datediff('day', o.due_date, $asof) AS overdue_days
    FROM late_ones o JOIN last l USING (customer_id)
    WHERE o.customer_id NOT IN (SELECT customer_id FROM temp.predict_per_customer)),
{ranked};

-- name: overdue_count
-- How many customers (of $clinic) are overdue as of $asof, as overdue counts them: the soonest-due item of
-- their last deal is. Its due date is the last deal day plus the smallest interval's whole days (floor: a
-- customer is past a median of 90.5 days on day 91, as past 90 days), and flooring keeps order, so it lies before
-- $asof exactly when some item's does: the customers with such an item are counted (no per-customer pick of the
-- item). An item bought on day d is due before $asof when d + floor(interval) < $asof,
-- i.e. d < $asof − floor(interval): one cutoff date per item compared with each row, no date arithmetic per row;
-- the customers are counted by grouping them (count(DISTINCT) ran slower). metrics/customers.reactivate runs
-- this while SciPy is imported.
WITH {include:last_deal_items},
cutoffs AS (SELECT item, CAST($asof AS DATE) - CAST(floor(interval_days) AS INTEGER) AS cutoff FROM intervals)
SELECT count(*) AS overdue_customers
FROM (SELECT b.customer_id
      FROM buys b JOIN cutoffs iv ON iv.item = b.item
      WHERE b.day < iv.cutoff
        AND ($clinic IS NULL OR b.customer_id IN (SELECT customer_id FROM customers WHERE clinic = $clinic)
             OR b.customer_id IN (SELECT customer_id FROM order_days WHERE clinic = $clinic))
      GROUP BY 1);

-- name: overdue_count_current
-- overdue_count when $asof is the data's last day or later and no clinic is asked, so that customer_deals holds
-- every customer's last deal and last items as of $asof. A customer is overdue when their last deal day lies
-- before the latest cutoff among their items (the soonest due), and that depends on their list of items and
-- their last deal day alone: customers are counted per (last_items, last_deal), a few thousand groups at 10M
-- order lines, and each list's latest cutoff is worked out once. overdue_count grouped 6M rows of
-- customer_last_items by customer (1.3-1.8 CPU s at 10M order lines).
WITH intervals AS (
    SELECT item, median_interval_days AS interval_days FROM item_intervals WHERE median_interval_days IS NOT NULL),
cutoffs AS (SELECT item, CAST($asof AS DATE) - CAST(floor(interval_days) AS INTEGER) AS cutoff FROM intervals),
groups AS (SELECT last_items, last_deal, count(*) AS n FROM customer_deals WHERE last_items IS NOT NULL GROUP BY ALL),
soonest AS (
    SELECT s.last_items, max(c.cutoff) AS cutoff
    FROM (SELECT DISTINCT last_items, unnest(last_items) AS item FROM groups) s JOIN cutoffs c USING (item)
    GROUP BY 1)
SELECT coalesce(sum(g.n), 0) AS overdue_customers
FROM groups g JOIN soonest s USING (last_items)
WHERE g.last_deal < s.cutoff;

-- name: overdue_listed
-- What the call-back list needs of overdue above for the customers $ids (a list) alone: the rows of those
-- among them who are overdue as of $asof (of $clinic), with overdue's columns but the count (overdue_count).
WITH {include:last_deal_items},
of_clinic AS NOT MATERIALIZED (SELECT customer_id FROM customers WHERE clinic = $clinic),
asked AS (SELECT unnest($ids::VARCHAR[]) AS customer_id),
due AS (
    SELECT b.customer_id, any_value(b.day) AS last_deal, arg_min(b.item, (iv.interval_days, b.item)) AS item,
           min(iv.interval_days) AS interval_days
    FROM buys b JOIN intervals iv ON iv.item = b.item
    WHERE b.customer_id IN (SELECT customer_id FROM asked)
      AND ($clinic IS NULL OR b.customer_id IN (SELECT customer_id FROM of_clinic)
           OR b.customer_id IN (SELECT customer_id FROM order_days WHERE clinic = $clinic))
    GROUP BY 1),
lifetime AS (
    SELECT customer_id, CAST(lifetime_sales AS DECIMAL(38, 2)) AS lifetime_sales FROM customer_deals
    WHERE customer_id IN (SELECT customer_id FROM asked) AND customer_id NOT IN (SELECT customer_id FROM late)
    UNION ALL
    SELECT customer_id, lifetime_sales FROM late_last
    WHERE last_deal IS NOT NULL AND customer_id IN (SELECT customer_id FROM asked))
SELECT d.customer_id, d.item, d.last_deal, d.interval_days, d.due_date, l.lifetime_sales,
       datediff('day', d.due_date, $asof) AS overdue_days
FROM (SELECT *, CAST(last_deal + to_days(CAST(floor(interval_days) AS INTEGER)) AS DATE) AS due_date FROM due) d
JOIN lifetime l USING (customer_id)
WHERE d.due_date < $asof
ORDER BY l.lifetime_sales DESC, overdue_days ASC, d.customer_id;

-- name: overdue_from_orders
-- The definition of overdue above, straight from customer_days and every order line (no layer shortcut);
-- the tests hold overdue to it at several dates. Same parameters, without $ids.
-- Customers past the median repurchase interval of the soonest-due item of their last deal, as of
-- $asof, most lifetime value first; `overdue_customers` counts them all, the rows stop at $limit. Names
-- are read for the listed customers only (customer_names).
WITH upto_orders AS (SELECT * FROM orders WHERE order_date <= $asof),
intervals AS ({include:intervals_upto}),
last AS (SELECT customer_id, max(day) AS last_deal FROM customer_days WHERE net > 0 AND day <= $asof GROUP BY 1),
-- What each customer bought on their last deal day: only those order lines are read.
buys AS (
    SELECT DISTINCT o.customer_id, o.item, o.order_date AS day
    FROM orders o JOIN last l ON o.customer_id = l.customer_id AND o.order_date = l.last_deal
    WHERE o.line_kind = 'sale' AND o.paid_amount > 0),
due AS (
    SELECT l.customer_id, l.last_deal, arg_min(b.item, (iv.interval_days, b.item)) AS item,
           min(iv.interval_days) AS interval_days
    FROM last l JOIN buys b ON b.customer_id = l.customer_id AND b.day = l.last_deal
    JOIN intervals iv ON iv.item = b.item
    GROUP BY 1, 2),
value AS (SELECT customer_id, sum(net) AS lifetime_sales FROM customer_days WHERE day <= $asof GROUP BY 1),
listed AS (
    SELECT d.customer_id, d.item, d.last_deal, d.interval_days,
           CAST(d.last_deal + to_days(CAST(floor(d.interval_days) AS INTEGER)) AS DATE) AS due_date, v.lifetime_sales
    FROM due d JOIN value v USING (customer_id)
    WHERE {include:of_clinic} OR d.customer_id IN (SELECT customer_id FROM order_days WHERE clinic = $clinic)),
late_ones AS (SELECT * FROM listed WHERE due_date < $asof)
-- The count as a one-row join, not count(*) OVER (): see overdue above (DuckDB 1.5.5's window finalize).
SELECT o.*, datediff('day', o.due_date, $asof) AS overdue_days, t.overdue_customers
FROM late_ones o CROSS JOIN (SELECT count(*) AS overdue_customers FROM late_ones) t
ORDER BY lifetime_sales DESC, overdue_days ASC, customer_id
LIMIT $limit;

-- name: customer_names
-- The record of the customers about to be listed ($ids), for names, phones (masked later) and owners.
SELECT customer_id, name, phone, coalesce(owner_consultant, '未指定') AS owner_consultant
FROM customers WHERE customer_id IN (SELECT unnest($ids::VARCHAR[]));

-- name: all_customer_names
SELECT customer_id, name, phone, coalesce(owner_consultant, '未指定') AS owner_consultant FROM customers;
