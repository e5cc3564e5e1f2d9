"""Mapping files: how a user tells aesops what a file holds when the headers do not say.

    kind = "orders"
    sheets = "all"                 # or ["1月", "2月"]
    header_row = 3                 # the sheet row holding the headers
    date_order = "mdy"             # 12/6/2009 is 6 December; or "dmy", "ymd"
    date_format = "%Y%m%d"         # any strptime format
    amount_unit = "fen"
    [columns]
    "InvoiceDate" = "order_date"
    [constants]
    item = "CD"
    [computed]
    paid_amount = "Quantity * UnitPrice"
    [values.arrived]
    "已到" = true

Computed fields are arithmetic over columns, parsed with `ast` and evaluated as Polars
expressions: numbers, column names, + - * / and parentheses, nothing else.
"""

from __future__ import annotations

from typing import cast

import ast
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from aesthetic_cli.errors import UsageError
from aesthetic_cli.importer.datasets import DATASETS

MAPPING_HELP = """A mapping file is TOML: an optional kind and a [columns] table from your header to an aesops field:

    kind = "orders"
    [columns]
    "收款日" = "order_date"
    "客人ID" = "customer_id"
    "实际收款" = "paid_amount\""""

CONST_PREFIX = "=const:"
COMPUTED_PREFIX = "=computed:"


def _known_fields() -> set[str]:
    return {f.name for ds in DATASETS.values() for f in ds.fields}


@dataclass
class UserMapping:
    kind: str | None
    columns: dict[str, str]  # normalised header -> field
    path: Path | None = None
    written: dict[str, str] = field(default_factory=dict)  # normalised header -> as the mapping writes it
    sheets: str | list[str] | None = None
    header_row: int | None = None  # sheet row, 1 = first
    date_order: str | None = None
    date_format: str | None = None
    amount_unit: str | None = None
    constants: dict[str, str] = field(default_factory=dict)
    computed: dict[str, ast.Expression] = field(default_factory=dict)
    computed_text: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def decides(self) -> bool:
        """A mapping that names fields is the user's decision: no doubt is raised about it."""
        return bool(self.kind or self.columns or self.constants or self.computed)

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
        return cls.from_doc(doc, path)

    @classmethod
    def from_doc(cls, doc: dict, path: Path) -> UserMapping:
        from aesthetic_cli.importer.recognise import normalise

        def bad(msg: str, hint: str = MAPPING_HELP):
            raise UsageError(f"Mapping file {path}: {msg}", hint=hint)

        kind = doc.get("kind")
        if kind is not None and kind not in DATASETS:
            raise UsageError(f"Mapping file {path}: unknown kind '{kind}'.", hint=f"Kinds: {', '.join(DATASETS)}.")
        columns = doc.get("columns", {})
        constants = doc.get("constants", {})
        computed = doc.get("computed", {})
        values = doc.get("values", {})
        for name, table in (("columns", columns), ("constants", constants), ("computed", computed), ("values", values)):
            if not isinstance(table, dict):
                bad(f"[{name}] must be a table.")
        if not columns and not constants and not computed and not kind:
            raise UsageError(f"Mapping file {path} has no [columns] table.", hint=MAPPING_HELP)
        known = _known_fields()
        targets = [*columns.values(), *constants, *computed, *values]
        unknown = [str(v) for v in targets if v not in known]
        if unknown:
            raise UsageError(
                f"Mapping file {path} maps to unknown fields: {', '.join(unknown)}.",
                hint="Fields are the snake_case names in `aesops import --help` (e.g. order_date, paid_amount).",
            )
        sheets = doc.get("sheets")
        if (
            sheets is not None
            and sheets != "all"
            and not (isinstance(sheets, list) and all(isinstance(s, str | int) for s in sheets))
        ):
            bad('sheets must be "all" or a list of sheet names, e.g. sheets = ["1月", "2月"].')
        header_row = doc.get("header_row")
        if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
            bad("header_row must be a sheet row number, 1 or more.")
        date_order = doc.get("date_order")
        if date_order is not None and date_order not in ("ymd", "dmy", "mdy"):
            bad(f'date_order must be "ymd", "dmy" or "mdy", not "{date_order}".')
        date_format = doc.get("date_format")
        if date_format is not None and (not isinstance(date_format, str) or "%" not in date_format):
            bad(f'date_format must be a strptime format such as "%Y%m%d", not "{date_format}".')
        unit = doc.get("amount_unit")
        if unit is not None and unit not in ("yuan", "fen"):
            bad(f'amount_unit must be "yuan" or "fen", not "{unit}".')
        parsed = {}
        for fname, text in computed.items():
            if not isinstance(text, str):
                bad(f'[computed] {fname} must be a formula in quotes, e.g. "Quantity * Price".')
            parsed[fname] = parse_formula(text, path, fname)
        vmaps: dict[str, dict[str, str]] = {}
        for fname, table in values.items():
            if not isinstance(table, dict):
                bad(f'[values.{fname}] must be a table of "as written" = value.')
            vmaps[fname] = {str(k).strip(): _value_text(v) for k, v in table.items()}
        return cls(
            kind=kind,
            columns={normalise(k): v for k, v in columns.items()},
            path=path,
            written={normalise(k): str(k) for k in columns},
            sheets=sheets,
            header_row=header_row,
            date_order=date_order,
            date_format=date_format,
            amount_unit=unit,
            constants={k: str(v) for k, v in constants.items()},
            computed=parsed,
            computed_text={k: str(v) for k, v in computed.items()},
            values=vmaps,
        )


