"""What every analysis returns: named tables plus the parameters they were computed with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl


@dataclass(frozen=True)
class Note:
    """A remark under a table, in both languages; str() is the English, kept in JSON."""

    zh: str
    en: str

    def __str__(self) -> str:
        return self.en

    def __contains__(self, text: str) -> bool:
        return text in self.zh or text in self.en

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def note_text(note, lang: str) -> str:
    return note.text(lang) if isinstance(note, Note) else str(note)


@dataclass
class Result:
    meta: dict
    tables: dict[str, pl.DataFrame]
    notes: list[Any] = field(default_factory=list)  # Note, or plain text

    def to_json_obj(self) -> dict:
        """{"meta": {...}, "<table>": [rows...]}: SPEC §3's JSON, rates as fractions."""
        out: dict = {"meta": _plain(self.meta)}
        if self.notes:
            out["meta"]["notes"] = [str(n) for n in self.notes]
        for name, frame in self.tables.items():
            out[name] = [_plain(r) for r in frame.iter_rows(named=True)]
        return out


def _plain(value):
    """JSON-ready values at full precision: a reader must be able to recompute sales from the
    levers to the cent. Money arrives as Decimal (exact cents); as a JSON number it keeps exactly
    those digits (shortest round-trip repr), for any amount below 2^53 cents."""
    import datetime as dt
    import math
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
