-- name: spend
-- Marketing spend per channel in the period (monthly rows are dated the 1st of their month).
SELECT channel, sum(amount) AS spend
FROM spend WHERE period BETWEEN $start AND $end AND ($clinic IS NULL OR clinic = $clinic)
GROUP BY 1;

-- name: acquired_days
-- Net sales of the customers acquired in the period (first_seen in it), from first_seen to the end of the
-- data, summed per channel, day since first_seen (offset) and whether the day lies in the period: the
-- horizons and the payback days (见效慢) are sums over these few rows (metrics/channels.py). An acquired
-- customer without a sale still gives their channel a row (offset NULL), as the channel's sums are then 0.
-- The days come from order_days, not customer_days: its net is a 64-bit DECIMAL(18, 2) (customer_days' is
-- 128-bit, several times dearer to read) and it carries first_seen, so only the acquired customers' rows are
-- read (a customer-day's lines under any clinic or consultant sum to customer_days' net).
-- tests/test_channels_offsets.py holds the sums to customer-days summed from the raw order lines.
WITH acquired AS (
    SELECT customer_id, channel, first_seen FROM customer_first
    WHERE first_seen BETWEEN $start AND $end
      AND ($clinic IS NULL OR customer_id IN (
          SELECT customer_id FROM visit_days WHERE clinic = $clinic
          UNION SELECT customer_id FROM order_days WHERE clinic = $clinic))),
lines AS (
    SELECT customer_id, day, net FROM order_days
    WHERE day >= $start AND first_seen BETWEEN $start AND $end AND sales_lines > 0)
SELECT a.channel, d.day - a.first_seen AS offset, d.day BETWEEN $start AND $end AS in_period, sum(d.net) AS net
FROM acquired a
LEFT JOIN lines d ON d.customer_id = a.customer_id AND d.day >= a.first_seen
GROUP BY ALL;
