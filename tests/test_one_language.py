"""A message built from parts (a sentence around a reject reason, a list of failures around their
reasons) reads in one language: wholly Chinese under a Chinese locale, wholly English under an English one."""

from __future__ import annotations

import re

from tests.conftest import run_cli, write_csv
from tests.test_delivery import ENV, _free_port, _workspace, robots  # noqa: F401  (robots: a fixture)

ZH = {"LANG": "zh_CN.UTF-8"}
EN = {"LANG": "en_US.UTF-8"}
HAN = re.compile(r"[\u4e00-\u9fff]")
# English words a Chinese message must not contain (names from the data, like 收费日期, are allowed in
# English ones, so the English check drops quoted names first).
ENGLISH = re.compile(
    r"\b(row|column|not a|more|fewer|fields|headers|beyond|mail to|robot|attempts|error|failed|refused)\b", re.I
)


def _chinese_only(text: str) -> None:
    assert not ENGLISH.search(text), text


def _english_only(text: str) -> None:
    unquoted = re.sub(r"'[^']*'|\S+\.csv", "", text)
    assert not HAN.search(unquoted), text


def test_a_row_with_an_unquoted_comma_is_told_in_one_language(ws):
    lines = [
        "收费日期,顾客编号,项目,实收金额,咨询师",
        "2025-10-01,C1,水光针,800,王芳",
        "2025-10-02,C2,热玛吉,¥1,234.00,李娜",  # row 3: an unquoted comma, 6 fields under 5 headers
        "2025-10-03,C3,光子嫩肤,500,王芳",
        "2025-10-04,C4,光子嫩肤,500",  # row 5: a field short
    ]
    (ws / "o.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    zh = run_cli("import", str(ws / "o.csv"), env=ZH)
    assert zh.exit_code == 0, zh.output
    problems = [line for line in zh.stderr.splitlines() if "第" in line and "行" in line]
    assert problems == [
        "  第 3 行：字段数多于表头：可能有未加引号的逗号？ 5 → 6（整行拒收）",
        "  第 5 行：字段数少于表头：可能有断行或未配对的引号？ 5 → 4（整行拒收）",
    ], zh.stderr
    _chinese_only(zh.stderr)
    # The warehouse keeps the reason in English; `status --rejects` shows it in the reader's language.
    rejects_zh = run_cli("status", "--rejects", "--format", "csv", "--lang", "zh")
    assert "字段数多于表头：可能有未加引号的逗号？ 5 → 6,整行拒收" in rejects_zh.stdout, rejects_zh.stdout
    rejects_en = run_cli("status", "--rejects", "--format", "csv", "--lang", "en")
    assert "more fields than headers: an unquoted comma? 5 → 6,row rejected" in rejects_en.stdout, rejects_en.stdout

    assert run_cli("batches", "drop", "1").exit_code == 0
    en = run_cli("import", str(ws / "o.csv"), env=EN)
    assert "  row 3: more fields than headers: an unquoted comma? 5 → 6 (row rejected)" in en.stderr, en.stderr
    assert "  row 5: fewer fields than headers: a broken line or an unbalanced quote? 5 → 4" in en.stderr
    _english_only(en.stderr.replace("王芳", ""))


def test_a_file_mostly_bad_is_refused_in_one_language(ws):
    f = write_csv(
        ws / "bad.csv",
        [
            ["收费日期", "顾客编号", "项目", "实收金额"],
            ["nope", "C1", "a", "1"],  # row 2: not a date
            ["someday", "C2", "b", "2"],  # row 3: not a date
            ["2025-10-03", "C3", "c", "1e20"],  # row 4: an amount beyond belief
            ["2025-10-04", "C4", "d", "4"],
        ],
    )
    zh = run_cli("import", str(f), env=ZH)
    en = run_cli("import", str(f), env=EN)
    assert zh.exit_code == en.exit_code == 1, zh.output + en.output
    assert zh.stderr.startswith("错误：bad.csv：4 行数据中有 3 行无法读取，超过一半，整个文件被拒收。前几个问题：\n")
    assert "  • 第 2 行，列“收费日期”：不是日期（“nope”）\n" in zh.stderr, zh.stderr
    assert "  • 第 3 行，列“收费日期”：不是日期\n" in zh.stderr, zh.stderr
    assert "  • 第 4 行，列“实收金额”：金额超出 ±100亿，不是可信的金额\n" in zh.stderr, zh.stderr
    _chinese_only(zh.stderr)
    assert "  • row 2 column '收费日期': not a date ('nope')\n" in en.stderr, en.stderr
    assert "  • row 4 column '实收金额': beyond ±10,000,000,000: not a plausible amount\n" in en.stderr, en.stderr
    _english_only(en.stderr)


def test_a_delivery_to_an_unreachable_mail_server_fails_in_one_language(
    sample_db,
    tmp_path,
    monkeypatch,
    robots,  # noqa: F811
):
    _workspace(tmp_path, monkeypatch, sample_db, _free_port(), robots.url)  # nothing listens on the mail port
    robots.fail = True  # and every robot answers 503
    zh = run_cli("send", "--test", env={**ENV, **ZH})
    en = run_cli("send", "--test", env={**ENV, **EN})
    assert zh.exit_code == en.exit_code == 4, zh.output + en.output
    failure_zh = zh.stderr[zh.stderr.index("\n错误：") + 1 :]
    assert failure_zh.startswith(
        "错误：发送失败：\n  邮件（收件人 ceo@clinic.example）：尝试 3 次，最后一次的错误：连接被拒绝"
    )
    for name in ("企业微信机器人 #1", "钉钉机器人 #2", "飞书机器人 #3"):
        assert f"  {name}：尝试 3 次，最后一次的错误：机器人返回 HTTP 503\n" in failure_zh, failure_zh
    _chinese_only(failure_zh.split("\n", 1)[0] + "".join(failure_zh.split("\n")[1:4]))
    _chinese_only(zh.stderr)
    failure_en = en.stderr[en.stderr.index("\nError: ") + 1 :]
    assert failure_en.startswith("Error: Delivery failed for:\n  mail to ceo@clinic.example: attempts 3, last error: ")
    assert "Connection refused" in failure_en, failure_en
    for name in ("WeCom robot #1", "DingTalk robot #2", "Feishu robot #3"):
        assert f"  {name}: attempts 3, last error: OSError: HTTP 503 from the robot\n" in failure_en, failure_en
    _english_only(en.stderr)


# --- the tests themselves: a child aesops process speaks the language its test reads ---------------------

_RUNS_AESOPS = ("aesthetic_cli", "_aesops", "_report_cmd", "tests.fuzz")


def test_every_aesops_child_process_of_the_tests_has_its_language_set():
    """A test that starts aesops as a process (subprocess.run/Popen) passes env=child_env(...) (or a
    name bound to it): its messages then do not depend on the LANG of the machine running the tests."""
    import ast
    from pathlib import Path

    here = Path(__file__).parent
    loose, seen = [], 0
    for path in sorted(here.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        from_child_env = {
            t.id
            for n in ast.walk(tree)
            if isinstance(n, ast.Assign) and "child_env(" in (ast.get_source_segment(source, n.value) or "")
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        for call in ast.walk(tree):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
                continue
            if call.func.attr not in ("run", "Popen") or getattr(call.func.value, "id", "") != "subprocess":
                continue
            text = ast.get_source_segment(source, call) or ""
            if not any(marker in text for marker in _RUNS_AESOPS):
                continue
            seen += 1
            env = next((k.value for k in call.keywords if k.arg == "env"), None)
            ok = env is not None and (
                "child_env(" in (ast.get_source_segment(source, env) or "")
                or isinstance(env, ast.Name)
                and env.id in from_child_env
            )
            if not ok:
                loose.append(f"{path.name}:{call.lineno}")
    assert seen >= 8, seen  # the walk really finds the tests' aesops processes
    assert not loose, f"aesops started without env=child_env(LANG) (tests/conftest.py): {loose}"


def test_lang_before_the_command_gives_english_tables_as_after_it(sample_db):
    """trial 8's G9: `aesops --lang en funnel` said its messages in English and printed Chinese tables. The locale
    still leaves tables Chinese: a server's English LANG does not turn a clinic's tables English."""
    month = ["funnel", "--month", "2026-09", "--format", "csv", "--db", str(sample_db)]
    before = run_cli("--lang", "en", *month, env=ZH)
    after = run_cli(*month, "--lang", "en", env=ZH)
    assert before.exit_code == 0 and after.exit_code == 0, before.output
    assert "Sales" in before.stdout and "成交业绩" not in before.stdout, before.stdout
    assert before.stdout == after.stdout
    # A --lang after the command wins over one before it; none at all, and an English locale: Chinese tables.
    assert run_cli("--lang", "en", *month, "--lang", "zh", env=ZH).stdout == run_cli(*month, env=ZH).stdout
    assert run_cli(*month, env=EN).stdout == run_cli(*month, env=ZH).stdout
    assert "成交业绩" in run_cli(*month, env=EN).stdout


def test_an_unknown_kind_and_an_undecodable_file_are_told_in_chinese(ws):
    """trial 8's G12: "无法按 utf-8 or gb18030 文本读取" and "Unknown --kind 'order'. Kinds: …" under a Chinese
    locale."""
    good = write_csv(
        ws / "收费.csv", [["收费日期", "顾客编号", "项目", "实收金额"], ["2026-10-02", "C1", "水光针", "1280"]]
    )
    kind = run_cli("import", str(good), "--kind", "order", env=ZH)
    assert kind.exit_code != 0 and "未知的 --kind“order”" in kind.output and "可用的类型" in kind.output, kind.output
    bad = ws / "乱码.csv"
    bad.write_bytes(bytes(range(128, 256)) * 20)
    undecodable = run_cli("import", str(bad), env=ZH)
    assert undecodable.exit_code != 0 and "UTF-8 或 GB18030" in undecodable.output, undecodable.output
    for out in (kind.output, undecodable.output):
        assert not re.search(r"\b(or|Kinds|Unknown)\b", out), out
