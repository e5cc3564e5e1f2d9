"""aesops customers rfm | reactivate | cards | predict: the old-customer stocktake (老客盘点) and the
repurchase forecast (复购预测)."""

from __future__ import annotations

from typing import Annotated

import typer

from aesthetic_cli.cli.analyse import analyse
from aesthetic_cli.cli.options import (
    Clinic,
    Db,
    FormatOpt,
    OutFile,
    Lang,
    LangOpt,
    ShowPii,
)

customers_app = typer.Typer(
    help="Old-customer stocktake (老客盘点): RFM segments, who to call back, stored-value cards.", no_args_is_help=True
)
AsOf = Annotated[
    str | None, typer.Option("--date", help="As of this day (default: the data's last day).", show_default=False)
]


def _asof(text, option="--date"):
    from aesthetic_cli.metrics.periods import parse_date

    return parse_date(text, option) if text else None


def _horizons(text: str) -> tuple[int, ...]:
    from aesthetic_cli.errors import UsageError

    try:
        days = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise UsageError(f"--horizon '{text}' is not a list of days.", hint="e.g. --horizon 90,180") from None
    if not days or min(days) < 1:
        raise UsageError(f"--horizon '{text}' needs whole days of at least 1.", hint="e.g. --horizon 90,180")
    return days


@customers_app.command("rfm")
def rfm(
    date: AsOf = None,
    list_: Annotated[bool, typer.Option("--list", help="Also list every customer with their segment.")] = False,
    clinic: Clinic = None,
    show_pii: ShowPii = False,
    db: Db = None,
    fmt: FormatOpt = None,
    out: OutFile = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """RFM over the last 365 days (recency, deal visits, sales) in the 8 classic segments,
    plus customers with no deal in 365 days (沉睡).

    Example:
        aesops customers rfm --list --format csv > rfm.csv
    """
    analyse(
        "customers rfm",
        db,
        period=_asof(date),
        clinic=clinic,
        show_pii=show_pii,
        fmt=fmt,
        out=out,
        lang=lang,
        list_customers=list_,
    )


@customers_app.command("reactivate")
def reactivate(
    date: AsOf = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many customers to list.")] = 50,
    clinic: Clinic = None,
    show_pii: ShowPii = False,
    db: Db = None,
    fmt: FormatOpt = None,
    out: OutFile = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """Who to call back: the customers overdue against their items' repurchase cycle, ranked by value at risk.

    Overdue: past the median repurchase interval of what they bought on their last deal day (水光针 ~2 months,
    玻尿酸 ~6). Value at risk = (1 − P(alive)) × expected sales in the next 180 days if still a customer
    (BG/NBD and Gamma-Gamma, as in customers predict): frequent, high-spending customers gone quiet come
    first; customers with a single deal day carry none and come after, by lifetime sales. With too little
    history to fit the models, the overdue customers are listed by lifetime sales alone. Phones and names are
    masked unless --show-pii.

    Example:
        aesops customers reactivate --limit 100 --show-pii --format csv > call_list.csv
    """
    analyse(
        "customers reactivate",
        db,
        period=_asof(date),
        clinic=clinic,
        show_pii=show_pii,
        fmt=fmt,
        out=out,
        lang=lang,
        limit=limit,
    )


@customers_app.command("cards")
def cards(
    date: AsOf = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many dormant or lapsed cards to list.")] = 50,
    clinic: Clinic = None,
    show_pii: ShowPii = False,
    db: Db = None,
    fmt: FormatOpt = None,
    out: OutFile = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """What the stored-value cards owe: total balance (liability) and its cash part, 空卡 (empty),
    不动卡 (balance but unused 180 days) and 不续卡 (drained and not recharged).

    Example:
        aesops customers cards --clinic 静安店
    """
    analyse(
        "customers cards",
        db,
        period=_asof(date),
        clinic=clinic,
        show_pii=show_pii,
        fmt=fmt,
        out=out,
        lang=lang,
        limit=limit,
        # Without --date the day is the data's last; cards exported later are shown as of their export.
        snapshot_if_earlier=date is None,
    )


@customers_app.command("predict")
def predict(
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            help="Calibration end YYYY-MM-DD: the models see deals up to this day (default: the data's last day).",
            show_default=False,
        ),
    ] = None,
    horizon: Annotated[str, typer.Option("--horizon", help="Forecast horizons in days, comma-separated.")] = "90,180",
    check: Annotated[
        bool, typer.Option("--check", help="Compare predicted with actual repeat deals after --until.")
    ] = False,
    clinic: Clinic = None,
    show_pii: ShowPii = False,
    db: Db = None,
    fmt: FormatOpt = None,
    out: OutFile = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """Who is still a customer and what they will spend: BG/NBD (P(alive), expected deals in each
    horizon) and Gamma-Gamma (expected deal value) fitted on every customer's deal days. The models'
    parameters are in the JSON's meta; phones and names are masked unless --show-pii.

    Example:
        aesops customers predict --until 2026-06-30 --check
        aesops customers predict --horizon 30,90,365 --format csv > forecast.csv
    """
    analyse(
        "customers predict",
        db,
        period=_asof(until, "--until"),
        clinic=clinic,
        show_pii=show_pii,
        fmt=fmt,
        lang=lang,
        horizons=_horizons(horizon),
        check=check,
        out=out,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(customers_app, name="customers")
