-- The semantic layer (SPEC §2): what every metric builds on, persisted in the warehouse and refreshed
-- inside each import's transaction (warehouse/derived.py). Analyses only read these.
--
-- Refresh is incremental: an import names the customers and items it touched in the temp tables
-- layer_scope(customer_id) and layer_items(item); each table deletes and rebuilds only those rows.
-- With $all every row is rebuilt (a new warehouse, an upgrade, a dropped batch).

-- name: create_tables
CREATE TABLE IF NOT EXISTS layer_meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);
-- Batches committed whose refresh is still to come: one import command of several files refreshes once,
-- after the last (derived.one_refresh). Rows here mean the layer is behind the facts until refreshed.
CREATE TABLE IF NOT EXISTS layer_pending (batch_id INTEGER, dataset VARCHAR);
-- One customer per phone: a shared phone (family members) must link a lead to one customer, not
-- multiply it. Joined on phone alone, so it stays a hash join.
CREATE TABLE IF NOT EXISTS customer_phone (phone VARCHAR, customer_id VARCHAR);
-- first_seen: the earliest of a customer's first visit and first order. Acquisition channel:
-- customers.source_channel, else the first visit's channel, else the first lead's, else unknown.
CREATE TABLE IF NOT EXISTS customer_first (
    customer_id VARCHAR, first_seen DATE, first_visit DATE, channel VARCHAR, referrer_id VARCHAR);
-- Net sales per customer-day (sale and refund lines; top-ups are not sales), exact to the cent.
-- A deal is a customer-day with net > 0.
CREATE TABLE IF NOT EXISTS customer_days (customer_id VARCHAR, day DATE, net DECIMAL(38, 2));
-- Each customer-day's consultant: the one who received the customer that day (SPEC: by the visit's
-- consultant), else the one on the order lines.
CREATE TABLE IF NOT EXISTS attributed_days (
    customer_id VARCHAR, day DATE, consultant VARCHAR, clinic VARCHAR, net DECIMAL(38, 2));
