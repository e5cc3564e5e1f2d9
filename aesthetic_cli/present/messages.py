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
    "interrupted": (
        "已中断；没有留下写了一半的内容。中断前已完成的导入会保留（用 aesops batches 查看）。",
        "Interrupted; nothing half-written was kept. Imports that had finished before stay (see aesops batches).",
    ),
    "unknown_clinic": ("没有任何数据属于门店“{clinic}”。", "No data names the clinic '{clinic}'."),
    "no_data_yet": ("仓库里还没有数据。", "The warehouse has no data yet."),
    "clinics_are": ("这个仓库里的门店：{names}。", "The clinics in this warehouse: {names}."),
    "disk_full": ("磁盘空间不足（{detail}）。", "The disk is full ({detail})."),
    "disk_full_hint": (
        "请清理磁盘空间后重试；失败的导入不会改变仓库。",
        "Free some space and try again; a failed import leaves the warehouse as it was.",
    ),
    "permission_denied": ("没有权限（{detail}）。", "Permission denied ({detail})."),
    "permission_denied_hint": (
        "请检查文件夹和仓库文件的读写权限：导入要在仓库所在的文件夹里写 .wal 文件。仓库没有改变。",
        (
            "Check the read and write permissions of the folder and the warehouse: an import writes a .wal file "
            "beside the warehouse. The warehouse is unchanged."
        ),
    ),
    "warehouse_damaged": ("仓库文件已损坏（{detail}）。", "The warehouse file is damaged ({detail})."),
    "warehouse_damaged_hint": (
        "请从备份恢复它，或把它移走，用原始导出文件重新导入（aesops init，再 aesops import）。",
        (
            "Restore it from a backup, or move it away and import the original exports again (aesops init, then "
            "aesops import)."
        ),
    ),
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
    # The first problems of a file refused whole (importer/load.py), one a line.
    "problem_example_value": (
        "  • 第 {row} 行，列“{column}”：{reason}（“{value}”）",
        "  • row {row} column '{column}': {reason} ('{value}')",
    ),
    "problem_example": ("  • 第 {row} 行，列“{column}”：{reason}", "  • row {row} column '{column}': {reason}"),
    "problem_example_row": ("  • 第 {row} 行：{reason}", "  • row {row}: {reason}"),
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
    "rows_summed": (
        "  另有 {n} 行与同一天（或同一月）、同一渠道的行相加（按计划或账户拆开的费用），不是重复",
        (
            "  {n} more rows were added to a row of the same day (or month) and channel (spend split by campaign "
            "or account), not skipped as duplicates"
        ),
    ),
    "clinic_from_file": (
        "  文件（门店列或工作表名）写的是 {names}：这些行按文件记入；--clinic {clinic} 只用于没写门店的行",
        (
            "  the file (its clinic column or sheet name) says {names}: those rows are filed so; --clinic {clinic} "
            "only fills rows that name none"
        ),
    ),
    "lines_older": (
        (
            "  其中 {n} 行与已导入的不同，但这个文件的数据止于更早的日期（较旧的导出），没有覆盖；"
            "若它是更正，请导入一份覆盖到同样日期的新导出"
        ),
        (
            "  {n} of them differ from the lines stored, but this file's data end earlier than theirs (an older "
            "export), so they were left as stored; if it is a correction, import a new export reaching as far"
        ),
    ),
    "lines_repeated": (
        (
            "  其中 {n} 行与已导入的不同，但同一键（如同一顾客同一天）有不止一行，只能按先后顺序对应，没有覆盖；"
            "若要以新导出为准，请删除旧批次（aesops batches drop）后重新导入"
        ),
        (
            "  {n} of them differ from the lines stored, but their key (a customer's day, say) holds several lines, "
            "told apart only by their order, so they were left as stored; to take the new export's, drop the old "
            "batch (aesops batches drop) and import again"
        ),
    ),
    "rows_older": (
        "  其中 {n} 条比仓库中已有的更旧（最后消费日期更早），没有覆盖",
        "  {n} of them are older than the records stored (an earlier last use) and replaced nothing",
    ),
    "read_as_refunds": (
        "  文件名或表名说这是退款：每行的金额都按退款计（从业绩中减去）",
        "  the file or sheet name says refunds: every line's amount counts as a refund (taken off sales)",
    ),
    "columns_unused": ("  未使用的列：{names}", "  columns not used: {names}"),
    "more_columns": (
        "（共 {n} 列，aesops import --explain 逐列列出）",
        " ({n} in all; aesops import --explain lists each)",
    ),
    # Reject reasons (importer/convert.py stores the English; people read their language).
    "reason_amount": ("不是金额", "not an amount"),
    "reason_number": ("不是数字", "not a number"),
    "reason_date": ("不是日期", "not a date"),
    "reason_period": ("不是日期或月份", "not a date or month"),
    "reason_phone": ("不是电话号码", "not a phone number"),
    "reason_bool": ("不是 是/否", "not yes/no (是/否)"),
    "reason_required": ("缺少必填字段", "missing required field"),
    "reason_redeemed": (
        "疗程划扣：是消耗，不是业绩（划扣请随治疗划扣导入）",
        "a session of a course deducted (划扣): consumption, not a sale",
    ),
    "reason_voided": ("作废或撤销的单据：不计入", "a voided or cancelled bill: not counted"),
    "reason_not_visited": (
        "没有到院（未到、取消或爽约）：不计入",
        "a visit that did not happen (not arrived, cancelled, no-show): not counted",
    ),
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
    "folder_without_exports": (
        "{folder} 里没有 aesops 能读的导出文件（.xlsx .xls .csv .txt）。",
        "{folder} holds no export aesops reads (.xlsx .xls .csv .txt) directly in it.",
    ),
    "folder_without_exports_hint": (
        "请直接给出文件，例如 文件夹/*.xlsx，或给出它们所在的文件夹。",
        "Pass the files themselves, e.g. DIR/*.xlsx, or the folder they are in.",
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
    "files_failed_all_hint": ("修正这些文件后再运行同一命令。", "Fix these and run the same command again."),
    "xlsx_needs_out": ("--format xlsx 需要 --out 文件名。", "--format xlsx needs --out FILE."),
    "out_no_format": (
        "--out {path}：从扩展名看不出要写成哪种格式。",
        "--out {path}: the extension does not say which format to write.",
    ),
    "out_table": (
        "--out {path}：屏幕上的表格不写入文件。",
        "--out {path}: a table on the screen is not written to a file.",
    ),
    "out_hint": (
        "请把文件命名为 .xlsx、.csv 或 .json，或加 --format xlsx、csv 或 json。",
        "Name the file .xlsx, .csv or .json, or add --format xlsx, csv or json.",
    ),
    "xlsx_hint": (
        "例如 aesops channels --format xlsx --out channels.xlsx",
        "e.g. aesops channels --format xlsx --out channels.xlsx",
    ),
    # Chatter of the commands (stderr): what was done, what to do next.
    "import_file": ("{where} → {dataset}，批次 {batch}{dates}", "{where} → {dataset} (batch {batch}){dates}"),
    "sheet_skipped": ("  工作表「{name}」未导入：{why}", "  sheet '{name}' not imported: {why}"),
    "hidden_sheet": (
        "这是隐藏的工作表；如其中有要导入的数据，请用 --sheet {name} 单独导入",
        "hidden sheet; import it with --sheet {name} if it holds data to load",
    ),
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
    # Errors raised in the core (importer, metrics, warehouse, settings, delivery, reports), matched by
    # their English; a more specific template comes before a general one (the first match wins).
    # -- importing files
    # Parts of messages, said in the reader's language where a message names them.
    "utf8_or_gbk": ("UTF-8 或 GB18030", "utf-8 or gb18030"),
    "kinds_are": ("可用的类型：{names}。", "Kinds: {names}."),
    "unknown_kind_option": ("未知的 --kind“{kind}”。", "Unknown --kind '{kind}'."),
    "csv_decode": (
        "{name} 无法按 {encoding} 文本读取（第 {byte} 个字节无法解码）。",
        "{name} cannot be read as {encoding} text (byte {byte} cannot be decoded).",
    ),
    "csv_not_text": (
        "{name} 既不是 UTF-8 也不是 GBK/GB18030 文本（某一段的第 {byte} 个字节无法解码）。",
        "{name} is neither UTF-8 nor GBK/GB18030 text (byte {byte} of a block cannot be decoded).",
    ),
    "resave_csv_utf8": (
        "请在 Excel 中另存为“CSV UTF-8”或 .xlsx，再导入。",
        "Save it from Excel as 'CSV UTF-8' or as .xlsx and import again.",
    ),
    "csv_unparsable_line": (
        '{name} 第 {line} 行：CSV 无法解析（{why}）；单元格超过 {mb} MB 通常说明上方有未配对的引号（"）。',
        (
            "{name}, line {line}: the CSV cannot be parsed ({why}); a cell over {mb} MB usually means an "
            'unbalanced quote (") above it.'
        ),
    ),
    "resave_csv_or_xlsx": (
        "请在 Excel 中打开文件，另存为“CSV UTF-8”或 .xlsx，再导入。",
        "Open the file in Excel and save it again as 'CSV UTF-8', or save it as .xlsx, and import again.",
    ),
    "csv_unparsable": ("{name} 无法按 CSV 解析（{why}）。", "{name} could not be parsed as CSV ({why})."),
    "csv_count_mismatch": (
        (
            "{name}：快速 CSV 读取器读到 {fast} 条记录，csv 模块读到 {slow} 条（行尾是单独的 CR 或引号不配对"
            "）；没有导入任何内容。"
        ),
        (
            "{name}: the fast CSV reader found {fast} records where the csv module found {slow} "
            "(bare CR line ends or unbalanced quotes); nothing was imported."
        ),
    ),
    "csv_is_spreadsheet": ("{name} 是以 .csv 为名保存的电子表格。", "{name} is a spreadsheet saved with a .csv name."),
    "rename_xlsx": ("请改名为 .xlsx（或 .xls）后再导入。", "Rename it to .xlsx (or .xls) and import again."),
    "bad_workbook": (
        "{name} 不是有效的 {kind} 工作簿（文件已损坏或是其他格式）。",
        "{name} is not a valid {kind} workbook (the file is damaged or has another format).",
    ),
    "xml_sheet_too_large": (
        "{name} 是大于 {mb} MB 的 Excel 2003 XML 表格，aesops 不读取这么大的此类文件。",
        "{name} is an Excel 2003 XML spreadsheet larger than aesops reads ({mb} MB).",
    ),
    "xml_sheet_sparse": (
        "{name} 的工作表“{sheet}”：已用区域（{rows} 行 × {columns} 列）远大于其中的 {cells} 个单元格。",
        (
            "{name}, sheet '{sheet}': its used range ({rows} rows × {columns} columns) is far larger than its "
            "{cells} cells."
        ),
    ),
    "xml_sheet_damaged": (
        "{name} 是已损坏的 Excel 2003 XML 表格（{why}）。",
        "{name} is a damaged Excel 2003 XML spreadsheet ({why}).",
    ),
    "workbook_encrypted": (
        "{name} 有密码保护（已加密），或不是真正的 {kind} 文件。",
        "{name} is password-protected (encrypted) or not a real {kind} file.",
    ),
    "workbook_encrypted_hint": (
        "请在 Excel 中打开，取消密码（文件 → 信息 → 保护工作簿），另存为 .xlsx 后再导入。",
        "Open it in Excel, remove the password (文件 → 信息 → 保护工作簿), save as .xlsx and import again.",
    ),
    "cannot_open_sheet": (
        "{name} 无法作为电子表格打开（{why}）。",
        "{name} could not be opened as a spreadsheet ({why}).",
    ),
    "sheet_unreadable": (
        "{name} 的工作表“{sheet}”无法读取（{why}）。",
        "{name}, sheet '{sheet}', could not be read ({why}).",
    ),
    "sheets_are": (
        "它的工作表有：{names}。请用 --sheet 名称（或序号，1 = 第一个）指定一个。",
        "Its sheets are: {names}. Pass one with --sheet NAME (or its number, 1 = first).",
    ),
    "cards_snapshot": (
        "储值卡余额是导出时的快照，卡片记录到 {snapshot}：算不出 {asof} 当天的余额。",
        (
            "Card balances are a snapshot taken when the cards were exported, and the cards record activity up to "
            "{snapshot}: their balances on {asof} cannot be known."
        ),
    ),
    "cards_snapshot_hint": (
        "请用 {snapshot} 或之后的日期，或不指定日期。",
        "Ask for {snapshot} or a later day, or leave the day out.",
    ),
    "damaged_workbook": ("{name} 是已损坏的工作簿（{why}）。", "{name} is a damaged workbook ({why})."),
    # The reasons importer/bounds.py words itself, inside damaged_workbook.
    "workbook_cut_short": (
        "文件不完整：下载或复制可能中断了",
        "the file is cut short: a download or copy may have been interrupted",
    ),
    "workbook_corrupt": ("压缩数据已损坏", "its compressed data is corrupt"),
    "zip_part_too_big": (
        "{name}：部件 {part} 解压后会有 {mb} MB，超过 {limit} MB 的上限；文件未读取即被拒收。",
        "{name}: part {part} would inflate to {mb} MB, over the {limit} MB limit; the file was refused unread.",
    ),
    "zip_part_ratio": (
        "{name}：部件 {part} 解压后膨胀 {ratio} 倍（压缩炸弹或文件已损坏）；文件未读取即被拒收。",
        "{name}: part {part} inflates {ratio} times (a zip bomb, or a damaged file); the file was refused unread.",
    ),
    "zip_part_beyond": (
        "{name}：部件 {part} 解压后超出真实导出文件的范围（压缩炸弹或文件已损坏）；文件未读取即被拒收。",
        (
            "{name}: part {part} inflates beyond the limits of a real export (zip bomb or damaged file); "
            "the file was refused unread."
        ),
    ),
    "too_many_rows": (
        "{name}：{sheet} 有 {rows} 行，超过电子表格能容纳的行数（{limit}）；文件已损坏或不是 Excel 导出文件。",
        (
            "{name}: {sheet} has {rows} rows, more than a spreadsheet can hold ({limit}); "
            "the file is damaged or not an Excel export."
        ),
    ),
    "cell_beyond": (
        "{name}：{sheet} 在第 {row} 行第 {col} 列有单元格，超出电子表格的容量（{rows} 行，{cols} 列）；文件已损坏。",
        (
            "{name}: {sheet} has a cell at row {row}, column {col}, beyond what a spreadsheet can hold "
            "({rows} rows, {cols} columns); the file is damaged."
        ),
    ),
    "xls_cell_beyond": (
        "{name} 在第 {row} 行第 {col} 列有单元格，超出 .xls 的容量（{rows} 行，{cols} 列）；文件已损坏。",
        (
            "{name} has a cell at row {row}, column {col}, beyond what an .xls can hold "
            "({rows} rows, {cols} columns); the file is damaged."
        ),
    ),
    "sparse_range_eg": (
        (
            "{name}：{sheet} 用了 A1:{corner} 的范围（{cells} 个单元格），实际只有 {used} 个；远处的零散单元"
            "格（例如 {cell}）会让读取耗费数 GB 内存或数分钟，因此拒收。"
        ),
        (
            "{name}: {sheet} uses the range A1:{corner} ({cells} cells) for only {used} cells; a stray cell far "
            "away (e.g. {cell}) would make reading it take gigabytes or minutes, so it was refused."
        ),
    ),
    "sparse_range": (
        (
            "{name}：{sheet} 用了 A1:{corner} 的范围（{cells} 个单元格），实际只有 {used} 个；远处的零散单元"
            "格会让读取耗费数 GB 内存，因此拒收。"
        ),
        (
            "{name}: {sheet} uses the range A1:{corner} ({cells} cells) for only {used} cells; a stray cell far "
            "away would make reading it take gigabytes, so it was refused."
        ),
    ),
    "xls_sparse_range": (
        (
            "{name} 用了 A1:{corner} 的范围（{cells} 个单元格），实际只有 {used} 个；远处的零散单元格会让读"
            "取耗费数 GB 内存，因此拒收。"
        ),
        (
            "{name} uses the range A1:{corner} ({cells} cells) for only {used} cells; a stray cell far "
            "away would make reading it take gigabytes, so it was refused."
        ),
    ),
    "pivot_table": (
        "{where}是数据透视表（“{header}”）：aesops 读取它汇总的明细行，而不是汇总数。",
        "{where} is a pivot table ('{header}'): aesops reads the lines it sums, not the sums.",
    ),
    "pivot_hint": (
        "请从 CRM 导出明细；或在 Excel 中双击透视表的总计单元格，它会把明细行写到新工作表，再导入那个工作表。",
        (
            "Export the detail (明细) from the CRM, or double-click the pivot table's grand total in Excel, which "
            "writes its lines to a new sheet, and import that."
        ),
    ),
    "targets_hint": (
        (
            "目标不是导入的数据：用 `aesops targets split --year 2027 --total 12000000 --save`（或 --growth 0.15）"
            "制定全年目标，它会分到月、门店和咨询师，再用 `aesops targets track` 跟进。"
        ),
        (
            "Targets are not imported: make the year's plan with `aesops targets split --year 2027 --total "
            "12000000 --save` (or --growth 0.15), which splits it into months, clinics and consultants, then follow "
            "it with `aesops targets track`."
        ),
    ),
    "nothing_in_sheet": (
        "{where}：前 {n} 行没有任何内容（空表）。",
        "{where} holds nothing: no cell in its first {n} rows is filled.",
    ),
    "no_header_row": (
        "{where}：前 {n} 行里没有找到表头，没有一个列名是 aesops 认得的。",
        "{where}: no header row found in the first {n} rows; no column name is one aesops knows.",
    ),
    "header_not_dataset": (
        "{where}：表头（第 {row} 行）与数据集 {name}（{label}）对不上。找到的表头：{headers}。",
        "{where}: the header row (row {row}) does not match dataset '{name}' ({label}). Headers found: {headers}.",
    ),
    "header_no_dataset": (
        "{where}：表头（第 {row} 行）与 aesops 认得的任何数据集都对不上。找到的表头：{headers}。",
        "{where}: the header row (row {row}) does not match any dataset aesops knows. Headers found: {headers}.",
    ),
    "closest_dataset": (
        "最接近的数据集：{name}（{label}），还缺：{parts}。请改这些表头、加 --kind，或用 --mapping 文件对应表头。",
        (
            "Closest dataset: {name} ({label}), which needs: {parts}. "
            "Rename those headers, pass --kind, or map your headers with --mapping FILE."
        ),
    ),
    "mapping_help_head": (
        "映射文件是 TOML：可写 kind，再用 [columns] 表把你的表头对应到 aesops 字段：",
        "A mapping file is TOML: an optional kind and a [columns] table from your header to an aesops field:",
    ),
    "header_row_past": (
        "{name}：header_row = {row} 超过了最后一行（{last}）。",
        "{name}: header_row = {row} is past the last row ({last}).",
    ),
    "amount_unit": (
        "--amount-unit 只能是 yuan 或 fen，不能是“{unit}”。",
        "--amount-unit must be yuan or fen, not '{unit}'.",
    ),
    "nothing_imported_hint": (
        "没有导入任何内容。请检查文件和 --kind 是否正确，或 --amount-unit；修正上面的行，或用 --mapping 文件 映射列。",
        (
            "Nothing was imported. Check that this is the right file and --kind, or --amount-unit; "
            "fix the rows above or map the columns with --mapping FILE."
        ),
    ),
    "html_as_xls": (
        "{file} 是命名为 .xls 的网页（HTML）表格，不是 Excel 工作簿。",
        "{file} is a web page (HTML) named .xls, not an Excel workbook.",
    ),
    "html_as_xls_hint": (
        "请在 Excel 中打开后另存为 .xlsx，或从 CRM 导出 CSV。",
        "Open it in Excel and save it as .xlsx, or export CSV from the CRM.",
    ),
    "other_records_alike": (
        (
            "{file}：有 {n} 行的{column}已是另一家门店另一位顾客的（{other}不同；行 {rows}）。"
            "看来各门店的系统各自编号；载入的话，两个人会被当成一个人。没有导入任何内容。"
        ),
        (
            "{file}: {n} rows give a {column} that another clinic's record already has, with another {other} "
            "(rows {rows}). Each clinic's system seems to number its own records; loaded, two people would become "
            "one. Nothing was imported."
        ),
    ),
    "other_records_alike_hint": (
        (
            "如果各门店的系统各自编号：在导出的编号能在全连锁唯一之前（很多 CRM 可以加上门店代码前缀），请把各门店导入"
            "各自的仓库（--db）。如果确是同一批人：请在其中一个系统里改正姓名或手机号。"
        ),
        (
            "If each clinic's system numbers its own, import each clinic into its own warehouse (--db) until the "
            "exports carry numbers unique across the chain (many CRMs can prefix them with the clinic's code). If "
            "they are the same people, correct the name or phone in one of the systems."
        ),
    ),
    "other_name_and_phone": ("姓名和手机号", "name and phone"),
    "other_customer_id": ("顾客编号", "customer_id"),
    "mapping_field_twice": (
        "{where}：{name} 把表里的两列都对应到 {field}：{headers}。",
        "{where}: {name} gives {field} two of the sheet's columns: {headers}.",
    ),
    "mapping_field_twice_hint": (
        "一个字段只对应一列：在 [columns] 里只保留正确那一列的行。没有导入任何内容。",
        "A field takes one column: keep the line of the right one in [columns]. Nothing was imported.",
    ),
    "mapping_columns_missing": (
        "{where}：{name} 写了表里没有的列：{missing}。表里的列：{real}。",
        "{where}: {name} names columns the sheet does not have: {missing}. Its columns are: {real}.",
    ),
    "mapping_columns_missing_hint": (
        "请在 [columns] 里按表头原样写这些列名，或删掉这些行。没有导入任何内容。",
        "Write those headers in [columns] as the sheet writes them, or delete the lines. Nothing was imported.",
    ),
    "imported_for_another_clinic": (
        "{file}：这个文件已在批次 {batch} 以门店「{first}」导入；再以「{clinic}」导入，它的行会算两次。",
        (
            "{file}: this file was imported for clinic '{first}' in batch {batch}; imported for '{clinic}' too, "
            "its rows would count twice."
        ),
    ),
    "imported_for_another_clinic_hint": (
        "如果那一批的门店写错了，请先删除它：aesops batches drop {batch}。",
        "If that batch had the wrong clinic, drop it first: aesops batches drop {batch}.",
    ),
    "mostly_bad": (
        "{where}：{total} 行数据中有 {n} 行无法读取，超过一半，整个文件被拒收。前几个问题：\n{examples}",
        (
            "{where}: {n} of {total} data rows cannot be read, more than half, so the file was refused whole. "
            "First problems:\n{examples}"
        ),
    ),
    "mapping_not_found": ("找不到映射文件：{path}。", "Mapping file not found: {path}."),
    "mapping_bad_toml": ("映射文件 {path} 不是有效的 TOML：{why}。", "Mapping file {path} is not valid TOML: {why}."),
    "mapping_no_columns": ("映射文件 {path} 没有 [columns] 表。", "Mapping file {path} has no [columns] table."),
    "mapping_unknown_fields": (
        "映射文件 {path} 映射到了未知字段：{names}。",
        "Mapping file {path} maps to unknown fields: {names}.",
    ),
    "mapping_fields_hint": (
        "字段名是 `aesops import --help` 中的 snake_case 名称（例如 order_date、paid_amount）。",
        "Fields are the snake_case names in `aesops import --help` (e.g. order_date, paid_amount).",
    ),
    "mapping_unknown_kind": ("映射文件 {path}：未知的类型“{kind}”。", "Mapping file {path}: unknown kind '{kind}'."),
    "mapping_not_formula": (
        '映射文件 {path}：[computed] {name} = "{expr}" 不是公式。',
        'Mapping file {path}: [computed] {name} = "{expr}" is not a formula.',
    ),
    "mapping_formula_chars": (
        '映射文件 {path}：[computed] {name} = "{expr}" 只能使用列名、数字、+ - * / 和括号。',
        (
            'Mapping file {path}: [computed] {name} = "{expr}" may only use column names, numbers, + - '
            "* / and parentheses."
        ),
    ),
    "mapping_no_column": (
        "映射文件 {path}：[computed] 用到了文件中没有的列“{column}”。",
        "Mapping file {path}: [computed] names a column '{column}' that the file does not have.",
    ),
    "its_columns": ("文件的列有：{names}。", "Its columns are: {names}."),
    "mapping_other": ("映射文件 {path}：{why}", "Mapping file {path}: {why}"),
    "no_batch": ("没有导入批次 {batch}。", "There is no import batch {batch}."),
    "batches_are": (
        "现有批次：{batches}（`aesops batches` 可列出）。",
        "Batches: {batches} (`aesops batches` lists them).",
    ),
    "batch_has_later": (
        (
            "批次 {batch}（{file}）不能单独删除：之后导入的 {n} 批次 {later} 建立在它之上（替换了它的记录"
            "，或把它的行当作重复跳过）。"
        ),
        (
            "Batch {batch} ({file}) cannot be dropped on its own: later batch(es) {later} of {n} built on it "
            "(replaced its records or skipped its rows as duplicates)."
        ),
    ),
    "drop_later_first": (
        (
            "请先从最新的一个起删除这 {count} 个之后的批次（`aesops batches drop {later}`，依次往前），"
            "再删除这一个，然后重新导入想保留的内容。"
        ),
        (
            "Drop those {count} later batches first, newest first (`aesops batches drop {later}` and on down), then "
            "this one, and re-import what you want to keep."
        ),
    ),
    "no_intake_folder": ("收件文件夹 {folder} 不存在。", "The intake folder {folder} does not exist."),
    "intake_folder_hint": (
        "请先创建它（mkdir -p），再让导出或同步工具指向它。",
        "Create it (mkdir -p) and point the export or sync tool at it.",
    ),
    # -- periods, groupings, predictions, targets
    "no_data_for_period": (
        "仓库中还没有订单或到院数据，无法计算 {label}。",
        "The warehouse holds no orders or visits yet, so {label} has no numbers.",
    ),
    "period_after_data": (
        "数据截至 {last}，{label} 在数据之后，不显示为零。",
        "The data ends {last}; {label} lies wholly after it, so it is not shown as zeros.",
    ),
    "period_before_data_hint": (
        "请选择开始于 {day} 或更早的期间，或导入更新的导出文件。",
        "Choose a period that starts on or before {day}, or import newer exports.",
    ),
    "period_wholly_before_data": (
        "数据从 {first} 开始，{label} 在数据之前，不显示为零。",
        "The data starts {first}; {label} lies wholly before it, so it is not shown as zeros.",
    ),
    "period_wholly_before_data_hint": (
        "请选择结束于 {day} 或更晚的期间，或导入更早的导出文件。",
        "Choose a period that ends on or after {day}, or import older exports.",
    ),
    "unknown_by": ("--by '{by}' 不是 aesops 认识的分组方式。", "--by '{by}' is not a grouping aesops knows."),
    "unknown_cohort_by": ("--by '{by}' 不是同期群的分组方式。", "--by '{by}' is not a cohort grouping."),
    "use_one_of": ("可用：{choices}。", "Use one of: {choices}."),
    "role_catalog": ("role '{role}' 只能是 onsite 或 online。", "role '{role}' must be onsite or online."),
    "no_orders_give_month_hint": (
        "请先导入导出文件（aesops import 文件...），或给出月份。",
        "Import exports first (aesops import FILE...), or give a month.",
    ),
    "no_orders_give_year": (
        "仓库中还没有订单：请给出目标年份。",
        "The warehouse has no orders yet: give the target year.",
    ),
    "no_orders_predict": ("仓库中还没有订单：无从预测。", "The warehouse has no orders yet: nothing to predict from."),
    "until_after_data": (
        "--until {until} 晚于数据的最后一天（{last}）。",
        "--until {until} lies after the data's last day ({last}).",
    ),
    "until_hint": (
        "校准截止日必须是数据覆盖的某一天；不写则用最后一天。",
        "The calibration end must be a day the data covers; leave it out to use the last day.",
    ),
    "horizon_whole_days": (
        "--horizon 取整天数，至少 1，例如 --horizon 90,180。",
        "--horizon takes whole days, at least 1, e.g. --horizon 90,180.",
    ),
    "check_needs_after": (
        "--check 需要 --until {until} 之后的数据，而数据止于 {last}。",
        "--check needs data after --until {until}, and the data ends on {last}.",
    ),
    "check_hint": (
        "请把 --until 设早一些，例如数据的一半处，把其余留作检验。",
        "Set --until earlier, e.g. half-way through the data, to hold out the rest.",
    ),
    "too_little_history": (
        "历史太短，无法拟合复购模型：{n} 位成交客人，其中 {repeat} 位复购（至少需要 {need_n} 和 {need_repeat}）。",
        (
            "Too little history to fit the repurchase model: {n} customers with a deal, {repeat} of them with a "
            "repeat deal (at least {need_n} and {need_repeat} are needed)."
        ),
    ),
    "more_history_hint": (
        "请用更晚的 --until、全部门店，或导入更多月份的订单。",
        "Use a later --until, all clinics, or import more months of orders.",
    ),
    "inconsistent_summaries": (
        "客人汇总数据不一致：最近一次购买必须介于 0 和客人的在册时长之间。",
        "Inconsistent customer summaries: recency must lie between 0 and the customer's age.",
    ),
    "bgnbd_no_converge": (
        "复购模型（BG/NBD）在这 {n} 位客人上没有收敛（{why}）。",
        "The repurchase model (BG/NBD) did not converge on these {n} customers ({why}).",
    ),
    "bgnbd_hint": (
        "历史可能太短或太均匀；请用更晚的 --until 或更多数据。",
        "The history may be too short or too uniform; try a later --until or more data.",
    ),
    "no_finite_forecast": (
        "拟合出的复购模型对部分客人给不出有限的预测。",
        "The fitted repurchase model gives no finite forecast for some customers.",
    ),
    "extreme_params_hint": (
        "拟合参数过于极端；请用更晚的 --until 或更多数据。",
        "The fitted parameters are extreme; try a later --until or more data.",
    ),
    "too_few_repeat": (
        "复购客人太少（{n}），无法拟合客单价模型（Gamma-Gamma）；至少需要 {need}。",
        "Too few repeat customers ({n}) to fit the deal-value model (Gamma-Gamma); at least {need} are needed.",
    ),
    "more_data_hint": ("请用更晚的 --until、全部门店或更多数据。", "Use a later --until, all clinics, or more data."),
    "gg_no_converge": (
        "客单价模型（Gamma-Gamma）在这 {n} 位复购客人上没有收敛（{why}；q = {q}，必须大于 1 期望值才存在）。",
        (
            "The deal-value model (Gamma-Gamma) did not converge on these {n} repeat customers "
            "({why}; q = {q}, which must exceed 1 for the expected value to exist)."
        ),
    ),
    "gg_hint": (
        "客单价可能太不均匀（少数极大的单）；请用更晚的 --until 或更多数据。",
        "Deal values may be too uneven (a few huge deals); try a later --until or more data.",
    ),
    "total_or_growth": (
        "--total（元）和 --growth（例如 0.15 表示 +15%）只能给一个。",
        "Give exactly one of --total (yuan) or --growth (e.g. 0.15 for +15%).",
    ),
    "new_share": (
        "--new-share 是 0 到 1 之间的比例，例如 0.4。",
        "--new-share is a fraction between 0 and 1, e.g. 0.4.",
    ),
    "split_by": ("--by {by}：按 {choices} 拆分。", "--by {by}: split by {choices}."),
    "growth_needs_last_year": (
        "--growth 需要去年的销售额，而仓库里没有 {a} 或 {b} 的完整月份。",
        "--growth needs last year's sales, and the warehouse has no complete month of {a} or {b}.",
    ),
    "growth_hint": (
        "请用 --total 直接给出目标，或先导入去年的订单。",
        "Give the target itself with --total, or import last year's orders first.",
    ),
    "target_positive": ("目标必须是正的元数。", "The target must be a positive number of yuan."),
    "solve_choice": ("--solve '{solve}'：请从 {choices} 中选一个。", "--solve '{solve}': choose one of {choices}."),
    "no_plan": ("没有 {year} 的已保存目标。", "No saved target plan for {year}."),
    "no_plan_hint": (
        "用 `aesops targets split --year {year} --total N --save` 制定一个。",
        "Make one with `aesops targets split --year {year} --total N --save`.",
    ),
    "nothing_to_track": (
        "数据止于 {last}，早于 {year} 开始：还没有可追踪的内容。",
        "The data ends {last}, before {year} starts: nothing to track yet.",
    ),
    # -- reports, demo, sample, schedule
    "unknown_report": ("未知的报表“{name}”。", "Unknown report '{name}'."),
    "report_formats": (
        "--format {fmt}：报表可写成 xlsx、html 和/或 pdf，例如 --format xlsx,html。",
        "--format {fmt}: reports are written as xlsx, html and/or pdf, e.g. --format xlsx,html.",
    ),
    "pdf_needs_chromium": (
        "--format pdf 需要 Chromium 或 Google Chrome，但两者都没有安装。",
        "--format pdf needs Chromium or Google Chrome, and neither is installed.",
    ),
    "pdf_hint": (
        (
            "请安装一个（例如 apt-get install chromium），设置 AESOPS_CHROMIUM=/path/to/chrome，或改用 "
            "--format xlsx,html。"
        ),
        (
            "Install one (e.g. apt-get install chromium), set AESOPS_CHROMIUM=/path/to/chrome, or ask for "
            "--format xlsx,html."
        ),
    ),
    "pdf_failed": (
        "Chromium 无法把报表打印成 PDF（退出码 {code}）。",
        "Chromium could not print the report to PDF (exit {code}).",
    ),
    "report_not_written": (
        "无法写出 {path}（无法使用：{why}）。本次运行的报表都没有保留（{names}）。",
        "Could not write {path} (cannot use it: {why}). None of this run's reports were kept ({names}).",
    ),
    "report_not_written_hint": (
        "请腾出磁盘空间或修正文件夹权限（--out），再重新运行报表。",
        "Free disk space or fix the folder's permissions (--out), then run the report again.",
    ),
    "file_not_written": (
        "无法写出 {path}（无法使用：{why}）。",
        "Could not write {path} (cannot use it: {why}).",
    ),
    "file_not_written_hint": (
        "请确认文件夹存在且可写，或用 --out 换一个位置。",
        "Check that the folder exists and can be written to, or choose another --out.",
    ),
    "import_still_writing": (
        "另一个进程仍在使用 {path}，{secs} 秒内没有结束。",
        "Another process is still using {path} and did not finish within {secs}s.",
    ),
    "report_running": (
        "另一个 aesops 报表正在 {path} 上运行，{secs} 秒内没有结束。",
        "Another aesops report is running on {path} and did not finish within {secs}s.",
    ),
    "waiting_for_warehouse": (
        "仓库 {path} 正被另一个进程使用，等它结束（最多 {secs} 秒）…",
        "The warehouse {path} is in use by another process; waiting for it to finish (up to {secs}s)…",
    ),
    "wait_hint": (
        "没有写出任何内容。请等它结束，或调大 --wait；退出码 3 正是这个意思。",
        "Nothing was written. Let it finish, or raise --wait; exit code 3 means exactly this.",
    ),
    "demo_folder_hint": ("请为演示工作区指定一个文件夹。", "Name a folder for the demo workspace."),
    "demo_not_empty": (
        "{path} 不是空的，也不是 `aesops demo` 创建的。",
        "{path} is not empty and was not made by `aesops demo`.",
    ),
    "demo_not_empty_hint": (
        "请用 --out 选一个新文件夹，或不写 --out 使用临时文件夹。",
        "Pick a new folder with --out, or leave --out off for a temporary one.",
    ),
    "customers_positive": ("--customers 必须是正数。", "--customers must be positive."),
    "scale_positive": ("--scale 必须是正数。", "--scale must be positive."),
    "no_bundled_sample": ("本安装中缺少内置的示例数据。", "The bundled sample data is missing from this installation."),
    "bundled_sample_hint": (
        "用 `aesops sample generate --out 文件夹` 生成，再导入 文件夹/*。",
        "Generate it with `aesops sample generate --out DIR` and import DIR/*.",
    ),
    "no_crontab": ("这台机器上没有 `crontab` 命令。", "There is no `crontab` command on this machine."),
    "no_crontab_hint": (
        "请安装 cron（例如 apt-get install cron），或把 `aesops schedule print` 输出的行手工加入你的调度器。",
        (
            "Install cron (e.g. apt-get install cron), or add the lines from `aesops schedule print` to "
            "your scheduler by hand."
        ),
    ),
    "crontab_refused": ("crontab 拒绝了新的任务表：{why}", "crontab refused the new table: {why}"),
    # -- workspace, settings, warehouse
    "scorecard_unusable": (
        "aesops.toml [scorecard.{name}] 无法使用：{why}。",
        "aesops.toml [scorecard.{name}] is not usable: {why}.",
    ),
    "scorecard_hint": (
        "请给出非负且不全为零的权重，可用于：{names}。",
        "Give non-negative weights, not all zero, for any of: {names}.",
    ),
    "horizons_unusable": (
        "aesops.toml [channels] horizons = {value} 无法使用。",
        "aesops.toml [channels] horizons = {value} is not usable.",
    ),
    "horizons_hint": (
        "请给出首次出现之后的整天数，例如 horizons = [30, 90, 180, 365]。",
        "Give whole days after first_seen, e.g. horizons = [30, 90, 180, 365].",
    ),
    "mask_pii": (
        "aesops.toml [privacy] mask_pii = {value} 只能是 true 或 false。",
        "aesops.toml [privacy] mask_pii = {value} must be true or false.",
    ),
    "toml_invalid": ("{path} 不是有效的 TOML：{why}。", "{path} is not valid TOML: {why}."),
    "toml_invalid_hint": ("请修正该文件，或运行 `aesops init --force`。", "Fix the file or run `aesops init --force`."),
    "no_workspace": (
        "{path} 及其上级目录中都没有 aesops 工作区，也没有给出 --db 或 AESOPS_DB。",
        "No aesops workspace in {path} or its parents, and no --db or AESOPS_DB given.",
    ),
    "no_workspace_init_hint": (
        "用 `aesops init`（或 `aesops init 文件夹`）创建一个，或传入 --db 路径。",
        "Create one with `aesops init` (or `aesops init DIR`), or pass --db PATH.",
    ),
    "warehouse_in_use": (
        "仓库 {path} 正被另一个进程使用（aesops 的导入，或打开了它的其他程序）。",
        "The warehouse {path} is in use by another process (an aesops import, or a program that has it open).",
    ),
    "warehouse_in_use_hint": (
        "请等另一个导入或报表（包括 cron 任务）结束后再试。",
        "Wait for the other import or report to finish (cron jobs included) and try again.",
    ),
    "new_warehouse": ("新建仓库 {path}。", "A new warehouse: {path}."),
    "warehouse_read_only": (
        "仓库 {path} 无法写入（文件或所在文件夹是只读的）。",
        "The warehouse {path} cannot be written to (the file or its folder is read-only).",
    ),
    "warehouse_read_only_hint": (
        "导入需要写权限：请检查文件权限；分析仍可读取它。",
        "An import needs write access: check the file's permissions; the analyses can still read it.",
    ),
    "warehouse_folder_missing": (
        "仓库 {path} 所在的文件夹 {folder} 不存在。",
        "The folder {folder} of the warehouse {path} does not exist.",
    ),
    "warehouse_folder_missing_hint": (
        "请检查 --db（或 $AESOPS_DB）；要在那里新建仓库，请先创建该文件夹。",
        "Check --db (or $AESOPS_DB); to start a warehouse there, create the folder first.",
    ),
    "warehouse_cannot_open": ("仓库 {path} 无法打开：{why}", "The warehouse {path} cannot be opened: {why}"),
    "not_a_warehouse": (
        "{path} 不是 aesops 仓库或已损坏：{why}",
        "{path} is not an aesops warehouse or is damaged: {why}",
    ),
    "not_a_warehouse_hint": (
        "请把 --db 指向正确的文件，或把这个文件移开后重新导入。",
        "Point --db at the right file, or move this one away and re-import.",
    ),
    "as_of_file": (
        "--as-of 读取 DuckLake 工作区的历史快照；{path} 是单个 DuckDB 文件，没有快照。",
        "--as-of reads a past snapshot of a lake workspace; {path} is a single DuckDB file, which keeps no snapshots.",
    ),
    "as_of_file_hint": (
        "请去掉 --as-of，或把 --db 指向 DuckLake 工作区。",
        "Drop --as-of, or point --db at a lake workspace.",
    ),
    "lake_catalog_open": (
        "DuckLake 目录 {catalog}（数据在 {data}）无法打开：{why}",
        "The lake catalog {catalog} (data in {data}) cannot be opened: {why}",
    ),
    "lake_catalog_hint": (
        "请检查 PostgreSQL 服务器是否在运行、数据库是否存在、PGPASSWORD 是否已设置。",
        "Check that the PostgreSQL server is up, the database exists and PGPASSWORD is set.",
    ),
    "lake_ext_missing_file": (
        "包 {package} 中没有 {name}.duckdb_extension 文件。",
        "The package {package} holds no {name}.duckdb_extension file.",
    ),
    "lake_catalog_url": (
        "--catalog {url}：应为 postgresql://USER@HOST:PORT/DATABASE。",
        "--catalog {url}: expected postgresql://USER@HOST:PORT/DATABASE.",
    ),
    "lake_catalog_password": (
        "--catalog 不能包含密码：它会被写进 aesops.toml。",
        "--catalog must not contain a password: it would be written to aesops.toml.",
    ),
    "lake_password_hint": (
        "请用 PGPASSWORD（或 ~/.pgpass）提供目录数据库的密码。",
        "Set PGPASSWORD (or use ~/.pgpass) for the catalog database's password.",
    ),
    "lake_no_data_path": (
        "DuckLake 工作区的 aesops.toml 中没有 data_path。",
        "The lake workspace has no data_path in aesops.toml.",
    ),
    "as_of_read_only": (
        "--as-of 读取历史快照，不能用来修改仓库。",
        "--as-of reads a past snapshot; it cannot be used to change the warehouse.",
    ),
    "as_of_no_snapshot": (
        "--as-of：DuckLake 中没有这个快照（{what}）。",
        "--as-of: the lake has no such snapshot ({what}).",
    ),
    "as_of_snapshots_hint": ("用 `aesops status` 列出快照。", "List the snapshots with `aesops status`."),
    # A layer of another aesops version (warehouse/derived.py check_not_newer, warehouse_lake.py).
    "layer_newer": (
        "仓库 {where} 由更新版本的 aesops 写入（语义层版本 {found}；本 aesops 读取版本 {code}）。没有做任何改动。",
        (
            "The warehouse {where} was written by a newer aesops (semantic layer version {found}; this aesops "
            "reads version {code}). Nothing was changed."
        ),
    ),
    "layer_newer_hint": (
        "请在这台机器上升级 aesops（pip install -U aesops）：向同一仓库导入或从中读取的每台机器都应运行同一版本。",
        (
            "Upgrade aesops on this machine (pip install -U aesops): every machine that imports into or reads "
            "one warehouse should run the same version."
        ),
    ),
    "as_of_no_layer": (
        "--as-of {value}：在那个快照时，DuckLake 中还没有 aesops 仓库。",
        "--as-of {value}: the lake held no aesops warehouse yet at that snapshot.",
    ),
    "as_of_older_layer": (
        (
            "--as-of {value}：那个快照中仓库的语义层是版本 {found}，由较旧的 aesops 写入；本 aesops 读取版本 {code}，"
            "而历史快照不能升级。"
        ),
        (
            "--as-of {value}: the warehouse's semantic layer at that snapshot is version {found}, written by an "
            "older aesops; this aesops reads version {code} and cannot upgrade a past snapshot."
        ),
    ),
    "as_of_upgraded_at_hint": (
        (
            "从快照 {snapshot} 起是这个版本（DuckLake 在那里升级；`aesops status` 列出快照）；"
            "这个快照请用写入它的 aesops 版本读取。"
        ),
        (
            "Snapshots from {snapshot} on have this version (the lake was upgraded there; `aesops status` lists the "
            "snapshots); read this one with the aesops version that wrote it."
        ),
    ),
    "as_of_not_upgraded_hint": (
        (
            "之后还没有这个版本的快照：任何不带 --as-of 的分析都会升级 DuckLake（一次，此后一直有效）；"
            "这个快照请用写入它的 aesops 版本读取。"
        ),
        (
            "No later snapshot has this version yet: any analysis without --as-of upgrades the lake (once, from "
            "then on); read this one with the aesops version that wrote it."
        ),
    ),
    "lake_layer_not_upgraded": (
        "DuckLake {catalog} 的语义层是版本 {found}，比本 aesops 的版本 {code} 旧，而从这里无法升级它：{why}",
        (
            "The lake {catalog} holds semantic layer version {found}, older than this aesops's version {code}, "
            "and it could not be upgraded from here: {why}"
        ),
    ),
    "lake_layer_rewritten": ("较旧的 aesops 在此期间又把它写回了旧版本", "an older aesops wrote it again meanwhile"),
    "lake_layer_upgrade_hint": (
        (
            "请由有权写入这个 DuckLake（其目录数据库和数据路径）的人在 DuckLake 工作区的文件夹中运行 `aesops init`，"
            "或用本版本 aesops 导入：两者都会为所有读取者把它升级一次。"
        ),
        (
            "Someone who may write to the lake (its catalog database and data path) should run `aesops init` in "
            "the lake workspace's folder, or import with this aesops: either upgrades it once, for every reader."
        ),
    ),
    "not_lake_toml": (
        '{path} 描述的不是 DuckLake 工作区（没有 backend = "ducklake"）。',
        '{path} does not describe a lake workspace (no backend = "ducklake").',
    ),
    "not_push_file": ("{path} 不是可推送的 DuckDB 仓库文件。", "{path} is not a DuckDB warehouse file to push."),
    "push_hint": (
        "请在文件工作区中运行 `aesops lake push`（或传入 --db 文件）。",
        "Run `aesops lake push` in the file workspace (or pass --db FILE).",
    ),
    "lake_ext_not_installed": (
        "DuckDB 扩展“{name}”没有安装；DuckLake 工作区需要它。",
        "The DuckDB extension '{name}' is not installed; a lake workspace needs it.",
    ),
    "lake_extras_hint": (
        "请安装带 lake 扩展的 aesops：pip install 'aesops[lake]'（包 {package}=={version}）。",
        "Install aesops with its lake extras: pip install 'aesops[lake]' (package {package}=={version}).",
    ),
    "lake_toml_unreadable": (
        "{path} 无法作为 DuckLake 工作区读取：{why}。",
        "{path} cannot be read as a lake workspace: {why}.",
    ),
    "as_of_value": (
        "--as-of {value}：请给出快照编号（见 `aesops status`）或时间，例如 2026-10-31 或 '2026-10-31 18:00'。",
        (
            "--as-of {value}: give a snapshot number (see `aesops status`) or a time such as 2026-10-31 "
            "or '2026-10-31 18:00'."
        ),
    ),
    "lake_not_empty": (
        "DuckLake 中已有导入；push 只能把工作区复制进空的 DuckLake。",
        "The lake already holds imports; push copies a workspace into an empty lake only.",
    ),
    "lake_not_empty_hint": (
        "请改用 `aesops import` 把新的导出文件导入 DuckLake。",
        "Import new exports into the lake with `aesops import` instead.",
    ),
    "lake_ext_load": (
        "DuckDB {version} 无法加载 {name} 扩展：{why}",
        "DuckDB {version} cannot load the {name} extension: {why}",
    ),
    "lake_ext_load_hint": (
        "duckdb-extension-* 包必须与已安装的 DuckDB 版本匹配；请重新安装 aesops，让 pip 安装固定的版本。",
        (
            "The duckdb-extension-* packages must be built for the installed DuckDB version; reinstall aesops "
            "so that pip installs the pinned versions."
        ),
    ),
    "push_cannot_open_hint": (
        "请先停止正在使用它的 aesops 导入或报表，再推送。",
        "Stop any aesops import or report using it, then push again.",
    ),
    "cannot_be_opened": ("{path} 无法打开：{why}", "{path} cannot be opened: {why}"),
    # -- delivery (send): retries, robots' answers, the final failure
    "send_retrying": (
        "{target}：第 {i} 次（共 {tries} 次）失败（{why}）；{wait} 秒后重试。",
        "{target}: try {i} of {tries} failed ({why}); retrying in {wait}s.",
    ),
    "robot_http": ("机器人返回 HTTP {code}", "HTTP {code} from the robot"),
    "robot_http_os": ("机器人返回 HTTP {code}", "OSError: HTTP {code} from the robot"),  # as retry.py words an attempt
    "robot_no_media_id": (
        "企业微信的 upload_media 没有返回 media_id",
        "WeCom upload_media answered without a media_id",
    ),
    "robot_not_json": ("机器人返回的内容不是 JSON", "the robot answered with something that is not JSON"),
    "robot_rate_limit": ("{kind} 机器人正在限流（{code} {why}）", "{kind} robot is rate-limiting ({code} {why})"),
    "delivery_failed": ("发送失败：\n{targets}", "Delivery failed for:\n{targets}"),
    "delivery_test_failed_hint": (
        "请修正设置或网络后再运行 aesops send --test；退出码 4 正是这个意思。",
        "Fix the settings or the network and run aesops send --test again; exit code 4 means exactly this.",
    ),
    "delivery_failed_hint": (
        "报表已写出并保留：{paths}。请修正设置或网络后重新发送（aesops send --test 可检查）；退出码 4 正是这个意思。",
        (
            "The reports were written and are kept: {paths}. Fix the settings or the network and send again "
            "(aesops send --test checks them); exit code 4 means exactly this."
        ),
    ),
    # Reject reasons beyond the parse failures above (importer/convert.py, importer/load.py).
    "reason_unreadable": ("无法读取", "unreadable"),
    "reason_no_clinic": ("缺少门店；也没有 --clinic 默认值", "missing clinic (门店); no --clinic default"),
    # A row whose CSV line splits into another number of fields than the header (importer/convert.py adds
    # the two counts, " 5 → 6", the same in both languages), and an amount too large to be real.
    "reason_more_fields": (
        "字段数多于表头：可能有未加引号的逗号？{counts}",
        "more fields than headers: an unquoted comma?{counts}",
    ),
    "reason_fewer_fields": (
        "字段数少于表头：可能有断行或未配对的引号？{counts}",
        "fewer fields than headers: a broken line or an unbalanced quote?{counts}",
    ),
    "reason_shortened": (
        "Excel 把号码显示成科学计数法，保存时丢了位数：请把这一列设为文本后重新导出",
        "a number Excel shortened to scientific notation: its digits are lost; export the column as text",
    ),
    "reason_formula": (
        "公式没有保存计算结果：请在 Excel 或 WPS 中打开、保存后再导入",
        "a formula saved without its result: open the file in Excel or WPS, save it, and import it again",
    ),
    "reason_range": (
        "是一段日期（从…到…），不是一天：请每天或整月各占一行",
        "a range of dates (from … to …), not one day: give each day or the month its own row",
    ),
    "reason_decimal_comma": (
        "逗号用作了小数点（680,50）：请写作 680.50，逗号只用于千分位",
        "a comma where the decimal point goes (680,50): write 680.50; commas only between thousands",
    ),
    "reason_misgrouped": (
        "逗号分组既不是千分位（1,280,000）也不是万位（12,8000），无法确定金额",
        "commas that group neither thousands (1,280,000) nor 万 (12,8000): the amount cannot be known",
    ),
    "reason_beyond": ("金额超出 ±100亿，不是可信的金额", "beyond ±10,000,000,000: not a plausible amount"),
    "file_sheet": ("{name} 的工作表“{sheet}”", "{name}, sheet '{sheet}'"),
    # Where send delivers (delivery/__init__.py names each destination in English) and what failed there.
    "target_mail": ("邮件（收件人 {to}）", "mail to {to}"),
    "target_wecom": ("企业微信机器人 #{n}", "WeCom robot #{n}"),
    "target_dingtalk": ("钉钉机器人 #{n}", "DingTalk robot #{n}"),
    "target_feishu": ("飞书机器人 #{n}", "Feishu robot #{n}"),
    "target_file": ("{target}，文件 {name}", "{target}, file {name}"),
    "target_failed": ("  {target}：尝试 {n} 次，最后一次的错误：{why}", "  {target}: attempts {n}, last error: {why}"),
    # Why a destination failed: the operating system's and the servers' words as delivery/retry.py and
    # delivery/mail.py, robots.py put them ("ExceptionName: text" for what is retried).
    "os_refused": ("连接被拒绝（{detail}）", "ConnectionRefusedError: {detail} Connection refused"),
    "os_timeout": ("连接超时", "TimeoutError: timed out"),
    "os_no_host": ("找不到服务器地址（{detail}）", "gaierror: {detail} Name or service not known"),
    "os_dns_later": ("暂时无法解析服务器地址（{detail}）", "gaierror: {detail} Temporary failure in name resolution"),
    "os_unreachable": ("网络不可达（{detail}）", "OSError: {detail} Network is unreachable"),
    "smtp_closed": ("邮件服务器断开了连接", "SMTPServerDisconnected: Connection unexpectedly closed"),
    "smtp_login": (
        "邮件服务器拒绝了 {user} 的登录（{code}）；请检查 user 和 AESOPS_SMTP_PASSWORD",
        "the SMTP server refused the login for {user} ({code}); check user and AESOPS_SMTP_PASSWORD",
    ),
    "smtp_recipients": ("邮件服务器拒收这些收件人：{to}", "the SMTP server refused the recipients {to}"),
    "smtp_answered": ("邮件服务器回答 {code} {text}", "the SMTP server answered {code} {text}"),
    "robot_bad_url": ("机器人返回 HTTP {code}：请检查它的 url", "HTTP {code} from the robot: check its url"),
    "robot_refused": ("{kind} 机器人拒收了这条消息：{code} {why}", "{kind} robot refused the message: {code} {why}"),
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
    "demo_cmd_reactivate": (
        "已过复购周期的老客，按风险价值（已打码）",
        "overdue customers worth the most, by value at risk (masked)",
    ),
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
def _patterns() -> list[tuple[re.Pattern, str, bool]]:
    """Each English template as a pattern whose {fields} match any text, and whether it spans lines."""
    out = []
    for key, (_zh, en) in MESSAGES.items():
        if key == "error":
            continue
        parts = re.split(r"\{(\w+)\}", en)
        rx = "".join(f"(?P<{p}>.*?)" if i % 2 else re.escape(p) for i, p in enumerate(parts))
        out.append((re.compile(rx + r"\Z", re.S), key, "\n" in en))
    return out


def localize(text: str | None, lang: str) -> str | None:
    """A message raised in English, in the reader's language when the catalog knows it."""
    if text is None or lang != "zh":
        return text
    if "\n" in text:
        # A message of several lines: a template written on several lines (a list of problems under a
        # sentence), else line by line (a hint the importer extended, a list of failures), else whole.
        found = _match(text, lang, multiline=True)
        if found is not None:
            return found
        lines = [localize(line, lang) or line for line in text.split("\n")]
        if lines != text.split("\n"):
            return "\n".join(lines)
    found = _match(text, lang)
    return text if found is None else found


def _match(text: str, lang: str, multiline: bool | None = None) -> str | None:
    for rx, key, spans in _patterns():
        if multiline is not None and spans != multiline:
            continue
        m = rx.match(text)
        if m:
            # A field may itself be a message (the reason inside a retry warning): in Chinese too.
            return t(key, "zh", **{k: localize(v, lang) or v for k, v in m.groupdict().items()})
    return None


def reason(text: str, lang: str) -> str:
    """A reject reason as stored (English, the row's counts added to some) in the reader's language."""
    return localize(text, lang) or text
