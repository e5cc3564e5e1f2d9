"""Say what recognition understood, in the user's language, and write it as a mapping file.

The text here is the importer's own (it is raised inside the core, where labels are not
available); Chinese by default, English with lang="en".
"""

from __future__ import annotations


import shlex

from pathlib import Path

from aesthetic_cli.importer.datasets import DATASETS
from aesthetic_cli.importer.recognise import UNIT_FACTORS, Recognition, split_parts

_KIND = {
    "zh": {"date": "日期", "number": "金额/数字", "phone": "手机号", "yesno": "是/否"},
    "en": {"date": "dates", "number": "amounts/numbers", "phone": "phone numbers", "yesno": "yes/no"},
}
_WHY = {
    "zh": {
        "synonym": "表头是已知写法",
        "parts": "表头词组",
        "generic": "通用表头",
        "values": "按内容：唯一一列这类数据",
        "mapping": "映射文件",
        "constant": "映射文件常量",
        "computed": "映射文件公式",
        "bill_lines": "逐行金额：同一单各行相加等于整单合计列",
    },
    "en": {
        "synonym": "known header",
        "parts": "header words",
        "generic": "generic header",
        "values": "by its values: the one such column",
        "mapping": "mapping file",
        "constant": "mapping constant",
        "computed": "mapping formula",
        "bill_lines": "the line's amount: a bill's lines add up to its bill-total column",
    },
}
_VALUES = {
    "zh": {1: "，数据吻合", 0: "", -1: "，但数据不像"},
    "en": {1: ", values agree", 0: "", -1: ", values look odd"},
}


def dataset_name(name: str, lang: str) -> str:
    """A dataset as the reader names it: orders（订单） under zh, orders under en (the --dataset spelling)."""
    ds = DATASETS.get(name)  # a batch of a dataset a later version dropped still shows its key
    return f"{name}（{ds.label_zh}）" if lang == "zh" and ds is not None else name


