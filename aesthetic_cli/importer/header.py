"""Find the header row below any title rows, decide the dataset, map headers to fields."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from aesthetic_cli.errors import InputFileError, UsageError
from aesthetic_cli.importer.datasets import DATASETS, Dataset, all_synonyms, normalise_header

SCAN_ROWS = 30


@dataclass
class Layout:
    dataset: Dataset
    header_row: int  # frame index of the header row (sheet row = header_row + 1)
    mapping: dict[str, str]  # frame column -> field
    headers: dict[str, str]  # frame column -> header text as written in the file
    ignored: list[str] = field(default_factory=list)  # headers no field claimed


@dataclass
class UserMapping:
    kind: str | None
    columns: dict[str, str]  # normalised header -> field

    @classmethod
    def load(cls, path: Path | None) -> UserMapping | None:
        if path is None:
            return None
        if not path.is_file():
            raise UsageError(f"Mapping file not found: {path}.")
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(f"Mapping file {path} is not valid TOML: {exc}.", hint=MAPPING_HELP) from None
        kind = doc.get("kind")
        if kind is not None and kind not in DATASETS:
            raise UsageError(f"Mapping file {path}: unknown kind '{kind}'.", hint=f"Kinds: {', '.join(DATASETS)}.")
        columns = doc.get("columns", {})
        if not isinstance(columns, dict) or not columns:
            raise UsageError(f"Mapping file {path} has no [columns] table.", hint=MAPPING_HELP)
        known = {f.name for ds in DATASETS.values() for f in ds.fields}
        bad = [v for v in columns.values() if v not in known]
        if bad:
            raise UsageError(
                f"Mapping file {path} maps to unknown fields: {', '.join(map(str, bad))}.",
                hint="Fields are the snake_case names in `aesops import --help` (e.g. order_date, paid_amount).",
            )
        return cls(kind=kind, columns={normalise_header(k): v for k, v in columns.items()})


MAPPING_HELP = """A mapping file is TOML: an optional kind and a [columns] table from your header to an aesops field:

    kind = "orders"
    [columns]
    "收款日" = "order_date"
    "客人ID" = "customer_id"
    "实际收款" = "paid_amount\""""


def _row_cells(frame: pl.DataFrame, i: int) -> list[str | None]:
    return list(frame.row(i))


def find_header_row(frame: pl.DataFrame, known: set[str]) -> int | None:
    best, best_hits = None, 0
    for i in range(min(SCAN_ROWS, frame.height)):
        hits = sum(1 for c in _row_cells(frame, i) if c is not None and normalise_header(c) in known)
        if hits > best_hits:
            best, best_hits = i, hits
    return best if best_hits >= 1 else None


def _match(ds: Dataset, headers: dict[str, str], user: UserMapping | None) -> dict[str, str]:
    """frame column -> field. Per field the strongest synonym wins (its place in the list), then the leftmost."""
    ranks: dict[str, dict[str, int]] = {}
    for f in ds.fields:
        ranks[f.name] = {normalise_header(s): r for r, s in enumerate((f.name, *f.synonyms))}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    if user:
        for col, text in headers.items():
            target = user.columns.get(normalise_header(text))
            if target and target in ranks and target not in taken:
                mapping[col] = target
                taken.add(target)
    candidates: list[tuple[int, int, str, str]] = []
    for pos, (col, text) in enumerate(headers.items()):
        if col in mapping:
            continue
        norm = normalise_header(text)
        for fname, syn in ranks.items():
            if norm in syn:
                candidates.append((syn[norm], pos, col, fname))
    for _rank, _pos, col, fname in sorted(candidates):
        if col not in mapping and fname not in taken:
            mapping[col] = fname
            taken.add(fname)
    # A header that merely contains a synonym (收费日期时间) may still fill a required field.
    for f in ds.required:
        if f.name in taken:
            continue
        for col, text in headers.items():
            norm = normalise_header(text)
            if col not in mapping and any(len(s) >= 2 and s in norm for s in ranks[f.name]):
                mapping[col] = f.name
                taken.add(f.name)
                break
    return mapping


def _score(ds: Dataset, mapping: dict[str, str], hint_text: str) -> tuple[int, int]:
    fields = set(mapping.values())
    missing = [f for f in ds.required if f.name not in fields]
    if missing:
        return (-1, -len(missing))
    hinted = any(h in hint_text for h in ds.hints)
    return (1, 3 * len(ds.required) + len(fields) + (2 if hinted else 0))


def locate(frame: pl.DataFrame, *, file_name: str, sheet: str | None, kind: str | None,
           user: UserMapping | None) -> Layout:
    kind = kind or (user.kind if user else None)
    if kind is not None and kind not in DATASETS:
        raise UsageError(f"Unknown --kind '{kind}'.", hint=f"Kinds: {', '.join(DATASETS)}.")
    pool = [DATASETS[kind]] if kind else list(DATASETS.values())
    known = all_synonyms() | (set(user.columns) if user else set())
    where = f"{file_name}" + (f", sheet '{sheet}'" if sheet else "")
    row = find_header_row(frame, known)
    if row is None:
        raise InputFileError(
            f"{where}: no header row found in the first {SCAN_ROWS} rows; no column name is one aesops knows.",
            hint=_lacking_hint(pool[0] if kind else DATASETS["orders"], {}) + "\n" + MAPPING_HELP,
        )
    headers = {c: str(v).strip() for c, v in zip(frame.columns, _row_cells(frame, row), strict=False) if v is not None}
    hint_text = f"{file_name} {sheet or ''} " + " ".join(
        str(v) for i in range(row) for v in _row_cells(frame, i) if v is not None
    ).lower()
    scored = []
    for ds in pool:
        mapping = _match(ds, headers, user)
        scored.append((_score(ds, mapping, hint_text), ds, mapping))
    scored.sort(key=lambda t: t[0], reverse=True)
    (ok, _), ds, mapping = scored[0]
    if ok < 0:
        raise InputFileError(
            f"{where}: the header row (row {row + 1}) does not match "
            + (f"dataset '{ds.name}' ({ds.label_zh})." if kind else "any dataset aesops knows.")
            + f" Headers found: {', '.join(headers.values())}.",
            hint=_lacking_hint(ds, mapping) + "\n" + MAPPING_HELP,
        )
    ignored = [headers[c] for c in headers if c not in mapping]
    return Layout(dataset=ds, header_row=row, mapping=mapping, headers=headers, ignored=ignored)


def _lacking_hint(ds: Dataset, mapping: dict[str, str]) -> str:
    have = set(mapping.values())
    lacking = [f for f in ds.required if f.name not in have]
    parts = [f"{f.name} (e.g. {', '.join(f.synonyms[:3])})" for f in lacking]
    return (
        f"Closest dataset: {ds.name} ({ds.label_zh}), which needs: {'; '.join(parts)}. "
        "Rename those headers, pass --kind, or map your headers with --mapping FILE."
    )
