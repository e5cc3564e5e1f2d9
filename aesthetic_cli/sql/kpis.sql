-- name: kpis
-- Headline KPIs per group for one period. {g} is a grouping column of the fact views (never
-- user text). Visitors are customers with a recorded visit in the group and period (SPEC §2); a
-- buyer without one (a voucher bought online, an order keyed without its visit) is a buyer but not
-- a visitor, counted as buyers_without_visit. close_rate = buyers / visitors takes every buyer, so
-- sales = visitors × close_rate × ticket × frequency stays exact whenever there is a visitor (the
-- close rate can pass 100% when buyers_without_visit is large, and that is the signal to read).
WITH od AS (
    SELECT {g} AS grp, customer_id, day, sum(net) AS net, any_value(first_seen) AS first_seen
    FROM order_day_facts
    WHERE sales_lines > 0 AND day BETWEEN $start AND $end AND ($clinic IS NULL OR g_clinic = $clinic)
    GROUP BY ALL),
-- Per group and customer, so buyers and visitors are counted rows: count(DISTINCT customer_id) per group
-- was most of the query (at 10M lines 1.8 of 2 CPU s for a month).
oc AS (
    SELECT grp, customer_id, any_value(first_seen) AS first_seen, sum(net) AS net,
           count(*) FILTER (WHERE net > 0) AS deal_days
    FROM od GROUP BY grp, customer_id),
vd AS (
    SELECT {g} AS grp, customer_id, any_value(first_seen) AS first_seen FROM visit_day_facts
    WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR g_clinic = $clinic)
    GROUP BY ALL),
cash AS (
    SELECT {g} AS grp, sum(cash_in) AS cash_in
    FROM order_day_facts WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR g_clinic = $clinic)
    GROUP BY ALL),
used AS (
    SELECT {g} AS grp, sum(consumption) AS consumption FROM treatment_day_facts
    WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR g_clinic = $clinic) GROUP BY ALL),
{include:kpis_rows}

-- name: kpis_by_consultant
-- kpis with --by consultant: each customer-day's sales, deal and buyer are the consultant's that
-- attributed_days credits (the one who received the customer that day, else the one on the order lines), as
-- `aesops consultants` credits them (SPEC §2: consultants by the visit's consultant), so the two commands give
-- one consultant the same sales, buyers and deal visits. Grouping order_days by its order-line consultant
-- credited a customer received by A and keyed under B to B, whose buyer was then nobody's visitor. Visitors are
-- by the visit's consultant as in kpis (consultants' received), the cash of a customer-day by its attributed
-- consultant (a day of top-ups only has none: by the order lines'), consumption under 未指定 (treatments
-- name no consultant). --clinic takes the sales of attributed_days' clinic, as consultants does, and the cash
-- of the order lines' clinic (each customer-day's by its consultant whatever its clinic).
-- The period's customer-days credited: only attributed_days' key and consultant are read; net and first_seen come
-- from order_days (whose 64-bit net sums several times faster than attributed_days' 128-bit one, and which
-- carries first_seen: joining customer_first read all its customers). A customer-day's net is that of all its
-- sale and refund lines, whatever their clinic, as attributed_days' net is.
WITH ad AS (
    SELECT customer_id, day, consultant, clinic FROM attributed_days WHERE day BETWEEN $start AND $end),
od AS (
    SELECT customer_id, day, sum(net) AS net, any_value(first_seen) AS first_seen FROM order_days
    WHERE sales_lines > 0 AND day BETWEEN $start AND $end
    GROUP BY ALL),
oc AS (
    SELECT a.consultant AS grp, customer_id, any_value(o.first_seen) AS first_seen, sum(o.net) AS net,
           count(*) FILTER (WHERE o.net > 0) AS deal_days
    FROM ad a JOIN od o USING (customer_id, day)
    WHERE $clinic IS NULL OR a.clinic = $clinic
    GROUP BY a.consultant, customer_id),
vd AS (
    SELECT g_consultant AS grp, customer_id, any_value(first_seen) AS first_seen FROM visit_day_facts
    WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR g_clinic = $clinic)
    GROUP BY ALL),
