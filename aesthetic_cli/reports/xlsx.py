"""Write a Report as an Excel workbook with xlsxwriter: one sheet per section, native charts,
¥ and % formats, frozen headers, autofilter, and a 口径说明 sheet that makes every number traceable.
Every sheet prints: A4 landscape, fitted to one page wide, header rows repeated, a page break
before each table, and a chart under its table (not beside it, which would shrink the print)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from aesthetic_cli.importer.explain import dataset_name
from aesthetic_cli.present.formatting import cell_kind
from aesthetic_cli.present.labels import label, value_label
from aesthetic_cli.present.params import rows as param_rows
from aesthetic_cli.metrics.result import note_text
from aesthetic_cli.reports.content import DEFINITIONS, Block, Chart, Report
from aesthetic_cli.reports.headline import Headline

FORMATS = {
    "money": {"num_format": "¥#,##0"},
    "rate": {"num_format": "0.0%"},
    "pp": {"num_format": '+0.0"pp";-0.0"pp";0.0"pp"'},
    "ratio": {"num_format": "0.00"},
    "days": {"num_format": "#,##0"},
    "count": {"num_format": "#,##0"},
    "count1": {"num_format": "#,##0.0"},  # a count that is not whole (an average)
    "points": {"num_format": '+0.0"pp";-0.0"pp";0.0"pp"'},  # one spelling of points in every table, as "pp" above
    "int": {"num_format": "#,##0"},
    "float": {"num_format": "#,##0.00"},
    "date": {"num_format": "yyyy-mm-dd"},
    "datetime": {"num_format": "yyyy-mm-dd hh:mm"},
}
SIGNED = {"rate": {"num_format": "+0.0%;-0.0%;0.0%"}, "points": FORMATS["points"]}
SERIES_COLOURS = ["#2F6FDE", "#E8833A", "#3BA272", "#9A60B4", "#EA7CCC"]
CHART_ROWS = 17  # a 300 px chart over rows of 20 px (the default 15 pt), plus a gap
PAGE_ROWS = 32  # rows of 15 pt on an A4 landscape page at 100% (fewer than fit once scaled to width)
DATE_TEXT = "2026-10-31"  # what yyyy-mm-dd shows; a column holding dates is at least this wide


def cell_width(text) -> int:
    s = str(text)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


class Writer:
    def __init__(self, path: Path, lang: str, *, in_memory: bool = False):
        import xlsxwriter

        # strings_to_formulas off: a customer note like "=HYPERLINK(...)" stays text. in_memory (the reports only):
        # the workbook's ~44 parts are zipped from memory, not each written to a temporary file, read back and
        # removed (0.15-0.3 s of the monthly report's wall for a ~5,000-cell workbook; the parts are the same). A
        # whole table's --format xlsx (result_xlsx.py) stays on files: in memory, 300k rows peaked 857 MB, not 520.
        self.wb = xlsxwriter.Workbook(
            str(path),
            {
                "in_memory": in_memory,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "default_date_format": "yyyy-mm-dd",
            },
        )
        self.lang = lang
        self.fmt = {k: self.wb.add_format({**v, "font_size": 10}) for k, v in FORMATS.items()}
        self.text = self.wb.add_format({"font_size": 10})
        self.head = self.wb.add_format(
            {
                "bold": True,
                "bg_color": "#1F3A5F",
                "font_color": "#FFFFFF",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
                "font_size": 10,
            }
        )
        self.title = self.wb.add_format({"bold": True, "font_size": 14, "font_color": "#1F3A5F"})
        self.sub = self.wb.add_format({"bold": True, "font_size": 11, "font_color": "#1F3A5F"})
        self.note = self.wb.add_format({"italic": True, "font_color": "#666666", "font_size": 9})
        self.wrap = self.wb.add_format({"font_size": 10, "text_wrap": True, "valign": "top"})
        # 环比/同比 on the headline sheet: green when the move is good for the clinic, red when bad.
        self.good_fmt, self.bad_fmt, self.flat_fmt = (
            {
                k: self.wb.add_format(
                    {
                        **SIGNED[k],
                        "font_size": 10,
                        "bold": colour is not None,
                        **({"font_color": colour} if colour else {}),
                    }
                )
                for k in ("rate", "points")
            }
            for colour in ("#1A7F37", "#CF222E", None)
        )

    def t(self, pair: tuple[str, str]) -> str:
        return pair[0] if self.lang == "zh" else pair[1]

    def cell(self, ws, r: int, c: int, column: str, value, row: dict) -> None:
        if value is None:
            ws.write_blank(r, c, None, self.text)
        elif isinstance(value, bool):
            ws.write_string(r, c, "✓" if value else "", self.text)
        elif isinstance(value, (int, float, Decimal)):
            kind = cell_kind(row, column) or ("int" if isinstance(value, int) else "float")
            if kind == "hidden":  # a rate's relative change: the points column says it
                ws.write_blank(r, c, None, self.text)
                return
            if kind == "pp":  # Excel cannot scale by 100 without a % sign: write the points themselves
                value = float(value) * 100
            if kind in ("count", "float", "int"):
                # A whole count shows as 466, not 466.0; an average keeps its decimal.
                kind = "int" if float(value).is_integer() else ("count1" if kind == "count" else "float")
            ws.write_number(r, c, float(value), self.fmt.get(kind, self.fmt["float"]))
        elif isinstance(value, dt.datetime):
            ws.write_datetime(r, c, value, self.fmt["datetime"])
        elif isinstance(value, dt.date):
            ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), self.fmt["date"])
        elif isinstance(value, (list, tuple)):
            ws.write_string(r, c, "、".join(map(str, value)), self.text)
        else:
            ws.write_string(r, c, str(value_label(column, value, self.lang)), self.text)

    def block(self, ws, block: Block, row: int, widths: dict[int, int], first: bool, only: bool = False) -> int:
        """Write one titled table (and its chart beneath); return the next free row. `only`: the
        sheet's single table, whose header can be frozen and repeated on every printed page."""
        ws.write_string(row, 0, self.t(block.title), self.sub)
        row += 1
        frame = block.frame
        if frame.width == 0:
            ws.write_string(row, 0, "（无数据）" if self.lang == "zh" else "(no data)", self.note)
            return row + 2
        header_row = row
        for c, col in enumerate(frame.columns):
            text = label(col, self.lang)
            ws.write_string(row, c, text, self.head)
            widths[c] = max(widths.get(c, 0), cell_width(text))
        for rec in frame.iter_rows(named=True):
            row += 1
            for c, (col, value) in enumerate(rec.items()):
                self.cell(ws, row, c, col, value, rec)
                widths[c] = max(widths.get(c, 0), min(40, _shown_width(value) + 2 if value is not None else 0))
        if first:
            # Excel allows one autofilter per sheet: the section's main table gets it.
            ws.autofilter(header_row, 0, max(row, header_row), frame.width - 1)
        if only:
            # Frozen and repeated headers only where they belong to every row below them: under a
            # second stacked table the first table's header would label the wrong columns.
            ws.freeze_panes(header_row + 1, 1)
            ws.repeat_rows(header_row)
        if block.chart and frame.height and block.chart.kind != "heat":
            self.chart(ws, block.chart, header_row, row, frame, at_row=row + 2)
            return row + 2 + CHART_ROWS
        if block.chart and frame.height:
            self.chart(ws, block.chart, header_row, row, frame)
        return row + 3

    def chart(self, ws, ch: Chart, header_row: int, last_row: int, frame, at_row: int | None = None) -> None:
        cols = frame.columns
        x = cols.index(ch.x)
        name = ws.get_name()
        if ch.kind == "heat":
            first_c = min(cols.index(s) for s in ch.series)
            last_c = max(cols.index(s) for s in ch.series)
            ws.conditional_format(
                header_row + 1,
                first_c,
                last_row,
                last_c,
                {"type": "3_color_scale", "min_color": "#F7FBFF", "mid_color": "#6BAED6", "max_color": "#08306B"},
            )
            return
        chart = self.wb.add_chart({"type": "line" if ch.kind == "line" else "column"})
        for i, s in enumerate(ch.series):
            c = cols.index(s)
            chart.add_series(
                {
                    "name": [name, header_row, c],
                    "categories": [name, header_row + 1, x, last_row, x],
                    "values": [name, header_row + 1, c, last_row, c],
                    "line": {"color": SERIES_COLOURS[i % len(SERIES_COLOURS)], "width": 2.25},
                    "fill": {"color": SERIES_COLOURS[i % len(SERIES_COLOURS)]},
                    "marker": {"type": "circle", "size": 4} if ch.kind == "line" else None,
                }
            )
        chart.set_title({"name": self.t(ch.title), "name_font": {"size": 11}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 620, "height": 300})
        y_axis: dict[str, object] = {
            "num_format": "#,##0",
            "major_gridlines": {"visible": True, "line": {"color": "#E5E5E5"}},
        }
        if ch.kind != "line":
            # A bar's height is its value: LibreOffice (and Excel for close values) otherwise start the axis near
            # the smallest bar, and ¥486k against ¥478k drew as three times taller.
            y_axis["min"] = 0
        chart.set_y_axis(y_axis)
        if len(frame) > 8:  # many categories: slant the labels so they never overlap
            chart.set_x_axis({"num_font": {"rotation": -35, "size": 9}})
        ws.insert_chart(at_row if at_row is not None else header_row, 0, chart, {"x_offset": 4, "y_offset": 4})


