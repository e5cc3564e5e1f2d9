"""DuckDB prints its own progress bar on stderr for any statement over two seconds, whether stderr is a terminal
or not: a 10M-line import or layer upgrade under cron mailed pages of it (seen at the v7 → v8 upgrade). Every
connection aesops opens has it off."""

from __future__ import annotations

from aesthetic_cli.warehouse import connect


def test_the_warehouse_connection_has_duckdbs_progress_bar_off(tmp_path):
    for read_only in (False, True):
        con = connect(tmp_path / "w.duckdb", read_only=read_only)
        try:
            assert con.execute("SELECT current_setting('enable_progress_bar')").fetchone()[0] is False
        finally:
            con.close()