def doubt_lines(rec: Recognition, lang: str = "zh") -> list[str]:
    out = []
    for key, a in rec.doubts:
        if key == "unused":
            kind = _KIND[lang].get(a["kind"], a["kind"])
            out.append(
                f"列「{a['header']}」是{kind}，但没有对应字段"
                if lang == "zh"
                else f"column '{a['header']}' holds {kind} but no field takes it"
            )
        elif key == "by_values":
            kind = _KIND[lang].get(a["kind"], a["kind"])
            out.append(
                f"列「{a['header']}」的表头不是 {a['field']} 的已知写法，只因它是唯一的{kind}列才当作 {a['field']}"
                if lang == "zh"
                else f"column '{a['header']}' is taken as {a['field']} only because it is the one column of {kind}; "
                "its header is no known name for it"
            )
        elif key == "name_elsewhere":
            out.append(
                f"文件/工作表名含「{a['word']}」，像是 {dataset_name(a['other'], lang)}"
                if lang == "zh"
                else f"the file or sheet name says '{a['word']}', which points to {a['other']}"
            )
        elif key == "alike":
            out.append(
                f"{dataset_name(a['other'], lang)} 的得分几乎一样（{a['b']:g} 对 {a['a']:g}）"
                if lang == "zh"
                else f"{a['other']} scores almost the same ({a['b']:g} against {a['a']:g})"
            )
        elif key == "date_order":
            out.append(
                f"日期如「{a['example']}」无法判断是月/日/年还是日/月/年（映射文件里写 date_order）"
                if lang == "zh"
                else f"dates like '{a['example']}' could be month/day/year or day/month/year "
                "(set date_order in a mapping file)"
            )
        elif key == "date_mixed":
            out.append(
                f"同一文件里「{a['day_first']}」只能是日/月/年，「{a['month_first']}」只能是月/日/年：日期格式不一致，"
                "请在导出系统里统一日期格式后重新导出（映射文件的 date_order 也读不对它）"
                if lang == "zh"
                else f"'{a['day_first']}' can only be day/month/year and '{a['month_first']}' only month/day/year: "
                "the file mixes both, so no date_order reads it; export it again with one date format"
            )
        elif key == "two_digit_year":
            out.append(
                f"日期如「{a['example']}」的年份只有两位，可能是年-月-日也可能是日-月-年（映射文件里写 date_format）"
                if lang == "zh"
                else f"dates like '{a['example']}' have a two-digit year: year-month-day or day-month-year "
                "(set date_format in a mapping file)"
            )
        elif key == "amount_unit" and a.get("reading") == "分":
            # --amount-unit fen over a column the header says is in yuan: the flag is what is wrong.
            out.append(
                f"列「{a['header']}」的单位是{a['unit']}，但 --amount-unit fen 按分读取金额（去掉 --amount-unit fen）"
                if lang == "zh"
                else f"column '{a['header']}' is in {a['unit']} but --amount-unit fen reads amounts in fen "
                "(leave out --amount-unit fen)"
            )
        elif key == "amount_unit" and a["unit"] not in UNIT_FACTORS:
            # Another currency: no factor aesops knows turns it into yuan, so the user must.
            out.append(
                f"列「{a['header']}」的币种是 {a['unit']}，而 aesops 按人民币元读取金额（请先换算成元）"
                if lang == "zh"
                else f"column '{a['header']}' is in {a['unit']} but aesops reads amounts in yuan (convert it first)"
            )
        elif key == "amount_unit":
            quotable = "]" not in a["header"]
            out.append(
                f"列「{a['header']}」的单位是{a['unit']}，而 aesops 按元读取金额"
                + ("（映射文件里已写成换算）" if quotable else "（表头含 ]，请改表头后在映射文件里换算）")
                if lang == "zh"
                else f"column '{a['header']}' is in {a['unit']} but aesops reads amounts in yuan "
                + ("(the mapping file converts it)" if quotable else "(rename the header without ] to convert it)")
            )
        elif key == "thin":
            out.append(
                "除了编号外没有其他明确的列，不能据此更新档案"
                if lang == "zh"
                else "nothing but the key column says so, and this dataset overwrites records"
            )
        elif key == "bill_total":
            out.append(
                f"列「{a['total']}」在每张单的各行都相同，像是整单合计，而「{a['lines']}」逐行不同；"
                f"但有 {a['bills']} 张单两者对不上（整单优惠？）：猜测用「{a['lines']}」，请核对"
                if lang == "zh"
                else f"column '{a['total']}' is the same on every line of a bill, a bill's total, and '{a['lines']}' "
                f"differs line by line; but in {a['bills']} bill(s) the lines do not add up to it (a discount on the "
                f"bill?): the guess takes '{a['lines']}'; check it"
            )
    return out


MAPPING_SUFFIX = ".aesops-mapping.toml"


def _again(mapping_path: Path) -> str:
    """The command that imports the file with its checked mapping, as it can be pasted where aesops ran: the
    file as the user named it (`../明细.csv`, not `明细.csv`), quoted when its name has a space."""
    source = str(mapping_path)[: -len(MAPPING_SUFFIX)]
    return f"aesops import {shlex.quote(source)} --mapping {shlex.quote(str(mapping_path))}"


def where_text(file_name: str, sheet: str | None, lang: str = "en") -> str:
    """A file, and its sheet when it has one, as the importer's messages name it."""
    if not sheet:
        return file_name
    return f"{file_name} 工作表「{sheet}」" if lang == "zh" else f"{file_name}, sheet '{sheet}'"


def refusal(
    file_name: str, sheet: str | None, rec: Recognition, mapping_path: Path | None, lang: str = "zh"
) -> tuple[str, str]:
    where = where_text(file_name, sheet, lang)
    ds = rec.best.dataset.name
    reasons = "；".join(doubt_lines(rec, lang)) if lang == "zh" else "; ".join(doubt_lines(rec, lang))
    cols = ", ".join(f"{rec.headers[c]}→{m.field}" for c, m in rec.best.matches.items())
    if lang == "zh":
        msg = f"{where}：无法确定这是什么数据，未导入任何内容。猜测是 {dataset_name(ds, lang)}（{cols}），但{reasons}。"
        hint = (
            f"已把猜测写成映射文件 {mapping_path}：请核对后用 `{_again(mapping_path)}` 导入；"
            "`aesops import --explain` 可逐列查看依据。"
            if mapping_path
            else "请写一个映射文件（--mapping），或用 --kind 指定数据集；`aesops import --explain` 可逐列查看依据。"
        )
    else:
        msg = f"{where}: not sure what this file is, so nothing was imported. Best guess: {ds} ({cols}), but {reasons}."
        hint = (
            f"The guess is written to {mapping_path}: check it and import with `{_again(mapping_path)}`; "
            "`aesops import --explain` shows the evidence column by column."
            if mapping_path
            else "Write a mapping file (--mapping) or pass --kind; `aesops import --explain` shows the evidence."
        )
    return msg, hint


