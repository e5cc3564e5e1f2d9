"""The few lines that travel: headline KPIs with 环比/同比 and the takeaways, as plain text for mail
and as markdown for group robots. Built from the report's headline (reports/headline.py), which
reads the funnel's comparison table the report already computed."""

from __future__ import annotations

from dataclasses import dataclass, field

from aesthetic_cli.present.formatting import kpi_change, kpi_value
from aesthetic_cli.present.labels import label
from aesthetic_cli.present.params import clinic_text

# A KPI is named (glossary) and formatted (present/formatting) here exactly as in the report's cards
# and sheets; only the summary's own few words are kept below.
_WORDS = {
    "line": ("{name}：{value}（{mom} {m}，{yoy} {y}）", "{name}: {value} ({mom} {m}, {yoy} {y})"),
    "files": ("附件：", "Attached: "),
    "sep": ("、", ", "),
    "footer": ("—— aesops 自动发送；数字口径见报表“口径说明”。", "— sent by aesops; see the report's definitions."),
}


def _w(key: str, lang: str) -> str:
    return _WORDS[key][0 if lang == "zh" else 1]


@dataclass
class Line:
    name: str
    value: str
    mom: str
    yoy: str
    mom_good: bool | None = None
    yoy_good: bool | None = None


@dataclass
class Summary:
    title: str  # 月度经营分析 · 2026-09 · 静安店
    lines: list[Line]
    takeaways: list[str]
    files: list = field(default_factory=list)  # Paths written
    lang: str = "zh"

    def text(self) -> str:
        out = [self.title, ""]
        mom, yoy = label("mom", self.lang), label("yoy", self.lang)
        for ln in self.lines:
            out.append(_w("line", self.lang).format(name=ln.name, value=ln.value, mom=mom, m=ln.mom, yoy=yoy, y=ln.yoy))
        if self.takeaways:  # the sales change, then its three biggest movers
            out += ["", self.takeaways[0]] + [f"{i}. {t}" for i, t in enumerate(self.takeaways[1:], 1)]
        if self.files:
            out += ["", _w("files", self.lang) + _w("sep", self.lang).join(p.name for p in self.files)]
        out += ["", _w("footer", self.lang)]
        return "\n".join(out)

    def markdown(self, colour: str | None = None) -> str:
        """colour: "wecom" uses its <font color="info|warning"> tags (its documented markdown extension)."""
        out = [f"### {self.title}"]
        mom, yoy = label("mom", self.lang), label("yoy", self.lang)
        for ln in self.lines:
            out.append(
                f"- **{ln.name}** {ln.value}　{mom} {_paint(ln.mom, ln.mom_good, colour)}　"
                f"{yoy} {_paint(ln.yoy, ln.yoy_good, colour)}"
            )
        if self.takeaways:
            out += ["", f"**{self.takeaways[0]}**"] + [f"{i}. {t}" for i, t in enumerate(self.takeaways[1:], 1)]
        return "\n".join(out)


def _paint(text: str, good: bool | None, colour: str | None) -> str:
    if colour != "wecom" or good is None:
        return text
    return f'<font color="{"info" if good else "warning"}">{text}</font>'


def from_report(report, files=(), lang: str | None = None) -> Summary:
    """The summary in lang (default: the report's own language)."""
    lang = lang or report.params.get("lang", "zh")
    h = getattr(report, "headline", None)
    clinic = clinic_text(report.params.get("clinic"), lang)
    period = h.period_label if h else report.period.label
    title = " · ".join(x for x in (report.title[0 if lang == "zh" else 1], period, clinic) if x)
    lines, takeaways = [], []
    if h is not None:
        for c in h.cards:
            lines.append(
                Line(
                    label(c.kpi, lang),
                    kpi_value(c.kpi, c.current),
                    kpi_change(c.kpi, c.mom, lang),
                    kpi_change(c.kpi, c.yoy, lang),
                    c.good(c.mom),
                    c.good(c.yoy),
                )
            )
        takeaways = [pair[0 if lang == "zh" else 1] for pair in h.takeaways]
    return Summary(title, lines, takeaways, list(files), lang)
