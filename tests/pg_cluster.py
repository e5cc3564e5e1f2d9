"""A throwaway PostgreSQL cluster for the lake tests: Debian's server binaries, a data folder in /tmp,
a free loopback port, trust authentication, stopped and removed at the end. `./run test` installs the
server as root where it is missing; outside CI a machine without it skips the lake tests, under CI
(CI set) a missing server fails them."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

USER = "aesops"


def server_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    bin: Path
    port: int
    data: Path
    run_as: list[str]
    databases: int = 0

    def _run(self, *args: str) -> None:
        subprocess.run([*self.run_as, *args], check=True, capture_output=True, timeout=120)

    def new_database(self) -> str:
        """A fresh, empty database; returns its catalog URL for `aesops init --catalog`."""
        self.databases += 1
        name = f"lake{self.databases}"
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, name)
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{name}"


def start_cluster():
    bin_dir = server_bin()
    if bin_dir is None:
        message = (
            "PostgreSQL server binaries (initdb, pg_ctl) are not installed: the lake tests need Debian's "
            "postgresql package (`apt-get install -y postgresql`; `./run test` does it as root)."
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="aesops-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        # initdb refuses to run as root: the cluster belongs to the postgres user, in a folder it owns.
        shutil.chown(root, user="postgres")
        # runuser lives in /usr/sbin, which a cron-like or minimal PATH may lack.
        runuser = shutil.which("runuser") or next(
            (p for p in ("/usr/sbin/runuser", "/sbin/runuser") if os.path.exists(p)), "runuser"
        )
        run_as = [runuser, "-u", "postgres", "--"]
    cluster = Cluster(bin_dir, free_port(), root / "data", run_as)
    cluster._run(
        str(bin_dir / "initdb"),
        "-D",
        str(cluster.data),
        "-A",
        "trust",
        "-U",
        USER,
        "--no-sync",
        "-E",
        "UTF8",
        "--locale",
        "C",
    )
    cluster._run(
        str(bin_dir / "pg_ctl"),
        "-D",
        str(cluster.data),
        "-w",
        "-l",
        str(root / "server.log"),
        "-o",
        f"-p {cluster.port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off",
        "start",
    )
    return cluster, root


def stop_cluster(cluster: Cluster, root: Path) -> None:
    try:
        cluster._run(str(cluster.bin / "pg_ctl"), "-D", str(cluster.data), "-m", "immediate", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)
