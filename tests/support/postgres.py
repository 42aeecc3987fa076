"""A throwaway PostgreSQL cluster from Debian's packages, for the suite's PostgreSQL run.

initdb refuses to run as root, so as root the cluster is created and run as the ``postgres`` user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.support.ports import free_port


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError(
            "PostgreSQL is not installed: apt-get install postgresql (the README's setup does it)"
        )
    return Path(found[-1]).parent


class Cluster:
    """A cluster of our own: its URL, and stopping and starting it again (on the same port and data)."""

    def __init__(self, root: Path, port: int, as_postgres: list[str]) -> None:
        self.root, self.port, self._as_postgres = root, port, as_postgres
        self.url = ""

    def run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self._as_postgres, str(_bin_dir() / tool), *args], check=True, capture_output=True, text=True
        )

    def start(self) -> None:
        # Durability is pointless for a cluster that lives as long as one test run.
        options = (
            f"-p {self.port} -k {self.root / 'sockets'} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        self.run(
            "pg_ctl",
            "-D",
            str(self.root / "data"),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.root / "data"), "-m", mode, "-w", "stop")


@contextlib.contextmanager
def restartable_cluster(database: str = "portal") -> Iterator[Cluster]:
    """Start a fresh cluster on a free loopback port, with ``database`` in it; remove it all afterwards."""
    root = Path(tempfile.mkdtemp(prefix="portal-pg-"))
    (root / "sockets").mkdir()
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(root, user.pw_uid, user.pw_gid)
        os.chown(root / "sockets", user.pw_uid, user.pw_gid)
        as_postgres = ["runuser", "-u", "postgres", "--"]
    cluster = Cluster(root, free_port(), as_postgres)
    try:
        cluster.run(
            "initdb",
            "-D",
            str(root / "data"),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        cluster.start()
        cluster.run("createdb", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", database)
        cluster.url = f"postgresql+asyncpg://postgres@127.0.0.1:{cluster.port}/{database}"
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def throwaway_cluster(database: str = "portal") -> Iterator[str]:
    """Start a fresh cluster on a free loopback port; yield an asyncpg URL; remove it all afterwards."""
    with restartable_cluster(database) as cluster:
        yield cluster.url
