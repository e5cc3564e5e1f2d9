-- name: item_sales
-- Per item in the period: sales (sale and refund lines), quantity, buyers, unit cost from the catalogue. A buyer
-- is a customer with a deal (SPEC §2: a customer-day whose net is positive) that bought the item, net, that day:
-- bought and refunded the same day, or 0.10 + 0.20 - 0.30, is no buyer, whether the refund line names the item
-- or only says 退款. The quantity is net as the sales are: the units sold less the units a refund's money gives
-- back, whole units rounded half down (half a unit's price back is a 退差价, the unit kept), at the price the
-- customer last paid for one in the period (else the item's average price in the period, else the catalogue's),
-- whatever 数量 the line carries: the margin charges no cost for goods that came back (indep9 I2: an item bought and
-- returned the same day showed its units and a loss), and a 退差价 of 2,000 on a 10,000 unit returns none (review11
-- R1). A refund at no known price returns none. `lines`: the sale lines. Prices come from the period's lines only:
-- looking further back read every order line (+0.03 s at 1M).
WITH period AS (
    SELECT * FROM order_lines
    WHERE line_kind <> 'topup' AND day BETWEEN $start AND $end AND ($clinic IS NULL OR g_clinic = $clinic)),
bought AS (
    SELECT item, customer_id, day, paid_amount / coalesce(nullif(abs(quantity), 0), 1) AS unit_price
    FROM period WHERE line_kind = 'sale' AND paid_amount > 0),
typical AS (
    SELECT item, sum(paid_amount) / nullif(sum(coalesce(nullif(abs(quantity), 0), 1)), 0) AS unit_price
    FROM period WHERE line_kind = 'sale' AND paid_amount > 0 GROUP BY 1),
-- Each refund line's price: the last the customer paid for a unit on or before it (a join on the few refund lines,
-- then arg_max: an ASOF join sorted every sale line, 0.02 s at 1M).
refunds AS (SELECT *, row_number() OVER () AS k FROM period WHERE line_kind = 'refund'),
priced AS (
    SELECT r.k, any_value(r.item) AS item, any_value(r.customer_id) AS customer_id, any_value(r.day) AS day,
           any_value(r.paid_amount) AS paid_amount, any_value(r.list_price) AS list_price,
           arg_max(b.unit_price, b.day) AS paid_price
    FROM refunds r LEFT JOIN bought b ON b.customer_id = r.customer_id AND b.item = r.item AND b.day <= r.day
    GROUP BY r.k),
returned AS (
    SELECT p.item, p.customer_id, p.day,
           sum(coalesce(ceil(abs(p.paid_amount) / nullif(coalesce(p.paid_price, t.unit_price, p.list_price), 0) - 0.5), 0))
               AS units
    FROM priced p LEFT JOIN typical t USING (item)
    GROUP BY ALL),
days AS (
    SELECT d.*, d.sold - coalesce(r.units, 0) AS quantity
    FROM (SELECT item, customer_id, day, any_value(g_department) AS department, sum(paid_amount) AS net,
                 coalesce(sum(coalesce(quantity, 1)) FILTER (WHERE line_kind = 'sale'), 0) AS sold,
                 count(*) FILTER (WHERE line_kind = 'sale') AS lines,
                 any_value(unit_cost) AS unit_cost, any_value(list_price) AS list_price, any_value(role) AS role
          FROM period
          GROUP BY item, customer_id, day) d
    LEFT JOIN returned r USING (item, customer_id, day))
SELECT item, any_value(department) AS department, sum(net) AS sales, sum(quantity) AS quantity,
       count(DISTINCT customer_id) FILTER (WHERE net > 0 AND day_net > 0) AS buyers, sum(lines) AS lines,
       any_value(unit_cost) AS unit_cost, any_value(list_price) AS list_price, any_value(role) AS role
FROM (SELECT *, sum(net) OVER (PARTITION BY customer_id, day) AS day_net FROM days)
GROUP BY 1;

-- name: sale_lines
-- Sale lines of the period, for price bands.
SELECT item, customer_id, paid_amount FROM order_lines
WHERE line_kind = 'sale' AND day BETWEEN $start AND $end AND ($clinic IS NULL OR g_clinic = $clinic);

-- name: openers
-- 开口品项: the items of each customer's first deal (in the period) and what they bought in the
-- 180 days after it (the first deal day itself excluded). last_first_deal tells whether the data has
-- seen the whole 180 days of every opener of the item. First deals come from customer_deals; the order
-- lines read are the period's only. An opener item is one the first deal day's sale and refund lines net above
-- zero, its opener sales that net: a 0.00 gift, an item given back that day, or 0.10 + 0.20 − 0.30 opened
-- nothing (indep9 I3), as they name no cohort (derived.sql first_lines_of).
WITH first AS (
    SELECT customer_id, first_deal FROM customer_deals WHERE first_deal BETWEEN $start AND $end),
opened AS (
    SELECT f.customer_id, f.first_deal, o.item, sum(o.paid_amount) AS opener_sales
    FROM first f JOIN order_lines o ON o.customer_id = f.customer_id AND o.day = f.first_deal AND o.line_kind <> 'topup'
    WHERE o.day BETWEEN $start AND $end AND ($clinic IS NULL OR o.g_clinic = $clinic)
    GROUP BY ALL
    HAVING sum(o.paid_amount) > 0),
-- The follow-on days from order_days (64-bit net; a customer-day's lines under any clinic or consultant sum
-- to customer_days' 128-bit one) and by DATE arithmetic: a DATE plus an INTERVAL is a TIMESTAMP, which the
-- day's zone maps cannot answer; the days the period's first deals can reach bound the scan.
follow AS (
    SELECT f.customer_id, coalesce(sum(d.net), 0) AS follow_on
    FROM first f
    LEFT JOIN (SELECT customer_id, day, net FROM order_days
               WHERE sales_lines > 0 AND day > CAST($start AS DATE) AND day <= CAST($end AS DATE) + 180) d
         ON d.customer_id = f.customer_id AND d.day > f.first_deal AND d.day <= f.first_deal + 180
    GROUP BY 1)
SELECT o.item, count(DISTINCT o.customer_id) AS openers, sum(o.opener_sales) AS opener_sales,
       sum(fo.follow_on) AS follow_on_sales, max(o.first_deal) AS last_first_deal
FROM opened o JOIN follow fo USING (customer_id)
GROUP BY 1 ORDER BY openers DESC, o.item;
