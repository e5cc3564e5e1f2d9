"""A fourth CRM vendor's exports (a trial with files aesops had not seen), through the CLI. Each test is a defect
that loaded wrong numbers with exit 0, or said one thing and did another, before its fix; expected figures are
worked out by hand."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli, write_csv

HEAD = ["收费日期", "顾客编号", "项目"]


def _sales(month: str = "2026-10") -> float:
    result = run_cli("funnel", "--month", month, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["kpis"][0]["sales"]


@pytest.mark.parametrize("header", ["实收金额/分", "实收金额_分", "Net Amount (cents)"])
def test_an_amount_in_fen_spelled_without_brackets_is_refused_and_its_mapping_converts_it(ws, header):
    """168000 + 1280000 fen is 14,480 yuan; read as yuan it was 1,448,000 with exit 0."""
    path = write_csv(
        ws / "收费.csv",
        [[*HEAD, header], ["2026-10-01", "C1", "水光针", "168000"], ["2026-10-02", "C2", "热玛吉", "1280000"]],
    )
    refused = run_cli("import", str(path), "--clinic", "本院")
    assert refused.exit_code != 0
    assert "is in 分 but aesops reads amounts in yuan" in refused.output
    mapping = ws / "收费.csv.aesops-mapping.toml"
    assert run_cli("import", str(path), "--clinic", "本院", "--mapping", str(mapping)).exit_code == 0
    assert _sales() == 14480


def test_an_amount_in_another_currency_is_refused_and_not_converted(ws):
    path = write_csv(ws / "sales.csv", [[*HEAD, "Net Amount (USD)"], ["2026-10-01", "C1", "水光针", "100"]])
    refused = run_cli("import", str(path), "--clinic", "本院")
    assert refused.exit_code != 0
    assert "is in USD" in refused.output
    mapping = (ws / "sales.csv.aesops-mapping.toml").read_text(encoding="utf-8")
    assert '# "Net Amount (USD)" = "paid_amount"' in mapping and "[computed]" not in mapping


@pytest.mark.parametrize(
    ("header", "value", "verdict"),
    [("实收金额(万元)", "0.15", "不会导入"), ("实收金额(K)", "1.5", "不会导入"), ("实收金额", "1500", "会导入。")],
)
def test_explain_says_what_the_import_does(ws, header, value, verdict):
    """--explain said 会导入 for a file the import then refused for its unit."""
    path = write_csv(ws / "收费.csv", [[*HEAD, header], ["2026-10-01", "C1", "水光针", value]])
    result = run_cli("--lang", "zh", "import", str(path), "--explain")
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].strip().startswith(verdict)
    imported = run_cli("import", str(path), "--clinic", "本院")
    assert (imported.exit_code == 0) == (verdict == "会导入。")
