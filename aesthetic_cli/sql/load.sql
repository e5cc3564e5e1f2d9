-- Loading one converted file into the warehouse (aesthetic_cli/importer/load.py), all inside its
-- transaction. {table} is a dataset's table and {cols}, {key}, {c} its own columns (information_schema),
-- {staged} one of the import's temp tables: all put in by sqlfiles.with_identifiers / per_column against
-- those lists. Values ($batch, $sha, ...) are bound. _row is the row's place in its file (convert.ROW).

-- name: seen
SELECT batch_id, imported_at FROM import_batches WHERE sha256 = $sha AND options_key = $opt;

-- name: seen_for_another_clinic
-- The same file (and sheet) imported as the same dataset with another --clinic: its rows would count twice.
SELECT batch_id, clinic FROM import_batches
WHERE sha256 = $sha AND dataset = $ds AND sheet IS NOT DISTINCT FROM $sheet AND clinic IS NOT NULL
  AND clinic <> $clinic
ORDER BY batch_id LIMIT 1;

-- name: drop_staged
DROP TABLE IF EXISTS {staged};

-- name: staged_create
-- A large CSV read batch by batch (load._staged): the first batch makes the table, the others join it.
CREATE TEMP TABLE aesops_staged AS SELECT * FROM aesops_batch;

-- name: staged_append
INSERT INTO aesops_staged SELECT * FROM aesops_batch;

-- name: drop_incoming
DROP TABLE IF EXISTS aesops_incoming;

-- name: staged_to_incoming
ALTER TABLE {staged} RENAME TO aesops_incoming;

-- name: incoming_unranked
CREATE OR REPLACE TEMP VIEW incoming AS SELECT * FROM aesops_incoming;

-- name: ranks
-- Ranks only for the rows whose key hash repeats (few, or none): every other row is rank 1, and the
-- window over a whole 10M-row file would be the load's largest sort.
CREATE OR REPLACE TEMP TABLE aesops_ranks AS
SELECT _row, row_number() OVER (PARTITION BY hash({key}) ORDER BY _row) AS _rank FROM aesops_incoming
WHERE hash({key}) IN (SELECT hash({key}) FROM aesops_incoming GROUP BY 1 HAVING count(*) > 1);

-- name: incoming_ranked
CREATE OR REPLACE TEMP VIEW incoming AS
SELECT i.*, coalesce(r._rank, 1) AS _rank FROM aesops_incoming i LEFT JOIN aesops_ranks r USING (_row);

-- name: drop_incoming_view
DROP VIEW IF EXISTS incoming;

-- name: drop_ranks
DROP TABLE IF EXISTS aesops_ranks;

-- name: record_batch
-- The ledger line, committed with the rows it describes.
INSERT INTO import_batches VALUES ($id, $file, $path, $sha, $opt, $ds, $clinic, $sheet, $unit,
       $read, $loaded, $updated, $dups, $rejected, $blanked, $skipped, $dmin, $dmax, now());

-- name: count_rows
SELECT count(*) FROM {table};

-- name: key_part
coalesce(CAST({c} AS VARCHAR), chr(0))

-- name: row_key
-- A fragment: NULL and '' must differ and no separator may collide with data, hence chr(31) and chr(0)
-- ({parts}: key_part per key column); the rank ({rank}: the row's _rank, as text) tells identical lines of one file
-- apart.
md5_number(concat_ws(chr(31), {parts}) || chr(31) || {rank})

-- name: append
-- NOT EXISTS, not NOT IN: DuckDB then builds its hash table on the file's rows and probes it with the
-- table's keys (a right anti join); NOT IN built it on every key of the table (at 10M order lines one more
-- day's append took 1.7-2.0 CPU s, now 0.2). The same rows: row_key is never NULL on either side.
INSERT INTO {table} ({cols}, row_key, batch_id, source_row)
SELECT {cols}, row_key, $batch, _row FROM (SELECT *, {row_key} AS row_key FROM incoming) i
WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.row_key = i.row_key);

-- name: has_rows
SELECT EXISTS (SELECT 1 FROM {table});