cash AS (
    SELECT coalesce(a.consultant, o.consultant) AS grp, sum(o.cash_in) AS cash_in
    FROM order_days o LEFT JOIN ad a USING (customer_id, day)
    WHERE o.day BETWEEN $start AND $end AND ($clinic IS NULL OR o.clinic = $clinic)
    GROUP BY 1),
used AS (
    SELECT g_consultant AS grp, sum(consumption) AS consumption FROM treatment_day_facts
    WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR g_clinic = $clinic) GROUP BY ALL),
{include:kpis_rows}

-- name: kpis_rows
-- kpis' rows from its CTEs oc (group, customer, first_seen, net, deal_days), vd (group, customer, first_seen of
-- the visitors), cash and used (group, amount): the buyers without a visit in their group, the new/old splits
-- and one row per group. Shared by kpis and kpis_by_consultant, which differ only in how they credit groups.
unvisited AS (
    SELECT b.grp, b.customer_id, b.first_seen FROM oc b
    ANTI JOIN vd ON vd.grp IS NOT DISTINCT FROM b.grp AND vd.customer_id = b.customer_id
    WHERE b.deal_days > 0),
tagged_days AS (
    SELECT *, coalesce(first_seen BETWEEN $start AND $end, false) AS is_new FROM oc),
tagged_visitors AS (
    SELECT *, coalesce(first_seen BETWEEN $start AND $end, false) AS is_new FROM vd),
tagged_unvisited AS (
    SELECT *, coalesce(first_seen BETWEEN $start AND $end, false) AS is_new FROM unvisited),
s AS (
    SELECT grp,
           coalesce(sum(net), 0) AS sales,
           coalesce(sum(net) FILTER (WHERE is_new), 0) AS new_sales,
           coalesce(sum(net) FILTER (WHERE NOT is_new), 0) AS old_sales,
           CAST(coalesce(sum(deal_days), 0) AS BIGINT) AS deal_visits,
           CAST(coalesce(sum(deal_days) FILTER (WHERE is_new), 0) AS BIGINT) AS new_deal_visits,
           CAST(coalesce(sum(deal_days) FILTER (WHERE NOT is_new), 0) AS BIGINT) AS old_deal_visits,
           count(*) FILTER (WHERE deal_days > 0) AS buyers,
           count(*) FILTER (WHERE deal_days > 0 AND is_new) AS new_buyers,
           count(*) FILTER (WHERE deal_days > 0 AND NOT is_new) AS old_buyers
    FROM tagged_days GROUP BY grp),
p AS (
    SELECT grp, count(*) AS visitors,
           count(*) FILTER (WHERE is_new) AS new_visitors,
           count(*) FILTER (WHERE NOT is_new) AS old_visitors
    FROM tagged_visitors GROUP BY grp),
u AS (
    SELECT grp, count(*) AS buyers_without_visit,
           count(*) FILTER (WHERE is_new) AS new_buyers_without_visit,
           count(*) FILTER (WHERE NOT is_new) AS old_buyers_without_visit
    FROM tagged_unvisited GROUP BY grp),
groups AS (SELECT grp FROM s UNION SELECT grp FROM p UNION SELECT grp FROM cash UNION SELECT grp FROM used)
SELECT g.grp AS "group",
       coalesce(s.sales, 0) AS sales, coalesce(s.new_sales, 0) AS new_sales, coalesce(s.old_sales, 0) AS old_sales,
       coalesce(cash.cash_in, 0) AS cash_in, coalesce(used.consumption, 0) AS consumption,
       coalesce(p.visitors, 0) AS visitors, coalesce(p.new_visitors, 0) AS new_visitors,
       coalesce(p.old_visitors, 0) AS old_visitors,
       coalesce(u.buyers_without_visit, 0) AS buyers_without_visit,
       coalesce(u.new_buyers_without_visit, 0) AS new_buyers_without_visit,
       coalesce(u.old_buyers_without_visit, 0) AS old_buyers_without_visit,
       coalesce(s.buyers, 0) AS buyers, coalesce(s.new_buyers, 0) AS new_buyers, coalesce(s.old_buyers, 0) AS old_buyers,
       coalesce(s.deal_visits, 0) AS deal_visits, coalesce(s.new_deal_visits, 0) AS new_deal_visits,
       coalesce(s.old_deal_visits, 0) AS old_deal_visits