def mapping_toml(rec: Recognition, *, header_row: int, sheet: str | None, lang: str = "zh") -> str:
    """The guess as a mapping file the user can check, edit and pass with --mapping."""
    ds = rec.best.dataset
    zh = lang == "zh"
    lines = [
        (
            "# aesops 的猜测：请核对每一列，改好后用 --mapping 传入。"
            if zh
            else "# What aesops guessed: check every column, fix it, and pass it with --mapping."
        ),
        ("# 可用字段：" if zh else "# Fields: ") + ", ".join(f.name for f in ds.fields),
        ("# 其他数据集：" if zh else "# Other kinds: ") + ", ".join(DATASETS),
    ]
    for line in doubt_lines(rec, lang):
        lines.append(("# 疑点：" if zh else "# Doubt: ") + line)
    lines += [f'kind = "{ds.name}"', f"header_row = {header_row + 1}"]
    for key, a in rec.doubts:
        if key == "two_digit_year":
            # The time as the example writes it (25-10-01 14:20): a format must read the whole cell.
            clock = {1: " %H:%M", 2: " %H:%M:%S"}.get(a["example"].count(":"), "") if " " in a["example"] else ""
            year_first = "%y{0}%m{0}%d".format(a["sep"]) + clock
            day_first = "%d{0}%m{0}%y".format(a["sep"]) + clock
            if a["year_first"]:
                lines.append(
                    f'date_format = "{year_first}"    '
                    + (
                        f'# 年-月-日；日-月-年请改成 "{day_first}"'
                        if zh
                        else f'# year-month-day; "{day_first}" if day first'
                    )
                )
            else:
                lines.append(
                    f'date_format = "{day_first}"    '
                    + (
                        f'# 日-月-年；年-月-日请改成 "{year_first}"'
                        if zh
                        else f'# day-month-year; "{year_first}" if year first'
                    )
                )
    if any(key == "date_order" for key, _ in rec.doubts):
        lines.append(
            'date_order = "mdy"    '
            + ('# 月/日/年；日/月/年请改成 "dmy"' if zh else '# month/day/year; "dmy" for day/month/year')
        )
    if sheet:
        lines.append(f"sheets = [{_q(sheet)}]")
    # An amount in 万元 or 分 is converted to yuan by a computed field, [实收金额(万元)] * 10000.
    wrong_unit = {
        a["header"]: (a["field"], a["unit"])
        for key, a in rec.doubts
        if key == "amount_unit" and a.get("reading") != "分"
    }
    # A header holding ] cannot be quoted as [header]: left unmapped (the file stays refused) rather than read as yuan.
    convert = {h: v for h, v in wrong_unit.items() if "]" not in h and v[1] in UNIT_FACTORS}
    # A split amount's parts (本金余额 and 赠金余额) summed into their field in [computed].
    summed = {f: parts for f, parts in split_parts(rec).items() if not any("]" in p or p in convert for p in parts)}
    in_sum = {p for parts in summed.values() for p in parts}
    lines += ["", "[columns]"]
    for col, text in rec.headers.items():
        if col.startswith("="):
            continue
        m = rec.best.matches.get(col)
        if m and text in wrong_unit and wrong_unit[text][1] not in UNIT_FACTORS:
            lines.append(
                f"# {_q(text)} = {_q(m.field)}    "
                + (
                    f"# 币种是 {wrong_unit[text][1]}：请先换算成人民币元"
                    if zh
                    else f"# in {wrong_unit[text][1]}: convert it to yuan first"
                )
            )
        elif m and text in wrong_unit and text not in convert:
            lines.append(
                f"# {_q(text)} = {_q(m.field)}    "
                + (
                    f"# 单位是{wrong_unit[text][1]}：改掉表头里的 ] 后用 [computed] 换算成元"
                    if zh
                    else f"# in {wrong_unit[text][1]}: rename the header without ] and convert it in [computed]"
                )
            )
        elif text in in_sum:
            target = _q(m.field) if m else '""'
            lines.append(
                f"# {_q(text)} = {target}    "
                + (
                    "# 与同一金额的其他部分相加，见下方 [computed]"
                    if zh
                    else "# summed with the amount's other parts in [computed]"
                )
            )
        elif m and text in convert:
            lines.append(
                f"# {_q(text)} = {_q(m.field)}    "
                + ("# 见下方 [computed] 的换算" if zh else "# converted in [computed] below")
            )
        elif m:
            lines.append(f"{_q(text)} = {_q(m.field)}")
        else:
            lines.append(f'# {_q(text)} = ""    ' + ("# 未使用" if zh else "# not used"))
    for f in rec.best.missing:
        lines.append(f"# ? = {_q(f)}    " + ("# 必填字段，未找到对应列" if zh else "# required, no column found"))
    if convert or summed:
        lines += ["", "[computed]"]
        for name, parts in summed.items():
            formula = " + ".join(f"[{p}]" for p in parts)
            lines.append(f"{name} = {_q(formula)}    " + ("# 各部分之和" if zh else "# the sum of its parts"))
        for text, (name, unit) in convert.items():
            factor = UNIT_FACTORS[unit]
            op = f"* {factor:g}" if factor >= 1 else f"/ {1 / factor:g}"
            note = f"# {unit} → 元" if zh else f"# {unit} → yuan"
            lines.append(f"{name} = {_q(f'[{text}] {op}')}    {note}")
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def explain_lines(rec: Recognition, *, where: str, header_row: int, lang: str = "zh") -> list[str]:
    zh = lang == "zh"
    ds = rec.best.dataset.name
    out = [f"{where}：表头在第 {header_row + 1} 行" if zh else f"{where}: headers on row {header_row + 1}"]
    if rec.hint_words:
        words = ", ".join(f"{w}→{k}" for k, w in rec.hint_words.items())
        out.append(f"  名称线索：{words}" if zh else f"  name evidence: {words}")
    if not rec.best.viable:
        miss = ", ".join(rec.best.missing)
        out.append(
            f"  最接近 {dataset_name(ds, lang)}，缺少必填字段：{miss}"
            if zh
            else f"  closest: {ds}, lacking required fields: {miss}"
        )
    else:
        out.append(
            f"  数据集：{dataset_name(ds, lang)}（得分 {rec.best.score:g}）"
            if zh
            else f"  dataset: {ds} (score {rec.best.score:g})"
        )
    for c in rec.others[:2]:
        state = "" if c.viable else ("，缺 " if zh else ", lacks ") + ", ".join(c.missing)
        out.append(
            f"  其次：{dataset_name(c.dataset.name, lang)}（得分 {c.score:g}{state}）"
            if zh
            else f"  next: {c.dataset.name} (score {c.score:g}{state})"
        )
    for col, text in rec.headers.items():
        text = " ".join(text.split())  # a header wrapped in its cell (实收\n金额) on one line
        m = rec.best.matches.get(col)
        p = rec.profiles.get(col)
        kind = p.kind() if p else None
        seen = _KIND[lang].get(kind, "") if kind else ""
        seen = f" [{seen}]" if seen else ""
        if m:
            why = _WHY[lang].get(m.why, m.why) + _VALUES[lang].get(m.values, "")
            out.append(f"  {text}{seen} → {m.field}（{why}）" if zh else f"  {text}{seen} → {m.field} ({why})")
        else:
            out.append(f"  {text}{seen} → " + ("（不使用）" if zh else "(not used)"))
    if rec.best.viable:
        if rec.doubts:
            out.append(
                ("  不会导入：" if zh else "  would refuse: ") + ("；" if zh else "; ").join(doubt_lines(rec, lang))
            )
        else:
            out.append("  会导入。" if zh else "  would import.")
    return out
