"""The message catalog: what aesops says to people, in Chinese and English (key -> (中文, English)).

The language: `--lang` when given, else $AESOPS_LANG, LC_ALL, LC_MESSAGES or LANG (an English locale
gives English), else Chinese. Errors are raised in the core with their English text (tests and logs
read it); the CLI edge looks the text up here by its English template and prints the reader's
language. A message not in the catalog is printed as it was raised."""

from __future__ import annotations

import os
import re
from functools import cache

Pair = tuple[str, str]

MESSAGES: dict[str, Pair] = {
    # The error translator's own words (cli/errors.py).
    "error": ("错误：", "Error: "),
    "os_error": ("无法使用{where}：{reason}。", "cannot use{where}: {reason}."),
    "os_hint": ("请检查路径（--out、--db、给出的文件）及其权限；没有留下写了一半的文件。",
                "Check the path (--out, --db, the files given) and its permissions; nothing half-written was kept."),
    "interrupted": ("已中断；没有留下写了一半的文件。", "Interrupted; nothing half-written was kept."),
    # The import summary (cli/commands/ingest.py).
    "import_counts": ("  读取 {read} · 载入 {loaded} · 更新 {updated} · 重复跳过 {dup} · 拒收 {rejected} · 空行/合计行跳过 {skipped}",
                      ("  read {read} · loaded {loaded} · updated {updated} · duplicates skipped {dup} · rejected {rejected}"
                       " · blank/total rows skipped {skipped}")),
    "import_unchanged": ("{file}：已导入过（批次 {batch}，{when}）；没有变化。",
                         "{file}: already imported (batch {batch}, {when}); nothing changed."),
    "problem_row": ("  第 {row} 行{column}：{value}{reason}（{action}）",
                    "  row {row}{column}: {value}{reason} ({action})"),
    "problem_column": ("，列“{name}”", ", column '{name}'"),
    "row_rejected": ("整行拒收", "row rejected"),
    "cell_blanked": ("该格置空", "cell left empty"),
    "more_problems": ("  … 另有 {n} 条：aesops status --rejects --batch {batch}",
                      "  … {n} more: aesops status --rejects --batch {batch}"),
    "columns_unused": ("  未使用的列：{names}", "  columns not used: {names}"),
    # Reject reasons (importer/convert.py stores the English; people read their language).
    "reason_amount": ("不是金额", "not an amount"),
    "reason_number": ("不是数字", "not a number"),
    "reason_date": ("不是日期", "not a date"),
    "reason_period": ("不是日期或月份", "not a date or month"),
    "reason_phone": ("不是电话号码", "not a phone number"),
    "reason_bool": ("不是 是/否", "not yes/no (是/否)"),
    "reason_required": ("缺少必填字段", "missing required field"),
    # The most common errors a user causes (errors raised in the core, matched by their English).
    "no_workspace_db": ("仓库 {path} 还不存在。", "The warehouse {path} does not exist yet."),
    "no_workspace_hint": ("请先运行 `aesops init` 和 `aesops import 文件...`。",
                          "Run `aesops init` and `aesops import FILE...` first."),
    "not_a_date": ("{option} '{text}' 不是日期。", "{option} '{text}' is not a date."),
    "date_hint": ("写成 YYYY-MM-DD，例如 {option} 2026-10-01。", "Write it as YYYY-MM-DD, e.g. {option} 2026-10-01."),
    "not_a_month": ("--month '{text}' 不是月份。", "--month '{text}' is not a month."),
    "month_hint": ("写法：YYYY-MM（2026-10）、2026/10、2026年10月、10月、本月 或 上月。",
                   "Write it as YYYY-MM (2026-10), 2026/10, 2026年10月, 10月, 本月 or 上月."),
    "month_needs_data": ("--month '{text}' 从数据的最后一天往回数，但仓库中还没有数据。",
                         "--month '{text}' counts from the data's last day, and the warehouse holds no data yet."),
    "month_iso_hint": ("写成 YYYY-MM，例如 --month 2026-10。", "Write it as YYYY-MM, e.g. --month 2026-10."),
    "not_a_week": ("--week '{text}' 不是 ISO 周。", "--week '{text}' is not an ISO week."),
    "week_hint": ("写法：2026-W43、2026年第43周 或 第43周。", "Write it as 2026-W43, 2026年第43周 or 第43周."),
    "no_such_week": ("--week '{text}' 不存在。", "--week '{text}' does not exist."),
    "one_period": ("只能给一个期间：--month、--from/--to、--week、--year 或 --date。",
                   "Give one period: --month, --from/--to, --week, --year or --date."),
    "from_to": ("--from 和 --to 要一起给。", "--from and --to go together."),
    "to_before_from": ("--to {to} 早于 --from {start}。", "--to {to} is before --from {start}."),
    "no_orders": ("仓库中还没有订单，所以没有默认月份。", "The warehouse has no orders yet, so there is no default month."),
    "no_orders_hint": ("请先导入导出文件（aesops import 文件...），或给出 --month YYYY-MM。",
                       "Import exports first (aesops import FILE...), or pass --month YYYY-MM."),
    "role": ("角色 '{role}' 只能是 onsite 或 online。", "role '{role}' must be onsite or online."),
    "files_failed": ("{n} 个文件（共 {total} 个）没有导入：{names}。",
                     "{n} of {total} files were not imported: {names}."),
    "files_failed_hint": ("其他文件已导入。修正这些文件后再运行同一命令；已导入的文件会跳过。",
                          ("The other files were imported. Fix these and run the same command again; "
                           "files already imported are skipped.")),
    "xlsx_needs_out": ("--format xlsx 需要 --out 文件名。", "--format xlsx needs --out FILE."),
    "demo_next": ("下一步（命令在 {bin} 里；或先运行 `source .venv/bin/activate`，之后直接用 aesops）：",
                  "Next (the command lives in {bin}; or run `source .venv/bin/activate` once, then plain aesops):"),
}


def lang_from_env() -> str:
    for var in ("AESOPS_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if not value or value.split(".")[0] in ("C", "POSIX"):
            continue  # C.UTF-8 says nothing about the reader's language
        return "en" if value.lower().startswith("en") else "zh"
    return "zh"


def t(key: str, lang: str, **fields) -> str:
    zh, en = MESSAGES[key]
    return (zh if lang == "zh" else en).format(**fields)


@cache
def _patterns() -> list[tuple[re.Pattern, str]]:
    """Each English template as a pattern whose {fields} match any text."""
    out = []
    for key, (_zh, en) in MESSAGES.items():
        if key.startswith("reason_") or key == "error":
            continue
        parts = re.split(r"\{(\w+)\}", en)
        rx = "".join(f"(?P<{p}>.+?)" if i % 2 else re.escape(p) for i, p in enumerate(parts))
        out.append((re.compile(rx + r"\Z", re.S), key))
    return out


def localize(text: str | None, lang: str) -> str | None:
    """A message raised in English, in the reader's language when the catalog knows it."""
    if text is None or lang != "zh":
        return text
    for rx, key in _patterns():
        m = rx.match(text)
        if m:
            return t(key, "zh", **m.groupdict())
    return text


def reason(text: str, lang: str) -> str:
    """A reject reason as stored (English) in the reader's language."""
    if lang != "zh":
        return text
    for key, (zh, en) in MESSAGES.items():
        if key.startswith("reason_") and en == text:
            return zh
    return text
