"""A cards export that splits each balance into 本金余额 and 赠金余额 is refused (one part alone would understate the
liability), and the mapping aesops proposes sums the parts in [computed]: its own proposal took 本金余额 alone as the
balance (trial 8's G6: a liability of 13,000 for 16,000). Through the CLI; figures by hand."""

from __future__ import annotations

import json

from tests.conftest import run_cli, write_csv

CARDS = [
    ["卡号", "会员编号", "开卡时间", "卡类型", "累计充值", "累计赠送", "本金余额", "赠金余额", "最后消费时间"],
    ["K1", "C1", "2026-01-05", "金卡", "10000", "2000", "5000", "1000", "2026-10-01"],
    ["K2", "C2", "2025-12-01", "银卡", "5000", "0", "0", "0", "2026-09-01"],
    ["K3", "C3", "2026-02-01", "金卡", "20000", "5000", "8000", "2000", "2026-03-01"],
]


def test_the_proposed_mapping_sums_a_split_balance(ws):
    path = write_csv(ws / "储值卡余额.csv", CARDS)
    refused = run_cli("import", str(path), "--clinic", "静安店")
    assert refused.exit_code != 0, refused.output
    proposal = ws / "储值卡余额.csv.aesops-mapping.toml"
    assert 'balance = "[本金余额] + [赠金余额]"' in proposal.read_text(encoding="utf-8")
    loaded = run_cli("import", str(path), "--clinic", "静安店", "--mapping", str(proposal))
    assert loaded.exit_code == 0, loaded.output
    cards = json.loads(run_cli("customers", "cards", "--format", "json").stdout)["cards"]
    # (5,000 + 1,000) + 0 + (8,000 + 2,000); cash parts 6,000 × 10/12 + 10,000 × 20/25; K3 unused since 03-01.
    total = next(r for r in cards if r["clinic"] in ("合计", "静安店"))
    assert (total["liability"], total["cash_part"], total["dormant_balance"]) == (16000, 13000, 10000)