-- name: append_changed
-- The file's rows that are stored lines (the same key, and rank among equal keys) with other values: a later
-- export of the same leads, visits or bills that booked, arrived or corrected them. Each keeps what the
-- file leaves empty (as upsert_keep_known). A line is changed only by a file reaching at least as far
-- as the one that stored it (an older export imported after a newer one does not undo it).
-- Only a key the file and the warehouse each hold once is updated (`repeated` otherwise): two visits of one
-- customer on one day are told apart by their rank in the file alone, and an export that drops or reorders one of
-- them would rewrite the other.
CREATE OR REPLACE TEMP TABLE aesops_changed AS
SELECT {t_key}, {merged}, t.row_key, i._row,
       b.date_max IS NOT NULL AND $dmax IS NOT NULL AND b.date_max > $dmax AS older,
       i._rank > 1 OR EXISTS (SELECT 1 FROM incoming j WHERE j._rank = 2 AND {same_key})
           OR EXISTS (SELECT 1 FROM {table} t2 WHERE t2.row_key = i.row_key_2) AS repeated
FROM (SELECT *, {row_key} AS row_key, {row_key_2} AS row_key_2 FROM incoming) i
JOIN {table} t ON t.row_key = i.row_key
LEFT JOIN import_batches b ON b.batch_id = t.batch_id
WHERE ({differs});

