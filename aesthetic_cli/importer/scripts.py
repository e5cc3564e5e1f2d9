"""Traditional Chinese beside Simplified: a Hong Kong or Taiwan vendor's export says 顧客編號, 實收金額, 合計, 退費,
儲值卡, 作廢 and 複診 (trial 7's F4: every such file was refused). Headers are read folded to Simplified (OpenCC's
phrase-aware t2s); the wording rules that classify cells (totals, refunds, top-ups, stored value, voids, visit types)
match their words in either script (each pattern beside its OpenCC s2t form), so that convert.py's Polars path and
setwise.py's SQL path, which share those patterns, read a cell alike. Cells are stored as the file wrote them."""

from __future__ import annotations

from functools import cache

import opencc


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def simplified(text: str) -> str:
    return text if text.isascii() else _converter("t2s").convert(text)


def either_script(pattern: str) -> str:
    """A regular expression that matches what `pattern` (written in Simplified) matches, or the same in Traditional."""
    traditional = _converter("s2t").convert(pattern)
    return pattern if traditional == pattern else f"(?:{pattern})|(?:{traditional})"


def both_scripts(letters: list[str]) -> list[str]:
    """Each letter, and its Traditional form where it has one of its own (计 and 計)."""
    traditional = [_converter("s2t").convert(c) for c in letters]
    return list(dict.fromkeys([*letters, *traditional]))
