"""`--help` in Chinese. The English is written with each command (its docstring and each option's
help=); here is what a Chinese reader sees instead: COMMANDS by command path, OPTIONS by the option's
English help (one entry serves every command sharing that option). tests/test_messages.py fails when
a command or option has no Chinese here, so an English text changed there must be changed here too.

The first paragraph of a command's text is its line in the parent's command list: keep it short."""

from __future__ import annotations

import re

COMMANDS: dict[str, str] = {
    "": """医美机构运营分析工具。

把 CRM/收银系统导出的表格导入一个 DuckDB 数据仓库，然后回答经营问题：哪些渠道回本，哪些咨询师能成交，
老客会不会回来，本月能否完成目标。

先试 `aesops demo`；或 `aesops init` 之后 `aesops import 文件...`。每个命令都有 --help。
中文为默认语言；--lang en 显示英文（英文 LANG 只改帮助和提示信息）。""",
    "init": """新建工作区：aesops.toml（设置）和一个空的数据仓库。

数据仓库是一个 DuckDB 文件；给出 --catalog 和 --data-path 时，是连锁各门店共用的 DuckLake。

示例：
    aesops init ~/clinic --clinic 静安店
    aesops init ~/chain --catalog postgresql://aesops@db.internal:5432/aesops --data-path /srv/lake/""",
    "status": """仓库里有什么：数据集、门店、日期范围、最近的导入和拒收行。

每个数据集、每个门店的行数和日期范围，最近的导入，以及被拒收的行。

示例：
    aesops status --rejects --batch 3""",
    "import": """导入 CRM/收银系统导出的文件。

数据集按表头（中文或英文）识别；标题行、空行和合计/总计行会跳过；两行的分组表头（“客户”合并在“编号 | 姓名”之上）
按 客户编号、客户姓名 读取；¥1,234.00、1234元 这样的金额，
2025/1/3、2025年1月3日 或 Excel 序列号这样的日期都能读。读不懂的行会被拒收，并记下行号，
`aesops status --rejects` 可以列出；好的行照常载入。每个文件要么整个载入，要么完全不载入；
同一文件再导入一次不会改变任何东西。

aesops 没有把握的文件（有日期、金额或电话的列没读、文件名指向别的数据集、两个数据集同样吻合）
会被整个拒绝，它的猜测写在旁边的 文件.aesops-mapping.toml 里，核对后用 --mapping 传入。

映射文件（表头 aesops 不认识时使用；sheets、header_row、date_order、date_format、amount_unit、
[constants]、[computed] 和 [values.字段] 见 README）：

    kind = "orders"
    [columns]
    "收款日" = "order_date"
    "客人ID" = "customer_id"

示例：
    aesops import 收费明细_2025-10.xlsx 到院登记.csv --clinic 静安店""",
    "funnel": """业绩漏斗：业绩拆解、新老客、环比/同比、渠道新客漏斗、未成交、带新。

业绩 = 来院人数 × 成交率 × 客单价 × 来院频率，按新客和老客分开，与上月和去年同月比较；
还有按渠道的新客漏斗、未成交客人和老带新占比。

口径：业绩是按订单日期的销售和退款行（充值不算业绩）；成交是一位客人在一天内净业绩为正；
客人在第一次到院或下单的月份算新客。

示例：
    aesops funnel --month 2026-10 --by consultant
    aesops funnel --month 上月""",
    "channels": """渠道 ROI：哪些渠道回本，该砍哪些。

本期每个渠道带来的客人的投放、线索、到院、成交人数和业绩；每条线索、每个到院、每个成交客的成本
（CAC），ROAS、ROI；30/90/180/365 天内的业绩；以及砍渠道清单。

还没走完的观察期（超出数据最后一天）留空并标为“未满”，不会显示偏小的数字。没有投放的渠道
（老带新、自然到院）不算成本比率。

示例：
    aesops channels --month 2025-10 --horizon 30,90,180""",
    "consultants": """咨询师：谁能成交而不过度承诺。

现场咨询：接诊人数、成交率、业绩、客单价、退款率，以及所成交客人 180 天内的复购；网络咨询：
线索、预约率、到院率和成交率；每个团队的综合评分，以及“过度销售”标记（业绩排名远高于复购排名）。
评分权重在 aesops.toml 的 [scorecard]。

示例：
    aesops consultants --month 2026-10 --role onsite""",
    "cohorts": """复购队列：客人会不会回来。

按首次成交月份分组：之后每个月有成交的客人比例、每位客人的累计业绩，以及每个品项的复购间隔中位数。

示例：
    aesops cohorts --from 2025-01-01 --by channel --months 6""",
    "items": """品项：哪些品项赚钱。

业绩、购买人数、毛利（品项表有单位成本时）、价格带，以及开口品项和它们带来的 180 天后续业绩。

示例：
    aesops items --month 2026-10""",
    "demo": """演示：用自带的示例数据跑一遍全部功能。

新建工作区、导入、每项分析和每份报表，最后打印接下来可以试的命令。

示例：
    aesops demo --out demo_output""",
    "send": """发送设置检查：给每个收件人和群机器人发一条测试消息。

检查 aesops.toml 的 [delivery]：连接 SMTP 服务器、登录、发一封测试邮件，并给每个群机器人
（企业微信、钉钉、飞书）发一条测试消息。

退出码：0 每个目的地都收到了；2 设置有误（消息会指出是哪个键）；4 重试后仍有目的地连不上。

示例：
    AESOPS_SMTP_PASSWORD=... aesops send --test""",
    "intake": """收件夹导入：导入文件夹里的每个新文件。

导入成功的文件移到 文件夹/processed/，失败的移到 文件夹/rejected/，旁边的 文件.reason.txt 写明原因。
一切正常时不输出任何内容（cron 只在出错时发邮件）；有文件被拒是错误：stderr 一行说明，退出码 1。

示例：
    aesops intake ~/exports/inbox && aesops report daily --send""",
    "customers": "老客盘点：RFM 分层、该回访谁、储值卡。",
    "customers rfm": """RFM 分层：最近 365 天的最近消费、成交次数和业绩。

分为经典的 8 个客群，另加 365 天内没有成交的客人（沉睡）。

示例：
    aesops customers rfm --list --format csv > rfm.csv""",
    "customers reactivate": """回访名单：已超过复购周期的老客，按风险价值从高到低。

名单中是逾期客人：已超过上次成交所购品项复购间隔中位数的客人（水光针约 2 个月，玻尿酸约 6 个月）。
风险价值 = (1 − 仍活跃概率) × 若仍活跃未来 180 天的预期业绩（BG/NBD 与 Gamma-Gamma 模型，见 customers predict）：
曾经常来、消费高、却久未再来的客人排在前面；只成交过一天的客人风险价值为 0，排在后面，按累计业绩排序。
历史太少无法拟合模型时，逾期客人只按累计业绩排序。
电话和姓名默认打码，--show-pii 显示完整信息。

示例：
    aesops customers reactivate --limit 100 --show-pii --format csv > call_list.csv""",
    "customers cards": """储值卡：卡内余额（负债）及其现金部分，空卡、不动卡、不续卡。

空卡：余额为零；不动卡：有余额但 180 天未使用；不续卡：用完后没有再充值。

示例：
    aesops customers cards --clinic 静安店""",
    "customers predict": """复购预测：谁还是客人，未来会消费多少。

BG/NBD 模型（仍活跃的概率 P(alive)、每个时间窗内预计成交次数）和 Gamma-Gamma 模型（预计每次成交金额），
用每位客人的成交日拟合。模型参数在 JSON 的 meta 里；电话和姓名默认打码，--show-pii 显示。

示例：
    aesops customers predict --until 2026-06-30 --check
    aesops customers predict --horizon 30,90,365 --format csv > forecast.csv""",
    "targets": "目标分解与追踪：把年度目标分到月、团队和四个杠杆；每天追踪进度。",
    "targets split": """目标分解：年度目标分到月、新老客、门店、科室、咨询师、周和天。

按去年的季节性分到月，按去年的星期规律分到天，再分到四个杠杆：
业绩 = 来院人数 × 成交率 × 客单价 × 来院频率。每一级拆分加起来都正好等于上一级，以整元计。

示例：
    aesops targets split --year 2027 --growth 0.15 --solve ticket --save""",
    "targets track": """目标追踪：实际业绩对照已保存的目标。

至今目标、达成率、期间已过比例、按目标日分布推算的全期预测、剩余每天还需的业绩；按门店、
科室和咨询师列出，并指出落后最多的杠杆。

示例：
    aesops targets track --month 2026-10
    aesops targets track --date 2026-10-15""",
    "report": """经营报表：月报、周报和日报，Excel 和 HTML，可放进 cron。

退出码：0 已写出（并已发送）；1 数据问题（没有可报的内容）；2 用法问题（选项错误、没有工作区、
[delivery] 设置有误）；3 另一份报表占用本工作区超过 --wait（什么都没写）；4 已写出，但重试后发送失败
（文件保留）。""",
    "report monthly": """月度经营分析报表。

核心指标及环比/同比和 12 个月趋势、漏斗、渠道 ROI 和砍渠道清单、咨询师、复购队列、老客和储值卡、
品项、目标与实际，另有一张口径说明表（参数、文件和导入批次、数据覆盖、定义）。

一切正常时不输出任何内容（cron 只在出错时发邮件）。

示例：
    aesops report monthly --month 2026-10 --out ~/reports
    aesops report monthly --month 上月
    aesops report monthly --per-clinic --send   # 总报表，另给每位店长一份本店的""",
    "report weekly": """周报：本周指标对比上周和去年同周。

每天的业绩、目标进度和落后最多的人，以及本周的漏斗。

示例：
    aesops report weekly --week 2026-W43 --format html""",
    "report daily": """日报：当天数字对比前一天和去年同日。

本月至今的每日业绩、本月目标进度和落后最多的人。

示例：
    aesops report daily --date 2026-10-15""",
    "schedule": "定时报表：每天、每周、每月自动生成并发送报表的 cron 设置。",
    "schedule print": """打印 crontab 行（每天 08:00 日报，每周一 08:30 周报，每月 1 日 09:00 月报）。

每一行先导入收件夹，再写出报表；aesops.toml 有 [delivery] 时一并发送。

示例：
    aesops schedule print >> my_crontab""",
    "schedule install": """把整套定时任务装进你的 crontab。

收件夹导入 → 报表 → 发送，每一步都等待工作区锁；替换本工作区之前装的行：运行两次结果一样，
crontab 里其他任务保留。cron 只把真正的错误（stderr）发到 MAILTO。

示例：
    aesops schedule install --out /srv/reports""",
    "sample": "示例数据：模拟的医美连锁数据，用于试用、测试和性能测试。",
    "sample generate": """写出模拟医美连锁的 CRM/收银导出文件，和国内 CRM 导出的一样。

各渠道的成本和客人质量不同，各咨询师的成交率、客单价和复购不同；注射科、皮肤科和整形外科的
品项各有自己的复购周期；双11、周年庆和春节影响各月；有储值卡、退款和老带新。默认的导出有
标题行、合计行、GBK 和带 BOM 的 CSV，以及少量坏行。

示例：
    aesops sample generate --out ./demo_exports --seed 42 --clinics 3
    aesops sample generate --out ./big --scale 1000000""",
    "lake": "连锁共用仓库（DuckLake）：把文件工作区复制进去。",
    "lake push": """把本工作区的 DuckDB 仓库复制进一个空的 DuckLake。

一次快照完成，批次号保留；连锁换到共用仓库时不必重新导入多年的导出文件。

示例：
    aesops lake push --catalog postgresql://aesops@db.internal:5432/aesops --data-path /srv/lake/
    aesops init ~/chain --catalog postgresql://aesops@db.internal:5432/aesops --data-path /srv/lake/""",
    "batches": """导入批次：列出批次，删除一个（撤销一次导入）。

示例：
    aesops batches
    aesops batches drop 7""",
    "batches drop": """精确删除一个导入批次。

它载入的行被移除，它更新过的记录恢复旧值；之后可以重新导入该文件（例如配上更好的 --mapping）。

示例：
    aesops batches drop 7""",
}

