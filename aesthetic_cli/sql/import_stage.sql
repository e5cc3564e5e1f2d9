-- The import's fast path (importer/stage.py). A CSV's lines, one text value each, in file order:
-- no quoting (stage.plain_csv admits only files without quotes), blank lines kept as NULL so that
-- row numbers stay the file's, CRLF and LF line ends alike.

-- name: read_lines
CREATE OR REPLACE TEMP TABLE aesops_lines AS
SELECT line FROM read_csv($path, columns = {'line': 'VARCHAR'}, delim = chr(31), quote = '', escape = '',
                          header = false, auto_detect = false, strict_mode = false, new_line = '\r\n');

-- name: day_month_cells
-- Cells of one column that could be day/month/year dates (a cell starting with four digits never is).
SELECT v FROM (
    SELECT rowid, split_part(line, $d, $i) AS v FROM aesops_lines WHERE rowid > $h
) WHERE v <> '' AND NOT regexp_matches(v, '^[0-9]{4}')
ORDER BY rowid;
