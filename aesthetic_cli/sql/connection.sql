-- What opening the warehouse for reading checks (warehouse/connection.py), in one query: the layer's
-- version and how many batches still wait for their layer refresh. A warehouse without layer_meta or
-- layer_pending (an older aesops) fails it with a catalog error, which means "upgrade".

-- name: layer_state
SELECT (SELECT value FROM layer_meta WHERE key = 'version') AS version,
       (SELECT count(*) FROM layer_pending) AS pending;

-- name: quiet
-- DuckDB's own progress bar off: it prints on stderr for any statement over two seconds, terminal or not (under
-- cron, into the mail). aesops shows its own progress on a terminal (cli/output.py).
SET enable_progress_bar = false;
