-- The semantic layer (SPEC §2): what every metric builds on, persisted in the warehouse and refreshed
-- inside each import's transaction (warehouse/derived.py). Analyses only read these.
--
-- Refresh is incremental (warehouse/derived.py refresh): an import names the customers it touched in the
-- temp table layer_scope; their facts are read once into scope_* temp tables; the new_* views give each
-- layer table's rows from those. The day tables rewrite only the customer-days the batches changed
-- (layer_dirty), the per-customer tables the scope's rows, item_intervals the medians of the items the
-- scope bought (from a histogram of gaps). A full rebuild (a new warehouse, an upgrade, a dropped batch, a
-- customers or items import) points the same views at the whole fact tables.

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
-- last_items (layer 8): the items of the last deal day as customer_last_items holds them, as one sorted
-- list (NULL without any). The count of overdue customers (sql/customers.sql overdue_count_current) groups
-- customers by it and their last deal day (a few thousand groups at 10M order lines) instead of grouping 6M
-- rows of customer_last_items by customer.
CREATE TABLE IF NOT EXISTS customer_deals (
    customer_id VARCHAR, first_deal DATE, last_deal DATE, deal_days BIGINT, deal_sales DECIMAL(18, 2),
    first_net DECIMAL(18, 2), lifetime_sales DECIMAL(18, 2), first_item VARCHAR, first_department VARCHAR,
    first_clinic VARCHAR, channel VARCHAR, last_items VARCHAR[]);
-- A layer-6 or 7 table has no last_items: the upgrade in place (derived.upgrade_in_place, on a lake
-- derived.fill_in_place) fills it; a layer of an older version is rebuilt whole, into the table with the column.
ALTER TABLE customer_deals ADD COLUMN IF NOT EXISTS last_items VARCHAR[];
-- What each customer with a deal bought on their last deal day: the distinct items of that day's sale
-- lines paid above zero. The call-back list (customers reactivate) takes the item cycle from these
-- instead of joining every order line to the customers' last deal days.
CREATE TABLE IF NOT EXISTS customer_last_items (customer_id VARCHAR, last_deal DATE, item VARCHAR);
-- Every distinct day a customer bought an item, with the days since their previous purchase of it (NULL on
-- the first), and the histogram of those gaps per item (gap NULL: how many customers bought it). A refresh
-- takes the scope's old gaps out of the histogram and puts their new ones in, and item_intervals' medians
-- come from the histogram: one more day no longer reads every purchase of every item it sold.
-- One row per customer and calendar month with a sales line or a visit: the month's net sales (NULL with
-- visits only), deal days (customer-days netting above zero), whether the customer visited, and their
-- first_seen. Monthly series (targets split leans on two years of months) count buyers and visitors per
-- month from these rows instead of grouping every customer-day by customer.
CREATE TABLE IF NOT EXISTS customer_months (
    month DATE, customer_id VARCHAR, first_seen DATE, net DECIMAL(18, 2), deal_days BIGINT, visited BOOLEAN);
CREATE TABLE IF NOT EXISTS item_gaps (customer_id VARCHAR, item VARCHAR, gap BIGINT);
CREATE TABLE IF NOT EXISTS item_gap_counts (item VARCHAR, gap BIGINT, n BIGINT);

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
-- need neither channel nor first_seen and so need not join customer_first. A refund line named for its
-- refund (退费-水光针, 玻尿酸（退款）) is the item's own: its money comes off the item it gave back, not off an
-- item of its own. The stored name stays as the file wrote it (it is part of the line's key).
CREATE OR REPLACE VIEW order_lines AS
WITH o AS (SELECT * REPLACE ({include:refund_item} AS item) FROM orders)
SELECT o.order_date AS day, o.customer_id, o.item, o.paid_amount, o.line_kind, o.quantity,
       o.clinic AS g_clinic, coalesce(o.department, i.department, '未指定') AS g_department,
       i.unit_cost, i.list_price, i.role
FROM o
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
    WHERE batch_id BETWEEN $lo AND $hi AND batch_id IN (SELECT batch_id FROM layer_batches)
-- The leads those batches updated, as they were: a lead's customer or phone may have been corrected. (Updated
-- order lines, visits and treatments make the refresh a full build: batches_replaced_facts.)
UNION SELECT customer_id FROM leads_prior
    WHERE replaced_by IN (SELECT batch_id FROM layer_batches) AND customer_id IS NOT NULL
UNION SELECT p.customer_id FROM leads_prior l JOIN customer_phone p ON l.phone = p.phone
    WHERE l.replaced_by IN (SELECT batch_id FROM layer_batches) AND l.customer_id IS NULL;

