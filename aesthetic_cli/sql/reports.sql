-- name: clinics
-- The clinics with orders or visits, for --per-clinic reports and 门店对比.
SELECT clinic FROM (SELECT clinic FROM orders UNION SELECT clinic FROM visits)
WHERE clinic IS NOT NULL AND clinic <> ''
ORDER BY clinic;

-- name: threads
SELECT current_setting('threads');

-- name: set_threads
-- The monthly report's two lanes (reports/content.py side_by_side) run a query each at the same time: each
-- gets half the threads (one on two cores). With DuckDB's default of one thread per core, two queries on two
-- cores ran four threads, and at 1M order lines the report's queries took ~12% more CPU for it (merging
-- per-thread hash tables, waiting for a core).
SET threads = $threads;
