"""Every word aesops says to a person exists in Chinese and in English: the message catalog, the
command layer's own strings (read from its source), and every command's --help in both languages."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.test_delivery import robots, smtp  # noqa: F401  (fixtures: a real SMTP server and robot endpoints)

CLI = Path(__file__).parent.parent / "aesthetic_cli" / "cli"
HAN = re.compile(r"[\u4e00-\u9fff]")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_catalog_message_has_both_languages_with_the_same_placeholders():
    from aesthetic_cli.present.messages import MESSAGES

    assert len(MESSAGES) > 50
    for key, pair in MESSAGES.items():
        assert isinstance(pair, tuple) and len(pair) == 2, key
        zh, en = pair
        assert zh.strip() and en.strip(), key
        assert HAN.search(zh), f"{key}: the Chinese text has no Chinese"
        assert _fields(zh) == _fields(en), f"{key}: placeholders differ: {_fields(zh)} vs {_fields(en)}"


# --- the command layer's source: no sentence for a person bypasses the catalog --------------------------

_PRINTERS = {"print", "echo", "secho"}  # err.print, typer.echo, typer.secho
_ERRORS = re.compile(r"(Error|Exception|BadParameter|Refused)$")


def _literal_text(node) -> str | None:
    """The text a str literal or f-string shows, with each {field} as X; None when it is not a literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "X" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal_text(node.left), _literal_text(node.right)
        return None if left is None and right is None else (left or "X") + (right or "X")
    return None


def _branch_texts(node) -> list[str | None]:
    """The literal text of each branch of `a if cond else b` (a hint that depends on what was written),
    or of the one expression."""
    if isinstance(node, ast.IfExp):
        return [*_branch_texts(node.body), *_branch_texts(node.orelse)]
    return [_literal_text(node)]


def _words(text: str) -> bool:
    """A sentence for a person (letters of a language), not a format, a path or a number."""
    return bool(re.search(r"[A-Za-z]{3,}\s+[A-Za-z]{2,}", text) or HAN.search(text))


def _calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            yield name, node


def test_no_string_in_the_command_layer_speaks_to_a_person_outside_the_catalog():
    from aesthetic_cli.present.messages import MESSAGES, localize

    bypass, untranslated, unknown_keys = [], [], []
    files = sorted(CLI.rglob("*.py"))
    assert len(files) > 15
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = path.relative_to(CLI.parent.parent)
        for name, call in _calls(tree):
            if name in ("say", "t") and call.args:
                key = call.args[0]
                if isinstance(key, ast.Constant) and key.value not in MESSAGES:
                    unknown_keys.append((f"{rel}:{call.lineno}", key.value))
            elif name in _PRINTERS:
                for arg in call.args:
                    text = _literal_text(arg)
                    if text is not None and _words(text):
                        bypass.append((f"{rel}:{call.lineno}", text))
            elif _ERRORS.search(name):
                # Errors are raised in English and put in the reader's language by the translator
                # (cli/errors.py): the English must be a catalog template, for the message and the hint.
                texts = [_literal_text(a) for a in call.args[:1]]
                texts += [_literal_text(k.value) for k in call.keywords if k.arg == "hint"]
                for text in texts:
                    if text is not None and _words(text) and localize(text, "zh") == text:
                        untranslated.append((f"{rel}:{call.lineno}", text))
    assert not unknown_keys, f"message keys missing from the catalog: {unknown_keys}"
    assert not bypass, f"printed without the message catalog (use say()/t()): {bypass}"
    assert not untranslated, f"errors whose English is not a catalog template: {untranslated}"


# --- --help -------------------------------------------------------------------------------------------


def _tree():
    from aesthetic_cli.cli.root import tree

    return list(tree())  # every command built, though a run builds only the one it runs (cli/root.py)