FROM groups g
LEFT JOIN s USING (grp) LEFT JOIN p USING (grp) LEFT JOIN u USING (grp) LEFT JOIN cash USING (grp)
LEFT JOIN used USING (grp)
ORDER BY sales DESC, "group";

-- name: clinic_levers
-- The report's 门店对比 for one period: per clinic, the kpis columns it shows (sales, visitors, buyers, deal
-- visits: close rate and ticket), computed as kpis computes them with g_clinic, without the new/old splits,
-- cash, consumption and buyers without a visit it does not show (at 10M lines a third of kpis' work, three
-- periods a report). The rows are kpis' rows: every clinic with an order line, visit or treatment in the period.
WITH oc AS (
    SELECT grp, customer_id, sum(net) AS net, count(*) FILTER (WHERE net > 0) AS deal_days
    FROM (SELECT g_clinic AS grp, customer_id, day, sum(net) AS net
          FROM order_day_facts WHERE sales_lines > 0 AND day BETWEEN $start AND $end GROUP BY ALL)
    GROUP BY ALL),
s AS (
    SELECT grp, coalesce(sum(net), 0) AS sales, CAST(coalesce(sum(deal_days), 0) AS BIGINT) AS deal_visits,
           count(*) FILTER (WHERE deal_days > 0) AS buyers
    FROM oc GROUP BY grp),
p AS (
    SELECT grp, count(*) AS visitors
    FROM (SELECT DISTINCT g_clinic AS grp, customer_id FROM visit_day_facts WHERE day BETWEEN $start AND $end)
    GROUP BY grp),
groups AS (
    SELECT g_clinic AS grp FROM order_day_facts WHERE day BETWEEN $start AND $end
    UNION SELECT g_clinic FROM visit_day_facts WHERE day BETWEEN $start AND $end
    UNION SELECT g_clinic FROM treatment_day_facts WHERE day BETWEEN $start AND $end)
SELECT g.grp AS "group", coalesce(s.sales, 0) AS sales, coalesce(p.visitors, 0) AS visitors,
       coalesce(s.buyers, 0) AS buyers, coalesce(s.deal_visits, 0) AS deal_visits
FROM groups g LEFT JOIN s USING (grp) LEFT JOIN p USING (grp)
ORDER BY sales DESC, "group";

-- name: trend_months
-- trend by month over whole calendar months ($start a month's first day, $end a month's last day), every
-- clinic: the rollup month_totals (sql/rollups.sql) instead of grouping every customer-day of the year.
-- Its sales, new_sales, old_sales and deal_visits are trend's sums (new = first seen in the month; first_seen
-- is never after a sale, so "not new" is trend's old). trend has a row only for a month with a sale or
-- refund line; month_totals also has one for a month of visits or treatments only, so only the months that
-- hold a day of day_sales (a customer-day with such a line) are kept.
SELECT month AS period, sales, new_sales, old_sales, deal_visits
FROM month_totals
WHERE month BETWEEN $start AND $end
  AND month IN (SELECT date_trunc('month', day)::DATE FROM day_sales WHERE day BETWEEN $start AND $end)
ORDER BY 1;

-- name: kpis_month
-- kpis for one whole calendar month ($start its first day), ungrouped and for every clinic: the month's row
-- of the rollup month_totals (sql/rollups.sql), the same figures kpis gives with g_all and no clinic.
SELECT 'all' AS "group", sales, new_sales, old_sales, cash_in, consumption, visitors, new_visitors, old_visitors,
       buyers_without_visit, new_buyers_without_visit, old_buyers_without_visit, buyers, new_buyers, old_buyers,
       deal_visits, new_deal_visits, old_deal_visits
FROM month_totals WHERE month = $start;

