"""aesops sample generate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aesthetic_cli.cli.output import say

sample_app = typer.Typer(
    help="Realistic sample clinic data (示例数据) for trying aesops, tests and benchmarks.", no_args_is_help=True
)


@sample_app.command("generate")
def generate(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the exports into.")],
    seed: Annotated[int, typer.Option("--seed", help="Same seed, byte-identical files.")] = 7,
    clinics: Annotated[int, typer.Option("--clinics", min=1, max=4, help="Number of clinics (1-4).")] = 2,
    months: Annotated[int, typer.Option("--months", min=1, max=120, help="Months of history, ending 2026-10.")] = 24,
    customers: Annotated[
        int | None,
        typer.Option(
            "--customers",
            help="About this many customers (default ~3,300 per clinic for 24 months).",
            show_default=False,
        ),
    ] = None,
    scale: Annotated[
        int | None,
        typer.Option(
            "--scale",
            help="Benchmark fast path: about this many order lines, as clean CSVs (no xlsx, no mess).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write CRM/POS exports of a simulated clinic chain, as a Chinese CRM would.

    Channels differ in cost and customer quality, consultants in close rate, ticket and
    repurchase; items in 注射科, 皮肤科 and 整形外科 come back on their own cycles; 双11,
    周年庆 and Chinese New Year move the months; cards, refunds and referrals are there.
    The default export has title rows, 合计 rows, GBK and BOM CSVs and a few bad rows.

    Example:
        aesops sample generate --out ./demo_exports --seed 42 --clinics 3
        aesops sample generate --out ./big --scale 1000000
    """
    from aesthetic_cli.sample.api import generate as run

    written, world = run(out, seed=seed, clinics=clinics, months=months, customers=customers, scale=scale)
    say(
        "sample_wrote",
        markup=False,
        n=len(written),
        out=out,
        orders=f"{len(world.orders) * world.copies:,}",
        customers=f"{len(world.customers) * world.copies:,}",
        start=world.start,
        end=world.end,
    )
    say("sample_next", markup=False, out=out)


def register(app: typer.Typer) -> None:
    app.add_typer(sample_app, name="sample")
