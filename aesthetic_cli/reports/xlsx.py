"""Write a Report as an Excel workbook with xlsxwriter: one sheet per section, native charts,
¥ and % formats, frozen headers, autofilter, and a 口径说明 sheet that makes every number traceable."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from aesthetic_cli.formatting import cell_kind
from aesthetic_cli.labels import label, value_label
from aesthetic_cli.metrics.result import note_text
from aesthetic_cli.reports.content import DEFINITIONS, Block, Report

FORMATS = {
    "money": {"num_format": "¥#,##0"},
    "rate": {"num_format": "0.0%"},
    "pp": {"num_format": '+0.0"pp";-0.0"pp";0.0"pp"'},
    "ratio": {"num_format": "0.00"},
    "days": {"num_format": "#,##0"},
    "count": {"num_format": "#,##0.0"},
    "int": {"num_format": "#,##0"},
    "float": {"num_format": "#,##0.00"},
    "date": {"num_format": "yyyy-mm-dd"},
}
SERIES_COLOURS = ["#2F6FDE", "#E8833A", "#3BA272", "#9A60B4", "#EA7CCC"]


def _width(text) -> int:
    s = str(text)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


class _Writer:
    def __init__(self, path: Path, lang: str):
        import xlsxwriter

        # strings_to_formulas off: a customer note like "=HYPERLINK(...)" stays text.
        self.wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                                  "strings_to_numbers": False, "default_date_format": "yyyy-mm-dd"})
        self.lang = lang
        self.fmt = {k: self.wb.add_format({**v, "font_size": 10}) for k, v in FORMATS.items()}
        self.text = self.wb.add_format({"font_size": 10})
        self.head = self.wb.add_format({"bold": True, "bg_color": "#1F3A5F", "font_color": "#FFFFFF",
                                        "border": 1, "text_wrap": True, "valign": "vcenter", "font_size": 10})
        self.title = self.wb.add_format({"bold": True, "font_size": 14, "font_color": "#1F3A5F"})
        self.sub = self.wb.add_format({"bold": True, "font_size": 11, "font_color": "#1F3A5F"})
        self.note = self.wb.add_format({"italic": True, "font_color": "#666666", "font_size": 9})

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
            ws.write_number(r, c, float(value), self.fmt.get(kind, self.fmt["float"]))
        elif isinstance(value, dt.datetime):
            ws.write_datetime(r, c, value, self.fmt["date"])
        elif isinstance(value, dt.date):
            ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), self.fmt["date"])
        elif isinstance(value, (list, tuple)):
            ws.write_string(r, c, "、".join(map(str, value)), self.text)
        else:
            ws.write_string(r, c, str(value_label(column, value, self.lang)), self.text)

    def block(self, ws, block: Block, row: int, widths: dict[int, int], first: bool) -> int:
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
            widths[c] = max(widths.get(c, 0), _width(text))
        for rec in frame.iter_rows(named=True):
            row += 1
            for c, (col, value) in enumerate(rec.items()):
                self.cell(ws, row, c, col, value, rec)
                widths[c] = max(widths.get(c, 0), min(40, _width(value) + 2 if value is not None else 0))
        if first:
            # Excel allows one autofilter per sheet: the section's main table gets it and frozen headers.
            ws.autofilter(header_row, 0, max(row, header_row), frame.width - 1)
            ws.freeze_panes(header_row + 1, 1)
        if block.chart and frame.height:
            self.chart(ws, block, header_row, row, frame)
        return row + 3

    def chart(self, ws, block: Block, header_row: int, last_row: int, frame) -> None:
        ch = block.chart
        cols = frame.columns
        x = cols.index(ch.x)
        name = ws.get_name()
        if ch.kind == "heat":
            first_c = min(cols.index(s) for s in ch.series)
            last_c = max(cols.index(s) for s in ch.series)
            ws.conditional_format(header_row + 1, first_c, last_row, last_c, {
                "type": "3_color_scale", "min_color": "#F7FBFF", "mid_color": "#6BAED6", "max_color": "#08306B"})
            return
        chart = self.wb.add_chart({"type": "line" if ch.kind == "line" else "column"})
        for i, s in enumerate(ch.series):
            c = cols.index(s)
            chart.add_series({
                "name": [name, header_row, c],
                "categories": [name, header_row + 1, x, last_row, x],
                "values": [name, header_row + 1, c, last_row, c],
                "line": {"color": SERIES_COLOURS[i % len(SERIES_COLOURS)], "width": 2.25},
                "fill": {"color": SERIES_COLOURS[i % len(SERIES_COLOURS)]},
                "marker": {"type": "circle", "size": 4} if ch.kind == "line" else None,
            })
        chart.set_title({"name": self.t(ch.title), "name_font": {"size": 11}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 620, "height": 300})
        chart.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#E5E5E5"}}})
        ws.insert_chart(header_row, frame.width + 1, chart)


def write(report: Report, path: Path, lang: str = "zh") -> None:
    w = _Writer(path, lang)
    for section in report.sections:
        ws = w.wb.add_worksheet(section.key[:31])
        ws.write_string(0, 0, f"{w.t(report.title)} · {report.period.label} · {w.t(section.title)}", w.title)
        row, widths = 2, {}
        for i, block in enumerate(section.blocks):
            row = w.block(ws, block, row, widths, first=(i == 0))
        for note in section.notes:
            ws.write_string(row, 0, f"• {note_text(note, w.lang)}", w.note)
            row += 1
        for c, width in widths.items():
            ws.set_column(c, c, max(8, min(40, width + 1)))
    _definitions_sheet(w, report)
    w.wb.set_properties({"title": f"{w.t(report.title)} {report.period.label}", "author": "aesops",
                         "comments": "Generated by aesops; see the 口径说明 sheet."})
    w.wb.close()


def _definitions_sheet(w: _Writer, report: Report) -> None:
    ws = w.wb.add_worksheet("口径说明")
    ws.write_string(0, 0, "口径说明 · Parameters, data and definitions", w.title)
    row = 2
    ws.write_string(row, 0, "参数 Parameters", w.sub)
    for k, v in report.params.items():
        row += 1
        ws.write_string(row, 0, str(k), w.text)
        w.cell(ws, row, 1, str(k), v if not isinstance(v, (dict, list)) else str(v), {})
    row += 2
    for name, title in (("coverage", "数据覆盖 Data coverage"), ("batches", "导入批次 Import batches (files)")):
        frame = report.provenance.get(name)
        if frame is None:
            continue
        ws.write_string(row, 0, title, w.sub)
        row += 1
        for c, col in enumerate(frame.columns):
            ws.write_string(row, c, label(col, w.lang), w.head)
        for rec in frame.iter_rows(named=True):
            row += 1
            for c, (col, value) in enumerate(rec.items()):
                w.cell(ws, row, c, col, value, rec)
        row += 2
    ws.write_string(row, 0, "指标定义 Definitions (SPEC §2)", w.sub)
    row += 1
    for c, h in enumerate(("指标", "口径", "Definition")):
        ws.write_string(row, c, h, w.head)
    for term, zh, en in DEFINITIONS:
        row += 1
        ws.write_string(row, 0, term, w.text)
        ws.write_string(row, 1, zh, w.text)
        ws.write_string(row, 2, en, w.text)
    ws.set_column(0, 0, 24)
    ws.set_column(1, 2, 60)
