"""Where the bundled sample data is: inside an installed wheel, or beside the package in a checkout."""

from __future__ import annotations

from pathlib import Path

from aesthetic_cli.errors import UsageError


def sample_dir() -> Path:
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "sample_data", here.parent / "sample_data"):
        if candidate.is_dir() and any(candidate.glob("*.xlsx")):
            return candidate
    raise UsageError(
        "The bundled sample data is missing from this installation.",
        hint="Generate it with `aesops sample generate --out DIR` and import DIR/*.",
    )


def sample_files() -> list[Path]:
    return sorted(p for p in sample_dir().iterdir() if p.suffix in {".xlsx", ".csv"})
