-- The import's fast path (importer/stage.py). A CSV's lines, one text value each, in file order:
-- no quoting (stage.plain_csv admits only files without quotes), blank lines kept as NULL so that
-- row numbers stay the file's, CRLF and LF line ends alike.

-- name: read_lines
-- parallel = false: DuckDB's parallel CSV reader (1.5.5, duckdb/duckdb#24237) refuses some files once they span
-- several buffers ("does not support a full read on this file"): at 10M order lines the customers and visits
-- exports. The import then fell back to the Polars reader and convert.py for every row, the 10M six-file
-- command's 4.9 GB peak. Read serially, the same lines cost no more CPU (3M order lines: 1.0-1.5 against
-- 1.5-1.8 s). $buffer: stage.CSV_BUFFER_BYTES (the tests make it small, so that a small file spans several).
CREATE OR REPLACE TEMP TABLE aesops_lines AS
SELECT line FROM read_csv($path, columns = {'line': 'VARCHAR'}, delim = chr(31), quote = '', escape = '',
                          header = false, auto_detect = false, strict_mode = false, new_line = '\r\n',
                          parallel = false, buffer_size = $buffer);

-- name: day_month_cells
-- The cells of the date columns (day_month_cell each) that could be day/month/year dates, in one pass over
-- the lines: only lines with at least one such cell come back (none when the dates are ISO).
SELECT * FROM (SELECT rowid, {cells} FROM aesops_lines WHERE rowid > $h) WHERE {any}
ORDER BY rowid;

-- name: day_month_cell
-- A cell starting with four digits never is a day/month date. GLOB, not a regex, and split_part only for the
-- date columns: this runs on every line.
CASE WHEN split_part(line, $d, {n}) <> '' AND NOT split_part(line, $d, {n}) GLOB '[0-9][0-9][0-9][0-9]*'
     THEN split_part(line, $d, {n}) END AS {c}

-- name: day_month_first_cell
-- The same for the first column, whose cell starts the line: the line's own first four characters say it.
CASE WHEN NOT line GLOB '[0-9][0-9][0-9][0-9]*' AND split_part(line, $d, 1) <> ''
     THEN split_part(line, $d, 1) END AS {c}

-- name: drop_lines
DROP TABLE IF EXISTS aesops_lines;

-- name: count_lines
SELECT count(*) FROM aesops_lines;

-- The queries below are generated in part: {table} is one of the import's temp tables (load.STAGED),
-- {c} a column c0..cN, {date} a dataset's date field, all checked by sqlfiles.with_identifiers; the
-- expressions {cells}, {cleaned}, {typed}, {fast}, {values} and {outer} are built by setwise.plan from
-- code constants and those column names. File content is only ever a bound value.

-- name: csv_cell
p[{n}] AS {c}

-- name: csv_source
-- A CSV's data lines split into cells c0..cN (p[1]..), with the line's field count.
SELECT _row, line, CASE WHEN line IS NULL THEN 0 ELSE len(p) END AS _fields, {cells} FROM (
    SELECT rowid + 1 AS _row, line, string_split(line, $delim) AS p FROM aesops_lines WHERE rowid > $header_row)

-- name: sheet_source
SELECT * FROM aesops_sheet

-- name: csv_slow_lines
SELECT c._row, l.line FROM {table}_conv c JOIN aesops_lines l ON l.rowid + 1 = c._row
WHERE NOT c._fast AND c._row BETWEEN $lo AND $hi ORDER BY c._row;

-- name: sheet_slow_rows
SELECT _row FROM {table}_conv WHERE NOT _fast AND _row BETWEEN $lo AND $hi;

-- name: convert
-- setwise.plan's layers, innermost first: the source's cells cleaned, typed, the fast test and the values,
-- then the dataset's wording rules (setwise.derived) over them.
CREATE OR REPLACE TEMP TABLE {table}_conv AS
SELECT _row, _fast, {outer} FROM (
    SELECT _row, coalesce(({fast}), false) AS _fast, {values} FROM (
        SELECT _row, {typed} FROM (
            SELECT CAST(_row AS INTEGER) AS _row, {cleaned} FROM ({source}))));

-- name: slow_extent
SELECT count(*) FILTER (WHERE NOT _fast), min(_row) FILTER (WHERE NOT _fast), max(_row) FILTER (WHERE NOT _fast)
FROM {table}_conv;

-- name: add_slow
-- convert.py's good rows join the plain ones, _fast NULL: neither a plain row nor one still to convert.
INSERT INTO {table}_conv BY NAME SELECT * FROM aesops_slow;

-- name: drop_slow_inputs
DELETE FROM {table}_conv WHERE NOT _fast;

-- name: conv_to_staged
-- The staged rows keep the _fast column: the load names the columns it reads.
DROP TABLE IF EXISTS {table}; ALTER TABLE {table}_conv RENAME TO {table};

-- name: staged_extent
SELECT count(*), min({date}), max({date}) FROM {table};

-- name: staged_count
SELECT count(*), NULL, NULL FROM {table};
