"""The few lines that travel: headline KPIs with 环比/同比 and the takeaways, as plain text for mail
and as markdown for group robots. Built from the report's headline (reports/headline.py), which
reads the funnel's comparison table the report already computed."""

from __future__ import annotations

from dataclasses import dataclass, field

NAMES = {
    "sales": "成交业绩",
    "cash_in": "收现",
    "consumption": "消耗",
    "visitors": "来院人数",
    "close_rate": "成交率",
    "ticket": "客单价",
}
RATES = {"close_rate"}
MONEY = {"sales", "cash_in", "consumption", "ticket"}


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

    def text(self) -> str:
        out = [self.title, ""]
        for ln in self.lines:
            out.append(f"{ln.name}：{ln.value}（环比 {ln.mom}，同比 {ln.yoy}）")
        if self.takeaways:  # the sales change, then its three biggest movers
            out += ["", self.takeaways[0]] + [f"{i}. {t}" for i, t in enumerate(self.takeaways[1:], 1)]
        if self.files:
            out += ["", "附件：" + "、".join(p.name for p in self.files)]
        out += ["", "—— aesops 自动发送；数字口径见报表“口径说明”。"]
        return "\n".join(out)

    def markdown(self, colour: str | None = None) -> str:
        """colour: "wecom" uses its <font color="info|warning"> tags (its documented markdown extension)."""
        out = [f"### {self.title}"]
        for ln in self.lines:
            out.append(
                f"- **{ln.name}** {ln.value}　环比 {_paint(ln.mom, ln.mom_good, colour)}　"
                f"同比 {_paint(ln.yoy, ln.yoy_good, colour)}"
            )
        if self.takeaways:
            out += ["", f"**{self.takeaways[0]}**"] + [f"{i}. {t}" for i, t in enumerate(self.takeaways[1:], 1)]
        return "\n".join(out)


def _paint(text: str, good: bool | None, colour: str | None) -> str:
    if colour != "wecom" or good is None:
        return text
    return f'<font color="{"info" if good else "warning"}">{text}</font>'


def _value(kpi: str, v) -> str:
    if v is None:
        return "—"
    if kpi in RATES:
        return f"{v * 100:.1f}%"
    if kpi in MONEY:
        return f"¥{v:,.0f}"
    return f"{v:,.0f}"


def _change(kpi: str, v) -> str:
    if v is None:
        return "—"
    if kpi in RATES:
        return f"{v * 100:+.1f}个百分点"
    return f"{v * 100:+.1f}%"


def from_report(report, files=()) -> Summary:
    h = getattr(report, "headline", None)
    clinic = report.params.get("clinic")
    label = h.period_label if h else report.period.label
    title = " · ".join(x for x in (report.title[0], label, clinic) if x)
    lines, takeaways = [], []
    if h is not None:
        for c in h.cards:
            lines.append(
                Line(
                    NAMES.get(c.kpi, c.kpi),
                    _value(c.kpi, c.current),
                    _change(c.kpi, c.mom),
                    _change(c.kpi, c.yoy),
                    c.good(c.mom),
                    c.good(c.yoy),
                )
            )
        takeaways = [zh for zh, _en in h.takeaways]
    return Summary(title, lines, takeaways, list(files))
