-- Rollups (warehouse/rollups.py): small tables of totals over the semantic layer, so an analysis of a whole
-- month or of a year's days reads a few hundred rows instead of grouping millions. Refreshed with the layer
-- in the import's transaction: in full after a full rebuild, else for the months and days that hold a dirty
-- customer-day (derived.sql layer_dirty), the only ones whose totals can change.

-- name: create_tables
-- kpis for one whole calendar month, ungrouped and for every clinic, as sql/kpis.sql kpis gives them
-- (new = first seen in the month): a row for every month with an order line, a visit or a treatment.
CREATE TABLE IF NOT EXISTS month_totals (
    month DATE, sales DECIMAL(38, 2), new_sales DECIMAL(38, 2), old_sales DECIMAL(38, 2), cash_in DECIMAL(38, 2),
    consumption DECIMAL(38, 2), visitors BIGINT, new_visitors BIGINT, old_visitors BIGINT,
    buyers_without_visit BIGINT, new_buyers_without_visit BIGINT, old_buyers_without_visit BIGINT,
    buyers BIGINT, new_buyers BIGINT, old_buyers BIGINT, deal_visits BIGINT, new_deal_visits BIGINT,
    old_deal_visits BIGINT);
-- Net sales per day over every customer (customer_days summed per day): a day with a sale or refund line.
CREATE TABLE IF NOT EXISTS day_sales (day DATE, net DECIMAL(38, 2));

-- name: clear
DELETE FROM month_totals;
DELETE FROM day_sales;

-- name: all_months
-- A full rebuild: every month and day of the layer.
CREATE OR REPLACE TEMP TABLE rollup_months AS
SELECT DISTINCT date_trunc('month', day)::DATE AS month FROM order_days
UNION SELECT DISTINCT date_trunc('month', day)::DATE FROM visit_days
UNION SELECT DISTINCT date_trunc('month', day)::DATE FROM treatment_days;
CREATE OR REPLACE TEMP TABLE rollup_days AS SELECT DISTINCT day FROM customer_days;

-- name: dirty_months
-- A scoped refresh: the months and days of the dirty customer-days.
CREATE OR REPLACE TEMP TABLE rollup_months AS SELECT DISTINCT date_trunc('month', day)::DATE AS month FROM layer_dirty;
CREATE OR REPLACE TEMP TABLE rollup_days AS SELECT DISTINCT day FROM layer_dirty;

-- name: span
-- The first day of the first month and the last day of the last month to redo, as constants for zone maps.
SELECT min(month), CAST(max(month) + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE) FROM rollup_months;

-- name: replace_months
-- The months' rows out, their totals in. lo / hi (the months' span as constants) let DuckDB read only
-- those row groups of the day tables and customer_months, which are written in day / month order.
DELETE FROM month_totals WHERE month IN (SELECT month FROM rollup_months);
INSERT INTO month_totals
WITH m AS (
    SELECT *, coalesce(date_trunc('month', first_seen) = month, false) AS is_new
    FROM customer_months WHERE month BETWEEN $lo AND $hi AND month IN (SELECT month FROM rollup_months)),
s AS (
    SELECT month,
           coalesce(sum(net), 0) AS sales,
           coalesce(sum(net) FILTER (WHERE is_new), 0) AS new_sales,
           coalesce(sum(net) FILTER (WHERE NOT is_new), 0) AS old_sales,
           count(*) FILTER (WHERE visited) AS visitors,
           count(*) FILTER (WHERE visited AND is_new) AS new_visitors,
           count(*) FILTER (WHERE visited AND NOT is_new) AS old_visitors,
           count(*) FILTER (WHERE deal_days > 0 AND NOT visited) AS buyers_without_visit,
           count(*) FILTER (WHERE deal_days > 0 AND NOT visited AND is_new) AS new_buyers_without_visit,
           count(*) FILTER (WHERE deal_days > 0 AND NOT visited AND NOT is_new) AS old_buyers_without_visit,
           count(*) FILTER (WHERE deal_days > 0) AS buyers,
           count(*) FILTER (WHERE deal_days > 0 AND is_new) AS new_buyers,
           count(*) FILTER (WHERE deal_days > 0 AND NOT is_new) AS old_buyers,
           CAST(coalesce(sum(deal_days), 0) AS BIGINT) AS deal_visits,
           CAST(coalesce(sum(deal_days) FILTER (WHERE is_new), 0) AS BIGINT) AS new_deal_visits,
           CAST(coalesce(sum(deal_days) FILTER (WHERE NOT is_new), 0) AS BIGINT) AS old_deal_visits
    FROM m GROUP BY month),
cash AS (
    SELECT date_trunc('month', day)::DATE AS month, sum(cash_in) AS cash_in FROM order_days
    WHERE day BETWEEN $lo AND $hi AND date_trunc('month', day)::DATE IN (SELECT month FROM rollup_months)
    GROUP BY 1),
used AS (
    SELECT date_trunc('month', day)::DATE AS month, sum(consumption) AS consumption FROM treatment_days
    WHERE day BETWEEN $lo AND $hi AND date_trunc('month', day)::DATE IN (SELECT month FROM rollup_months)
    GROUP BY 1),
present AS (SELECT month FROM s UNION SELECT month FROM cash UNION SELECT month FROM used)
SELECT p.month, coalesce(s.sales, 0), coalesce(s.new_sales, 0), coalesce(s.old_sales, 0),
       coalesce(cash.cash_in, 0), coalesce(used.consumption, 0),
       coalesce(s.visitors, 0), coalesce(s.new_visitors, 0), coalesce(s.old_visitors, 0),
       coalesce(s.buyers_without_visit, 0), coalesce(s.new_buyers_without_visit, 0),
       coalesce(s.old_buyers_without_visit, 0), coalesce(s.buyers, 0), coalesce(s.new_buyers, 0),
       coalesce(s.old_buyers, 0), coalesce(s.deal_visits, 0), coalesce(s.new_deal_visits, 0),
       coalesce(s.old_deal_visits, 0)
FROM present p LEFT JOIN s USING (month) LEFT JOIN cash USING (month) LEFT JOIN used USING (month)
ORDER BY p.month;

-- name: replace_days
DELETE FROM day_sales WHERE day IN (SELECT day FROM rollup_days);
INSERT INTO day_sales
SELECT day, sum(net) AS net FROM customer_days
WHERE day BETWEEN $lo AND $hi AND day IN (SELECT day FROM rollup_days)
GROUP BY 1 ORDER BY 1;

-- name: close
DROP TABLE IF EXISTS temp.rollup_months;
DROP TABLE IF EXISTS temp.rollup_days;