# An English report's sheet names (a section's key is its Chinese sheet name, and how the code finds it).
EN_SHEETS = {
    "概览": "At a glance",
    "门店对比": "Clinics",
    "核心指标": "KPIs",
    "漏斗": "Funnel",
    "渠道": "Channels",
    "咨询师": "Consultants",
    "复购": "Repurchase",
    "老客": "Old customers",
    "品项": "Items",
    "目标": "Targets",
    "本周": "This week",
    "目标进度": "Progress",
    "当日": "Today",
    "月度进度": "Month to date",
    "口径说明": "Definitions",
}


def sheet_name(key: str, lang: str) -> str:
    """The sheet of a section (by its key) in the report's language."""
    return (key if lang == "zh" else EN_SHEETS.get(key, key))[:31]


def write(report: Report, path: Path, lang: str = "zh") -> None:
    w = Writer(path, lang, in_memory=True)
    for section in report.sections:
        ws = w.wb.add_worksheet(sheet_name(section.key, lang))
        ws.write_string(0, 0, f"{w.t(report.title)} · {report.period.label} · {w.t(section.title)}", w.title)
        row, breaks, page_start = 2, [], 0
        widths: dict[int, int] = {}
        blocks = section.blocks
        if section.key == "概览" and report.headline is not None:
            row = _headline(w, ws, report.headline, row, widths)
            blocks = [b for b in blocks if b.name != "headline_kpis"]
        for i, block in enumerate(blocks):
            # A table (with its chart) that would not fit on what is left of the printed page starts
            # a new page, so no table or chart is cut; small tables share a page.
            need = 3 + block.frame.height + (CHART_ROWS if block.chart and block.frame.height else 0)
            if i and row - page_start + need > PAGE_ROWS and row > page_start:
                breaks.append(row)
                page_start = row
            row = w.block(ws, block, row, widths, first=(i == 0), only=len(blocks) == 1)
        for note in section.notes:
            if section.key == "概览":
                break  # the takeaways are already at the top
            ws.write_string(row, 0, f"• {note_text(note, w.lang)}", w.note)
            row += 1
        for c, width in widths.items():
            ws.set_column(c, c, max(8, min(40, width + 1)))
        _print_setup(ws, breaks, repeat_title=len(blocks) != 1)
    _definitions_sheet(w, report)
    w.wb.set_properties(
        {
            "title": f"{w.t(report.title)} {report.period.label}",
            "author": "aesops",
            "comments": f"Generated by aesops; see the {sheet_name('口径说明', w.lang)} sheet.",
        }
    )
    w.wb.close()


