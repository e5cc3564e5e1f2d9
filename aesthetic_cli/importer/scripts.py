"""Traditional Chinese beside Simplified: a Hong Kong or Taiwan vendor's export says 顧客編號, 實收金額, 合計, 退費,
儲值卡, 核銷, 作廢 and 複診 (trial 7's F4: every such file was refused). Headers are read folded to Simplified (OpenCC's
phrase-aware t2s); the wording rules that classify cells (totals, refunds, top-ups, stored value, voids, redemptions,
visit types) match their words in either script, so that convert.py's Polars path and setwise.py's SQL path, which
share those patterns, read a cell alike. Cells are stored as the file wrote them."""

from __future__ import annotations

from functools import cache

import opencc

# OpenCC's Simplified to Traditional: the standard forms, Taiwan's and Hong Kong's characters, and Taiwan's words
# (s2t writes 核销 as 覈銷 where both write 核銷; Taiwan writes 资料 for 数据, 匯出 for 导出 and 列印 for 打印).
_TRADITIONAL = ("s2t", "s2tw", "s2hk", "s2twp")


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def simplified(text: str) -> str:
    return text if text.isascii() else _converter("t2s").convert(text)


def _forms(text: str) -> list[str]:
    return list(dict.fromkeys([text, *(_converter(c).convert(text) for c in _TRADITIONAL)]))


def either_script(pattern: str) -> str:
    """A regular expression that matches what `pattern` (written in Simplified) matches, or the same in Traditional."""
    forms = _forms(pattern)
    return pattern if len(forms) == 1 else "|".join(f"(?:{f})" for f in forms)


def in_both_scripts(words: list[str]) -> list[str]:
    """Each word (or letter), and its Traditional forms where it has its own (计 and 計)."""
    return list(dict.fromkeys(f for w in words for f in _forms(w)))