-- name: append_corrected
-- A bill's line a later export gives another date, amount or payment (the bill's id kept): a correction, not a
-- second line (SPEC §1, each order line once). Run after append, on the bills of the lines it added, in two
-- passes: the lines of each (bill {bill}, kind {kind}, item {line}) and day, then of each (bill, kind, item) over
-- the file's days for what the first left ({grp}: the group of a line). Of a group on the days the file covers,
-- the lines the file sends again unchanged are set aside on both sides; where what is left is as many lines on each
-- side (one corrected line, or both of a pair), the file's replace the stored ones (aesops_replaced). A bill's lines
-- of another item (another department's export of the bill) or of another kind (a refund never corrects a sale)
-- are not touched, nor a group whose counts differ (which line the file corrected, nothing says); the day's pass
-- lets a correction through beside an installment added on another day (review10 R2). A group with a stored line
-- from an export reaching further than this file is newer (older: the file's lines are taken back out, not kept
-- beside it). The file's line keeps what it leaves empty (as upsert_keep_known) when the group is one line.
CREATE OR REPLACE TEMP TABLE aesops_replaced AS
WITH added AS (SELECT row_key, {bill} AS bill FROM {table} WHERE batch_id = $batch AND {bill} IS NOT NULL),
sent AS (SELECT {row_key} AS row_key FROM incoming WHERE {bill} IN (SELECT bill FROM added)),
s AS (
    SELECT *, {grp} AS grp FROM {table}
    WHERE {day} BETWEEN $dmin AND $dmax AND {bill} IN (SELECT bill FROM added) AND batch_id <> $batch
      AND row_key NOT IN (SELECT row_key FROM sent)
)
-- newer: of the bill's item on any of the file's days, a stored line is from an export reaching further than this
-- file (the day's pass judges the item's age as the second does: review10 R1).
SELECT s.*, count(*) OVER (PARTITION BY s.grp) AS n,
       bool_or(b.date_max IS NOT NULL AND b.date_max > $dmax) OVER (PARTITION BY s.clinic, s.{bill}, s.{kind}, s.{line})
           AS newer
FROM s LEFT JOIN import_batches b ON b.batch_id = s.batch_id;
CREATE OR REPLACE TEMP TABLE aesops_corrected AS
WITH i AS (
    SELECT *, count(*) OVER (PARTITION BY grp) AS n
    FROM (SELECT *, {row_key} AS row_key, {grp} AS grp FROM incoming
          WHERE {bill} IN (SELECT {bill} FROM aesops_replaced))
    -- Added by append, not a stored line _update_changed gave other values in place (another customer or payment
    -- on the same key: it is the file's line sent again, review10 R3), nor a line the day's pass put in.
    WHERE row_key IN (SELECT row_key FROM {table} WHERE batch_id = $batch)
      AND row_key NOT IN (SELECT row_key FROM {table}_prior WHERE replaced_by = $batch)
      AND row_key NOT IN (SELECT row_key FROM aesops_fixed)
),
g AS (SELECT grp, any_value(n) AS n, bool_or(newer) AS older FROM aesops_replaced GROUP BY grp)
SELECT {merged}, i.row_key, i._row, i.grp, g.older
FROM i JOIN g ON g.grp = i.grp AND g.n = i.n
LEFT JOIN aesops_replaced t ON g.n = 1 AND t.grp = i.grp;
-- Only the stored lines of the groups corrected stay to be replaced: not those of a group the file is older for,
-- whichever batch each came from (review10 R1: a line of an earlier batch was deleted with nothing in its place).
DELETE FROM aesops_replaced r WHERE NOT EXISTS (
    SELECT 1 FROM aesops_corrected c WHERE NOT c.older AND c.grp = r.grp);

-- name: correction_group_day
struct_pack(c := clinic, b := {bill}, k := {kind}, l := {line}, d := {day})

-- name: correction_group
struct_pack(c := clinic, b := {bill}, k := {kind}, l := {line}, d := DATE '2000-01-01')

-- name: corrections_open
CREATE OR REPLACE TEMP TABLE aesops_fixed AS SELECT row_key FROM {table} LIMIT 0;

-- name: corrections_fixed
-- After corrected_delete: the file's lines of a group it is older for are out, the others go in (insert_replacing).
DELETE FROM aesops_corrected WHERE older;
INSERT INTO aesops_fixed SELECT row_key FROM aesops_corrected;

-- name: any_on_days
-- Whether any line stored before falls on the file's days (a new day's export: none, and nothing to correct).
SELECT EXISTS (SELECT 1 FROM {table} WHERE {day} BETWEEN $dmin AND $dmax AND batch_id <> $batch);

-- name: count_corrected
SELECT count(*) FILTER (WHERE NOT older), count(*) FILTER (WHERE older) FROM aesops_corrected;

-- name: keep_prior
-- Stored lines about to be replaced ({stored}: aesops_changed's keys, or aesops_replaced's), kept for `aesops
-- batches drop`, which puts them back.
INSERT INTO {table}_prior SELECT t.*, $batch FROM {table} t WHERE t.row_key IN (SELECT row_key FROM {stored});

-- name: insert_replacing
-- The file's versions of the lines replaced ({rows}: aesops_changed, or aesops_corrected), in the batch.
INSERT INTO {table} ({cols}, row_key, batch_id, source_row) SELECT {cols}, row_key, $batch, _row FROM {rows};

-- name: template_pairs
-- The lines this batch added ($batch) that are stored lines of another batch exported with the other template: one
-- with its natural key ({id}, a bill's 单号) and one without ($file_has_id: the file's lines have it, so the stored
-- ones are those without). Their row keys differ (a bill's line is keyed by its number, a line without one by its
-- content), so append added them again. The same clinic and Dataset.twins_by fields ({twin}: day, customer, item,
-- amount), matched by their order among such lines on each side, on the file's days.
CREATE OR REPLACE TEMP TABLE aesops_pairs AS
WITH mine AS (
    SELECT row_key, clinic, {twin}, row_number() OVER (PARTITION BY clinic, {twin} ORDER BY source_row) AS n
    FROM {table} WHERE batch_id = $batch),
theirs AS (
    SELECT row_key, clinic, {twin}, row_number() OVER (PARTITION BY clinic, {twin} ORDER BY batch_id, source_row) AS n
    FROM {table}
    WHERE batch_id <> $batch AND {day} BETWEEN $dmin AND $dmax AND ({id} IS NULL) = $file_has_id)
SELECT m.row_key AS mine, t.row_key AS theirs
FROM mine m JOIN theirs t USING (clinic, {twin}, n);

-- name: template_count
SELECT count(*) FROM aesops_pairs;

-- name: template_keep_known
-- The file's line keeps what only the stored one said (a payment method the other template had).
UPDATE {table} AS n SET {merged}
FROM (SELECT p.mine, t.* EXCLUDE (row_key) FROM aesops_pairs p JOIN {table} t ON t.row_key = p.theirs) t
WHERE n.row_key = t.mine;

-- name: template_keep_known_col
{c} = coalesce(n.{c}, t.{c})

-- name: template_replaced
CREATE OR REPLACE TEMP TABLE aesops_replaced AS SELECT theirs AS row_key FROM aesops_pairs;

-- name: template_delete_stored
DELETE FROM {table} WHERE batch_id <> $batch AND row_key IN (SELECT row_key FROM aesops_replaced);

-- name: template_drop_mine
-- A file without bill numbers sends lines stored with theirs: the stored lines stay, the file's are duplicates.
DELETE FROM {table} WHERE batch_id = $batch AND row_key IN (SELECT mine FROM aesops_pairs);

-- name: template_done
DROP TABLE IF EXISTS aesops_pairs;
DROP TABLE IF EXISTS aesops_replaced;

-- name: corrected_delete
-- The stored lines corrected, and the file's lines as append added them (put back merged, or not at all when older).
DELETE FROM {table}
WHERE row_key IN (SELECT row_key FROM aesops_replaced) OR row_key IN (SELECT row_key FROM aesops_corrected);

-- name: corrected_done
DROP TABLE IF EXISTS aesops_corrected;
DROP TABLE IF EXISTS aesops_replaced;

-- name: corrections_close
DROP TABLE IF EXISTS aesops_fixed;

-- name: batch_clinics
SELECT DISTINCT clinic FROM {table} WHERE batch_id = $b AND clinic IS NOT NULL ORDER BY 1;

-- name: count_changed
SELECT count(*) FILTER (WHERE NOT older AND NOT repeated), count(*) FILTER (WHERE older AND NOT repeated),
       count(*) FILTER (WHERE repeated)
FROM aesops_changed;

-- name: drop_older_changed
-- A line the file gives other values, but from an export that ends before the one that stored it, or of a key held
-- twice: kept as stored.
DELETE FROM aesops_changed WHERE older OR repeated;

-- name: j_same_key
j.{c} IS NOT DISTINCT FROM i.{c}

-- name: append_delete_changed
DELETE FROM {table} WHERE row_key IN (SELECT row_key FROM aesops_changed);

-- name: append_done
DROP TABLE IF EXISTS aesops_changed;

-- name: t_col
t.{c}

-- name: upsert_key_counts
SELECT (SELECT count(*) FROM incoming), (SELECT count(*) FROM (SELECT DISTINCT {key} FROM incoming));

-- name: upsert_inc_as_is
-- Every key once (the usual export): each group would be its one row, so the aggregation, which costs
-- more than the rest of the upsert together, is skipped.
CREATE OR REPLACE TEMP TABLE inc AS SELECT {cols}, _row FROM incoming;

-- name: upsert_inc_grouped
-- Within one file the last row of a key wins (upsert_last), except summed fields (spend split by campaign).
CREATE OR REPLACE TEMP TABLE inc AS
SELECT {key}, {aggs}, max(_row) AS _row FROM incoming GROUP BY {key};

-- name: upsert_sum
sum({c}) AS {c}

-- name: upsert_last
arg_max({c}, _row) FILTER (WHERE {c} IS NOT NULL) AS {c}

-- name: upsert_newest
-- A dataset with a date that orders versions (Dataset.newest_by, then a running total that only grows): the newest
-- row of a key, whole.
arg_max({c}, (coalesce({newest}, DATE '0001-01-01'), coalesce({grows}, -1), _row)) AS {c}

-- name: upsert_older
-- The file's version is older than the stored one: its date earlier (none is the earliest), or on the same date
-- its running total smaller (a recharge since leaves the last use as it was).
(coalesce(i.{newest}, DATE '0001-01-01'), coalesce(i.{grows}, -1))
    < (coalesce(t.{newest}, DATE '0001-01-01'), coalesce(t.{grows}, -1))

-- name: upsert_same_key
t.{c} IS NOT DISTINCT FROM i.{c}

-- name: upsert_incoming_col
i.{c}

-- name: upsert_keep_known
-- A later export that lacks a column fills nothing in: the value already known is kept.
coalesce(i.{c}, t.{c}) AS {c}

-- name: upsert_differs
coalesce(i.{c}, t.{c}) IS DISTINCT FROM t.{c}

-- name: other_records_in_file
-- Rows of the file whose key its first row of that key gives another clinic's other record (Dataset.
-- other_record_when: every field given on both rows and different). Read only when the file repeats a key; against
-- the key's first row, so a number written on thousands of rows (0, 无) costs one pass, not every pair.
-- The first few, and how many.
-- The first row plays the stored record (t) and each later row the file's (i), as in upsert_merge's flag.
WITH firsts AS (SELECT f.* FROM incoming f JOIN (SELECT {key0}, min(_row) AS _row FROM incoming GROUP BY 1) k
                USING ({key0}, _row))
