-- name: spend
-- Marketing spend per channel in the period (monthly rows are dated the 1st of their month).
SELECT channel, sum(amount) AS spend
FROM spend WHERE period BETWEEN $start AND $end AND ($clinic IS NULL OR clinic = $clinic)
GROUP BY 1;

-- name: acquired_days
-- Net sales per day of customers acquired in the period (first_seen in it), from first_seen to the end
-- of the data; the horizons and the payback days (见效慢) are cut from this in Python.
WITH acquired AS (
    SELECT customer_id, channel, first_seen FROM customer_first
    WHERE first_seen BETWEEN $start AND $end
      AND ($clinic IS NULL OR customer_id IN (
          SELECT customer_id FROM visit_days WHERE clinic = $clinic
          UNION SELECT customer_id FROM order_days WHERE clinic = $clinic)))
SELECT a.channel, a.customer_id, a.first_seen, d.day, d.net
FROM acquired a
LEFT JOIN customer_days d ON d.customer_id = a.customer_id AND d.day >= a.first_seen;
