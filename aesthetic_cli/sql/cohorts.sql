-- name: cohort_cells
-- Per group ({grp}: a column of the first deal), cohort month (of the first deal) and months since
-- (k): the cohort's size, how many had a deal in that month, and that month's sales. The first deal and
-- what it was come from customer_deals.
-- Most customers' cells follow from customer_deals alone (87% at 10M lines): those who never refunded
-- (lifetime sales = deal sales; a day that is no deal nets at most zero, so every such day nets zero and adds
-- 0 and 0 to a cell) and either bought in one month only (first and last deal in one month: 1 active and their
-- deal sales at k = 0) or on two days (the first deal's net at k = 0, the rest at the last deal's month). Only
-- the others are joined to customer_months: the join built its hash table on all 7.7M customer-months with
-- sales at 10M lines (most of the analysis's time, and most of its 950 MB).
-- fl is not materialized, so that the join's side is a filtered scan of customer_deals, which DuckDB then
-- estimates as the smaller side and builds on (from a materialized CTE it took all 5M rows as its estimate).
WITH fl AS NOT MATERIALIZED (
    SELECT customer_id, first_deal, last_deal, first_item, first_department AS department, first_clinic AS clinic,
           channel, deal_sales, first_net,
           -- last_day, not date_trunc: five times cheaper over 5M rows.
           lifetime_sales = deal_sales AND (deal_days <= 2 OR last_deal <= last_day(first_deal)) AS light
    FROM customer_deals
    WHERE ($clinic IS NULL OR first_clinic = $clinic)
      AND ($from::DATE IS NULL OR first_deal >= $from::DATE) AND ($to::DATE IS NULL OR first_deal <= $to::DATE)),
people AS (
    SELECT coalesce(CAST({grp} AS VARCHAR), '未知') AS grp, date_trunc('month', fl.first_deal)::DATE AS cohort,
           fl.last_deal <= last_day(fl.first_deal) AS one_month, fl.light, fl.last_deal, fl.deal_sales, fl.first_net
    FROM fl),
sizes AS (SELECT grp, cohort, count(*) AS customers FROM people GROUP BY ALL),
light_cells AS (
    SELECT grp, cohort, 0 AS k, count(*) AS active,
           sum(CASE WHEN one_month THEN deal_sales ELSE first_net END) AS sales
    FROM people WHERE light GROUP BY ALL
    UNION ALL
    -- The second of two deal days, in a later month.
    SELECT grp, cohort, datediff('month', cohort, last_deal) AS k, count(*) AS active,
           sum(deal_sales - first_net) AS sales
    FROM people WHERE light AND NOT one_month AND datediff('month', cohort, last_deal) <= $months GROUP BY ALL),
-- customer_months: one row per customer and month, so a month's active customers are counted without a
-- count(DISTINCT) over every customer-day. Months with visits only (net NULL) are left out, as customer_days
-- has no row for them. With a window only the months a cohort of it can reach are read (customer_months is
-- written in month order: the zone maps skip the rest).
joined_cells AS (
    SELECT p.grp, p.cohort, datediff('month', p.cohort, d.month) AS k,
           count(*) FILTER (WHERE d.deal_days > 0) AS active, sum(d.net) AS sales
    FROM customer_months d
    JOIN (SELECT fl.customer_id, coalesce(CAST({grp} AS VARCHAR), '未知') AS grp,
                 date_trunc('month', fl.first_deal)::DATE AS cohort
          FROM fl WHERE NOT fl.light) p USING (customer_id)
    WHERE d.net IS NOT NULL AND datediff('month', p.cohort, d.month) BETWEEN 0 AND $months
      AND ($from::DATE IS NULL OR d.month >= CAST(date_trunc('month', $from::DATE) AS DATE))
      AND ($to::DATE IS NULL OR d.month <= CAST(date_trunc('month', $to::DATE) + to_months($months) AS DATE))
    GROUP BY ALL),
cells AS (
    SELECT grp, cohort, k, CAST(sum(active) AS BIGINT) AS active, sum(sales) AS sales
    FROM (SELECT grp, cohort, k, active, sales FROM joined_cells
          UNION ALL SELECT grp, cohort, k, active, sales FROM light_cells)
    GROUP BY ALL)
SELECT c.grp AS "group", c.cohort, s.customers, c.k, c.active, c.sales
FROM cells c JOIN sizes s USING (grp, cohort);

-- name: item_intervals
-- The derived table, most repeated first.
SELECT item, repeats, median_interval_days FROM item_intervals ORDER BY repeats DESC, item;

-- name: item_intervals_clinic
-- item_intervals over one clinic's purchases (its gaps between a customer's purchases of an item there), for
-- --clinic: the layer's medians are the chain's. Every item the clinic sold, as the layer's table has every item.
WITH days AS (
    SELECT DISTINCT customer_id, item, order_date AS day FROM orders
    WHERE line_kind = 'sale' AND paid_amount > 0 AND clinic = $clinic),
gaps AS (SELECT item, day - lag(day) OVER (PARTITION BY customer_id, item ORDER BY day) AS gap FROM days)
SELECT item, count(gap) AS repeats, median(gap) AS median_interval_days
FROM gaps GROUP BY 1 ORDER BY repeats DESC, item;
