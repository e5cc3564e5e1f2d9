-- name: cohort_cells
-- Per group ({grp}: a column of the first deal), cohort month (of the first deal) and months since
-- (k): the cohort's size, how many had a deal in that month, and that month's sales. The first deal and
-- what it was come from customer_deals.
WITH fl AS (
    SELECT customer_id, first_deal, first_item, first_department AS department, first_clinic AS clinic, channel
    FROM customer_deals),
people AS (
    SELECT fl.customer_id, date_trunc('month', fl.first_deal)::DATE AS cohort,
           coalesce(CAST({grp} AS VARCHAR), '未知') AS grp
    FROM fl
    WHERE ($clinic IS NULL OR fl.clinic = $clinic)
      AND ($from::DATE IS NULL OR fl.first_deal >= $from::DATE) AND ($to::DATE IS NULL OR fl.first_deal <= $to::DATE)),
-- customer_months: one row per customer and month, so a month's active customers are counted without a
-- count(DISTINCT) over every customer-day (at 10M lines most of the analysis). Months with visits only
-- (net NULL) are left out, as customer_days has no row for them. The cells are summed before the cohort sizes
-- are joined (the join ran over every customer-month), and with a window only the months a cohort of it can
-- reach are read (customer_months is written in month order: the zone maps skip the rest).
cells AS (
    SELECT p.grp, p.cohort, datediff('month', p.cohort, d.month) AS k,
           count(*) FILTER (WHERE d.deal_days > 0) AS active, sum(d.net) AS sales
    FROM people p JOIN customer_months d USING (customer_id)
    WHERE d.net IS NOT NULL AND datediff('month', p.cohort, d.month) BETWEEN 0 AND $months
      AND ($from::DATE IS NULL OR d.month >= CAST(date_trunc('month', $from::DATE) AS DATE))
      AND ($to::DATE IS NULL OR d.month <= CAST(date_trunc('month', $to::DATE) + to_months($months) AS DATE))
    GROUP BY ALL),
sizes AS (SELECT grp, cohort, count(*) AS customers FROM people GROUP BY ALL)
SELECT c.grp AS "group", c.cohort, s.customers, c.k, c.active, c.sales
FROM cells c JOIN sizes s USING (grp, cohort);

-- name: item_intervals
-- The derived table, most repeated first.
SELECT item, repeats, median_interval_days FROM item_intervals ORDER BY repeats DESC, item;
