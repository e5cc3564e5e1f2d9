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
    SELECT consultant, -sum(refund_amount) AS refunds, sum(sale_amount) AS gross_sales
    FROM order_days
    WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR clinic = $clinic)
    GROUP BY 1),
closed AS (
    -- The cohort whose 180 days end in this period: closed 180 days before it. Date arithmetic, not
    -- INTERVAL: a DATE minus an INTERVAL is a TIMESTAMP, and a filter on CAST(day AS TIMESTAMP) reads every
    -- row group instead of the period's (at 10M lines most of the analysis).
    SELECT consultant, customer_id, min(day) AS closed_on
    FROM attributed_days
    WHERE net > 0 AND day BETWEEN CAST($start AS DATE) - 180 AND CAST($end AS DATE) - 180
      AND ($clinic IS NULL OR clinic = $clinic)
    GROUP BY 1, 2),
later_deals AS (
    -- Only the cohort's customers and the days that can count: the rest of the history is not read.
    SELECT customer_id, day FROM customer_days
    WHERE net > 0 AND day > CAST($start AS DATE) - 180 AND customer_id IN (SELECT customer_id FROM closed)),
rep AS (
    SELECT c.consultant, count(*) AS repurchase_base,
           count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM later_deals d WHERE d.customer_id = c.customer_id
                 AND d.day > c.closed_on AND d.day <= c.closed_on + 180)) AS repurchased
    FROM closed c GROUP BY 1),
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
-- phone) came within 90 days and bought within 90 days: ASOF joins find each lead's next visit and
-- next deal by sort-merge (correlated subqueries ran minutes at a million leads). A lead is told apart by
-- its stored row key, not row_number() OVER (): DuckDB 1.5.5's window finalize fails now and then.
WITH l AS (
    SELECT l.row_key AS lead_no, l.online_consultant AS consultant, l.lead_date,
           l.appointment_date, l.arrived, coalesce(l.customer_id, p.customer_id) AS customer_id
    FROM leads l LEFT JOIN customer_phone p ON l.phone = p.phone
    WHERE l.lead_date BETWEEN $start AND $end AND l.online_consultant IS NOT NULL
      AND ($clinic IS NULL OR l.clinic = $clinic)),
-- Only the leads' customers from the period's first day on: a next visit or deal is never earlier.
visit_days AS (
    SELECT DISTINCT customer_id, day FROM visit_days
    WHERE day >= $start AND customer_id IN (SELECT customer_id FROM l)),
deal_days AS (
    SELECT customer_id, day FROM customer_days
    WHERE net > 0 AND day >= $start AND customer_id IN (SELECT customer_id FROM l)),
-- Only the leads with a customer (most leads at 10M lines have none: no visit or deal to find for them).
nexts AS (
    SELECT l.lead_no, v.day AS next_visit, d.day AS next_deal
    FROM (SELECT * FROM l WHERE customer_id IS NOT NULL) l
    ASOF LEFT JOIN visit_days v ON l.customer_id = v.customer_id AND v.day >= l.lead_date
    ASOF LEFT JOIN deal_days d ON l.customer_id = d.customer_id AND d.day >= l.lead_date)
SELECT l.consultant, count(*) AS leads, count(l.appointment_date) AS appointments,
       count(*) FILTER (WHERE n.next_visit <= l.lead_date + 90 OR coalesce(l.arrived, false)) AS arrivals,
       count(*) FILTER (WHERE n.next_deal <= l.lead_date + 90) AS buyers
FROM l LEFT JOIN nexts n USING (lead_no)
GROUP BY 1 ORDER BY buyers DESC, leads DESC, l.consultant;