-- name: batches_replaced_facts
-- Whether the batches updated order lines, visits or treatments (load._update_changed): the scoped refresh
-- takes facts as only ever added (a day whose line moved to another customer would stay, and a rewritten
-- purchase day's gap would count twice), so those batches take the full build.
SELECT EXISTS (SELECT 1 FROM orders_prior WHERE replaced_by IN (SELECT batch_id FROM layer_batches))
    OR EXISTS (SELECT 1 FROM visits_prior WHERE replaced_by IN (SELECT batch_id FROM layer_batches))
    OR EXISTS (SELECT 1 FROM treatments_prior WHERE replaced_by IN (SELECT batch_id FROM layer_batches));

-- name: batch_share
-- The fact rows the batches in layer_batches brought (ids from $lo to $hi, as constants for the zone maps),
-- and every fact row, over the tables the layer is built from: derived.py's choice between a full build
-- and the scoped refresh. count(*) of a whole table reads no column.
SELECT (SELECT count(*) FROM orders
            WHERE batch_id BETWEEN $lo AND $hi AND batch_id IN (SELECT batch_id FROM layer_batches))
     + (SELECT count(*) FROM visits
            WHERE batch_id BETWEEN $lo AND $hi AND batch_id IN (SELECT batch_id FROM layer_batches))
     + (SELECT count(*) FROM treatments
            WHERE batch_id BETWEEN $lo AND $hi AND batch_id IN (SELECT batch_id FROM layer_batches))
     + (SELECT count(*) FROM leads
            WHERE batch_id BETWEEN $lo AND $hi AND batch_id IN (SELECT batch_id FROM layer_batches)),
       (SELECT count(*) FROM orders) + (SELECT count(*) FROM visits) + (SELECT count(*) FROM treatments)
     + (SELECT count(*) FROM leads);

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

-- name: stage_all
-- A full rebuild: the staged facts are the whole tables (views, nothing copied).
CREATE OR REPLACE TEMP VIEW scope_orders AS SELECT * FROM orders;
CREATE OR REPLACE TEMP VIEW scope_visits AS SELECT * FROM visits;
CREATE OR REPLACE TEMP VIEW scope_treatments AS SELECT * FROM treatments;
CREATE OR REPLACE TEMP VIEW scope_customers AS SELECT * FROM customers;
CREATE OR REPLACE TEMP VIEW scope_leads AS
SELECT customer_id, channel, lead_date FROM leads WHERE customer_id IS NOT NULL
UNION ALL
SELECT p.customer_id, l.channel, l.lead_date FROM leads l JOIN customer_phone p ON l.phone = p.phone
WHERE l.customer_id IS NULL;

-- name: stage_scoped_orders
-- Every order line of the scope's customers (deals, last items and item gaps need each one's history), and
-- their customer_first rows as they stand (what changed_customers compares with, and what an orders-only
-- refresh works their new rows out from: stage_scoped_light).
CREATE OR REPLACE TEMP TABLE scope_orders AS
SELECT customer_id, order_date, item, paid_amount, line_kind, stored_value, consultant, department, clinic, batch_id
FROM orders WHERE customer_id IN (SELECT customer_id FROM layer_scope);
CREATE OR REPLACE TEMP TABLE scope_old_first AS
SELECT * FROM customer_first WHERE customer_id IN (SELECT customer_id FROM layer_scope);

-- name: scope_brought_first_facts
-- Whether the batches brought visits or leads, the facts a customer_first row is made of besides the orders
-- (customers and items imports rebuild everything; treatments feed no customer_first row).
SELECT EXISTS (SELECT 1 FROM visits
                   WHERE batch_id BETWEEN $lo AND $hi AND batch_id IN (SELECT batch_id FROM layer_batches))
    OR EXISTS (SELECT 1 FROM leads
                   WHERE batch_id BETWEEN $lo AND $hi AND batch_id IN (SELECT batch_id FROM layer_batches));

-- name: stage_scoped_customers
-- A scoped refresh stages the facts of the customers in layer_scope, read once from each fact table (each
-- table used to scan orders again), and only the columns the layer uses: DuckDB reads every selected column
-- of every row before the scope filters them, so at 10M lines SELECT * cost twice as much. Their order lines
-- (stage_scoped_orders), visits and treatments (stage_scoped_visits, _treatments), customer records here.
CREATE OR REPLACE TEMP TABLE scope_customers AS
SELECT customer_id, source_channel, referrer_id FROM customers WHERE customer_id IN (SELECT customer_id FROM layer_scope);
-- A lead's channel is a customer's only when neither the record's source channel nor a visit's channel is
-- there (new_customer_first): only those customers' leads are read, usually none (the leads table is the
-- largest; scanning it by customer and by phone cost 3.4 CPU s at 10M).
CREATE OR REPLACE TEMP TABLE scope_lead_customers AS
SELECT customer_id FROM layer_scope
WHERE customer_id NOT IN (SELECT customer_id FROM scope_customers WHERE nullif(trim(source_channel), '') IS NOT NULL)
  AND customer_id NOT IN (SELECT customer_id FROM scope_visits WHERE channel IS NOT NULL);

-- name: stage_light_first
-- A refresh of batches that brought no visits and no leads (one more day of orders, or of treatments): each
-- customer's first visit, channel and referrer are as customer_first has them, since every fact they come
-- from is as it was at the last refresh (customers and items imports rebuild everything). Only first_seen can
-- move, by an order line. A customer without a customer_first row has no visit, no order before and no
-- customer record (each of these gives a row), so no lead is linked to them by phone (customer_phone comes
-- from the records): their channel is that of the first lead naming them, if any. So no visit and no
-- customer record is read for customer_first, and leads only for new customers.
CREATE OR REPLACE TEMP TABLE scope_new_customers AS
SELECT DISTINCT customer_id FROM scope_orders WHERE customer_id NOT IN (SELECT customer_id FROM scope_old_first);
CREATE OR REPLACE TEMP TABLE scope_customers (customer_id VARCHAR, source_channel VARCHAR, referrer_id VARCHAR);

-- name: scope_new_count
SELECT count(*) FROM scope_new_customers;

-- name: stage_light_leads
CREATE OR REPLACE TEMP TABLE scope_leads AS
SELECT customer_id, channel, lead_date FROM leads
WHERE customer_id IS NOT NULL AND customer_id IN (SELECT customer_id FROM scope_new_customers);

