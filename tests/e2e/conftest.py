"""A throwaway PostgreSQL server for the end-to-end tests of target-postgres.

Debian's PostgreSQL (`make postgres` installs it) keeps its programs in
/usr/lib/postgresql/<version>/bin, off PATH. The server runs from a temporary folder on a free
port of 127.0.0.1 and stops when the test session ends. PostgreSQL refuses to run as root, so as
root the folder belongs to the `postgres` user and the programs run as that user (runuser).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

POSTGRES_ROOT = Path("/usr/lib/postgresql")


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None."""
    found = sorted(
        (path for path in POSTGRES_ROOT.glob("*/bin") if (path / "initdb").exists()),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    return found[-1] if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Postgres:
    """One running server; `psql` runs SQL as the superuser and answers its output."""

    bin: Path
    folder: Path
    port: int
    as_user: list[str]
    user: str = "postgres"
    host: str = "127.0.0.1"

    def run(self, program: str, *args: str) -> str:
        done = subprocess.run(
            [*self.as_user, str(self.bin / program), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode:
            msg = f"{program} {' '.join(args)} failed: {done.stderr.strip()[-2000:]}"
            raise RuntimeError(msg)
        return done.stdout

    def psql(self, sql: str, database: str = "postgres") -> str:
        return self.run(
            "psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
            "-h", self.host, "-p", str(self.port), "-U", self.user, "-d", database, "-c", sql,
        )  # fmt: skip

    def rows(self, sql: str, database: str) -> list[dict[str, Any]]:
        """The rows of a query, as JSON objects."""
        text = self.psql(f"SELECT coalesce(json_agg(q), '[]') FROM ({sql}) q", database)
        return list(json.loads(text))

    def create_database(self, name: str) -> str:
        self.psql(f'CREATE DATABASE "{name}"')
        return name

    def plugin_env(self, prefix: str, database: str) -> dict[str, str]:
        """The variables that point a Meltano plugin (TARGET_POSTGRES, TAP_POSTGRES) at a
        database of this server."""
        return {
            f"{prefix}_HOST": self.host,
            f"{prefix}_PORT": str(self.port),
            f"{prefix}_USER": self.user,
            # The server trusts every local connection; the plugins want a password all the same.
            f"{prefix}_PASSWORD": "trusted",
            f"{prefix}_DATABASE": database,
        }


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL server for the session: skipped without PostgreSQL, a failure on CI."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        reason = (
            f"PostgreSQL is not installed (no {POSTGRES_ROOT}/*/bin/initdb): run `make postgres`"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    folder = Path(tempfile.mkdtemp(prefix="e2e-postgres-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    server = Postgres(bin_dir, folder, free_port(), as_user)
    data = folder / "data"
    server.run("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync")
    options = (
        f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    server.run("pg_ctl", "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start")
    try:
        yield server
    finally:
        server.run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
