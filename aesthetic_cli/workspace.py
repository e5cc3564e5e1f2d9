"""Workspace: a folder with aesops.toml (settings) and the DuckDB warehouse beside it."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from aesthetic_cli.errors import WorkspaceError
from aesthetic_cli.settings import Settings, parse

CONFIG_NAME = "aesops.toml"
DEFAULT_DB_NAME = "aesops.duckdb"

DEFAULT_CONFIG = """\
# aesops workspace settings. Edit freely; every command reads this file.

[workspace]
# Clinic (门店) used for rows whose file has no clinic column, unless --clinic is given.
default_clinic = "{clinic}"
# Warehouse file, relative to this folder.
db = "{db}"
{lake}
[scorecard.onsite]
# 现场咨询师 scorecard weights (sum to 1): selling without repurchase is over-promising.
sales = 0.5
repurchase_rate = 0.5

[scorecard.online]
# 网络咨询师 scorecard weights, as shares of their sum: 1, 1, 1 is exactly a third each.
close_rate = 1
arrival_rate = 1
appointment_rate = 1

[channels]
# Days a customer is followed after first_seen for channel ROI horizons (--horizon overrides).
horizons = [30, 90, 180, 365]

[privacy]
# Mask phones and names in every output; --show-pii unmasks one run. false shows them always.
mask_pii = true
"""


LAKE_CONFIG = """\
# A chain's shared warehouse (DuckLake): the catalog in PostgreSQL (password from PGPASSWORD),
# the data as Parquet files under data_path (a folder, or s3://bucket/prefix/). db above is unused.
backend = "ducklake"
catalog = "{catalog}"
data_path = "{data_path}"
"""


def is_lake(settings: dict) -> bool:
    return settings.get("workspace", {}).get("backend") == "ducklake"


@dataclass
class Workspace:
    root: Path | None
    db_path: Path
    settings: dict = field(default_factory=dict)

    @property
    def config(self) -> Settings:
        """The validated settings every analysis reads (settings.py)."""
        return parse(self.settings)

    @property
    def default_clinic(self) -> str | None:
        return self.config.default_clinic

    def setting(self, *keys: str, default=None):
        node = self.settings
        for k in keys:
            if not isinstance(node, dict) or k not in node:
                return default
            node = node[k]
        return node


def find_config(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_settings(config: Path) -> dict:
    try:
        return tomllib.loads(config.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise WorkspaceError(
            f"{config} is not valid TOML: {exc}.", hint="Fix the file or run `aesops init --force`."
        ) from None


def resolve(db: Path | None = None, cwd: Path | None = None) -> Workspace:
    """--db, else $AESOPS_DB, else the workspace file found from the current folder upwards."""
    cwd = cwd or Path.cwd()
    config = find_config(cwd)
    settings = load_settings(config) if config else {}
    root = config.parent if config else None
    if db is None and os.environ.get("AESOPS_DB"):
        db = Path(os.environ["AESOPS_DB"])
    if db is not None:
        # A warehouse named from elsewhere is read with its own workspace's settings (scorecard weights, targets,
        # the default clinic), not those of the folder the command runs in. A toml names the workspace itself.
        own = Path(db) if Path(db).suffix == ".toml" else Path(db).parent / CONFIG_NAME
        if own.is_file():
            config, settings, root = own, load_settings(own), own.parent
            if Path(db).suffix == ".toml" and not is_lake(settings):
                db = root / settings.get("workspace", {}).get("db", DEFAULT_DB_NAME)
    if db is None and is_lake(settings):
        # A lake is described by its settings: the toml stands where the .duckdb file would.
        db = config
    if db is None:
        if config is None:
            raise WorkspaceError(
                f"No aesops workspace in {cwd} or its parents, and no --db or AESOPS_DB given.",
                hint="Create one with `aesops init` (or `aesops init DIR`), or pass --db PATH.",
            )
        db = root / settings.get("workspace", {}).get("db", DEFAULT_DB_NAME)
    return Workspace(root=root, db_path=Path(db), settings=settings)


def init(
    folder: Path, clinic: str, force: bool = False, *, catalog: str | None = None, data_path: str | None = None
) -> Workspace:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / CONFIG_NAME
    if config.exists() and not force:
        settings = load_settings(config)
    else:
        lake = LAKE_CONFIG.format(catalog=_toml_text(catalog), data_path=_toml_text(data_path)) if catalog else ""
        config.write_text(DEFAULT_CONFIG.format(clinic=clinic, db=DEFAULT_DB_NAME, lake=lake), encoding="utf-8")
        settings = load_settings(config)
    if is_lake(settings):
        return Workspace(root=folder, db_path=config, settings=settings)
    db = folder / settings.get("workspace", {}).get("db", DEFAULT_DB_NAME)
    return Workspace(root=folder, db_path=db, settings=settings)


def _toml_text(text: str | None) -> str:
    return (text or "").replace("\\", "\\\\").replace('"', '\\"')
