"""Heavy modules imported where they are first used, and imported early on a thread where a command knows it
will need them.

Polars' import is 0.1-0.2 s of interpreter time and SciPy's 0.4-1.0 s. An analysis spends about as long inside
DuckDB, which leaves the interpreter while it works: importing them on a thread during the warehouse's queries
takes them off the command's wall time. For that the modules that use them must not import them when they are
imported themselves, so they hold a `Deferred` instead: the module's attributes, the module imported at the
first one asked for (Python's import lock makes that wait for a thread's import under way)."""

from __future__ import annotations

import importlib
import threading
from types import ModuleType
from typing import Any


class Deferred:
    def __init__(self, name: str):
        self._deferred_name = name

    def __getattr__(self, attr: str) -> Any:
        module: ModuleType = importlib.import_module(self._deferred_name)
        # From now on attributes are found in this instance's own dict, without this method.
        self.__dict__.update(vars(module))
        return getattr(module, attr)


def start(*names: str) -> None:
    """Import `names` on a daemon thread. A failure is left to the first use, which imports the same module
    and raises in its own thread."""

    def load() -> None:
        for name in names:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001  (raised again, in the reader's words, where the module is used)
                return

    threading.Thread(target=load, name="aesops-imports", daemon=True).start()