SELECT i.{key0}, t.clinic, i.clinic, i._row, count(*) OVER ()
FROM firsts t JOIN incoming i ON i.{key0} = t.{key0} AND t._row < i._row
WHERE {other}
ORDER BY i._row
LIMIT 3;

-- name: other_records_stored
-- The file's rows upsert_merge found to name another clinic's stored record (other_record), with that clinic.
SELECT b.{key0}, a.clinic, b.clinic, b._row, count(*) OVER ()
FROM merged b JOIN {table} a ON a.{key0} = b.{key0}
WHERE b.other_record
ORDER BY b._row
LIMIT 3;

-- name: other_record
-- upsert_merge's flag: the stored record (t) and the file's (i) are two clinics' different records.
t.clinic <> i.clinic AND {differ}

-- other_record_differs, per field {c}: both given and different, as people write them (other_record_value: spaces
-- and a bracketed tag, 李娜（VIP）, aside; a masked value, 王* or 138****1111, stands for what it shows, 王 or 138,
-- and differs only where that does not begin the other: 赵* is not 王五, 王* may be 王芳). NULL, and so no
-- difference, where either is not given. (Fragments put inside a line: no comment in them.)
-- name: other_record_differs
NOT (starts_with({t_value}, {i_value}) OR starts_with({i_value}, {t_value}))