def _shown_width(value) -> int:
    """Width of the value as the cell will show it: a date is yyyy-mm-dd, not its repr."""
    if isinstance(value, dt.datetime):
        return len("2026-10-31 08:00")
    if isinstance(value, dt.date):
        return len(DATE_TEXT)
    if isinstance(value, float):
        return len(f"{value:,.1f}")
    if isinstance(value, int) and not isinstance(value, bool):
        return len(f"{value:,}") + 1
    return cell_width(value)


def _print_setup(ws, breaks: list[int], repeat_title: bool) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&C&P / &N")
    if breaks:
        ws.set_h_pagebreaks(breaks)
    if repeat_title:
        ws.repeat_rows(0)  # the sheet's title on every page; each table's header starts its own page


def _headline(w: Writer, ws, h: Headline, row: int, widths: dict[int, int]) -> int:
    """The headline KPIs with 环比/同比 in green (good) or red (bad), rates' changes in points,
    then the takeaways in plain words."""
    ws.write_string(row, 0, w.t(("核心指标", "Headline KPIs")) + f" · {h.period_label}", w.sub)
    row += 1
    heads = [label(c, w.lang) for c in ("kpi", "current", "mom", "yoy", "previous", "last_year")]
    for c, text in enumerate(heads):
        ws.write_string(row, c, text, w.head)
        widths[c] = max(widths.get(c, 0), cell_width(text) + 2)
    for card in h.cards:
        row += 1
        rec = {"kpi": card.kpi}
        ws.write_string(row, 0, label(card.kpi, w.lang), w.text)
        for c, (col, value) in enumerate(
            (
                ("current", card.current),
                ("mom", card.mom),
                ("yoy", card.yoy),
                ("previous", card.previous),
                ("last_year", card.last_year),
            ),
            start=1,
        ):
            if col in ("mom", "yoy") and value is not None:
                good = card.good(value)
                style = {True: w.good_fmt, False: w.bad_fmt, None: w.flat_fmt}[good]
                points = card.kpi == "close_rate"
                ws.write_number(row, c, value * 100 if points else value, style["points" if points else "rate"])
            else:
                w.cell(ws, row, c, col, value, rec)
            widths[c] = max(widths.get(c, 0), _shown_width(value) + 4 if value is not None else 0)
        widths[0] = max(widths.get(0, 0), cell_width(label(card.kpi, w.lang)) + 2)
    row += 2
    for i, pair in enumerate(h.takeaways):
        ws.write_string(row, 0, ("" if i == 0 else f"{i}. ") + w.t(pair), w.text)
        row += 1
    return row + 2


