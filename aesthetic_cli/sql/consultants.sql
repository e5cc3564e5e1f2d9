-- name: onsite
-- 现场咨询师 for one period: receptions by the visit's consultant; deals, sales and refunds of the
-- customer-days attributed to them (attributed_days).
-- Per consultant and customer first, then per consultant: customers are counted rows, not a
-- count(DISTINCT) per consultant (several times slower at 10M lines).
WITH rec AS (
    SELECT consultant, sum(visits)::BIGINT AS receptions, sum(first_receptions)::BIGINT AS first_receptions,
           count(*) AS received
    FROM (SELECT consultant, customer_id, sum(visits) AS visits, sum(first_receptions) AS first_receptions
          FROM visit_days
          WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR clinic = $clinic)
          GROUP BY 1, 2)
    GROUP BY 1),
deals AS (
    SELECT consultant, count(*) FILTER (WHERE deal_days > 0) AS buyers,
           CAST(sum(deal_days) AS BIGINT) AS deal_visits, sum(net) AS sales
    FROM (SELECT consultant, customer_id, count(*) FILTER (WHERE net > 0) AS deal_days, sum(net) AS net
          FROM attributed_days
          WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR clinic = $clinic)
          GROUP BY 1, 2)
    GROUP BY 1),
refunds AS (
    -- By the consultant the customer-day is attributed to, as the sales beside it: a refund keyed under another
    -- consultant than the one who received the customer counts against the one credited with the sale.
    SELECT a.consultant, -sum(o.refund_amount) AS refunds, sum(o.sale_amount) AS gross_sales
    FROM order_days o JOIN attributed_days a ON a.customer_id = o.customer_id AND a.day = o.day
    WHERE o.day BETWEEN $start AND $end AND a.day BETWEEN $start AND $end
      AND ($clinic IS NULL OR o.clinic = $clinic)
    GROUP BY 1),