-- name: new_first_light
-- customer_first's rows for stage_light_first's refresh: first_seen is the earlier of the first visit (as it
-- was) and the first order line (scope_orders holds every line of these customers), as in new_first.
CREATE OR REPLACE TEMP VIEW new_customer_first AS
WITH fo AS (SELECT customer_id, min(order_date) AS first_order FROM scope_orders GROUP BY 1),
fl AS (SELECT customer_id, arg_min(channel, (lead_date, channel)) AS lead_channel FROM scope_leads GROUP BY 1)
SELECT coalesce(o.customer_id, fo.customer_id) AS customer_id, least(o.first_visit, fo.first_order) AS first_seen,
       o.first_visit, CASE WHEN o.customer_id IS NULL THEN coalesce(fl.lead_channel, 'unknown') ELSE o.channel END
           AS channel,
       o.referrer_id
FROM scope_old_first o
FULL JOIN fo ON fo.customer_id = o.customer_id
LEFT JOIN fl ON fl.customer_id = fo.customer_id;

-- name: changed_counts
SELECT count(*), count(*) FILTER (WHERE existed) FROM layer_changed;

-- name: batch_days
-- The first and last day of the batches' order and treatment lines.
SELECT min(d), max(d) FROM (
    SELECT order_date AS d FROM scope_orders
        WHERE batch_id BETWEEN $lo AND $hi AND batch_id IN (SELECT batch_id FROM layer_batches)
    UNION ALL
    SELECT treatment_date FROM treatments
        WHERE batch_id BETWEEN $lo AND $hi AND batch_id IN (SELECT batch_id FROM layer_batches));

-- name: stage_window_visits
-- With no customer_first row changed but new ones (who have no visits), the scope's visits are read only for
-- what the dirty customer-days need: those days' visit_days and attributed_days rows, and the visited flag of
-- their months (customer_months), so the months from $vlo to before $vhi. The visits are in day order, so
-- their zone maps skip the rest; one more day usually reads none.
CREATE OR REPLACE TEMP TABLE scope_visits AS
SELECT customer_id, visit_date, channel, consultant, department, clinic, visit_type, intended_item, batch_id
FROM visits WHERE visit_date >= $vlo AND visit_date < $vhi AND customer_id IN (SELECT customer_id FROM layer_scope);

-- name: stage_window_treatments
-- With no customer_first row changed or new, the dirty customer-days are the batches' days ($dlo to $dhi):
-- only those days' treatments are needed (treatment_days).
CREATE OR REPLACE TEMP TABLE scope_treatments AS
SELECT customer_id, treatment_date, clinic, item, consumed_amount, batch_id
FROM treatments
WHERE treatment_date BETWEEN $dlo AND $dhi AND customer_id IN (SELECT customer_id FROM layer_scope);

-- name: stage_scoped_visits
CREATE OR REPLACE TEMP TABLE scope_visits AS
SELECT customer_id, visit_date, channel, consultant, department, clinic, visit_type, intended_item, batch_id
FROM visits WHERE customer_id IN (SELECT customer_id FROM layer_scope);

-- name: stage_scoped_treatments
CREATE OR REPLACE TEMP TABLE scope_treatments AS
SELECT customer_id, treatment_date, clinic, item, consumed_amount, batch_id
FROM treatments WHERE customer_id IN (SELECT customer_id FROM layer_scope);

-- name: stage_scoped_leads
-- A lead counts for its customer_id, or, without one, for the customer its phone links (customer_phone).
CREATE OR REPLACE TEMP TABLE scope_leads AS
SELECT customer_id, channel, lead_date FROM leads
WHERE customer_id IS NOT NULL AND customer_id IN (SELECT customer_id FROM scope_lead_customers)
UNION ALL
SELECT p.customer_id, l.channel, l.lead_date
FROM leads l
JOIN (SELECT * FROM customer_phone WHERE customer_id IN (SELECT customer_id FROM scope_lead_customers)) p
  ON l.phone = p.phone
WHERE l.customer_id IS NULL;

-- name: stage_scoped_no_leads
CREATE OR REPLACE TEMP TABLE scope_leads (customer_id VARCHAR, channel VARCHAR, lead_date DATE);

-- name: scope_lead_count
SELECT count(*) FROM scope_lead_customers;

-- name: new_first
-- customer_first's rows from the staged facts.
-- A lead's channel counts only for a customer with neither a source channel nor a visit's: fl reads only
-- those customers' leads (in a full build the leads table joined to customer_phone was the statement's
-- largest part, and the generator's customers, like most CRM exports, all carry a source channel).
CREATE OR REPLACE TEMP VIEW new_customer_first AS
WITH fv AS (
    SELECT customer_id, min(visit_date) AS first_visit,
           arg_min(channel, (visit_date, channel)) FILTER (WHERE channel IS NOT NULL) AS visit_channel
    FROM scope_visits GROUP BY 1),
fo AS (SELECT customer_id, min(order_date) AS first_order FROM scope_orders GROUP BY 1),
ids AS (SELECT customer_id FROM fv UNION SELECT customer_id FROM fo UNION SELECT customer_id FROM scope_customers),
base AS (
    SELECT ids.customer_id, least(fv.first_visit, fo.first_order) AS first_seen, fv.first_visit,
           coalesce(nullif(trim(c.source_channel), ''), fv.visit_channel) AS known_channel,
           nullif(trim(c.referrer_id), '') AS referrer_id
    FROM ids
    LEFT JOIN fv USING (customer_id)
    LEFT JOIN fo USING (customer_id)
    LEFT JOIN scope_customers c USING (customer_id)),
{include:first_channel};

