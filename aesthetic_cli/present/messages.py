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
    "os_hint": (
        "请检查路径（--out、--db、给出的文件）及其权限；没有留下写了一半的文件。",
        "Check the path (--out, --db, the files given) and its permissions; nothing half-written was kept.",
    ),
    "interrupted": ("已中断；没有留下写了一半的文件。", "Interrupted; nothing half-written was kept."),
    # click's own complaints about a command line (cli/errors.py shows them in the reader's language).
    "usage_try": ("运行 '{command} --help' 查看帮助。", "Try '{command} --help' for help."),
    "no_such_option": ("没有这个选项：{option}", "No such option: {option}"),
    "possible_options": ("{message}（可能是：{options}）", "{message} (Possible options: {options})"),
    "did_you_mean": ("{message}你是不是想用 {suggestions}？", "{message} Did you mean {suggestions}?"),
    "missing_option": ("缺少选项 {name}。", "Missing option {name}."),
    "missing_argument": ("缺少参数 {name}。", "Missing argument {name}."),
    "invalid_value_for": ("{name} 的值无效：{reason}", "Invalid value for {name}: {reason}"),
    "not_one_of": ("{value} 不是 {choices} 之一。", "{value} is not one of {choices}."),
    "at_least": ("应大于或等于 {n}", "Input should be greater than or equal to {n}"),
    "at_most": ("应小于或等于 {n}", "Input should be less than or equal to {n}"),
    "not_an_integer": (
        "应是整数（无法读成整数）",
        "Input should be a valid integer, unable to parse string as an integer",
    ),
    "no_such_command": ("没有这个命令 {name}。", "No such command {name}."),
    "extra_arguments": ("多余的参数（{args}）", "Got unexpected extra argument(s) ({args})"),
    "option_needs_value": ("选项 {name} 需要一个值。", "Option {name} requires an argument."),
    # The import summary (cli/commands/ingest.py).
    "import_counts": (
        "  读取 {read} · 载入 {loaded} · 更新 {updated} · 重复跳过 {dup} · 拒收 {rejected} · 空行/合计行跳过 {skipped}",
        (
            "  read {read} · loaded {loaded} · updated {updated} · duplicates skipped {dup} · rejected {rejected}"
            " · blank/total rows skipped {skipped}"
        ),
    ),
    "import_unchanged": (
        "{file}：已导入过（批次 {batch}，{when}）；没有变化。",
        "{file}: already imported (batch {batch}, {when}); nothing changed.",
    ),
    "problem_row": (
        "  第 {row} 行{column}：{value}{reason}（{action}）",
        "  row {row}{column}: {value}{reason} ({action})",
    ),
    "problem_column": ("，列“{name}”", ", column '{name}'"),
    "row_rejected": ("整行拒收", "row rejected"),
    "cell_blanked": ("该格置空", "cell left empty"),
    "more_problems": (
        "  … 另有 {n} 条：aesops status --rejects --batch {batch}",
        "  … {n} more: aesops status --rejects --batch {batch}",
    ),
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
    "no_workspace_hint": (
        "请先运行 `aesops init` 和 `aesops import 文件...`。",
        "Run `aesops init` and `aesops import FILE...` first.",
    ),
    "not_a_date": ("{option} '{text}' 不是日期。", "{option} '{text}' is not a date."),
    "date_hint": ("写成 YYYY-MM-DD，例如 {option} 2026-10-01。", "Write it as YYYY-MM-DD, e.g. {option} 2026-10-01."),
    "not_a_month": ("--month '{text}' 不是月份。", "--month '{text}' is not a month."),
    "month_hint": (
        "写法：YYYY-MM（2026-10）、2026/10、2026年10月、10月、本月 或 上月。",
        "Write it as YYYY-MM (2026-10), 2026/10, 2026年10月, 10月, 本月 or 上月.",
    ),
    "month_needs_data": (
        "--month '{text}' 从数据的最后一天往回数，但仓库中还没有数据。",
        "--month '{text}' counts from the data's last day, and the warehouse holds no data yet.",
    ),
    "month_iso_hint": ("写成 YYYY-MM，例如 --month 2026-10。", "Write it as YYYY-MM, e.g. --month 2026-10."),
    "not_a_week": ("--week '{text}' 不是 ISO 周。", "--week '{text}' is not an ISO week."),
    "week_hint": ("写法：2026-W43、2026年第43周 或 第43周。", "Write it as 2026-W43, 2026年第43周 or 第43周."),
    "no_such_week": ("--week '{text}' 不存在。", "--week '{text}' does not exist."),
    "one_period": (
        "只能给一个期间：--month、--from/--to、--week、--year 或 --date。",
        "Give one period: --month, --from/--to, --week, --year or --date.",
    ),
    "from_to": ("--from 和 --to 要一起给。", "--from and --to go together."),
    "to_before_from": ("--to {to} 早于 --from {start}。", "--to {to} is before --from {start}."),
    "no_orders": (
        "仓库中还没有订单，所以没有默认月份。",
        "The warehouse has no orders yet, so there is no default month.",
    ),
    "no_orders_hint": (
        "请先导入导出文件（aesops import 文件...），或给出 --month YYYY-MM。",
        "Import exports first (aesops import FILE...), or pass --month YYYY-MM.",
    ),
    "file_not_found": ("找不到文件：{path}。", "File not found: {path}."),
    "file_not_found_hint": (
        "请检查路径；*.xlsx 这样的通配符由 shell 展开。",
        "Check the path; wildcards like *.xlsx are expanded by the shell.",
    ),
    "is_a_folder": ("{path} 是文件夹，不是文件。", "{path} is a folder, not a file."),
    "is_a_folder_hint": ("请传入其中的文件，例如 文件夹/*.xlsx。", "Pass the files inside it, e.g. DIR/*.xlsx."),
    "unsupported_type": ("{name}：不支持的文件类型“{suffix}”。", "{name}: unsupported file type '{suffix}'."),
    "supported_types": (
        "aesops 能读 .xlsx、.xls、.xlsm、.xlsb、.ods 和 .csv（UTF-8、带 BOM 的 UTF-8、GBK/GB18030）。",
        "aesops reads .xlsx, .xls, .xlsm, .xlsb, .ods and .csv (UTF-8, UTF-8-BOM, GBK/GB18030).",
    ),
    "empty_file": ("{name} 是空文件（0 字节）。", "{name} is empty (0 bytes)."),
    "resave": (
        "请从 CRM 重新导出，或在 Excel 中打开后另存；CSV 导出也可以。",
        "Re-export it from the CRM, or open and re-save it in Excel; CSV exports work too.",
    ),
    "resave_csv": (
        "请在 Excel 中打开文件，另存为“CSV UTF-8”（或 .xlsx），再导入。",
        "Open the file in Excel and save it again as 'CSV UTF-8' (or as .xlsx), then import again.",
    ),
    "no_clinic": ("{name} 没有门店列，也没有指定门店。", "{name} has no clinic (门店) column and no clinic was given."),
    "no_clinic_hint": (
        "请传入 --clinic 门店名，或在 aesops.toml 设置 default_clinic（`aesops init --clinic 门店名`）。",
        "Pass --clinic NAME, or set default_clinic in aesops.toml (`aesops init --clinic NAME`).",
    ),
    "no_sheet": ("{name} 没有名为“{sheet}”的工作表。", "{name} has no sheet named '{sheet}'."),
    "nothing_to_report": (
        "仓库中还没有订单或到院记录：没有可报的内容。",
        "The warehouse has no orders or visits yet: nothing to report.",
    ),
    "import_first": ("请先导入导出文件：aesops import 文件...", "Import exports first: aesops import FILE..."),
    "role": ("--role '{role}' 只能是 onsite 或 online。", "--role '{role}' must be onsite or online."),
    "files_failed": (
        "{n} 个文件（共 {total} 个）没有导入：{names}。",
        "{n} of {total} files were not imported: {names}.",
    ),
    "files_failed_hint": (
        "其他文件已导入。修正这些文件后再运行同一命令；已导入的文件会跳过。",
        (
            "The other files were imported. Fix these and run the same command again; "
            "files already imported are skipped."
        ),
    ),
    "xlsx_needs_out": ("--format xlsx 需要 --out 文件名。", "--format xlsx needs --out FILE."),
    "xlsx_hint": (
        "例如 aesops channels --format xlsx --out channels.xlsx",
        "e.g. aesops channels --format xlsx --out channels.xlsx",
    ),
    # Chatter of the commands (stderr): what was done, what to do next.
    "import_file": ("{where} → {dataset}（批次 {batch}）{dates}", "{where} → {dataset} (batch {batch}){dates}"),
    "sheet_skipped": ("  工作表「{name}」未导入：{why}", "  sheet '{name}' not imported: {why}"),
    "new_channel": ("  新渠道：{names}", "  new channels: {names}"),
    "new_consultant": ("  新员工姓名：{names}", "  new staff names: {names}"),
    "new_other": ("  新{kind}：{names}", "  new {kind}: {names}"),
    "lookalike": ("  请核对：“{name}”与 {others} 很像", "  check: '{name}' looks like {others}"),
    "wrote": ("已写出 {path}", "wrote {path}"),
    "sent": ("已发送：{line}", "sent: {line}"),
    "send_ok": ("正常：{line}", "ok: {line}"),
    "send_needs_test": (
        "请加 --test：报表由 `aesops report ... --send` 发送。",
        "say --test: reports are sent by `aesops report ... --send`.",
    ),
    "workspace_ready": (
        "工作区已就绪：{folder}（仓库 {db}，默认门店“{clinic}”）。",
        "Workspace ready in {folder} (warehouse {db}, default clinic '{clinic}').",
    ),
    "next_import": ("下一步：aesops import 导出文件/*.xlsx", "Next: aesops import EXPORTS/*.xlsx"),
    "lake_needs_both": (
        "DuckLake 工作区需要同时给出 --catalog 和 --data-path。",
        "A lake workspace needs both --catalog and --data-path.",
    ),
    "lake_copied": ("已把 {db} 复制进 DuckLake：{counts}。", "Copied {db} into the lake: {counts}."),
    "lake_next": (
        "下一步：aesops init 文件夹 --catalog {catalog} --data-path {data_path}，再让 cron 指向该文件夹。",
        "Next: aesops init DIR --catalog {catalog} --data-path {data_path}, and point cron at DIR.",
    ),
    "sample_wrote": (
        "已写出 {n} 个文件到 {out}（{orders} 条订单行，{customers} 位客人，{start} → {end}）。",
        "Wrote {n} files to {out} ({orders} order lines, {customers} customers, {start} → {end}).",
    ),
    "sample_next": ("下一步：aesops import {out}/*", "Next: aesops import {out}/*"),
    "schedule_installed": (
        "已为 {root} 安装报表定时任务（crontab -l 可查看）{inbox}。",
        "Installed the report schedule for {root} (crontab -l shows it){inbox}.",
    ),
    "schedule_inbox": ("；导出文件请放入 {inbox}", "; drop exports into {inbox}"),
    "plan_saved": (
        "已保存 {year} 年目标（合计 {total} 元）；用 `aesops targets track` 追踪。",
        "Saved the {year} plan (total {total} yuan); track it with `aesops targets track`.",
    ),
    "plan_replaced": (
        "已替换之前的 {year} 年目标（合计 {total} 元）；用 `aesops targets track` 追踪。",
        "Replaced the earlier {year} plan (total {total} yuan); track it with `aesops targets track`.",
    ),
    "intake_imported": (
        "已导入 {name}：{dataset}，新增 {loaded} 行，拒收 {rejected} 行 → {where}",
        "imported {name}: {dataset}, {loaded} new rows, {rejected} rows refused → {where}",
    ),
    "intake_nothing": ("{folder} 里没有新文件。", "Nothing new in {folder}."),
    "intake_rejected": (
        "已拒收 {name}：{reason}（{file}.reason.txt）",
        "rejected {name}: {reason}  ({file}.reason.txt)",
    ),
    "intake_failed": (
        "{folder} 中 {n} 个文件（共 {total} 个）没有导入，已移到 {rejected}。",
        "{n} of {total} file(s) in {folder} were not imported and were moved to {rejected}.",
    ),
    "intake_failed_hint": (
        "每个文件旁边都有 .reason.txt；修正文件后再放进来。",
        "Each has a .reason.txt beside it; fix the file and drop it in again.",
    ),
    "batch_dropped": (
        "已删除批次 {batch}（{file} → {dataset}）：移除 {removed} 行，恢复 {restored} 条旧记录。",
        "Dropped batch {batch} ({file} → {dataset}): removed {removed} rows, restored {restored} earlier records.",
    ),
    "horizon_not_days": (
        "--horizon '{text}' 应是用逗号分隔的整天数，例如 30,90,180。",
        "--horizon '{text}' must be whole days separated by commas, e.g. 30,90,180.",
    ),
    "horizon_positive": ("--horizon 至少要有一个正的天数。", "--horizon needs at least one positive number of days."),
    "horizon_list": ("--horizon '{text}' 不是天数列表。", "--horizon '{text}' is not a list of days."),
    "horizon_min": ("--horizon '{text}' 需要至少 1 天的整天数。", "--horizon '{text}' needs whole days of at least 1."),
    "horizon_hint": ("例如 --horizon 90,180", "e.g. --horizon 90,180"),
    "from_to_hint": ("例如 --from 2026-10-01 --to 2026-10-15", "e.g. --from 2026-10-01 --to 2026-10-15"),
    # aesops demo (demo_run.py).
    "demo_import": (
        "[bold]1. 导入[/bold] {n} 个示例导出文件到 {db}",
        "[bold]1. Import[/bold] {n} sample exports into {db}",
    ),
    "demo_file": (
        "   {file} → {dataset}  载入 {loaded}  重复 {dup}  拒收 {rejected}",
        "   {file} → {dataset}  loaded {loaded}  duplicates {dup}  rejected {rejected}",
    ),
    "demo_analyses": ("[bold]2. 分析[/bold]（JSON 在 analyses/）", "[bold]2. Analyses[/bold] (JSON in analyses/)"),
    "demo_reports": (
        "[bold]3. 报表[/bold]（Excel 和 HTML 在 reports/）",
        "[bold]3. Reports[/bold] (Excel and HTML in reports/)",
    ),
    "demo_done": (
        "[bold green]完成。[/bold green]全部输出在 {out}",
        "[bold green]Done.[/bold green] Everything is in {out}",
    ),
    "demo_try": ("报表在 {reports}；或者试试：  cd {out}", "Open {reports} for the reports, or try:  cd {out}"),
    "demo_cmd_funnel": ("本月业绩杠杆、新老客、环比/同比", "this month's levers, new vs old, 环比/同比"),
    "demo_cmd_channels": ("哪些渠道回本，以及砍渠道清单", "which channels pay back, and the cut list"),
    "demo_cmd_consultants": ("谁能成交，谁的客人会回来", "who closes, and whose customers come back"),
    "demo_cmd_reactivate": ("超过复购周期的老客（已打码）", "old customers overdue for their items (masked)"),
    "demo_cmd_track": ("本月对照已保存的目标", "this month against the saved plan"),
    "demo_cmd_import": ("然后用你自己的数据做同样的事", "then the same on your own data"),
    "demo_not_on_path": (
        (
            "（`aesops` 不在 PATH 上：上面的命令用了完整路径。想直接输入 `aesops`，请运行 "
            "`source {activate}`，或在代码目录运行 `./run shell`。）"
        ),
        (
            "(`aesops` is not on your PATH: the lines above use its full path. To type plain `aesops`, "
            "run `source {activate}` or `./run shell` in the checkout.)"
        ),
    ),
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