def _value_text(v) -> str:
    # Booleans become words the converter already reads as yes/no.
    if v is True:
        return "是"
    if v is False:
        return "否"
    return str(v)


_ALLOWED = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.USub,
    ast.UAdd,
    ast.Constant,
    ast.Name,
    ast.Load,
)


def _formula_source(text: str) -> tuple[str, dict[str, str]]:
    """Headers may hold spaces or Chinese (`数量 * 单价`, `[Unit Price] * Qty`): each operand that is
    not a number becomes a placeholder name that `ast` can parse."""
    import re

    names: dict[str, str] = {}
    out = []
    for piece in re.split(r"(\[[^\]]*\]|[+\-*/()])", text):
        token = piece.strip()
        if not token:
            continue
        if token in "+-*/()" or re.fullmatch(r"\d+(\.\d+)?", token):
            out.append(token)
            continue
        key = f"c{len(names)}"
        names[key] = token[1:-1].strip() if token.startswith("[") else token
        out.append(key)
    return " ".join(out), names


def parse_formula(text: str, path: Path, fname: str):
    src, names = _formula_source(text)
    try:
        tree = ast.parse(src, mode="eval")
    except SyntaxError:
        raise UsageError(
            f'Mapping file {path}: [computed] {fname} = "{text}" is not a formula.',
            hint='Use column names, numbers, + - * / and parentheses, e.g. "数量 * 单价".',
        ) from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED) or (
            isinstance(node, ast.Constant) and not isinstance(node.value, int | float)
        ):
            raise UsageError(
                f'Mapping file {path}: [computed] {fname} = "{text}" may only use column names, numbers, '
                "+ - * / and parentheses."
            )
    return tree, names


def formula_columns(formula) -> list[str]:
    _tree, names = formula
    return list(names.values())


def to_expr(formula, resolve) -> pl.Expr:
    """The formula as a Polars expression; resolve(header) gives a numeric expression for a column."""
    tree, names = formula

    def walk(node) -> pl.Expr:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return pl.lit(float(cast(float, node.value)))  # the formula's parse admits numbers only
        if isinstance(node, ast.Name):
            return resolve(names[node.id])
        if isinstance(node, ast.UnaryOp):
            inner = walk(node.operand)
            return -inner if isinstance(node.op, ast.USub) else inner
        left, right = walk(node.left), walk(node.right)
        match node.op:
            case ast.Add():
                return left + right
            case ast.Sub():
                return left - right
            case ast.Mult():
                return left * right
            case ast.Div():
                return pl.when(right != 0).then(left / right)
        raise AssertionError(node)

    return walk(tree)


def extend_frame(frame: pl.DataFrame, layout, user: UserMapping | None, *, header_row: int | None) -> pl.DataFrame:
    """Add the constant and computed columns the layout maps, and apply value maps, as text cells.
    header_row: the frame row holding the headers, or None for a later batch of data rows."""
    if user is None:
        return frame
    from aesthetic_cli.importer.convert import parse_amount
    from aesthetic_cli.importer.recognise import normalise

    by_header = {normalise(text): col for col, text in layout.headers.items() if not col.startswith("=")}
    is_header = (pl.int_range(0, pl.len()) == header_row) if header_row is not None else pl.lit(False)
    extra = []
    for fname, value in user.constants.items():
        col = CONST_PREFIX + fname
        if col in layout.mapping:
            extra.append(pl.when(is_header).then(pl.lit(col)).otherwise(pl.lit(value)).alias(col))

    def resolve(header: str) -> pl.Expr:
        col = by_header.get(normalise(header))
        if col is None:
            raise UsageError(
                f"Mapping file {user.path}: [computed] names a column '{header}' that the file does not have.",
                hint=f"Its columns are: {', '.join(t for c, t in layout.headers.items() if not c.startswith('='))}.",
            )
        return parse_amount(col)

    for fname, formula in user.computed.items():
        col = COMPUTED_PREFIX + fname
        if col in layout.mapping:
            computed = to_expr(formula, resolve).round(2).cast(pl.String)
            extra.append(pl.when(is_header).then(pl.lit(col)).otherwise(computed).alias(col))
    if extra:
        frame = frame.with_columns(extra)
    maps = []
    for col, fname in layout.mapping.items():
        vmap = user.values.get(fname)
        if vmap and col in frame.columns:
            s = pl.col(col).str.strip_chars()
            maps.append(pl.when(is_header).then(pl.col(col)).otherwise(s.replace(vmap)).alias(col))
    return frame.with_columns(maps) if maps else frame