-- name: coverage
-- The dates the warehouse covers, for default periods, 环比/同比 availability and horizons.
SELECT least(min_o, min_v) AS first_day, greatest(max_o, max_v) AS last_day
FROM (SELECT min(order_date) AS min_o, max(order_date) AS max_o FROM orders),
     (SELECT min(visit_date) AS min_v, max(visit_date) AS max_v FROM visits);

-- name: funnel
-- New customers per acquisition channel: leads → appointments → arrivals → buyers. Arrivals are new
-- visitors in the KPIs' sense: customers with a recorded visit in the period (an order alone is not
-- an arrival, so a voucher bought online does not lower the cost per arrival); new buyers who never
-- came are counted beside them as buyers_without_visit.
WITH l AS (
    SELECT channel AS grp, count(*) AS leads, count(appointment_date) AS appointments
    FROM leads WHERE lead_date BETWEEN $start AND $end AND ($clinic IS NULL OR clinic = $clinic)
    GROUP BY 1),
newv AS (
    SELECT DISTINCT g_channel AS grp, customer_id FROM visit_day_facts
    WHERE day BETWEEN $start AND $end AND first_seen BETWEEN $start AND $end AND ($clinic IS NULL OR g_clinic = $clinic)),
newb AS (
    SELECT DISTINCT g_channel AS grp, customer_id FROM (
        SELECT g_channel, customer_id, day FROM order_day_facts
        WHERE day BETWEEN $start AND $end AND first_seen BETWEEN $start AND $end
          AND ($clinic IS NULL OR g_clinic = $clinic) AND sales_lines > 0
        GROUP BY ALL HAVING sum(net) > 0)),
buy AS (
    SELECT b.grp, count(*) AS buyers, count(*) FILTER (WHERE v.customer_id IS NULL) AS buyers_without_visit
    FROM newb b LEFT JOIN newv v USING (grp, customer_id) GROUP BY 1),
arr AS (SELECT grp, count(*) AS arrivals FROM newv GROUP BY 1),
chans AS (SELECT grp FROM l UNION SELECT grp FROM arr UNION SELECT grp FROM buy)
SELECT c.grp AS channel, coalesce(l.leads, 0) AS leads, coalesce(l.appointments, 0) AS appointments,
       coalesce(arr.arrivals, 0) AS arrivals, coalesce(buy.buyers, 0) AS buyers,
       coalesce(buy.buyers_without_visit, 0) AS buyers_without_visit
FROM chans c LEFT JOIN l USING (grp) LEFT JOIN arr USING (grp) LEFT JOIN buy USING (grp)
ORDER BY arrivals DESC, leads DESC, channel;

-- name: lost_deals
-- First visits in the period by customers with no deal in the period (未成交), as counts per reason,
-- consultant, intended item and lost or not.
-- The customers' first_visit comes from the period's visit_days, not from customer_first at large: only
-- the rows with a first reception (visit_days counts them by the same rule), the only customers listed.
WITH fv AS (
    SELECT customer_id, any_value(first_visit) AS first_visit FROM visit_days
    WHERE day BETWEEN $start AND $end AND first_receptions > 0 GROUP BY 1),
-- A customer with two first consultations in the period (a second 初诊 logged a week later) is read from
-- the earlier one, the same-day pair in file order: any_value gave either, so the reason could change
-- between two runs on the same warehouse.
-- The three columns are taken from that one row by one arg_min of a struct (three arg_mins compared the key three
-- times: most of the query at 10M lines).
first_visits AS (
    SELECT customer_id, first.no_deal_reason, first.consultant, first.intended_item
    FROM (SELECT v.customer_id,
                 arg_min({'no_deal_reason': coalesce(nullif(trim(v.no_deal_reason), ''), '未填写'),
                          'consultant': coalesce(v.consultant, '未指定'),
                          'intended_item': coalesce(v.intended_item, '未填写')},
                         (v.visit_date, v.batch_id, v.source_row)) AS first
          FROM visits v JOIN fv USING (customer_id)
          WHERE v.visit_date BETWEEN $start AND $end AND ($clinic IS NULL OR v.clinic = $clinic)
            AND (v.visit_type = '初诊' OR (v.visit_type IS NULL AND v.visit_date = fv.first_visit))
          GROUP BY v.customer_id)),