closed AS (
    -- The cohort whose 180 days end in this period: closed 180 days before it, and only those whose 180 days the
    -- data has seen whole (a month in progress: up to the data's last day, $last), never a window cut short.
    -- Date arithmetic, not INTERVAL: a DATE minus an INTERVAL is a TIMESTAMP, and a filter on
    -- CAST(day AS TIMESTAMP) reads every row group instead of the period's (at 10M lines most of the analysis).
    SELECT consultant, customer_id, min(day) AS closed_on
    FROM attributed_days
    WHERE net > 0 AND day BETWEEN CAST($start AS DATE) - 180 AND least(CAST($end AS DATE), CAST($last AS DATE)) - 180
      AND ($clinic IS NULL OR clinic = $clinic)
    GROUP BY 1, 2),
later_deals AS (
    -- The cohort's deal days that can count, from order_days: a customer-day is a deal when its lines net
    -- above zero, whatever clinic or consultant each was booked under. Not customer_days: its net is a 128-bit
    -- DECIMAL, and decoding it for seven months of rows was most of the analysis at 10M lines (0.8 CPU s);
    -- order_days' is 64-bit. Only the cohort's customers are grouped.
    SELECT customer_id, day FROM order_days
    WHERE sales_lines > 0 AND day > CAST($start AS DATE) - 180 AND day <= $end
      AND customer_id IN (SELECT customer_id FROM closed)
    GROUP BY ALL HAVING sum(net) > 0),
-- Per consultant: the cohort, and those of it with a deal day in their 180 days, by a semi join with the window
-- as its condition (the EXISTS subquery it replaces was planned as a delim join over every cohort row).
repurchased AS (
    SELECT c.consultant, count(*) AS repurchased FROM closed c
    SEMI JOIN later_deals d ON d.customer_id = c.customer_id AND d.day > c.closed_on AND d.day <= c.closed_on + 180
    GROUP BY 1),
rep AS (
    SELECT consultant, b.repurchase_base, coalesce(r.repurchased, 0) AS repurchased
    FROM (SELECT consultant, count(*) AS repurchase_base FROM closed GROUP BY 1) b
    LEFT JOIN repurchased r USING (consultant)),
names AS (SELECT consultant FROM rec UNION SELECT consultant FROM deals)
SELECT n.consultant, coalesce(rec.receptions, 0) AS receptions, coalesce(rec.first_receptions, 0) AS first_receptions,
       coalesce(rec.received, 0) AS received, coalesce(deals.buyers, 0) AS buyers,
       coalesce(deals.deal_visits, 0) AS deal_visits, coalesce(deals.sales, 0) AS sales,
       coalesce(refunds.refunds, 0) AS refunds, coalesce(refunds.gross_sales, 0) AS gross_sales,
       coalesce(rep.repurchase_base, 0) AS repurchase_base, coalesce(rep.repurchased, 0) AS repurchased
FROM names n LEFT JOIN rec USING (consultant) LEFT JOIN deals USING (consultant)
LEFT JOIN refunds USING (consultant) LEFT JOIN rep USING (consultant)
WHERE n.consultant <> '未指定'
ORDER BY sales DESC, n.consultant;

-- name: online
-- 网络咨询师: leads they took in the period, and whether each lead's customer (by customer_id, or by
-- phone) came within $window days (90: metrics/consultants.ONLINE_WINDOW_DAYS, which the note under the table
-- reads too; the lead's day and the 89 after it, as SPEC §2 counts H days) of it (or the lead says it arrived) and bought within them. A lead counts once
-- per question: the visits and deal days are semi-joined with the window as the join's condition,
-- per consultant, so no lead needs an identity (ASOF joins over every lead with a customer and a join back
-- by row key were most of the query at 10M lines).
WITH period_leads AS (
    SELECT online_consultant AS consultant, lead_date, appointment_date, coalesce(arrived, false) AS arrived,
           customer_id, phone
    FROM leads
    WHERE lead_date BETWEEN $start AND $end AND online_consultant IS NOT NULL
      AND ($clinic IS NULL OR clinic = $clinic)),
-- The phone link for the leads without a customer_id only: the customer_phone rows of their phones (a few
-- hundred of 9M at 10M lines), found by a semi join, then joined to the leads (joining every lead to all
-- of customer_phone built and probed the large side).
linked AS (
    SELECT phone, customer_id FROM customer_phone
    WHERE phone IN (SELECT phone FROM period_leads WHERE customer_id IS NULL)),
with_customer AS (
    SELECT l.consultant, l.lead_date, l.arrived, coalesce(l.customer_id, p.customer_id) AS customer_id
    FROM period_leads l LEFT JOIN linked p ON l.phone = p.phone
    WHERE coalesce(l.customer_id, p.customer_id) IS NOT NULL),
-- Only the leads' customers, from the period's first day to $window days after its last.
came_days AS (
    SELECT customer_id, day FROM visit_days
    WHERE day BETWEEN $start AND CAST($end AS DATE) + CAST($window AS INTEGER) - 1
      AND customer_id IN (SELECT customer_id FROM with_customer WHERE NOT arrived)),
-- A deal day: the customer-day's lines net above zero (order_days' 64-bit net, not customer_days' 128-bit
-- one, whose decoding cost more than the rest of the join).
deal_days AS (
    SELECT customer_id, day FROM order_days
    WHERE sales_lines > 0 AND day BETWEEN $start AND CAST($end AS DATE) + CAST($window AS INTEGER) - 1
      AND customer_id IN (SELECT customer_id FROM with_customer)
    GROUP BY ALL HAVING sum(net) > 0),
-- Arrivals by a visit, among the leads not already marked arrived (those count below, once).
came AS (
    SELECT consultant, count(*) AS n FROM (SELECT * FROM with_customer WHERE NOT arrived) l
    SEMI JOIN came_days v
        ON v.customer_id = l.customer_id AND v.day BETWEEN l.lead_date AND l.lead_date + CAST($window AS INTEGER) - 1
    GROUP BY 1),
bought AS (
    SELECT consultant, count(*) AS n FROM with_customer l
    SEMI JOIN deal_days d
        ON d.customer_id = l.customer_id AND d.day BETWEEN l.lead_date AND l.lead_date + CAST($window AS INTEGER) - 1
    GROUP BY 1),
per AS (
    SELECT consultant, count(*) AS leads, count(appointment_date) AS appointments,
           count(*) FILTER (WHERE arrived) AS arrived
    FROM period_leads GROUP BY 1)
SELECT per.consultant, per.leads, per.appointments, per.arrived + coalesce(came.n, 0) AS arrivals,
       coalesce(bought.n, 0) AS buyers
FROM per LEFT JOIN came USING (consultant) LEFT JOIN bought USING (consultant)
ORDER BY buyers DESC, leads DESC, per.consultant;
