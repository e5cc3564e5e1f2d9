-- Import batches: list them, and drop one exactly (aesthetic_cli/importer/batches.py).
-- {table} is a dataset table, put in by sqlfiles.with_identifiers from the list of datasets.

-- name: list
SELECT batch_id, dataset, file_name, sheet, clinic, rows_read, rows_loaded, rows_updated, duplicates,
       rejected, date_min, date_max, imported_at
FROM import_batches ORDER BY batch_id;

-- name: stored_clinics
-- The clinics of the rows each batch holds: a file's own 门店 column's, where import_batches.clinic is the --clinic
-- the import was given (blank, or the default, for a file that names its clinics; trial 6 E5, trial 7 F8).
SELECT batch_id, string_agg(DISTINCT clinic, ', ' ORDER BY clinic) AS clinics FROM {table}
WHERE clinic IS NOT NULL GROUP BY batch_id;

-- name: batch
SELECT dataset, file_name FROM import_batches WHERE batch_id = $b;

-- name: later_upserts
-- Later batches that replaced records this batch wrote: dropping it alone would not be exact.
SELECT DISTINCT replaced_by FROM {table}_prior WHERE batch_id = $b AND replaced_by > $b ORDER BY 1;

-- name: later_duplicates
-- Later batches of the same dataset that skipped duplicates, perhaps of this batch's rows: those whose days meet
-- this batch's (a batch without dates, customers or cards, meets every other).
SELECT l.batch_id FROM import_batches l, import_batches b
WHERE b.batch_id = $b AND l.dataset = $d AND l.batch_id > $b AND l.duplicates > 0
  AND coalesce(l.date_min <= b.date_max AND l.date_max >= b.date_min, true)
ORDER BY 1;

-- name: count_rows
SELECT count(*) FROM {table} WHERE batch_id = $b;

-- name: delete_rows
DELETE FROM {table} WHERE batch_id = $b;

-- name: prior_table
-- Where the versions a batch replaced are kept (schema.sql makes them; a lake made by an older aesops lacks those
-- of the appended datasets, whose lines a later export may update).
CREATE TABLE IF NOT EXISTS {table}_prior AS SELECT *, NULL::INTEGER AS replaced_by FROM {table} LIMIT 0;

-- name: count_prior
SELECT count(*) FROM {table}_prior WHERE replaced_by = $b;

-- name: restore_prior
-- The versions this batch replaced go back; _prior has the table's columns plus replaced_by.
INSERT INTO {table} SELECT * EXCLUDE (replaced_by) FROM {table}_prior WHERE replaced_by = $b;

-- name: forget_prior
DELETE FROM {table}_prior WHERE replaced_by = $b;

-- name: names_of_batch
SELECT kind, name FROM known_names WHERE batch_id = $b;

-- name: forget_names
DELETE FROM known_names WHERE batch_id = $b;

-- name: first_use
-- The earliest other batch whose rows use a name: it becomes the batch that introduced it.
SELECT min(batch_id) FROM {table} WHERE {column} = $n AND batch_id <> $b;

-- name: credit_name
INSERT OR IGNORE INTO known_names VALUES ($k, $n, $b);

-- name: forget_rejects
DELETE FROM rejects WHERE batch_id = $b;

-- name: forget_batch
DELETE FROM import_batches WHERE batch_id = $b;

-- name: same_file
-- The batch that already holds this file read with these options (importer.batches.imported_before).
SELECT batch_id, imported_at FROM import_batches WHERE sha256 = $sha AND options_key = $opt
ORDER BY batch_id LIMIT 1;
