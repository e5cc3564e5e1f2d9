"""The intake folder: where CRM/POS exports land (a shared drive, an e-mail rule, a sync client).
`aesops intake DIR` imports every new file there and moves it out of the way: into DIR/processed/
when it loaded, into DIR/rejected/ with FILE.reason.txt beside it when it did not. Running it again
finds nothing new; a file being copied in right now (changed in the last few seconds) waits for the
next run. The same workspace lock as the reports makes an intake and a report never overlap."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aesthetic_cli.errors import AesopsError, UsageError
from aesthetic_cli.importer import CSV_SUFFIXES, EXCEL_SUFFIXES

READABLE = EXCEL_SUFFIXES | CSV_SUFFIXES
PROCESSED, REJECTED = "processed", "rejected"
# Files a person or a program leaves behind that are not exports: Office lock files, partial downloads.
_IGNORED_PREFIXES = ("~$", ".~lock", ".")
_IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload", ".download", ".reason.txt")


@dataclass
class Outcome:
    file: Path  # where it is now (processed/ or rejected/)
    name: str
    status: str  # processed | rejected
    reason: str = ""
    result: object = None  # importer ImportResult when processed


def _left_beside(p: Path) -> bool:
    """A folder, or what a person or a program leaves beside the exports (a lock file, a partial download)."""
    return not p.is_file() or p.name.startswith(_IGNORED_PREFIXES) or p.name.lower().endswith(_IGNORED_SUFFIXES)


def exports_in(folder: Path) -> list[Path]:
    """The exports directly in a folder given to `aesops import` (a director points it at the export folder), by
    name: the readable tables, without what people and programs leave beside them, mapping files and the subfolders
    (processed/, rejected/) an intake keeps."""
    found = [p for p in folder.iterdir() if not _left_beside(p) and p.suffix.lower() in READABLE]
    if not found:
        raise UsageError(
            f"{folder} holds no export aesops reads (.xlsx .xls .csv .txt) directly in it.",
            hint="Pass the files themselves, e.g. DIR/*.xlsx, or the folder they are in.",
        )
    return sorted(found, key=lambda p: p.name)


def pending(folder: Path, *, settle_seconds: float = 5.0, now: float | None = None) -> list[Path]:
    """The files waiting in folder, oldest first; files changed within settle_seconds are still arriving."""
    if not folder.is_dir():
        raise UsageError(
            f"The intake folder {folder} does not exist.",
            hint="Create it (mkdir -p) and point the export or sync tool at it.",
        )
    now = time.time() if now is None else now
    files = []
    for p in folder.iterdir():
        if _left_beside(p):
            continue
        if now - p.stat().st_mtime < settle_seconds:
            continue
        files.append(p)
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


def _move(path: Path, into: Path) -> Path:
    into.mkdir(exist_ok=True)
    target = into / path.name
    if target.exists():  # the same export name again next month: keep both
        target = into / f"{path.stem}.{datetime.now():%Y%m%d-%H%M%S}{path.suffix}"
    shutil.move(str(path), target)
    return target


def _reject(path: Path, folder: Path, reason: str) -> Outcome:
    # The importer's proposed mapping (issue 13) goes into the reason file, not left in the inbox.
    proposal = path.with_name(path.name + ".aesops-mapping.toml")
    if proposal.is_file():
        reason += "\n\n" + proposal.read_text(encoding="utf-8")
        proposal.unlink()
    target = _move(path, folder / REJECTED)
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
    target.with_name(target.name + ".reason.txt").write_text(
        f"{path.name} 未导入 (not imported), {stamp}\n\n{reason}\n\n"
        "修正后放回收件夹即可重新导入。Fix the file and drop it into the folder again.\n",
        encoding="utf-8",
    )
    return Outcome(target, path.name, REJECTED, reason)


def run(con, folder: Path, *, clinic: str | None = None, settle_seconds: float = 5.0, on_file=None) -> list[Outcome]:
    """Import each pending file on its own (one file's failure leaves the warehouse as it was and
    the others still load), then move it to processed/ or rejected/."""
    from aesthetic_cli.importer.load import import_file
    from aesthetic_cli.warehouse.memory import bounded_memory
    from aesthetic_cli.warehouse import derived

    outcomes = []
    # One refresh of the semantic layer after the last file, not one per file, under the import's memory limit.
    with bounded_memory(con), derived.one_refresh(con):
        for path in pending(folder, settle_seconds=settle_seconds):
            if on_file:
                on_file(path)
            if path.suffix.lower() not in READABLE:
                outcomes.append(
                    _reject(
                        path,
                        folder,
                        f"不是 aesops 能读的表格（{path.suffix or '无扩展名'}）；"
                        f"支持 {' '.join(sorted(READABLE))}。Not a spreadsheet aesops reads.",
                    )
                )
                continue
            try:
                result = import_file(con, path, clinic=clinic)
            except AesopsError as exc:
                outcomes.append(_reject(path, folder, str(exc)))
                continue
            target = _move(path, folder / PROCESSED)
            outcomes.append(Outcome(target, path.name, PROCESSED, result=result))
    return outcomes
