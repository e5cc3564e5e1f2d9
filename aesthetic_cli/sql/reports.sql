-- name: clinics
-- The clinics with orders or visits, for --per-clinic reports and 门店对比.
SELECT clinic FROM (SELECT clinic FROM orders UNION SELECT clinic FROM visits)
WHERE clinic IS NOT NULL AND clinic <> ''
ORDER BY clinic;
