-- The lake backend (DuckLake: catalog in PostgreSQL, data as Parquet). The lake's tables are those of
-- schema.sql, rewritten by warehouse_lake.lake_ddl (DuckLake has no PRIMARY KEY and no sequences).

-- name: batch_seq
-- Import batch numbers come from a PostgreSQL sequence in the catalog database: several processes
-- import at once, and a max(batch_id) + 1 read inside each transaction would hand two of them the same id.
CREATE SEQUENCE IF NOT EXISTS aesops_batch_seq;

-- name: next_batch
SELECT nextval('aesops_batch_seq');

-- name: snapshots
-- Recent snapshots, newest first: every committed import (or other change) is one.
SELECT snapshot_id, strftime(snapshot_time AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S') || ' UTC' AS committed_at,
       CAST(changes AS VARCHAR) AS changes
FROM ducklake_snapshots('aesops_lake')
ORDER BY snapshot_id DESC
LIMIT $limit;

-- name: current_snapshot
SELECT max(snapshot_id) FROM ducklake_snapshots('aesops_lake');

-- name: writer_lock
-- Held around an import's transaction (a transaction-level advisory lock in the catalog database, on
-- a transaction of its own). Every import refreshes the semantic layer, so two at once would always
-- conflict and one would redo its whole file. Reading and converting files happens before, in
-- parallel; readers take no lock and never wait.
SELECT pg_advisory_xact_lock(hashtext('aesops import')) IS NULL;

-- name: has_schema
SELECT count(*) FROM information_schema.tables WHERE table_catalog = $c AND table_name = 'import_batches';

-- name: snapshot_at
SELECT max(snapshot_id) FROM ducklake_snapshots($lake) WHERE snapshot_time <= $t;

-- name: last_snapshot
SELECT max(snapshot_id) FROM ducklake_snapshots($lake);

-- name: first_snapshot_of_layer
-- The first snapshot after $from whose layer is version $v (the upgrade's, for an --as-of refusal to name): every
-- refresh and upgrade deletes and inserts layer_meta's version row (derived.sql set_version).
SELECT min(snapshot_id) FROM ducklake_table_changes($lake, 'main', 'layer_meta', $from, $to)
WHERE key = 'version' AND value = $v AND change_type IN ('insert', 'update_postimage');

-- name: count_batches
SELECT count(*) FROM import_batches;

-- name: max_batch
SELECT max(batch_id) FROM import_batches;

-- name: lake_columns
SELECT column_name FROM information_schema.columns WHERE table_catalog = $c AND table_name = $t
ORDER BY ordinal_position;

-- name: push_table
-- {lake}: the lake's catalog name; {table}: a table of lake_ddl; {cols}: its columns, quoted, and {source}
-- the same with row_key converted (row_key_sql).
INSERT INTO {lake}.main.{table} ({cols}) SELECT {source} FROM aesops_src.main.{table};

-- name: push_count
SELECT count(*) FROM {lake}.main.{table};

-- name: quoted
"{c}"
