-- name: cohort_cells
-- Per group ({grp}: a column of the first deal), cohort month (of the first deal) and months since
-- (k): the cohort's size, how many had a deal in that month, and that month's sales. The first deal and
-- what it was come from customer_deals.
-- Most customers (70% at 10M lines) bought in one month only and never refunded: all their deal days in the
-- month of the first deal (first and last deal in one month) and every other day netting to zero (lifetime
-- sales = deal sales, and a day that is no deal nets at most zero). Such a customer adds 1 to their cohort's
-- k = 0 actives and their deal sales to its k = 0 sales, and nothing elsewhere (a zero day elsewhere adds
-- 0 and 0 to a cell), so they are counted from customer_deals alone. Only the others are joined to
-- customer_months: the join built its hash table on all 7.7M customer-months with sales at 10M lines (most
-- of the analysis, and most of its 950 MB).
-- fl is not materialized so that the join's side is a filtered scan of customer_deals, which DuckDB then
-- estimates as the smaller side and builds on (from a materialized CTE it took all 5M rows as its estimate).
WITH fl AS NOT MATERIALIZED (
    SELECT customer_id, first_deal, first_item, first_department AS department, first_clinic AS clinic, channel,
           deal_sales,
           date_trunc('month', first_deal) = date_trunc('month', last_deal) AND lifetime_sales = deal_sales AS simple
    FROM customer_deals
    WHERE ($clinic IS NULL OR first_clinic = $clinic)
      AND ($from::DATE IS NULL OR first_deal >= $from::DATE) AND ($to::DATE IS NULL OR first_deal <= $to::DATE)),
cohorts AS (
    SELECT coalesce(CAST({grp} AS VARCHAR), '未知') AS grp, date_trunc('month', fl.first_deal)::DATE AS cohort,
           count(*) AS customers, count(*) FILTER (WHERE fl.simple) AS simple_customers,
           sum(fl.deal_sales) FILTER (WHERE fl.simple) AS simple_sales
    FROM fl GROUP BY ALL),
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
          FROM fl WHERE NOT fl.simple) p USING (customer_id)
    WHERE d.net IS NOT NULL AND datediff('month', p.cohort, d.month) BETWEEN 0 AND $months
      AND ($from::DATE IS NULL OR d.month >= CAST(date_trunc('month', $from::DATE) AS DATE))
      AND ($to::DATE IS NULL OR d.month <= CAST(date_trunc('month', $to::DATE) + to_months($months) AS DATE))
    GROUP BY ALL),
cells AS (
    SELECT grp, cohort, k, CAST(sum(active) AS BIGINT) AS active, sum(sales) AS sales
    FROM (SELECT grp, cohort, k, active, sales FROM joined_cells
          UNION ALL
          SELECT grp, cohort, 0, simple_customers, simple_sales FROM cohorts WHERE simple_customers > 0)
    GROUP BY ALL)
SELECT c.grp AS "group", c.cohort, s.customers, c.k, c.active, c.sales
FROM cells c JOIN cohorts s USING (grp, cohort);

-- name: item_intervals
-- The derived table, most repeated first.
SELECT item, repeats, median_interval_days FROM item_intervals ORDER BY repeats DESC, item;