OPTIONS: dict[str, str] = {
    # The root and typer's own.
    "Show the version.": "显示版本。",
    "Language of the help, messages and tables: zh (中文) or en (English). Default: Chinese (the help and messages follow an English LANG).": "帮助、提示信息和表格的语言：zh（中文）或 en（英文）。默认：中文（帮助和提示信息随英文 LANG）。",
    "Print long tables straight to the terminal (default: a pager, $AESOPS_PAGER or less -FRX, when output is "
    "longer than the screen).": "长表格直接打印到终端（默认：输出超过一屏时用分页器 $AESOPS_PAGER 或 less -FRX）。",
    "Install completion for the current shell.": "为当前 shell 安装命令补全。",
    "Show completion for the current shell, to copy it or customize the installation.": "显示当前 shell 的命令补全脚本，可复制或自行安装。",
    # Shared options (cli/options.py).
    "Warehouse file. Default: $AESOPS_DB, else the workspace's (aesops.toml).": "数据仓库文件。默认：$AESOPS_DB，否则用工作区（aesops.toml）的。",
    "Only this clinic (门店). Default: all clinics.": "只看这个门店。默认：所有门店。",
    "table (the default, also in a pipe), csv (UTF-8 with BOM, for Excel), json, or xlsx (with --out FILE). "
    "Scripts say --format json or csv.": "table（表格，默认，管道中也是表格）、csv（UTF-8 带 BOM，Excel 直接打开）、json，或 xlsx（配 --out 文件）。"
    "脚本请用 --format json 或 csv。",
    "Write to this file instead of the screen: 渠道.xlsx, 渠道.csv or 渠道.json (the extension picks the format "
    "unless --format is given).": "写入这个文件而不是屏幕：渠道.xlsx、渠道.csv 或 渠道.json（没有 --format 时按扩展名决定格式）。",
    "Language: zh (中文) or en (English).": "语言：zh（中文）或 en（英文）。",
    "A calendar month: 2026-10, 2026/10, 2026年10月; or 10月, 本月, 上月 counted from the data's last day "
    "(not today). Default: the last month with data.": "月份：2026-10、2026/10、2026年10月；或 10月、本月、上月（从数据的最后一天算，不是今天）。默认：有数据的最后一个月。",
    "Period start YYYY-MM-DD (with --to).": "期间开始日 YYYY-MM-DD（与 --to 一起用）。",
    "Period end YYYY-MM-DD, inclusive.": "期间结束日 YYYY-MM-DD（含当天）。",
    "A whole calendar year.": "一整个自然年。",
    "Show full phone numbers and names (masked by default).": "显示完整电话和姓名（默认打码）。",
    "Lake workspaces: read the warehouse as it was at this snapshot (a number from `aesops status`) or time "
    "(2026-10-31 18:00), to recompute a past answer.": "DuckLake 工作区：按某个快照（`aesops status` 里的编号）或时间（2026-10-31 18:00）读取当时的仓库，重算过去的结果。",
    # init, status
    "Workspace folder (created if missing).": "工作区文件夹（不存在时新建）。",
    "Default clinic (门店) for files without a clinic column.": "文件没有门店列时使用的默认门店。",
    "Rewrite aesops.toml with defaults.": "用默认值重写 aesops.toml。",
    "A chain's shared lake: its PostgreSQL catalog, postgresql://USER@HOST:PORT/DB (password from PGPASSWORD).": "连锁共用的 DuckLake：它的 PostgreSQL 目录库，postgresql://用户@主机:端口/库名（密码取自 PGPASSWORD）。",
    "With --catalog: folder (or s3://bucket/prefix/) for the lake's Parquet files.": "配合 --catalog：存放 Parquet 文件的文件夹（或 s3://bucket/prefix/）。",
    "List every rejected row and blanked cell.": "列出每个被拒收的行和被置空的单元格。",
    "Only this import batch (with --rejects).": "只看这个导入批次（配合 --rejects）。",
    "How many recent batches to show.": "显示最近多少个批次。",
    # import
    "Exports to import: .xlsx .xls .csv (UTF-8, UTF-8-BOM, GBK, UTF-16), or a folder of them.": (
        "要导入的导出文件：.xlsx .xls .csv（UTF-8、带 BOM 的 UTF-8、GBK、UTF-16），或放着它们的文件夹。"
    ),
    "Dataset, when the headers do not say: customers, leads, visits, orders, treatments, spend, cards, items, staff.": "表头看不出时指定数据集：customers（客户）、leads（线索）、visits（到院）、orders（订单）、treatments（治疗）、"
    "spend（投放）、cards（储值卡）、items（品项）、staff（员工）。",
    "Clinic (门店) for rows without one. Default: the workspace's default_clinic.": "没有门店的行归入的门店。默认：工作区的 default_clinic。",
    "Sheet name or number (1 = first). Default: the first sheet whose headers fit.": "工作表名称或序号（1 = 第一个）。默认：第一个表头吻合的工作表。",
    "TOML file mapping your headers to aesops fields (see below).": "把你的表头对应到 aesops 字段的 TOML 文件（见下文）。",
    "yuan, or fen (分) for systems that export amounts ×100.": "yuan（元），或 fen（分，金额导出为 ×100 的系统）。",
    "No progress bar (there is none on a pipe anyway).": "不显示进度条（管道中本来就没有）。",
    "Show the mapping aesops would use, column by column, with its evidence; load nothing.": "逐列显示 aesops 会用的对应关系及依据；不载入任何数据。",
    # funnel, channels, consultants, cohorts
    "ISO week: 2026-W43, 2026年第43周, or 第43周 (the data's latest week 43).": "ISO 周：2026-W43、2026年第43周，或 第43周（数据中最近的第 43 周）。",
    "Split by channel, consultant, department or clinic.": "按 channel（渠道）、consultant（咨询师）、department（科室）或 clinic（门店）拆分。",
    "Days after first_seen to follow sales, comma-separated. Default: aesops.toml [channels] horizons "
    "(30,90,180,365).": "从首次出现起跟踪业绩的天数，逗号分隔。默认：aesops.toml [channels] horizons（30,90,180,365）。",
    "onsite (现场咨询) or online (网络咨询); default both.": "onsite（现场咨询）或 online（网络咨询）；默认两者都看。",
    "channel, first_item, department or clinic.": "channel（渠道）、first_item（首单品项）、department（科室）或 clinic（门店）。",
    "Months after the first deal to follow.": "首次成交后跟踪的月数。",
    # demo, send, intake
    "Folder for the demo workspace and its outputs (default: a new temporary folder).": "演示工作区及其输出的文件夹（默认：新建一个临时文件夹）。",
    "Send a test message to every mail recipient and robot.": "给每个邮件收件人和群机器人发一条测试消息。",
    "One line per destination.": "每个目的地一行。",
    "With --test: mail only this address.": "配合 --test：只发给这个邮箱。",
    "The folder where exports land.": "导出文件放入的文件夹。",
    "Leave files changed in the last N seconds (still being copied) for the next run.": "最近 N 秒内还在变化的文件（可能正在复制）留到下一次。",
    "Seconds to wait for a report or another intake on this workspace.": "等待本工作区上另一份报表或另一次导入的秒数。",
    "One line per file on stderr.": "每个文件在 stderr 输出一行。",
    # customers
    "As of this day (default: the data's last day).": "以这一天为准（默认：数据的最后一天）。",
    "Also list every customer with their segment.": "同时列出每位客人及其分层。",
    "How many customers to list.": "列出多少位客人。",
    "How many dormant or lapsed cards to list.": "列出多少张不动卡或不续卡。",
    "Calibration end YYYY-MM-DD: the models see deals up to this day (default: the data's last day).": "校准截止日 YYYY-MM-DD：模型只看到这一天为止的成交（默认：数据的最后一天）。",
    "Forecast horizons in days, comma-separated.": "预测时间窗（天），逗号分隔。",
    "Compare predicted with actual repeat deals after --until.": "把预测与 --until 之后实际的复购成交对比。",
    # targets
    "The target year; last year's data shapes the split.": "目标年份；按去年的数据分解。",
    "The yearly sales target in yuan.": "年度业绩目标（元）。",
    "Or growth over last year's sales, e.g. 0.15.": "或者相对去年业绩的增长，例如 0.15。",
    "Share of new-customer sales (default: last year's, month by month).": "新客业绩占比（默认：去年逐月的占比）。",
    "Split further by any of clinic, department, consultant.": "再按 clinic（门店）、department（科室）、consultant（咨询师）中的任意几项拆分。",
    "visitors, close_rate, ticket or frequency: how far it alone must move.": "visitors（来院人数）、close_rate（成交率）、ticket（客单价）或 frequency（来院频率）：只靠它要提升多少。",
    "Also list the daily targets.": "同时列出每日目标。",
    "Store the plan in the warehouse for `targets track` (replaces this year's plan).": "把目标存入仓库，供 `targets track` 使用（替换该年已有的目标）。",
    "ISO week: 2026-W43, 2026年第43周 or 第43周.": "ISO 周：2026-W43、2026年第43周 或 第43周。",
    "Month to date as of this day (YYYY-MM-DD).": "本月截至这一天（YYYY-MM-DD）。",
    # report
    "A month: 2026-10, 2026/10, 2026年10月, or 10月, 本月, 上月 counted from the data's last day. "
    "Default: the last complete month.": "月份：2026-10、2026/10、2026年10月，或 10月、本月、上月（从数据的最后一天算）。默认：最后一个完整月。",
    "ISO week: 2026-W43, 2026年第43周 or 第43周. Default: the last complete week.": "ISO 周：2026-W43、2026年第43周 或 第43周。默认：最后一个完整周。",
    "YYYY-MM-DD (default: the data's last day).": "YYYY-MM-DD（默认：数据的最后一天）。",
    "Folder for the report files.": "报表文件存放的文件夹。",
    "xlsx, html and/or pdf (printed from the HTML by Chromium), comma-separated: xlsx,html.": "xlsx、html 和/或 pdf（由 Chromium 从 HTML 打印），逗号分隔：xlsx,html。",
    "One line on stderr per report written.": "每写出一份报表，在 stderr 输出一行。",
    "Seconds to wait for another report on this workspace.": "等待本工作区上另一份报表的秒数。",
    "Seconds to wait while another process (another import) uses the warehouse.": "另一个进程（另一次导入）正在使用仓库时，最多等待的秒数。",
    "After writing, mail the reports and post the summary to the group robots in aesops.toml [delivery].": "写出后发送邮件，并把摘要发到 aesops.toml [delivery] 中的群机器人。",
    "Also write one report per clinic (门店); with --send each goes to its [[delivery.route]].": "另外为每个门店各写一份报表；配合 --send 时各自发到对应的 [[delivery.route]]。",
    # schedule
    "Where reports go (default: reports/ in the workspace).": "报表存放的位置（默认：工作区里的 reports/）。",
    "Folder where exports land, imported before each report (default: inbox/ in the workspace).": "导出文件放入的收件夹，每次出报表前先导入（默认：工作区里的 inbox/）。",
    "Do not import an intake folder before the reports.": "出报表前不导入收件夹。",
    "Also write (and send to its route) one report per clinic.": "另外为每个门店各写（并发到对应路由）一份报表。",
    # sample
    "Folder to write the exports into.": "写出导出文件的文件夹。",
    "Same seed, byte-identical files.": "相同的种子，生成逐字节相同的文件。",
    "Number of clinics (1-4).": "门店数量（1-4）。",
    "Months of history, ending 2026-10.": "历史月数，截至 2026-10。",
    "About this many customers (default ~3,300 per clinic for 24 months).": "大约这么多位客人（默认每个门店 24 个月约 3,300 位）。",
    "Benchmark fast path: about this many order lines, as clean CSVs (no xlsx, no mess).": "性能测试用：大约这么多订单行，干净的 CSV（没有 xlsx，没有脏数据）。",
    # lake, batches
    "The lake's PostgreSQL catalog, postgresql://USER@HOST:PORT/DB (password from PGPASSWORD).": "DuckLake 的 PostgreSQL 目录库，postgresql://用户@主机:端口/库名（密码取自 PGPASSWORD）。",
    "Folder (or s3://bucket/prefix/) for the lake's Parquet files.": "存放 Parquet 文件的文件夹（或 s3://bucket/prefix/）。",
    "The batch number (see `aesops batches`).": "批次号（见 `aesops batches`）。",
}

# click's own words around the help.
_WORDS = {
    "Usage: ": "用法：",
    "Options": "选项",
    "Arguments": "参数",
    "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出。",
}


def word(text: str, lang: str) -> str:
    return _WORDS.get(text, text) if lang == "zh" else text


def extras(text: str, lang: str) -> str:
    """An option's help line with click's brackets ([default: zh], [required]) in the reader's language."""
    if lang != "zh":
        return text
    text = _WORDS.get(text, text)
    text = re.sub(r"\[default: ([^\]]*)\]", r"[默认：\1]", text)
    return text.replace("[required]", "[必填]")
