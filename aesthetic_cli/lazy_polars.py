"""`pl` for the modules an analysis imports: Polars itself for the type checker, a Deferred at run time, so that
importing them does not import Polars (aesthetic_cli/deferred.py says why)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl
else:
    from aesthetic_cli.deferred import Deferred

    pl = Deferred("polars")

__all__ = ["pl"]
