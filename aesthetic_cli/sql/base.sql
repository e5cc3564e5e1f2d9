-- What every metric builds on (SPEC §2), made once per connection by metrics.base.prepare and dropped
-- by an import. The per-customer and per-customer-day aggregates are temp tables (a report asks ~30
-- questions of them), while the fact views stay views: copying the facts would double the memory.
-- Each fact view carries the same grouping columns g_clinic, g_channel, g_consultant, g_department,
-- so one query serves --by clinic|channel|consultant|department.

-- first_seen: the earliest of a customer's first visit and first order.
-- Acquisition channel: customers.source_channel, else the first visit's channel, else the first
-- lead's (linked by customer_id, or by normalised phone when the lead has no customer_id), else unknown.
-- One customer per phone: a shared phone (family members) must link a lead to one customer, not
-- multiply it. Joined on phone alone, so it stays a hash join.
CREATE OR REPLACE TEMP TABLE customer_phone AS
SELECT phone, min(customer_id) AS customer_id FROM customers WHERE phone IS NOT NULL GROUP BY 1;

CREATE OR REPLACE TEMP TABLE customer_first AS
WITH fv AS (
    SELECT customer_id, min(visit_date) AS first_visit,
           arg_min(channel, visit_date) FILTER (WHERE channel IS NOT NULL) AS visit_channel
    FROM visits GROUP BY 1),
fo AS (SELECT customer_id, min(order_date) AS first_order FROM orders GROUP BY 1),
lead_links AS (
    SELECT customer_id, channel, lead_date FROM leads WHERE customer_id IS NOT NULL
    UNION ALL
    SELECT p.customer_id, l.channel, l.lead_date
    FROM leads l JOIN customer_phone p ON l.phone = p.phone
    WHERE l.customer_id IS NULL),
fl AS (SELECT customer_id, arg_min(channel, lead_date) AS lead_channel FROM lead_links GROUP BY 1),
ids AS (SELECT customer_id FROM fv UNION SELECT customer_id FROM fo UNION SELECT customer_id FROM customers)
SELECT ids.customer_id,
       least(fv.first_visit, fo.first_order) AS first_seen,
       fv.first_visit,
       coalesce(nullif(trim(c.source_channel), ''), fv.visit_channel, fl.lead_channel, 'unknown') AS channel,
       nullif(trim(c.referrer_id), '') AS referrer_id
FROM ids
LEFT JOIN fv USING (customer_id)
LEFT JOIN fo USING (customer_id)
LEFT JOIN fl USING (customer_id)
LEFT JOIN customers c USING (customer_id);

CREATE OR REPLACE TEMP VIEW order_facts AS
SELECT o.order_date AS day, o.customer_id, o.item, o.paid_amount, o.line_kind, o.stored_value, o.quantity,
       o.clinic AS g_clinic, cf.channel AS g_channel,
       coalesce(o.consultant, '未指定') AS g_consultant,
       coalesce(o.department, i.department, '未指定') AS g_department,
       cf.first_seen, 'all' AS g_all
FROM orders o
LEFT JOIN customer_first cf USING (customer_id)
LEFT JOIN items i USING (item);

CREATE OR REPLACE TEMP VIEW visit_facts AS
SELECT v.visit_date AS day, v.customer_id, v.visit_type, v.no_deal_reason, v.intended_item,
       v.clinic AS g_clinic, cf.channel AS g_channel,
       coalesce(v.consultant, '未指定') AS g_consultant,
       coalesce(v.department, i.department, '未指定') AS g_department,
       cf.first_seen, cf.first_visit, 'all' AS g_all
FROM visits v
LEFT JOIN customer_first cf USING (customer_id)
LEFT JOIN items i ON i.item = v.intended_item;

CREATE OR REPLACE TEMP VIEW treatment_facts AS
SELECT t.treatment_date AS day, t.customer_id, t.consumed_amount,
       t.clinic AS g_clinic, cf.channel AS g_channel, '未指定' AS g_consultant,
       coalesce(i.department, '未指定') AS g_department, 'all' AS g_all
FROM treatments t
LEFT JOIN customer_first cf USING (customer_id)
LEFT JOIN items i USING (item);

-- Net sales per customer-day (sale and refund lines, top-ups are not sales). A deal is a
-- customer-day with positive net sales.
CREATE OR REPLACE TEMP TABLE customer_days AS
SELECT customer_id, order_date AS day, sum(paid_amount) AS net
FROM orders WHERE line_kind <> 'topup'
GROUP BY ALL;

-- Each customer-day's consultant: the one who received the customer that day (SPEC: by the
-- visit's consultant), else the one on the order lines. Read from the raw tables: the fact views'
-- joins are not needed here.
CREATE OR REPLACE TEMP TABLE attributed_days AS
WITH vc AS (
    SELECT customer_id, visit_date AS day, min(consultant) AS consultant
    FROM visits WHERE consultant IS NOT NULL GROUP BY ALL),
oc AS (
    SELECT customer_id, order_date AS day, arg_max(coalesce(consultant, '未指定'), paid_amount) AS consultant,
           any_value(clinic) AS clinic, sum(paid_amount) AS net
    FROM orders WHERE line_kind <> 'topup' GROUP BY ALL)
SELECT oc.customer_id, oc.day, coalesce(vc.consultant, oc.consultant) AS consultant, oc.clinic, oc.net
FROM oc LEFT JOIN vc USING (customer_id, day);

-- Median days between consecutive purchases of the same item by the same customer: the cohorts
-- table shows it, the reactivation list measures "overdue" against it. Items never repeated
-- (surgery) have no median.
CREATE OR REPLACE TEMP TABLE item_intervals AS
WITH buys AS (
    SELECT DISTINCT customer_id, item, order_date AS day FROM orders WHERE line_kind = 'sale' AND paid_amount > 0),
gaps AS (
    SELECT item, day - lag(day) OVER (PARTITION BY customer_id, item ORDER BY day) AS gap FROM buys)
SELECT item, count(gap) AS repeats, median(gap) AS median_interval_days
FROM gaps GROUP BY 1;
