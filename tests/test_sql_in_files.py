"""All SQL is in named files (aesthetic_cli/sql/*.sql): no Python string literal in the package is a SQL
statement, except the few below that cannot be one. A new query written inline fails here, named."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from aesthetic_cli import sqlfiles

PACKAGE = Path(__file__).resolve().parents[1] / "aesthetic_cli"

# A query, keywords in capitals as the project writes SQL (so prose is not one): SELECT ... FROM,
# INSERT INTO, UPDATE x SET, DELETE FROM, CREATE/DROP/ALTER of a table or view.
QUERY = re.compile(
    r"\b(SELECT\b[\s\S]*\bFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM"
    r"|CREATE\s+(OR\s+REPLACE\s+)?(TEMP\s+|TEMPORARY\s+)?(TABLE|VIEW|MACRO|INDEX|SEQUENCE|SCHEMA)"
    r"|(DROP|ALTER)\s+(TABLE|VIEW|MACRO|INDEX))\b"
)
# A statement of its own kind, at the start of a literal: settings, attachments, transaction control.
STATEMENT = re.compile(r"^\s*(SET|PRAGMA|ATTACH|DETACH|LOAD|INSTALL|USE|BEGIN|COMMIT|ROLLBACK|CHECKPOINT)\b")

# (file, text the literal contains): what truly cannot move to a .sql file. Keep this short.
ALLOWED = [
    # Transaction control: one keyword, nothing to name or bind.
    ("*", "BEGIN TRANSACTION"),
    ("*", "COMMIT"),
    ("*", "ROLLBACK"),
    # SET takes no bound parameter; the value is the module's constant or DuckDB's own setting text.
    ("warehouse/memory.py", "SET memory_limit = "),
    ("warehouse/memory.py", "RESET memory_limit"),
    # LOAD/ATTACH/USE take no bound parameter either; paths go through warehouse_lake._sql_string.
    ("warehouse_lake.py", "LOAD "),
    ("warehouse_lake.py", "ATTACH "),
    ("warehouse_lake.py", "USE "),
    # postgres_query's remote query is a string argument of the call (its text comes from lake.sql).
    ("warehouse_lake.py", "SELECT * FROM postgres_query("),
    # Regular expressions over schema.sql's text (lake_ddl), not statements.
    ("warehouse_lake.py", "CREATE SEQUENCE[^;]*;"),
    ("warehouse_lake.py", r"CREATE TABLE IF NOT EXISTS (\w+)"),
]


def _literals(tree: ast.AST):
    """(line, text) of each string literal, an f-string as one text with {} for its fields; docstrings left out."""
    docstrings, inside_fstrings = set(), set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            docstrings.add(id(body[0].value))
        if isinstance(node, ast.JoinedStr):
            inside_fstrings.update(id(v) for v in node.values)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            yield node.lineno, "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings | inside_fstrings
        ):
            yield node.lineno, node.value


def offenders(root: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for line, text in sorted(_literals(ast.parse(path.read_text(encoding="utf-8")))):
            if not (QUERY.search(text) or STATEMENT.match(text)):
                continue
            if any(f in ("*", rel) and allowed in text for f, allowed in ALLOWED):
                continue
            found.append(f"{rel}:{line}: {' '.join(text.split())[:100]}")
    return found


def test_no_sql_statement_in_python_literals():
    found = offenders()
    assert not found, "SQL written in Python; move it to a named query in aesthetic_cli/sql/:\n" + "\n".join(found)


def test_the_scan_finds_an_inline_query(tmp_path):
    # The scan itself can fail: an f-string query, a plain one, implicit concatenation and a SET are found;
    # a docstring that quotes SQL and prose are not.
    (tmp_path / "bad.py").write_text(
        '"""Runs SELECT x FROM y, in a docstring."""\n'
        "def f(con, t):\n"
        '    con.execute(f"SELECT count(*) FROM {t}")\n'
        '    con.execute("INSERT INTO rejects "\n'
        '                "VALUES (1)")\n'
        '    con.execute("SET threads = 1")\n'
        '    return "select a colour from the list"\n',
        encoding="utf-8",
    )
    found = offenders(tmp_path)
    assert [f.split(":")[1] for f in found] == ["3", "4", "6"], found


def test_identifiers_are_whitelisted():
    sql = "SELECT {cols} FROM {table}"
    assert sqlfiles.with_identifiers(sql, cols=(["a", "b"], {"a", "b"}), table=("t1", re.compile(r"t[0-9]"))) == (
        "SELECT a, b FROM t1"
    )
    with pytest.raises(ValueError, match="not an allowed identifier"):
        sqlfiles.with_identifiers(sql, cols=(["a", "b; DROP TABLE x"], {"a", "b"}))
    with pytest.raises(ValueError, match="not an allowed identifier"):
        sqlfiles.with_identifiers(sql, table=("t1 t2", re.compile(r"t[0-9]")))  # matched whole, not in part
    assert sqlfiles.per_column("t.{c} = i.{c}", ["k", "d"], {"k", "d"}, " AND ") == "t.k = i.k AND t.d = i.d"
    with pytest.raises(ValueError):
        sqlfiles.per_column("{c}", ["k", "x"], {"k"})