def test_every_command_and_option_has_chinese_help_and_none_is_stale():
    from aesthetic_cli.present.help_zh import COMMANDS, OPTIONS

    tree = _tree()
    assert len(tree) > 25
    missing_commands = [" ".join(p) for p, c in tree if " ".join(p) not in COMMANDS]
    used, missing_options = set(), []
    for path, command in tree:
        for param in command.params:
            if getattr(param, "help", None):
                if param.help in OPTIONS:
                    used.add(param.help)
                else:
                    missing_options.append((" ".join(path), param.opts[0], param.help))
    assert not missing_commands, f"commands without Chinese help in present/help_zh.py: {missing_commands}"
    assert not missing_options, f"options without Chinese help in present/help_zh.py: {missing_options}"
    stale = set(OPTIONS) - used
    assert not stale, f"Chinese help for English no option has any more (update present/help_zh.py): {stale}"
    assert set(COMMANDS) == {" ".join(p) for p, _ in tree}


def _help(path, env):
    return run_cli(*path, "--help", env={"COLUMNS": "80", **env})


@pytest.mark.parametrize(
    "path",
    [(), ("funnel",), ("report", "monthly"), ("customers", "reactivate"), ("import",)],
    ids=lambda p: " ".join(p) or "aesops",
)
def test_help_is_chinese_by_default_and_english_with_an_english_locale_or_lang_en(path):
    from rich.cells import cell_len

    zh = _help(path, {"LANG": "zh_CN.UTF-8"})
    default = _help(path, {"LANG": None})
    en = _help(path, {"LANG": "en_US.UTF-8"})
    en_flag = run_cli(*path, "--help", "--lang", "en", env={"COLUMNS": "80", "LANG": "zh_CN.UTF-8"})
    for r in (zh, default, en, en_flag):
        assert r.exit_code == 0, r.output
        # Wrapped by terminal cells: a Chinese line is as wide as the terminal, not twice as wide.
        # (Example command lines are printed whole, to be copied.)
        prose = [line for line in r.stdout.splitlines() if not line.strip().startswith("aesops ")]
        assert max(cell_len(line) for line in prose) <= 80, r.stdout
    assert zh.stdout == default.stdout
    assert zh.stdout.startswith("用法：") and "选项：" in zh.stdout and "显示本帮助并退出" in zh.stdout
    assert en.stdout.startswith("Usage:") and "Show this message and exit." in en.stdout
    if path:  # --lang is an option of the commands, not of the root
        assert en_flag.stdout == en.stdout
    # Chinese help is Chinese: most of its lines have Chinese on them (names and examples may not).
    prose = [
        line
        for line in zh.stdout.splitlines()
        if "aesops" not in line and re.search(r"[A-Za-z]{4,} [a-z]{3,} [a-z]{3,}", line)
    ]
    assert not prose, f"English sentences in the Chinese help: {prose}"


def test_every_commands_help_exists_in_both_languages():
    for path, _command in _tree():
        zh = run_cli(*path, "--help", env={"LANG": "zh_CN.UTF-8"})
        en = run_cli(*path, "--help", env={"LANG": "en_US.UTF-8"})
        assert zh.exit_code == 0 and en.exit_code == 0, path
        body_zh = zh.stdout.split("选项：")[0]
        assert HAN.search(body_zh.split("\n", 1)[1]), f"aesops {' '.join(path)}: no Chinese help"
        assert zh.stdout != en.stdout


def test_examples_keep_their_own_lines():
    r = run_cli("targets", "track", "--help", env={"LANG": "en_US.UTF-8"})
    assert "\n      aesops targets track --month 2026-10\n      aesops targets track --date" in r.stdout


# --- errors and chatter in the reader's language ------------------------------------------------------


def test_an_error_is_chinese_under_a_chinese_locale_and_english_under_an_english_one(sample_db):
    zh = run_cli("funnel", "--month", "2026年13月", "--db", str(sample_db), env={"LANG": "zh_CN.UTF-8"})
    en = run_cli("funnel", "--month", "2026年13月", "--db", str(sample_db), env={"LANG": "en_US.UTF-8"})
    assert zh.exit_code == en.exit_code == 2
    assert zh.stderr.startswith("错误：--month '2026年13月' 不是月份。") and "写法：" in zh.stderr
    assert en.stderr.startswith("Error: --month '2026年13月' is not a month.") and "Write it as" in en.stderr
    # --lang on the command line wins over the locale.
    flag = run_cli(
        "funnel", "--month", "2026年13月", "--db", str(sample_db), "--lang", "zh", env={"LANG": "en_US.UTF-8"}
    )
    assert flag.stderr == zh.stderr


