"""`aesops import FOLDER` imports the exports in it (trial 8's G8: refused, a director's first move), and a CSV saved
as UTF-16 without its byte-order mark is read (G10: refused as having no header), on the small and the batched path.
Through the CLI; figures by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import run_cli, write_csv
from tests.test_batches_mapping import _q

ROWS = [
    ["收费日期", "顾客编号", "项目名称", "实收金额"],
    ["2026-10-02", "C1", "水光针", "1280"],
    ["2026-10-03", "C2", "玻尿酸", "4800"],
]


def _utf16(path, rows, order: str):
    path.write_bytes("\r\n".join(",".join(r) for r in rows).encode(order) + "\r\n".encode(order))
    return path


def test_a_folder_imports_the_exports_in_it_and_nothing_else(ws):
    folder = ws / "导出"
    folder.mkdir()
    write_csv(folder / "收费_10月上.csv", ROWS[:2])
    write_csv(folder / "收费_10月下.csv", [ROWS[0], ROWS[2]])
    (folder / "~$收费.xlsx").write_bytes(b"lock")  # Excel's lock file
    (folder / "说明.pdf").write_bytes(b"%PDF")
    (folder / "processed").mkdir()
    write_csv(folder / "processed" / "旧.csv", [ROWS[0], ["2026-09-01", "C9", "光子", "999"]])
    result = run_cli("import", str(folder))
    assert result.exit_code == 0, result.output
    assert _q(ws, "SELECT customer_id, paid_amount FROM orders ORDER BY 1") == [
        ("C1", Decimal("1280.00")),
        ("C2", Decimal("4800.00")),
    ]
    empty = ws / "空"
    empty.mkdir()
    refused = run_cli("import", str(empty))
    assert refused.exit_code != 0 and "holds no export aesops reads" in refused.output, refused.output


@pytest.mark.parametrize("order", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("batched", [False, True])
def test_utf16_without_a_byte_order_mark_is_read(ws, monkeypatch, order, batched):
    from aesthetic_cli.importer import read

    if batched:
        monkeypatch.setattr(read, "LARGE_CSV_BYTES", 10)  # the batched path, which transcodes
    result = run_cli("import", str(_utf16(ws / "收费.csv", ROWS, order)))
    assert result.exit_code == 0, result.output
    assert _q(ws, "SELECT sum(paid_amount) FROM orders") == [(Decimal("6080.00"),)]