-- name: first_channel
-- customer_first's rows from `base` (customer_id, first_seen, first_visit, known_channel: the record's
-- source channel else the first visit's, referrer_id), shared by new_rows and new_rows_full: a customer
-- with no known channel takes their earliest lead's, else unknown. Only those customers' leads are read.
fl AS (
    SELECT customer_id, arg_min(channel, (lead_date, channel)) AS lead_channel FROM scope_leads
    WHERE customer_id IN (SELECT customer_id FROM base WHERE known_channel IS NULL) GROUP BY 1)
SELECT b.customer_id, b.first_seen, b.first_visit, coalesce(b.known_channel, fl.lead_channel, 'unknown') AS channel,
       b.referrer_id
FROM base b LEFT JOIN fl USING (customer_id)

-- name: new_rows
-- Each layer table's rows as the staged facts give them: every row in a full rebuild, the scope's rows
-- in a scoped refresh. scope_first, scope_days and scope_deals are the customer_first, customer_days and
-- customer_deals rows of the same customers (derived.py points them at the persisted tables in a full
-- rebuild, at these views in a scoped refresh, where they are small).
CREATE OR REPLACE TEMP VIEW new_customer_days AS
SELECT customer_id, order_date AS day, sum(paid_amount) AS net
FROM scope_orders
WHERE line_kind <> 'topup'
GROUP BY ALL;

-- name: new_rows_days
-- (After scope_first and scope_days exist: a view is checked against what it reads when it is made.)
CREATE OR REPLACE TEMP VIEW new_attributed_days AS
WITH vc AS (
    SELECT customer_id, visit_date AS day, min(consultant) AS consultant
    FROM scope_visits WHERE consultant IS NOT NULL
    GROUP BY ALL),
oc AS (
    SELECT customer_id, order_date AS day, arg_max(coalesce(consultant, '未指定'), paid_amount) AS consultant,
           any_value(clinic) AS clinic, sum(paid_amount) AS net
    FROM scope_orders WHERE line_kind <> 'topup'
    GROUP BY ALL)
SELECT oc.customer_id, oc.day, coalesce(vc.consultant, oc.consultant) AS consultant, oc.clinic, oc.net
FROM oc LEFT JOIN vc USING (customer_id, day);

CREATE OR REPLACE TEMP VIEW new_order_days AS
SELECT o.order_date AS day, o.customer_id, o.clinic, coalesce(o.consultant, '未指定') AS consultant,
       coalesce(o.department, i.department, '未指定') AS department, cf.channel, cf.first_seen,
       count(*) FILTER (WHERE o.line_kind <> 'topup') AS sales_lines,
       sum(o.paid_amount) FILTER (WHERE o.line_kind <> 'topup') AS net,
       sum(o.paid_amount) FILTER (WHERE o.line_kind = 'sale') AS sale_amount,
       sum(o.paid_amount) FILTER (WHERE o.line_kind = 'refund') AS refund_amount,
       sum(o.paid_amount) FILTER (WHERE o.line_kind = 'refund' OR NOT o.stored_value) AS cash_in
FROM scope_orders o
LEFT JOIN scope_first cf USING (customer_id)
LEFT JOIN items i USING (item)
GROUP BY ALL;

CREATE OR REPLACE TEMP VIEW new_visit_days AS
SELECT v.visit_date AS day, v.customer_id, v.clinic, coalesce(v.consultant, '未指定') AS consultant,
       coalesce(v.department, i.department, '未指定') AS department, cf.channel, cf.first_seen, cf.first_visit,
       count(*) AS visits,
       count(*) FILTER (WHERE v.visit_type = '初诊' OR (v.visit_type IS NULL AND v.visit_date = cf.first_visit))
           AS first_receptions
FROM scope_visits v
LEFT JOIN scope_first cf USING (customer_id)
LEFT JOIN items i ON i.item = v.intended_item
GROUP BY ALL;

CREATE OR REPLACE TEMP VIEW new_treatment_days AS
SELECT t.treatment_date AS day, t.customer_id, t.clinic, coalesce(i.department, '未指定') AS department,
       cf.channel, sum(t.consumed_amount) AS consumption
FROM scope_treatments t
LEFT JOIN scope_first cf USING (customer_id)
LEFT JOIN items i USING (item)
GROUP BY ALL;

CREATE OR REPLACE TEMP VIEW new_customer_deals AS
WITH per AS (
    SELECT customer_id, min(day) FILTER (WHERE net > 0) AS first_deal, max(day) FILTER (WHERE net > 0) AS last_deal,
           count(*) FILTER (WHERE net > 0) AS deal_days, sum(net) FILTER (WHERE net > 0) AS deal_sales,
           arg_min(net, day) FILTER (WHERE net > 0) AS first_net, sum(net) AS lifetime_sales
    FROM scope_days GROUP BY 1 HAVING count(*) FILTER (WHERE net > 0) > 0),
fl_orders AS (SELECT * FROM scope_orders),
fl_first AS (SELECT customer_id, first_deal FROM per),
first_lines AS ({include:first_lines_of}),
-- The distinct items of the last deal day's sale lines paid above zero, as new_customer_last_items picks them.
last_lines AS (
    SELECT customer_id, list(item ORDER BY item) AS last_items
    FROM (SELECT DISTINCT o.customer_id, o.item
          FROM (SELECT customer_id, order_date, item FROM scope_orders WHERE line_kind = 'sale' AND paid_amount > 0) o
          JOIN per p ON p.customer_id = o.customer_id AND o.order_date = p.last_deal)
    GROUP BY 1)
SELECT p.customer_id, p.first_deal, p.last_deal, p.deal_days, p.deal_sales, p.first_net, p.lifetime_sales,
       fl.first_item, fl.department, fl.clinic, cf.channel, ll.last_items
