-- name: known
-- Whether any data names this clinic (a --clinic given to an analysis or a report).
SELECT EXISTS (SELECT 1 FROM orders WHERE clinic = $clinic)
    OR EXISTS (SELECT 1 FROM visits WHERE clinic = $clinic)
    OR EXISTS (SELECT 1 FROM leads WHERE clinic = $clinic)
    OR EXISTS (SELECT 1 FROM treatments WHERE clinic = $clinic)
    OR EXISTS (SELECT 1 FROM spend WHERE clinic = $clinic)
    OR EXISTS (SELECT 1 FROM cards WHERE clinic = $clinic)
    OR EXISTS (SELECT 1 FROM customers WHERE clinic = $clinic);

-- name: all
-- The clinics the data names, for the message when --clinic names none of them.
SELECT clinic FROM (
    SELECT clinic FROM orders UNION SELECT clinic FROM visits UNION SELECT clinic FROM leads
    UNION SELECT clinic FROM treatments UNION SELECT clinic FROM spend UNION SELECT clinic FROM cards
)
WHERE clinic IS NOT NULL AND clinic <> ''
ORDER BY clinic;
