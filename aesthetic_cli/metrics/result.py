"""What every analysis returns: named tables plus the parameters they were computed with."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aesthetic_cli.lazy_polars import pl


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
            out[name] = _json_rows(frame)
        return out


def _json_rows(frame: pl.DataFrame) -> list[dict]:
    """The frame's rows as _plain makes them, converting per value only the columns that need it: text,
    integers and booleans are JSON-ready as they come, and a float column's NaN and infinities become
    nulls in Polars. customers predict lists 508k customers at 1M order lines: _plain on every one of
    its 7.6M values took about 17 CPU s (bench/README, 2026-11-23 late)."""
    floats = [c for c, t in frame.schema.items() if t.is_float()]
    if floats:
        frame = frame.with_columns(pl.when(pl.col(c).is_finite()).then(pl.col(c)).alias(c) for c in floats)
    ready = (pl.String, pl.Boolean, pl.Null)
    slow = [c for c, t in frame.schema.items() if not (t.is_float() or t.is_integer() or t in ready)]
    rows = frame.rows(named=True)
    for row in rows if slow else ():
        for c in slow:
            row[c] = _plain(row[c])
    return rows


def _plain(value):
    """JSON-ready values at full precision: a reader must be able to recompute sales from the
    levers to the cent. Money arrives as Decimal (exact cents); as a JSON number it keeps exactly
    those digits (shortest round-trip repr), for any amount below 2^53 cents."""
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


def write_json(obj: dict, out) -> None:
    """SPEC §3's JSON with each table row on one line. json.dump with indent runs Python's pure-Python
    encoder: 15 CPU s for customers predict's 508k rows at 1M order lines; a row written by json.dumps
    without indent takes the C encoder. The meta block stays indented, as people read it."""
    out.write("{")
    for i, (key, value) in enumerate(obj.items()):
        out.write(("," if i else "") + "\n  " + json.dumps(key, ensure_ascii=False) + ": ")
        if isinstance(value, list) and all(isinstance(row, dict) for row in value):
            # Row by row: joining 508k rows into one string first doubled predict's peak memory.
            out.write("[" if value else "[]")
            for j, row in enumerate(value):
                out.write(("," if j else "") + "\n    " + json.dumps(row, ensure_ascii=False))
            out.write("\n  ]" if value else "")
        else:
            out.write(json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  "))
    out.write("\n}\n")