FROM per p LEFT JOIN first_lines fl USING (customer_id) LEFT JOIN scope_first cf USING (customer_id)
LEFT JOIN last_lines ll USING (customer_id);

CREATE OR REPLACE TEMP VIEW new_customer_months AS
WITH m AS (
    SELECT date_trunc('month', day)::DATE AS month, customer_id, sum(net) AS net,
           count(*) FILTER (WHERE net > 0) AS deal_days, false AS visited
    FROM scope_days GROUP BY ALL
    UNION ALL
    SELECT DISTINCT date_trunc('month', visit_date)::DATE, customer_id, NULL, 0, true FROM scope_visits)
SELECT m.month, m.customer_id, any_value(cf.first_seen) AS first_seen, sum(m.net) AS net,
       CAST(sum(m.deal_days) AS BIGINT) AS deal_days, bool_or(m.visited) AS visited
FROM m LEFT JOIN scope_first cf USING (customer_id)
GROUP BY m.month, m.customer_id;

-- name: new_rows_last
-- (After scope_deals exists.)
CREATE OR REPLACE TEMP VIEW new_customer_last_items AS
SELECT DISTINCT o.customer_id, o.order_date AS last_deal, o.item
FROM (SELECT customer_id, order_date, item FROM scope_orders WHERE line_kind = 'sale' AND paid_amount > 0) o
JOIN scope_deals d ON d.customer_id = o.customer_id AND o.order_date = d.last_deal;

-- Every distinct day a customer bought an item (a sale line paid above zero), with the days since their
-- previous purchase of it (NULL on the first).
CREATE OR REPLACE TEMP VIEW new_item_gaps AS
SELECT customer_id, item, day - lag(day) OVER (PARTITION BY customer_id, item ORDER BY day) AS gap
FROM (SELECT DISTINCT customer_id, item, order_date AS day FROM scope_orders
      WHERE line_kind = 'sale' AND paid_amount > 0);

-- The median of an item's gaps from its histogram (item_gap_counts): the gap at 0-based position
-- (repeats - 1) // 2 and the one at repeats // 2, averaged, which is what median() gives over the gaps.
CREATE OR REPLACE TEMP VIEW new_item_intervals AS
WITH h AS (
    SELECT item, gap, sum(n) OVER (PARTITION BY item ORDER BY gap ROWS UNBOUNDED PRECEDING) AS upto,
           sum(n) OVER (PARTITION BY item) AS repeats
    FROM item_gap_counts WHERE gap IS NOT NULL AND item IN (SELECT item FROM gap_items)),
mid AS (
    SELECT item, CAST(any_value(repeats) AS BIGINT) AS repeats,
           min(gap) FILTER (WHERE upto > (repeats - 1) // 2) AS lo, min(gap) FILTER (WHERE upto > repeats // 2) AS hi
    FROM h GROUP BY 1)
SELECT g.item, coalesce(m.repeats, 0) AS repeats, (m.lo + m.hi) / 2 AS median_interval_days
FROM gap_items g LEFT JOIN mid m USING (item);

-- name: new_rows_full
-- A full build's own formulation of customer_first (after new_rows, replacing its view): one grouping of
-- the visits, order lines and customer records by customer, where new_rows' joins three groupings of
-- them. At 10M order lines (9M customers) the three joins held three hash tables of every customer at
-- once, and the statement alone ran out of memory under the 2 GB write limit; this one spills. The same
-- rows (tests/test_layer_full_build.py): first_seen the earliest visit or order, first_visit the earliest
-- visit, the channel the record's, else the earliest visit's with one, else the
-- earliest lead's, else unknown. A customer has at most one record (customers' primary key).
CREATE OR REPLACE TEMP VIEW new_customer_first AS
WITH u AS (
    SELECT customer_id, min(d) AS first_seen, min(d) FILTER (WHERE src = 'v') AS first_visit,
           arg_min(channel, (d, channel)) FILTER (WHERE src = 'v' AND channel IS NOT NULL) AS visit_channel,
           any_value(channel) FILTER (WHERE src = 'c') AS source_channel,
           any_value(referrer_id) FILTER (WHERE src = 'c') AS referrer_id
    FROM (SELECT customer_id, visit_date AS d, channel, NULL AS referrer_id, 'v' AS src FROM scope_visits
          UNION ALL
          SELECT customer_id, order_date, NULL, NULL, 'o' FROM scope_orders
          UNION ALL
          SELECT customer_id, NULL, nullif(trim(source_channel), ''), nullif(trim(referrer_id), ''), 'c'
          FROM scope_customers)
    GROUP BY customer_id),
base AS (
    SELECT customer_id, first_seen, first_visit, coalesce(source_channel, visit_channel) AS known_channel,
           referrer_id
    FROM u),
{include:first_channel};

-- order_days with the lines grouped before the customer's channel and first_seen are joined on: the same
-- rows (both follow from customer_id, a grouping column), and the join reads one row per group rather than
-- per line, the grouping five columns rather than seven.
CREATE OR REPLACE TEMP VIEW new_order_days AS
WITH g AS (
    SELECT o.order_date AS day, o.customer_id, o.clinic, coalesce(o.consultant, '未指定') AS consultant,
           coalesce(o.department, i.department, '未指定') AS department,
           count(*) FILTER (WHERE o.line_kind <> 'topup') AS sales_lines,
           sum(o.paid_amount) FILTER (WHERE o.line_kind <> 'topup') AS net,
           sum(o.paid_amount) FILTER (WHERE o.line_kind = 'sale') AS sale_amount,
           sum(o.paid_amount) FILTER (WHERE o.line_kind = 'refund') AS refund_amount,
           sum(o.paid_amount) FILTER (WHERE o.line_kind = 'refund' OR NOT o.stored_value) AS cash_in
    FROM scope_orders o LEFT JOIN items i USING (item)
    GROUP BY ALL)