def _definitions_sheet(w: Writer, report: Report) -> None:
    """What the numbers mean first (the director's question), then the report's parameters, then
    the data it was computed from: coverage per dataset and every imported file."""
    import math

    ws = w.wb.add_worksheet(sheet_name("口径说明", w.lang))
    ws.write_string(
        0,
        0,
        w.t(("口径说明 · 指标定义、参数与数据来源", "Definitions · what the numbers mean, parameters, data")),
        w.title,
    )
    zh_width, en_width = 56, 48
    widths: dict[int, int] = {0: 24, 1: zh_width, 2: en_width}
    row = 2
    ws.write_string(row, 0, "指标定义 Definitions", w.sub)
    row += 1
    for c, h in enumerate(("指标", "口径", "Definition")):
        ws.write_string(row, c, h, w.head)
    for term, zh, en in DEFINITIONS:
        row += 1
        ws.write_string(row, 0, term, w.wrap)
        ws.write_string(row, 1, zh, w.wrap)
        ws.write_string(row, 2, en, w.wrap)
        # Spreadsheets do not grow a row for wrapped text written by a program: size it here.
        lines = max(math.ceil(cell_width(zh) / (zh_width - 2)), math.ceil(len(en) / (en_width - 2)), 1)
        if lines > 1:
            ws.set_row(row, 14 * lines)
    row += 2
    ws.write_string(row, 0, "参数 Parameters", w.sub)
    for name, text in param_rows(report.params, w.lang):
        row += 1
        ws.write_string(row, 0, name, w.text)
        ws.write_string(row, 1, text, w.text)  # text, left-aligned: a date or a version is not a number to sum
    row += 2
    for name, title in (("coverage", "数据覆盖 Data coverage"), ("batches", "导入批次 Import batches (files)")):
        frame = report.provenance.get(name)
        if frame is None:
            continue
        ws.write_string(row, 0, title, w.sub)
        row += 1
        for c, col in enumerate(frame.columns):
            ws.write_string(row, c, label(col, w.lang), w.head)
            widths[c] = max(widths.get(c, 0), cell_width(label(col, w.lang)) + 2)
        for rec in frame.iter_rows(named=True):
            row += 1
            for c, (col, value) in enumerate(rec.items()):
                if col == "sha256" and isinstance(value, str):
                    value = value[:12]  # enough to tell files apart; the full hash is in the warehouse
                if col == "dataset" and name == "batches" and isinstance(value, str):
                    value = dataset_name(value, w.lang)  # orders（订单）: the coverage table has its own name column
                w.cell(ws, row, c, col, value, rec)
                widths[c] = max(widths.get(c, 0), min(48, _shown_width(value) + 2 if value is not None else 0))
        row += 2
    for c, width in widths.items():
        ws.set_column(c, c, width)
    _print_setup(ws, [], repeat_title=True)
