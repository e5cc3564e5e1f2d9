-- Upgrades of older warehouses (aesthetic_cli/warehouse/migrate.py). {table} is one of migrate.MONEY's
-- tables, {cols} the old table's own columns (information_schema), via sqlfiles.with_identifiers.

-- name: column_types
SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema();

-- name: set_aside
ALTER TABLE {table} RENAME TO {table}_v1;

-- name: old_columns
SELECT column_name FROM information_schema.columns WHERE table_name = $t AND table_schema = current_schema()
ORDER BY ordinal_position;

-- name: quoted
"{c}"

-- name: copy_back
INSERT INTO {table} ({cols}) SELECT {cols} FROM {table}_v1;

-- name: drop_old
DROP TABLE {table}_v1;