SELECT g.day, g.customer_id, g.clinic, g.consultant, g.department, cf.channel, cf.first_seen,
       g.sales_lines, g.net, g.sale_amount, g.refund_amount, g.cash_in
FROM g LEFT JOIN scope_first cf USING (customer_id);

-- name: point_all
-- A full rebuild: the scope's customer_first / customer_days rows are the persisted tables (rebuilt before
-- anything reads them through these views).
CREATE OR REPLACE TEMP VIEW scope_first AS SELECT * FROM customer_first;
CREATE OR REPLACE TEMP VIEW scope_days AS SELECT * FROM customer_days;

-- name: point_deals_all
CREATE OR REPLACE TEMP VIEW scope_deals AS SELECT * FROM customer_deals;

-- name: point_scoped
-- A scoped refresh: the scope's rows, computed again from the staged facts (small) rather than found
-- among every customer's.
CREATE OR REPLACE TEMP VIEW scope_first AS SELECT * FROM new_customer_first;
CREATE OR REPLACE TEMP VIEW scope_days AS SELECT * FROM new_customer_days;

-- name: point_deals_scoped
CREATE OR REPLACE TEMP VIEW scope_deals AS SELECT * FROM new_customer_deals;

-- name: replace_all
-- A full rebuild of one layer table ({t}), in day order where it has days (zone maps for periods).
DELETE FROM {t};
INSERT INTO {t} SELECT * FROM new_{t} {order_by};

-- name: changed_customers
-- The customers in scope whose customer_first row is new or differs: their rows in the day tables carry
-- the old channel / first_seen / first_visit and are rewritten whole (all their days are dirty).
CREATE OR REPLACE TEMP TABLE layer_changed AS
SELECT n.customer_id, o.customer_id IS NOT NULL AS existed
FROM new_customer_first n
LEFT JOIN scope_old_first o USING (customer_id)
WHERE o.customer_id IS NULL OR o.first_seen IS DISTINCT FROM n.first_seen
   OR o.first_visit IS DISTINCT FROM n.first_visit OR o.channel IS DISTINCT FROM n.channel
   OR o.referrer_id IS DISTINCT FROM n.referrer_id;

-- name: changed_existing
SELECT count(*) FROM layer_changed WHERE existed;

-- name: delete_changed_first
-- Only when a customer's row changed: new customers have none, and this reads every customer's.
DELETE FROM customer_first WHERE customer_id IN (SELECT customer_id FROM layer_changed WHERE existed);

-- name: insert_changed_first
INSERT INTO customer_first SELECT * FROM new_customer_first WHERE customer_id IN (SELECT customer_id FROM layer_changed);

-- name: dirty_days
-- The customer-days whose day-table rows the batches can have changed: the days of the batches' own fact
-- rows (facts are only ever appended between full rebuilds), and every day of a changed customer. No
-- other row of the day tables depends on what the batches brought.
CREATE OR REPLACE TEMP TABLE layer_dirty AS
SELECT customer_id, order_date AS day FROM scope_orders
    WHERE batch_id BETWEEN $lo AND $hi AND batch_id IN (SELECT batch_id FROM layer_batches)
UNION SELECT customer_id, visit_date FROM scope_visits
    WHERE batch_id BETWEEN $lo AND $hi AND batch_id IN (SELECT batch_id FROM layer_batches)
UNION SELECT customer_id, treatment_date FROM scope_treatments
    WHERE batch_id BETWEEN $lo AND $hi AND batch_id IN (SELECT batch_id FROM layer_batches)
UNION SELECT customer_id, order_date FROM scope_orders WHERE customer_id IN (SELECT customer_id FROM layer_changed)
UNION SELECT customer_id, visit_date FROM scope_visits WHERE customer_id IN (SELECT customer_id FROM layer_changed)
UNION SELECT customer_id, treatment_date FROM scope_treatments
    WHERE customer_id IN (SELECT customer_id FROM layer_changed);

-- name: dirty_span
SELECT min(day), max(day) FROM layer_dirty;

-- name: replace_dirty
-- One day table ({t}): the dirty customer-days' rows out, their new rows in. $dlo / $dhi, the dirty days'
-- span as constants, let DuckDB skip the row groups of other days (the tables are written in day order),
-- so one more day touches the last row groups only.
DELETE FROM {t} t WHERE t.day BETWEEN $dlo AND $dhi
    AND EXISTS (SELECT 1 FROM layer_dirty d WHERE d.customer_id = t.customer_id AND d.day = t.day);
INSERT INTO {t}
SELECT * FROM new_{t} n
WHERE EXISTS (SELECT 1 FROM layer_dirty d WHERE d.customer_id = n.customer_id AND d.day = n.day)
ORDER BY day;

-- name: replace_dirty_months
-- customer_months for the months of the dirty customer-days, as replace_dirty does for the day tables.
DELETE FROM customer_months t WHERE t.month BETWEEN date_trunc('month', $dlo::DATE) AND $dhi
    AND EXISTS (SELECT 1 FROM layer_dirty d WHERE d.customer_id = t.customer_id AND date_trunc('month', d.day) = t.month);
