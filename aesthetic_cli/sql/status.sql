-- name: recent_batches
-- The import ledger, newest first.
SELECT batch_id, file_name, dataset, clinic, rows_read, rows_loaded, rows_updated, duplicates,
       rejected, date_min, date_max, strftime(imported_at, '%Y-%m-%d %H:%M') AS imported_at
FROM import_batches
ORDER BY batch_id DESC
LIMIT $limit;

-- name: rejects
-- Rows not loaded (rejected) and cells loaded empty (blanked), with where they were in the file.
SELECT batch_id, file_name, sheet, row_number, "column", field, value, reason, severity
FROM rejects
WHERE ($batch IS NULL OR batch_id = $batch)
ORDER BY batch_id DESC, row_number, "column"
LIMIT $limit;

-- name: all_batches
-- Every import batch, oldest first: the 口径说明 sheet's list of what a report was computed from.
SELECT batch_id, file_name, dataset, rows_loaded, rows_updated, duplicates, rejected, date_min, date_max,
       strftime(imported_at, '%Y-%m-%d %H:%M') AS imported_at, sha256
FROM import_batches ORDER BY batch_id;

-- name: plan_exists
-- Whether a target plan was saved for a year (targets split --save).
SELECT count(*) > 0 FROM target_plans WHERE year = $y;

-- name: known_names
SELECT name FROM known_names WHERE kind = $k;

-- name: count_rejects
SELECT count(*) FROM rejects;

-- name: coverage
-- One dataset's rows and dates per clinic; {table} and {date} come from the list of datasets.
SELECT $dataset AS dataset, $dataset_zh AS dataset_zh, coalesce(clinic, '—') AS clinic,
       count(*) AS rows, min({date})::DATE AS date_min, max({date})::DATE AS date_max
FROM {table} GROUP BY ALL;