-- Only the first visitors' customer-days are grouped (the others' deals are never looked up).
dealt AS (
    SELECT DISTINCT customer_id FROM order_day_facts
    WHERE day BETWEEN $start AND $end AND sales_lines > 0 AND ($clinic IS NULL OR g_clinic = $clinic)
      AND customer_id IN (SELECT customer_id FROM fv)
    GROUP BY customer_id, day HAVING sum(net) > 0)
-- Counted per reason, consultant and intended item in the warehouse: funnel's three tables are sums of these
-- cells (at 10M lines a month holds ~400k first visits, whose rows cost more to hand to Polars than to count).
SELECT f.no_deal_reason, f.consultant, f.intended_item, d.customer_id IS NULL AS lost, count(*) AS first_visits
FROM first_visits f LEFT JOIN dealt d USING (customer_id)
GROUP BY ALL;

-- name: referral
-- 带新: new customers in the period who came with a referrer, and their sales.
WITH newc AS (
    SELECT DISTINCT customer_id FROM (
        SELECT customer_id, first_seen, g_clinic FROM visit_day_facts WHERE day BETWEEN $start AND $end
        UNION ALL SELECT customer_id, first_seen, g_clinic FROM order_day_facts WHERE day BETWEEN $start AND $end)
    WHERE first_seen BETWEEN $start AND $end AND ($clinic IS NULL OR g_clinic = $clinic)),
-- Only the new customers' sales and customer_first rows are read (first_seen in the period): joining
-- every customer's row cost most of the query at 10M lines.
sales AS (
    SELECT customer_id, sum(net) AS sales FROM order_day_facts
    WHERE day BETWEEN $start AND $end AND sales_lines > 0 AND ($clinic IS NULL OR g_clinic = $clinic)
      AND first_seen BETWEEN $start AND $end
    GROUP BY 1),
cf AS (SELECT customer_id, referrer_id FROM customer_first WHERE first_seen BETWEEN $start AND $end)
SELECT count(*) AS new_customers,
       count(*) FILTER (WHERE cf.referrer_id IS NOT NULL) AS referral_new_customers,
       coalesce(sum(s.sales), 0) AS new_sales,
       coalesce(sum(s.sales) FILTER (WHERE cf.referrer_id IS NOT NULL), 0) AS referral_sales
FROM newc JOIN cf USING (customer_id) LEFT JOIN sales s USING (customer_id);

-- name: trend
-- Sales per month (or day) from $start to $end, split new/old by each customer's first_seen month/day.
SELECT date_trunc($grain, day)::DATE AS period,
       sum(net) AS sales,
       coalesce(sum(net) FILTER (WHERE date_trunc($grain, first_seen) = date_trunc($grain, day)), 0) AS new_sales,
       coalesce(sum(net) FILTER (WHERE first_seen IS NULL OR date_trunc($grain, first_seen) < date_trunc($grain, day)), 0) AS old_sales,
       count(*) FILTER (WHERE net > 0) AS deal_visits
FROM (SELECT customer_id, day, sum(net) AS net, any_value(first_seen) AS first_seen
      FROM order_day_facts
      WHERE sales_lines > 0 AND day BETWEEN $start AND $end AND ($clinic IS NULL OR g_clinic = $clinic)
      GROUP BY ALL)
GROUP BY 1 ORDER BY 1;

-- name: rows_after_data
-- Rows of the datasets that do not set the data's last day, dated after it and up to the period's end
-- (metrics/after_data.py). A month's spend row is dated its 1st.
SELECT (SELECT count(*) FROM leads WHERE lead_date > $after AND lead_date <= $until
            AND ($clinic IS NULL OR clinic = $clinic)) AS leads,
       (SELECT count(*) FROM treatments WHERE treatment_date > $after AND treatment_date <= $until
            AND ($clinic IS NULL OR clinic = $clinic)) AS treatments,
       (SELECT count(*) FROM spend WHERE period > $after AND period <= $until
            AND ($clinic IS NULL OR clinic = $clinic)) AS spend;
