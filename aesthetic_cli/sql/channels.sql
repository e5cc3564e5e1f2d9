-- name: spend
-- Marketing spend per channel in the period (SPEC §1: a spend row is a day or a month). A month's figure is a
-- row dated the 1st that is alone in its month (no other row of its clinic and channel that month) and came
-- from a file of month rows (no row of its import batch on another day): a daily export's 1st of the month is a
-- day. It counts for the days of its month that lie in the period and have data (up to $last, the data's last
-- day), pro rata to the cent: a week, a day or a month in progress is charged its share, not the whole month or
-- nothing. A day's row counts whole when its day lies in the period and has data. `prorated` says a month
-- counted in part. (A daily export imported on the 2nd holds only the 1st: until the 2nd's rows come, that day
-- reads as the month's figure. The source cell said which; the table does not keep it.)
WITH batch_days AS (
    SELECT batch_id, bool_or(day(period) <> 1) AS has_days FROM spend GROUP BY 1),
rows AS (
    SELECT s.channel, s.period, s.amount,
           day(s.period) = 1 AND NOT b.has_days
           AND count(*) FILTER (WHERE day(s.period) <> 1)
               OVER (PARTITION BY s.clinic, s.channel, date_trunc('month', s.period)) = 0 AS monthly
    FROM spend s JOIN batch_days b USING (batch_id)
    WHERE s.period BETWEEN date_trunc('month', $start) AND last_day($end) AND ($clinic IS NULL OR s.clinic = $clinic)),
shares AS (
    SELECT channel, amount, monthly, period BETWEEN $start AND least($end, $last) AS in_period,
           greatest(0, least(last_day(period), $end, $last) - greatest(period, $start) + 1) AS days,
           day(last_day(period)) AS month_days
    FROM rows)
SELECT channel,
       sum(CASE WHEN NOT monthly THEN (CASE WHEN in_period THEN amount ELSE 0 END)
                WHEN days = month_days THEN amount
                -- in whole cents, half away from zero, so the share is exact (a DECIMAL division would be a DOUBLE)
                ELSE (sign(amount) * ((abs(amount * 100)::HUGEINT * days * 2 + month_days) // (2 * month_days)))
                     ::DECIMAL(18, 0) * 0.01 END)::DECIMAL(18, 2) AS spend,
       bool_or(monthly AND days < month_days) AS prorated
FROM shares
GROUP BY 1
HAVING sum(CASE WHEN monthly THEN days ELSE (CASE WHEN in_period THEN 1 ELSE 0 END) END) > 0;

-- name: acquired_days
-- Net sales of the customers acquired in the period (first_seen in it), from first_seen to the end of the
-- data, summed per channel, day since first_seen (offset) and whether the day lies in the period: the
-- horizons and the payback days (见效慢) are sums over these few rows (metrics/channels.py). An acquired
-- customer without a sale still gives their channel a row (offset NULL), as the channel's sums are then 0.
-- The days come from order_days, not customer_days: its net is a 64-bit DECIMAL(18, 2) (customer_days' is
-- 128-bit, several times dearer to read) and it carries first_seen, so only the acquired customers' rows are
-- read (a customer-day's lines under any clinic or consultant sum to customer_days' net). Of a clinic, the sales are
-- its own, as its arrivals and buyers are: a customer first seen at another clinic counts here with what they bought
-- here (indep7 D1: their purchases anywhere were this clinic's channel sales).
-- tests/test_channels_offsets.py holds the sums to customer-days summed from the raw order lines.
WITH acquired AS (
    SELECT customer_id, channel, first_seen FROM customer_first
    WHERE first_seen BETWEEN $start AND $end
      AND ($clinic IS NULL OR customer_id IN (
          SELECT customer_id FROM visit_days WHERE clinic = $clinic
          UNION SELECT customer_id FROM order_days WHERE clinic = $clinic))),
lines AS (
    SELECT customer_id, day, net FROM order_days
    WHERE day >= $start AND first_seen BETWEEN $start AND $end AND sales_lines > 0
      AND ($clinic IS NULL OR clinic = $clinic))
SELECT a.channel, d.day - a.first_seen AS offset, d.day BETWEEN $start AND $end AS in_period, sum(d.net) AS net
FROM acquired a
LEFT JOIN lines d ON d.customer_id = a.customer_id AND d.day >= a.first_seen
GROUP BY ALL;

-- name: named_channels
-- Every channel a lead, a visit or a customer record names: a spend channel none of them names is money no
-- customer can be traced to (抖音信息流 spend beside 抖音 leads), not a channel that brought nobody.
SELECT DISTINCT channel FROM leads
UNION SELECT channel FROM visits WHERE channel IS NOT NULL
UNION SELECT source_channel FROM customers WHERE source_channel IS NOT NULL;