INSERT INTO customer_months
SELECT * FROM new_customer_months n
WHERE EXISTS (SELECT 1 FROM layer_dirty d WHERE d.customer_id = n.customer_id AND date_trunc('month', d.day) = n.month)
ORDER BY month;

-- name: replace_scoped
-- One per-customer table ({t}): the scope's rows out, their new rows in.
DELETE FROM {t} WHERE customer_id IN (SELECT customer_id FROM layer_scope);
INSERT INTO {t} SELECT * FROM new_{t} {order_by};

-- name: intervals_all
-- Item intervals in full: every buy's gap, their histogram per item, the medians from it.
DELETE FROM item_gaps;
INSERT INTO item_gaps SELECT * FROM new_item_gaps;
DELETE FROM item_gap_counts;
INSERT INTO item_gap_counts SELECT item, gap, count(*) AS n FROM item_gaps GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE gap_items AS SELECT DISTINCT item FROM item_gap_counts;
DELETE FROM item_intervals;
INSERT INTO item_intervals SELECT * FROM new_item_intervals;

-- name: intervals_scoped
-- Item intervals for the scope's customers, worked out from their staged order lines alone: their old gaps
-- come out of the histogram and their new ones go in, so the medians of the items they bought are worked out
-- again from the histogram (a few thousand rows) instead of from every purchase of those items (at 10M lines,
-- 11 of the refresh's 36 CPU seconds). item_gaps is not read unless a batch brought a purchase day before an
-- earlier-imported one of the same customer and item (intervals_rewritten); one more day appends its gaps
-- (reading the scope's rows out of the 9M of item_gaps and deleting them cost 1.0 of about 5 CPU s at 10M).
-- Each (customer, item) purchase day of the scope, old when a fact outside the refreshed batches has it. The
-- layer holds the gaps of the old days exactly (facts are only appended between full builds), so the old
-- gaps are known without reading them.
CREATE OR REPLACE TEMP TABLE gap_days AS
SELECT o.customer_id, o.item, o.order_date AS day, bool_or(b.batch_id IS NULL) AS old
FROM scope_orders o LEFT JOIN layer_batches b USING (batch_id)
WHERE o.line_kind = 'sale' AND o.paid_amount > 0
GROUP BY ALL;
-- The pairs the batches brought a new purchase day to. Appended when every new day comes after every old
-- one: the old rows stand and the new days' gaps are added. Rewritten otherwise (a new day before an old one
-- changes the old one's gap): the pair's rows are replaced.
CREATE OR REPLACE TEMP TABLE gap_pairs AS
SELECT customer_id, item,
       coalesce(min(day) FILTER (WHERE NOT old) < max(day) FILTER (WHERE old), false) AS rewritten
FROM gap_days GROUP BY ALL HAVING bool_or(NOT old);
-- The rows going in: every day of a rewritten pair, the new days of an appended one (each with the gap since
-- the pair's previous day, old or new).
CREATE OR REPLACE TEMP TABLE gap_new AS
SELECT customer_id, item, gap FROM (
    SELECT d.customer_id, d.item, d.old, p.rewritten,
           d.day - lag(d.day) OVER (PARTITION BY d.customer_id, d.item ORDER BY d.day) AS gap
    FROM gap_days d JOIN gap_pairs p USING (customer_id, item))
WHERE rewritten OR NOT old;
-- The rows going out: a rewritten pair's old gaps, over its old days alone (the WHERE comes before the window).
CREATE OR REPLACE TEMP TABLE gap_gone AS
SELECT d.customer_id, d.item, d.day - lag(d.day) OVER (PARTITION BY d.customer_id, d.item ORDER BY d.day) AS gap
FROM gap_days d JOIN gap_pairs p USING (customer_id, item)
WHERE p.rewritten AND d.old;
CREATE OR REPLACE TEMP TABLE gap_delta AS
SELECT item, gap, count(*) AS n FROM gap_new GROUP BY ALL
UNION ALL SELECT item, gap, -count(*) AS n FROM gap_gone GROUP BY ALL;

-- name: has_rewritten_gaps
SELECT EXISTS (SELECT 1 FROM gap_pairs WHERE rewritten);

-- name: intervals_rewritten
-- Only when a pair is rewritten (has_rewritten_gaps; this reads the customer ids of all of item_gaps): its
-- old rows out, before intervals_merge puts its new ones in.
DELETE FROM item_gaps g
WHERE EXISTS (SELECT 1 FROM gap_pairs p WHERE p.rewritten AND p.customer_id = g.customer_id AND p.item = g.item);

-- name: intervals_merge
-- The new gaps in, then the histogram and the medians of the items whose gaps changed.
INSERT INTO item_gaps SELECT * FROM gap_new;
CREATE OR REPLACE TEMP TABLE gap_items AS SELECT DISTINCT item FROM gap_delta;
CREATE OR REPLACE TEMP TABLE gap_merged AS
SELECT item, gap, CAST(sum(n) AS BIGINT) AS n
FROM (SELECT item, gap, n FROM item_gap_counts WHERE item IN (SELECT item FROM gap_items)
      UNION ALL SELECT item, gap, n FROM gap_delta)
GROUP BY ALL
HAVING sum(n) <> 0;
DELETE FROM item_gap_counts WHERE item IN (SELECT item FROM gap_items);
INSERT INTO item_gap_counts SELECT * FROM gap_merged;
DELETE FROM item_intervals WHERE item IN (SELECT item FROM gap_items);
INSERT INTO item_intervals SELECT * FROM new_item_intervals;

-- name: refund_item
-- A refund line named for its refund (退费-水光针, 玻尿酸（退款）) is the item's own: the item it gave back. The stored
-- name stays as the file wrote it (it is part of the line's key); order_lines and first_lines_of read it so.
CASE WHEN line_kind = 'refund' THEN coalesce(nullif(regexp_replace(item,
    '^[\s(（\[【]*(?:退款|退费|退货)[)）\]】]?[\s\-－—_:：·/]*|[\s\-－—_:：·/]*[(（\[【]?(?:退款|退费|退货)[)）\]】]?\s*$',
    '', 'g'), ''), item) ELSE item END

-- name: first_lines_of
-- The item, department and clinic a customer's first deal is named after (cohorts --by first_item, department,
-- clinic), over the CTEs fl_orders (order lines) and fl_first (customer_id, first_deal): of the items the first deal
-- day's sale and refund lines net above zero, the one of the largest net (by name on a tie), with the department
-- and clinic of its largest line. An item bought and given back that day named no cohort (indep9 I1: 眼综合 bought
-- and refunded beside a 肉毒素 kept filed the customer under 眼综合 / 整形外科).
SELECT customer_id, arg_max(item, (net, item)) AS first_item, arg_max(department, (net, item)) AS department,
       arg_max(clinic, (net, item)) AS clinic
FROM (SELECT o.customer_id, o.item, sum(o.paid_amount) AS net,
             arg_max(coalesce(o.department, i.department, '未指定'), o.paid_amount) AS department,
             arg_max(o.clinic, o.paid_amount) AS clinic
      FROM (SELECT * REPLACE ({include:refund_item} AS item) FROM fl_orders WHERE line_kind <> 'topup') o
      JOIN fl_first p ON p.customer_id = o.customer_id AND o.order_date = p.first_deal
      LEFT JOIN items i ON i.item = o.item
      GROUP BY 1, 2)
WHERE net > 0
GROUP BY 1

-- name: fill_first_lines
-- Layer 9 → 10: customer_deals' first item, department and clinic by first_lines_of, from every order line.
UPDATE customer_deals SET first_item = f.first_item, first_department = f.department, first_clinic = f.clinic
FROM (WITH fl_orders AS (SELECT * FROM orders), fl_first AS (SELECT customer_id, first_deal FROM customer_deals)
      {include:first_lines_of}) f
WHERE customer_deals.customer_id = f.customer_id;

-- name: fill_last_items
-- Layer 7 → 8: customer_deals.last_items from customer_last_items, which holds the same items (the same
-- lines, the same day) one row each.
UPDATE customer_deals SET last_items = l.last_items
FROM (SELECT customer_id, list(item ORDER BY item) AS last_items FROM customer_last_items GROUP BY 1) l
WHERE customer_deals.customer_id = l.customer_id;

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
-- What the refreshed batches touched (scope_from_batches), for this refresh only.
CREATE OR REPLACE TEMP TABLE layer_scope (customer_id VARCHAR);
CREATE OR REPLACE TEMP TABLE layer_batches (batch_id INTEGER);
CREATE OR REPLACE TEMP TABLE layer_changed (customer_id VARCHAR, existed BOOLEAN);
CREATE OR REPLACE TEMP TABLE gap_items (item VARCHAR);

-- name: unstage_all
DROP VIEW IF EXISTS temp.scope_orders;
DROP VIEW IF EXISTS temp.scope_visits;
DROP VIEW IF EXISTS temp.scope_treatments;
DROP VIEW IF EXISTS temp.scope_customers;
DROP VIEW IF EXISTS temp.scope_leads;

-- name: unstage_scoped
DROP TABLE IF EXISTS temp.scope_orders;
DROP TABLE IF EXISTS temp.scope_visits;
DROP TABLE IF EXISTS temp.scope_treatments;
DROP TABLE IF EXISTS temp.scope_customers;
DROP TABLE IF EXISTS temp.scope_leads;
DROP TABLE IF EXISTS temp.scope_lead_customers;
DROP TABLE IF EXISTS temp.scope_old_first;
DROP TABLE IF EXISTS temp.scope_new_customers;

-- name: add_scope_batch
INSERT INTO layer_batches VALUES ($batch);

-- name: scope_close
DROP VIEW IF EXISTS temp.new_item_intervals;
DROP VIEW IF EXISTS temp.new_item_gaps;
DROP VIEW IF EXISTS temp.new_customer_last_items;
DROP VIEW IF EXISTS temp.scope_deals;
DROP VIEW IF EXISTS temp.new_customer_deals;
DROP VIEW IF EXISTS temp.new_customer_months;
DROP VIEW IF EXISTS temp.new_treatment_days;
DROP VIEW IF EXISTS temp.new_visit_days;
DROP VIEW IF EXISTS temp.new_order_days;
DROP VIEW IF EXISTS temp.new_attributed_days;
DROP VIEW IF EXISTS temp.scope_first;
DROP VIEW IF EXISTS temp.scope_days;
DROP VIEW IF EXISTS temp.new_customer_days;
DROP VIEW IF EXISTS temp.new_customer_first;
DROP TABLE IF EXISTS temp.layer_scope;
DROP TABLE IF EXISTS temp.layer_batches;
DROP TABLE IF EXISTS temp.layer_changed;
DROP TABLE IF EXISTS temp.layer_dirty;
DROP TABLE IF EXISTS temp.gap_items;
DROP TABLE IF EXISTS temp.gap_delta;
DROP TABLE IF EXISTS temp.gap_days;
DROP TABLE IF EXISTS temp.gap_pairs;
DROP TABLE IF EXISTS temp.gap_gone;
DROP TABLE IF EXISTS temp.gap_new;
DROP TABLE IF EXISTS temp.gap_merged;