def test_the_import_summary_speaks_the_readers_language(tmp_path):
    from aesthetic_cli.sample.bundled import sample_files

    orders = next(f for f in sample_files() if f.name == "网电线索.csv")
    zh_ws, en_ws = tmp_path / "zh", tmp_path / "en"
    for ws in (zh_ws, en_ws):
        assert run_cli("init", str(ws)).exit_code == 0
    zh = run_cli("import", str(orders), "--db", str(zh_ws / "aesops.duckdb"), env={"LANG": "zh_CN.UTF-8"})
    en = run_cli("import", str(orders), "--db", str(en_ws / "aesops.duckdb"), env={"LANG": "en_US.UTF-8"})
    assert zh.exit_code == 0 and en.exit_code == 0, zh.output + en.output
    assert "读取" in zh.stderr and "→ leads（网电线索），批次 1" in zh.stderr and "新渠道：" in zh.stderr, zh.stderr
    assert "read " in en.stderr and "→ leads (batch 1)" in en.stderr and "new channels:" in en.stderr, en.stderr
    assert "read " not in zh.stderr and "batch" not in zh.stderr
    # Thousands separators in the counts.
    assert re.search(r"读取 \d{1,3}(,\d{3})+", zh.stderr), zh.stderr


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (
            ("funnel", "--mnth", "3"),
            "错误：没有这个选项：--mnth（可能是：--month",
            "Error: No such option: --mnth (Possible",
        ),
        (
            ("funel",),
            "错误：没有这个命令 'funel'。你是不是想用 'funnel'？",
            "Error: No such command 'funel'. Did you mean",
        ),
        (("targets", "split"), "错误：缺少选项 '--year'。", "Error: Missing option '--year'."),
        (
            ("customers", "reactivate", "--limit", "0"),
            "错误：'--limit' 的值无效：应大于或等于 1",
            "Error: Invalid value for '--limit'",
        ),
        (
            ("funnel", "--lang", "fr"),
            "错误：'--lang' 的值无效：'fr' 不是 'zh', 'en' 之一。",
            "Error: Invalid value for '--lang'",
        ),
    ],
    ids=["option", "command", "missing", "range", "choice"],
)
def test_a_mistyped_command_line_is_told_in_the_readers_language(args, zh, en):
    r_zh = run_cli(*args, env={"LANG": "zh_CN.UTF-8"})
    r_en = run_cli(*args, env={"LANG": "en_US.UTF-8"})
    assert r_zh.exit_code == r_en.exit_code == 2
    assert zh in r_zh.stderr and "查看帮助" in r_zh.stderr and "Error" not in r_zh.stderr, r_zh.stderr
    assert en in r_en.stderr and "for help." in r_en.stderr, r_en.stderr


def test_aesops_alone_shows_the_help_in_the_readers_language():
    for args in ((), ("report",)):
        zh = run_cli(*args, env={"LANG": "zh_CN.UTF-8"})
        en = run_cli(*args, env={"LANG": "en_US.UTF-8"})
        assert zh.output.startswith("用法：aesops") or zh.output.startswith("用法："), zh.output
        assert "命令：" in zh.output and "错误" not in zh.output, zh.output
        assert "Commands:" in en.output and "Error" not in en.output, en.output


# --- the core: every error it raises and every reject reason it stores exists in Chinese ----------------

CORE = CLI.parent
# Raised for a programmer's mistake (a wrong argument in code), never for something a person typed or
# imported; the CLI edge shows them as a crash, so a Chinese template would never be read.
_PROGRAMMER_ERRORS = {"ValueError", "TypeError", "KeyError", "AssertionError", "NotImplementedError"}