-- name: other_record_value
nullif(regexp_replace(regexp_replace(CAST({v}.{c} AS VARCHAR), '\s+|（[^）]*）|\([^)]*\)', '', 'g'), '[*＊].*$', ''), '')

-- name: upsert_merge
CREATE OR REPLACE TEMP TABLE merged AS
SELECT {i_key}, {merged}, i._row, t.{key0} IS NOT NULL AS existed, coalesce({other}, false) AS other_record,
       ((t.{key0} IS NULL) OR ({differs})) AND NOT coalesce({older}, false) AS changed,
       coalesce({older}, false) AS older
FROM inc i LEFT JOIN {table} t ON {join};

-- name: upsert_counts
SELECT count(*) FILTER (WHERE NOT existed), count(*) FILTER (WHERE existed AND changed), count(*) FILTER (WHERE older)
FROM merged;

-- name: upsert_keep_prior
-- The versions replaced are kept with the batch that replaced them, so the batch can be undone.
INSERT INTO {table}_prior SELECT t.*, $batch FROM {table} t WHERE EXISTS (
    SELECT 1 FROM merged i WHERE i.existed AND i.changed AND {join});

-- name: upsert_delete
DELETE FROM {table} t WHERE EXISTS (SELECT 1 FROM merged i WHERE i.existed AND i.changed AND {join});

-- name: upsert_insert
INSERT INTO {table} ({cols}, batch_id, source_row) SELECT {cols}, $batch, _row FROM merged WHERE changed;

-- name: upsert_done
DROP TABLE inc; DROP TABLE merged;

-- name: table_columns
SELECT column_name FROM information_schema.columns WHERE table_name = $t ORDER BY ordinal_position;

-- name: record_rejects
INSERT INTO rejects SELECT batch_id, file_name, sheet, _row, "column", field, value, reason, severity
FROM problems;

-- name: new_names
-- Names seen for the first time, so that a typo (`抖音 `, `张 三`) is caught after the import.
SELECT DISTINCT {c} FROM incoming
WHERE {c} IS NOT NULL AND {c} NOT IN (SELECT name FROM known_names WHERE kind = $k)
ORDER BY 1;

-- name: remember_name
-- Plain INSERT: the names were just filtered against known_names, and a lake has no key to ignore on.
INSERT INTO known_names VALUES (?, ?, ?);
