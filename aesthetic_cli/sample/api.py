"""Generate sample data: the entry point shared by the CLI, the tests and the benchmarks."""

from __future__ import annotations

from pathlib import Path

from aesthetic_cli.errors import UsageError
from aesthetic_cli.sample.export import export_fast, export_messy
from aesthetic_cli.sample.simulate import World, simulate

# Order lines the default world yields per clinic-month at volume 1.0, and customers likewise;
# measured on the default seed, used only to turn --customers/--scale into a volume.
LINES_PER_CLINIC_MONTH = 155
CUSTOMERS_PER_CLINIC_MONTH = 138
BASE_LINES = 200_000


def generate(
    out: Path,
    *,
    seed: int = 7,
    clinics: int = 2,
    months: int = 24,
    customers: int | None = None,
    scale: int | None = None,
) -> tuple[list[Path], World]:
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder.")
    volume = 1.0
    if customers is not None:
        if customers <= 0:
            raise UsageError("--customers must be positive.")
        volume = customers / (CUSTOMERS_PER_CLINIC_MONTH * clinics * months)
    copies = 1
    if scale is not None:
        if scale <= 0:
            raise UsageError("--scale must be positive.")
        # Simulate at most BASE_LINES lines, then tile copies of that world to reach the scale.
        copies = max(1, -(-scale // BASE_LINES))
        volume = (scale / copies) / (LINES_PER_CLINIC_MONTH * clinics * months)
    world = simulate(seed=seed, clinics=clinics, months=months, volume=volume)
    written = export_fast(world, out, copies) if scale is not None else export_messy(world, out, seed)
    world.copies = copies
    return written, world
