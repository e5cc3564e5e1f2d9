"""Make pandas look not installed for this process. aesops never hands DuckDB a pandas object, yet DuckDB
imports pandas, where it is installed, at the first bound parameter to check whether the value is one:
0.8-1 CPU s of every command (pandas 3.1, DuckDB 1.5). An import finder, not a None in sys.modules:
libraries that look in sys.modules find nothing, exactly as on a machine without pandas (with a None
there, an xlsx import failed and DuckDB's Arrow scan crashed). Imports nothing heavy: the bench's
hand-written baseline uses it too."""

from __future__ import annotations

import importlib.abc
import sys


class _NoPandas(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(name=name)  # what a machine without pandas raises; no one reads it
        return None


def keep_pandas_out() -> None:
    """A pandas some other code already imported is left alone."""
    if "pandas" not in sys.modules and not any(isinstance(f, _NoPandas) for f in sys.meta_path):
        sys.meta_path.insert(0, _NoPandas())