-- Median days between consecutive purchases of the same item by the same customer. Items never
-- repeated (surgery) have no median.
CREATE TABLE IF NOT EXISTS item_intervals (item VARCHAR, repeats BIGINT, median_interval_days DOUBLE);
-- The facts at customer-day grain, per clinic, consultant and department, with the customer's
-- acquisition channel and first_seen carried along: what the period analyses read instead of the
-- order lines and visits joined to customer_first. Written in day order so that a period's query reads
-- only the row groups of its days (DuckDB's zone maps); a refresh re-appends only the customers it touched.
-- sales_lines counts the sale and refund lines (top-ups are no sales): a row with none has net NULL.
-- Money here is DECIMAL(18, 2), held in 64 bits (a day's or a customer's sum is far below 10^16 yuan):
-- filters and sums on it run several times faster than on the 128-bit DECIMAL(38, 2) a SUM returns.
CREATE TABLE IF NOT EXISTS order_days (
    day DATE, customer_id VARCHAR, clinic VARCHAR, consultant VARCHAR, department VARCHAR, channel VARCHAR,
    first_seen DATE, sales_lines BIGINT, net DECIMAL(18, 2), sale_amount DECIMAL(18, 2),
    refund_amount DECIMAL(18, 2), cash_in DECIMAL(18, 2));
-- first_receptions: visits that are a first consultation (初诊, or untyped on the customer's first visit).
CREATE TABLE IF NOT EXISTS visit_days (
    day DATE, customer_id VARCHAR, clinic VARCHAR, consultant VARCHAR, department VARCHAR, channel VARCHAR,
    first_seen DATE, first_visit DATE, visits BIGINT, first_receptions BIGINT);
CREATE TABLE IF NOT EXISTS treatment_days (
    day DATE, customer_id VARCHAR, clinic VARCHAR, department VARCHAR, channel VARCHAR,
    consumption DECIMAL(18, 2));
-- One row per customer with a deal (a customer-day netting above zero): first and last deal, the number
-- of deal days and their sales, the first deal's net, lifetime net sales, and what the first deal was
-- (its largest sale line's item and department, a clinic of it), and the acquisition channel.
-- Cohorts, openers, the repurchase model and the call-back list read this instead of every order line.
CREATE TABLE IF NOT EXISTS customer_deals (
    customer_id VARCHAR, first_deal DATE, last_deal DATE, deal_days BIGINT, deal_sales DECIMAL(18, 2),
    first_net DECIMAL(18, 2), lifetime_sales DECIMAL(18, 2), first_item VARCHAR, first_department VARCHAR,
    first_clinic VARCHAR, channel VARCHAR);
-- What each customer with a deal bought on their last deal day: the distinct items of that day's sale
-- lines paid above zero. The call-back list (customers reactivate) takes the item cycle from these
-- instead of joining every order line to the customers' last deal days.
CREATE TABLE IF NOT EXISTS customer_last_items (customer_id VARCHAR, last_deal DATE, item VARCHAR);

-- name: create_views
-- The layer's day tables under the fact views' grouping columns, so one query serves every --by.
CREATE OR REPLACE VIEW order_day_facts AS
SELECT *, clinic AS g_clinic, channel AS g_channel, consultant AS g_consultant, department AS g_department,
       'all' AS g_all
FROM order_days;

CREATE OR REPLACE VIEW visit_day_facts AS
SELECT *, clinic AS g_clinic, channel AS g_channel, consultant AS g_consultant, department AS g_department,
       'all' AS g_all
FROM visit_days;

CREATE OR REPLACE VIEW treatment_day_facts AS
SELECT *, clinic AS g_clinic, channel AS g_channel, '未指定' AS g_consultant, department AS g_department,
       'all' AS g_all
FROM treatment_days;

-- Order lines with the catalogue's department but not the customer: for the item analyses, which
-- need neither channel nor first_seen and so need not join customer_first.
CREATE OR REPLACE VIEW order_lines AS
SELECT o.order_date AS day, o.customer_id, o.item, o.paid_amount, o.line_kind, o.quantity,
       o.clinic AS g_clinic, coalesce(o.department, i.department, '未指定') AS g_department,
       i.unit_cost, i.list_price, i.role
FROM orders o
LEFT JOIN items i USING (item);

-- Fact views with the same grouping columns g_clinic, g_channel, g_consultant, g_department, so one
-- query serves --by clinic|channel|consultant|department. Views, not tables: copying the facts
-- would double the warehouse.
CREATE OR REPLACE VIEW order_facts AS
SELECT o.order_date AS day, o.customer_id, o.item, o.paid_amount, o.line_kind, o.stored_value, o.quantity,
       o.clinic AS g_clinic, cf.channel AS g_channel,
       coalesce(o.consultant, '未指定') AS g_consultant,
       coalesce(o.department, i.department, '未指定') AS g_department,
       cf.first_seen, 'all' AS g_all
FROM orders o
LEFT JOIN customer_first cf USING (customer_id)
LEFT JOIN items i USING (item);

CREATE OR REPLACE VIEW visit_facts AS
SELECT v.visit_date AS day, v.customer_id, v.visit_type, v.no_deal_reason, v.intended_item,
       v.clinic AS g_clinic, cf.channel AS g_channel,
       coalesce(v.consultant, '未指定') AS g_consultant,
       coalesce(v.department, i.department, '未指定') AS g_department,
       cf.first_seen, cf.first_visit, 'all' AS g_all
FROM visits v
LEFT JOIN customer_first cf USING (customer_id)
LEFT JOIN items i ON i.item = v.intended_item;

CREATE OR REPLACE VIEW treatment_facts AS
SELECT t.treatment_date AS day, t.customer_id, t.consumed_amount,
       t.clinic AS g_clinic, cf.channel AS g_channel, '未指定' AS g_consultant,
       coalesce(i.department, '未指定') AS g_department, 'all' AS g_all
FROM treatments t
LEFT JOIN customer_first cf USING (customer_id)
LEFT JOIN items i USING (item);

-- name: scope_from_batches
-- The customers a set of batches (temp table layer_batches, ids from $lo to $hi) touched: their own
-- rows, and customers whose phone links a lead of theirs.
INSERT INTO layer_scope
SELECT customer_id FROM orders
    WHERE batch_id BETWEEN $lo AND $hi AND batch_id IN (SELECT batch_id FROM layer_batches)
UNION SELECT customer_id FROM visits
    WHERE batch_id BETWEEN $lo AND $hi AND batch_id IN (SELECT batch_id FROM layer_batches)
UNION SELECT customer_id FROM leads
    WHERE batch_id BETWEEN $lo AND $hi AND batch_id IN (SELECT batch_id FROM layer_batches)
      AND customer_id IS NOT NULL
UNION SELECT p.customer_id FROM leads l JOIN customer_phone p ON l.phone = p.phone
    WHERE l.batch_id BETWEEN $lo AND $hi AND l.batch_id IN (SELECT batch_id FROM layer_batches)
      AND l.customer_id IS NULL
UNION SELECT customer_id FROM customers
    WHERE batch_id BETWEEN $lo AND $hi AND batch_id IN (SELECT batch_id FROM layer_batches)
UNION SELECT customer_id FROM treatments
    WHERE batch_id BETWEEN $lo AND $hi AND batch_id IN (SELECT batch_id FROM layer_batches);

-- name: items_from_batches
INSERT INTO layer_items SELECT DISTINCT item FROM orders
WHERE batch_id BETWEEN $lo AND $hi AND batch_id IN (SELECT batch_id FROM layer_batches);

-- name: add_pending
INSERT INTO layer_pending VALUES ($batch, $dataset);

-- name: pending
SELECT batch_id, dataset FROM layer_pending ORDER BY batch_id;

-- name: clear_pending
DELETE FROM layer_pending;

-- name: refresh_phone
DELETE FROM customer_phone;
INSERT INTO customer_phone
SELECT phone, min(customer_id) AS customer_id FROM customers WHERE phone IS NOT NULL GROUP BY 1;

-- name: refresh_first
DELETE FROM customer_first WHERE $all OR customer_id IN (SELECT customer_id FROM layer_scope);
INSERT INTO customer_first
WITH fv AS (
    SELECT customer_id, min(visit_date) AS first_visit,
           arg_min(channel, visit_date) FILTER (WHERE channel IS NOT NULL) AS visit_channel
    FROM visits WHERE $all OR customer_id IN (SELECT customer_id FROM layer_scope) GROUP BY 1),
fo AS (SELECT customer_id, min(order_date) AS first_order FROM orders
       WHERE $all OR customer_id IN (SELECT customer_id FROM layer_scope) GROUP BY 1),
-- The scope applies inside each branch, before the join with customer_phone: after it, every lead
-- was linked by phone to find the few in scope.
lead_links AS (
    SELECT customer_id, channel, lead_date FROM leads
    WHERE customer_id IS NOT NULL AND ($all OR customer_id IN (SELECT customer_id FROM layer_scope))
    UNION ALL
    SELECT p.customer_id, l.channel, l.lead_date
    FROM leads l
    JOIN (SELECT * FROM customer_phone WHERE $all OR customer_id IN (SELECT customer_id FROM layer_scope)) p
      ON l.phone = p.phone
    WHERE l.customer_id IS NULL),
fl AS (SELECT customer_id, arg_min(channel, lead_date) AS lead_channel FROM lead_links
       WHERE $all OR customer_id IN (SELECT customer_id FROM layer_scope) GROUP BY 1),
cs AS (SELECT * FROM customers WHERE $all OR customer_id IN (SELECT customer_id FROM layer_scope)),
ids AS (SELECT customer_id FROM fv UNION SELECT customer_id FROM fo UNION SELECT customer_id FROM cs)
SELECT ids.customer_id,
       least(fv.first_visit, fo.first_order) AS first_seen,
       fv.first_visit,
       coalesce(nullif(trim(c.source_channel), ''), fv.visit_channel, fl.lead_channel, 'unknown') AS channel,
       nullif(trim(c.referrer_id), '') AS referrer_id
FROM ids
LEFT JOIN fv USING (customer_id)
LEFT JOIN fo USING (customer_id)
LEFT JOIN fl USING (customer_id)
LEFT JOIN cs c USING (customer_id);

-- name: refresh_days
DELETE FROM customer_days WHERE $all OR customer_id IN (SELECT customer_id FROM layer_scope);
INSERT INTO customer_days
SELECT customer_id, order_date AS day, sum(paid_amount) AS net
FROM orders
WHERE line_kind <> 'topup' AND ($all OR customer_id IN (SELECT customer_id FROM layer_scope))
GROUP BY ALL
ORDER BY day;

-- name: refresh_attributed
DELETE FROM attributed_days WHERE $all OR customer_id IN (SELECT customer_id FROM layer_scope);
INSERT INTO attributed_days
WITH vc AS (
    SELECT customer_id, visit_date AS day, min(consultant) AS consultant
    FROM visits
    WHERE consultant IS NOT NULL AND ($all OR customer_id IN (SELECT customer_id FROM layer_scope))
    GROUP BY ALL),
oc AS (
    SELECT customer_id, order_date AS day, arg_max(coalesce(consultant, '未指定'), paid_amount) AS consultant,
           any_value(clinic) AS clinic, sum(paid_amount) AS net
    FROM orders
    WHERE line_kind <> 'topup' AND ($all OR customer_id IN (SELECT customer_id FROM layer_scope))
    GROUP BY ALL)
SELECT oc.customer_id, oc.day, coalesce(vc.consultant, oc.consultant) AS consultant, oc.clinic, oc.net
FROM oc LEFT JOIN vc USING (customer_id, day)
ORDER BY oc.day;

-- name: refresh_intervals
DELETE FROM item_intervals WHERE $all OR item IN (SELECT item FROM layer_items);
INSERT INTO item_intervals
WITH buys AS (
    SELECT DISTINCT customer_id, item, order_date AS day FROM orders
    WHERE line_kind = 'sale' AND paid_amount > 0 AND ($all OR item IN (SELECT item FROM layer_items))),
gaps AS (
    SELECT item, day - lag(day) OVER (PARTITION BY customer_id, item ORDER BY day) AS gap FROM buys)
SELECT item, count(gap) AS repeats, median(gap) AS median_interval_days
FROM gaps GROUP BY 1;

-- name: refresh_order_days
DELETE FROM order_days WHERE $all OR customer_id IN (SELECT customer_id FROM layer_scope);
INSERT INTO order_days
SELECT o.order_date AS day, o.customer_id, o.clinic, coalesce(o.consultant, '未指定') AS consultant,
       coalesce(o.department, i.department, '未指定') AS department, cf.channel, cf.first_seen,
       count(*) FILTER (WHERE o.line_kind <> 'topup') AS sales_lines,
       sum(o.paid_amount) FILTER (WHERE o.line_kind <> 'topup') AS net,
       sum(o.paid_amount) FILTER (WHERE o.line_kind = 'sale') AS sale_amount,
       sum(o.paid_amount) FILTER (WHERE o.line_kind = 'refund') AS refund_amount,
       sum(o.paid_amount) FILTER (WHERE o.line_kind = 'refund' OR NOT o.stored_value) AS cash_in
-- The scope filters the facts before the joins: filtered after them, the refresh of one day ran ~3x slower.
FROM (SELECT * FROM orders WHERE $all OR customer_id IN (SELECT customer_id FROM layer_scope)) o
LEFT JOIN customer_first cf USING (customer_id)
LEFT JOIN items i USING (item)
GROUP BY ALL
ORDER BY day;

-- name: refresh_visit_days
DELETE FROM visit_days WHERE $all OR customer_id IN (SELECT customer_id FROM layer_scope);
INSERT INTO visit_days
SELECT v.visit_date AS day, v.customer_id, v.clinic, coalesce(v.consultant, '未指定') AS consultant,
       coalesce(v.department, i.department, '未指定') AS department, cf.channel, cf.first_seen, cf.first_visit,
       count(*) AS visits,
       count(*) FILTER (WHERE v.visit_type = '初诊' OR (v.visit_type IS NULL AND v.visit_date = cf.first_visit))
           AS first_receptions
FROM (SELECT * FROM visits WHERE $all OR customer_id IN (SELECT customer_id FROM layer_scope)) v
LEFT JOIN customer_first cf USING (customer_id)
LEFT JOIN items i ON i.item = v.intended_item
GROUP BY ALL
ORDER BY day;

-- name: refresh_treatment_days
DELETE FROM treatment_days WHERE $all OR customer_id IN (SELECT customer_id FROM layer_scope);
INSERT INTO treatment_days
SELECT t.treatment_date AS day, t.customer_id, t.clinic, coalesce(i.department, '未指定') AS department,
       cf.channel, sum(t.consumed_amount) AS consumption
FROM (SELECT * FROM treatments WHERE $all OR customer_id IN (SELECT customer_id FROM layer_scope)) t
LEFT JOIN customer_first cf USING (customer_id)
LEFT JOIN items i USING (item)
GROUP BY ALL
ORDER BY day;

-- name: refresh_customer_deals
DELETE FROM customer_deals WHERE $all OR customer_id IN (SELECT customer_id FROM layer_scope);
INSERT INTO customer_deals
WITH days AS (
    SELECT * FROM customer_days WHERE $all OR customer_id IN (SELECT customer_id FROM layer_scope)),
per AS (
    SELECT customer_id, min(day) FILTER (WHERE net > 0) AS first_deal, max(day) FILTER (WHERE net > 0) AS last_deal,
           count(*) FILTER (WHERE net > 0) AS deal_days, sum(net) FILTER (WHERE net > 0) AS deal_sales,
           arg_min(net, day) FILTER (WHERE net > 0) AS first_net, sum(net) AS lifetime_sales
    FROM days GROUP BY 1 HAVING count(*) FILTER (WHERE net > 0) > 0),
first_lines AS (
    SELECT o.customer_id, arg_max(o.item, o.paid_amount) AS first_item,
           arg_max(coalesce(o.department, i.department, '未指定'), o.paid_amount) AS department,
           any_value(o.clinic) AS clinic
    FROM (SELECT * FROM orders WHERE line_kind = 'sale'
          AND ($all OR customer_id IN (SELECT customer_id FROM layer_scope))) o
    JOIN per p ON p.customer_id = o.customer_id AND o.order_date = p.first_deal
    LEFT JOIN items i ON i.item = o.item
    GROUP BY 1)
SELECT p.customer_id, p.first_deal, p.last_deal, p.deal_days, p.deal_sales, p.first_net, p.lifetime_sales,
       fl.first_item, fl.department, fl.clinic, cf.channel
FROM per p LEFT JOIN first_lines fl USING (customer_id) LEFT JOIN customer_first cf USING (customer_id)
ORDER BY p.first_deal;

-- name: refresh_last_items
DELETE FROM customer_last_items WHERE $all OR customer_id IN (SELECT customer_id FROM layer_scope);
INSERT INTO customer_last_items
SELECT DISTINCT o.customer_id, o.order_date AS last_deal, o.item
FROM (SELECT customer_id, order_date, item FROM orders WHERE line_kind = 'sale' AND paid_amount > 0
      AND ($all OR customer_id IN (SELECT customer_id FROM layer_scope))) o
JOIN customer_deals d ON d.customer_id = o.customer_id AND o.order_date = d.last_deal;

-- name: refresh_coverage
-- The dates the warehouse covers, for default periods, 环比/同比 availability and horizons.
-- Delete then insert rather than INSERT OR REPLACE: a lake (DuckLake) has no primary key to replace on.
DELETE FROM layer_meta WHERE key IN ('first_day', 'last_day');
INSERT INTO layer_meta
SELECT 'first_day', CAST(least(min_o, min_v) AS VARCHAR) FROM
    (SELECT min(order_date) AS min_o FROM orders), (SELECT min(visit_date) AS min_v FROM visits)
UNION ALL
SELECT 'last_day', CAST(greatest(max_o, max_v) AS VARCHAR) FROM
    (SELECT max(order_date) AS max_o FROM orders), (SELECT max(visit_date) AS max_v FROM visits);

-- name: has_layer
SELECT count(*) FROM duckdb_tables() WHERE table_name = 'layer_meta' AND schema_name = current_schema();

-- name: version
SELECT value FROM layer_meta WHERE key = 'version';

-- name: set_version
-- Delete then insert: a lake (DuckLake) has no primary key to replace on.
DELETE FROM layer_meta WHERE key = 'version';
INSERT INTO layer_meta VALUES ('version', $v);

-- name: read_coverage
SELECT key, value FROM layer_meta WHERE key IN ('first_day', 'last_day');

-- name: scope_open
-- What the refreshed batches touched (scope_from_batches, items_from_batches), for this refresh only.
CREATE OR REPLACE TEMP TABLE layer_scope (customer_id VARCHAR);
CREATE OR REPLACE TEMP TABLE layer_items (item VARCHAR);
CREATE OR REPLACE TEMP TABLE layer_batches (batch_id INTEGER);

-- name: add_scope_batch
INSERT INTO layer_batches VALUES ($batch);

-- name: scope_close
DROP TABLE IF EXISTS temp.layer_scope;
DROP TABLE IF EXISTS temp.layer_items;
DROP TABLE IF EXISTS temp.layer_batches;
