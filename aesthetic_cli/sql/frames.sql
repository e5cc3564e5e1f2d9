-- How an analysis's query becomes a Polars frame without pyarrow (metrics/base.py frame()): the rows
-- are kept in a temporary table of this connection, then read through the Arrow C stream, which
-- DuckDB serves lazily only for a query without parameters. {query} is a named query from these files.

-- name: keep
CREATE OR REPLACE TEMP TABLE aesops_frame AS
{query};

-- name: read
FROM temp.aesops_frame;

-- name: drop
DROP TABLE IF EXISTS temp.aesops_frame;