def _core_files():
    return [p for p in sorted(CORE.rglob("*.py")) if CLI not in p.parents]


def test_every_error_the_core_raises_has_a_chinese_template():
    """An error raised in the core with English text (message or hint) must either carry Chinese inline
    or be a template in the catalog that localize() finds, as the CLI edge shows it."""
    from aesthetic_cli.present.messages import localize

    files = _core_files()
    assert len(files) > 40
    untranslated, seen = [], 0
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = path.relative_to(CORE.parent)
        for name, call in _calls(tree):
            if not _ERRORS.search(name) or name in _PROGRAMMER_ERRORS:
                continue
            texts = [t for a in call.args[:1] for t in _branch_texts(a)]
            texts += [t for k in call.keywords if k.arg == "hint" for t in _branch_texts(k.value)]
            for text in texts:
                if text is None or not _words(text) or HAN.search(text):
                    continue
                seen += 1
                if localize(text, "zh") == text:
                    untranslated.append(f"{rel}:{call.lineno}: {text}")
    assert seen > 100, seen  # the walk really reads the core's raises
    assert not untranslated, "errors without a Chinese template in present/messages.py:\n" + "\n".join(untranslated)


def _reason_texts() -> list[tuple[str, str]]:
    """Every reject reason the importer can store: string literals (and module constants) inside an
    expression aliased "reason", and the per-type reasons of importer/convert.py."""
    from aesthetic_cli.importer import convert

    out = [("importer/convert.py:_REASON", v) for v in convert._REASON.values()]
    for path in sorted((CORE / "importer").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        consts = {
            t.id: n.value.value
            for n in tree.body
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        for name, call in _calls(tree):
            if name != "alias" or not (call.args and getattr(call.args[0], "value", None) == "reason"):
                continue
            for node in ast.walk(call.func):
                if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "lit" and node.args:
                    arg = node.args[0]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        out.append((f"importer/{path.name}:{node.lineno}", arg.value))
                    elif isinstance(arg, ast.Name) and arg.id in consts:
                        out.append((f"importer/{path.name}:{node.lineno}", consts[arg.id]))
                if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get" and len(node.args) == 2:
                    default = node.args[1]  # _REASON.get(type, "unreadable")
                    if isinstance(default, ast.Constant) and isinstance(default.value, str):
                        out.append((f"importer/{path.name}:{node.lineno}", default.value))
    return out


def test_every_reject_reason_the_importer_stores_has_a_chinese_text():
    from aesthetic_cli.present.messages import reason

    texts = _reason_texts()
    assert len(texts) >= 9, texts
    missing = [(where, text) for where, text in texts if not HAN.search(text) and reason(text, "zh") == text]
    assert not missing, f"reject reasons without Chinese (add a reason_* entry to present/messages.py): {missing}"


def test_an_import_with_rejects_and_a_core_error_follow_the_locale(ws):
    from tests.conftest import write_csv

    f = write_csv(
        ws / "收费.csv",
        [
            ["收费日期", "顾客编号", "项目", "实收金额"],
            ["2026-10-01", "C1", "水光", "1000"],
            *[["2026-10-01", f"C{n}", "水光", "1000"] for n in range(10, 14)],
            ["sometime", "C2", "水光", "100"],  # row 7: not a date
            ["2026-10-02", "", "水光", "100"],  # row 8: no customer
            ["2026-10-03", "C4", "水光", "一百元整"],  # row 9: not an amount
        ],
    )
    zh = run_cli("import", str(f), env={"LANG": "zh_CN.UTF-8"})
    assert zh.exit_code == 0, zh.output
    assert "第 7 行，列“收费日期”：'sometime' 不是日期（整行拒收）" in zh.stderr, zh.stderr
    assert "第 8 行" in zh.stderr and "缺少必填字段" in zh.stderr and "不是金额" in zh.stderr, zh.stderr
    assert not re.search(r"not a|missing|rejected|row \d", zh.stderr), zh.stderr
    # The same file again in English (a fresh batch: drop the first one so the rows are read again).
    assert run_cli("batches", "drop", "1").exit_code == 0
    en = run_cli("import", str(f), env={"LANG": "en_US.UTF-8"})
    assert "row 7, column '收费日期': 'sometime' not a date (row rejected)" in en.stderr, en.stderr
    assert "missing required field" in en.stderr and "not an amount" in en.stderr and "不是" not in en.stderr

    # An error raised in the importer (no such mapping file): Chinese, then English, same exit code.
    zh = run_cli("import", str(f), "--mapping", "无此文件.toml", env={"LANG": "zh_CN.UTF-8"})
    en = run_cli("import", str(f), "--mapping", "无此文件.toml", env={"LANG": "en_US.UTF-8"})
    assert zh.exit_code == en.exit_code == 2, zh.output + en.output
    assert "找不到映射文件：无此文件.toml。" in zh.stderr and "Mapping" not in zh.stderr, zh.stderr
    assert "Mapping file not found: 无此文件.toml." in en.stderr and "找不到" not in en.stderr, en.stderr

    # A file refused whole (most rows bad): the message and its two-line hint (the importer adds where its
    # guessed mapping was written) are Chinese line by line.
    bad = write_csv(ws / "坏.csv", [["收费日期", "顾客编号", "项目", "实收金额"], ["sometime", "C1", "水光", "一百"]])
    zh = run_cli("import", str(bad), env={"LANG": "zh_CN.UTF-8"})
    assert zh.exit_code == 1 and "超过一半，整个文件被拒收" in zh.stderr and "没有导入任何内容" in zh.stderr, zh.stderr
    assert "Nothing was imported" not in zh.stderr and "refused" not in zh.stderr, zh.stderr


def test_send_retry_warnings_and_the_delivery_failure_follow_the_locale(
    sample_db,
    tmp_path,
    monkeypatch,
    smtp,  # noqa: F811  (the fixtures imported from tests/test_delivery.py)
    robots,  # noqa: F811
):
    from tests.test_delivery import ENV, _workspace

    _workspace(tmp_path, monkeypatch, sample_db, smtp.port, robots.url)
    robots.fail = True  # every robot answers 503: retried, then exit 4
    zh = run_cli("send", "--test", env={**ENV, "LANG": "zh_CN.UTF-8"})
    en = run_cli("send", "--test", env={**ENV, "LANG": "en_US.UTF-8"})
    assert zh.exit_code == en.exit_code == 4, zh.output + en.output
    assert "第 1 次（共 3 次）失败（机器人返回 HTTP 503）" in zh.stderr and "秒后重试" in zh.stderr, zh.stderr
    assert zh.stderr.count("错误：发送失败：") == 1 and "try 1 of" not in zh.stderr, zh.stderr
    assert "try 1 of 3 failed (OSError: HTTP 503 from the robot); retrying in" in en.stderr, en.stderr
    assert "Error: Delivery failed for" in en.stderr and "失败" not in en.stderr, en.stderr


@pytest.mark.parametrize(
    ("rows", "kind"),
    [
        ([["a", "b"], ["1", "2"]], None),  # no header aesops knows
        ([["日期", "金额", "备注"], ["2026-10-01", "100", "x"]], "visits"),  # a header short of visits
    ],
)
def test_a_file_refused_for_its_header_is_told_wholly_in_chinese(ws, rows, kind):
    # The message, the closest dataset's line and the mapping help were English under a Chinese locale.
    from tests.conftest import write_csv

    path = write_csv(ws / "导出.csv", rows)
    r = run_cli("import", str(path), *(["--kind", kind] if kind else []), "--lang", "zh")
    assert r.exit_code == 1
    assert "最接近的数据集" in r.stderr and "映射文件是 TOML" in r.stderr
    english = re.findall(r"\b(?:found|does not match|Closest|needs|Rename|mapping file is)\b", r.stderr)
    assert not english, r.stderr
