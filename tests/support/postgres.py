"""A real, throwaway PostgreSQL server for tests: Debian's `postgresql` binaries,
`initdb` on a temporary data directory, started on a free 127.0.0.1 port with its unix
socket in that directory, stopped and deleted afterwards.

PostgreSQL refuses to run as root (CI containers often are): then the server runs as the
`postgres` user (or `nobody`) through subprocess's `user=`/`group=`, and the directory is
created outside root's private temp dirs and handed to that user.

Standalone (for trying the team store by hand)::

    python -m tests.support.postgres      # prints the URL, serves until Ctrl-C
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DB_NAME = "coda_test"
SUPERUSER = "coda"


def find_bin_dir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres, or None when not installed."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        candidates.insert(0, str(Path(os.path.realpath(pg_ctl)).parent))
    for directory in candidates:
        if all((Path(directory) / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(directory)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as() -> pwd.struct_passwd | None:
    """The account to run PostgreSQL as when we are root (None: as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root and neither a postgres nor a nobody user exists")


@dataclass
class PostgresServer:
    bin_dir: Path
    base: Path = field(init=False)
    port: int = field(init=False)
    user: pwd.struct_passwd | None = field(init=False)

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "socket"

    def url(self, database: str = DB_NAME) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        extra: dict[str, Any] = {}
        if self.user is not None:
            extra = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        return subprocess.run(
            list(args),
            check=True,
            capture_output=True,
            text=True,
            cwd=self.base,
            timeout=120,
            **extra,
            **kwargs,
        )

    def start(self) -> PostgresServer:
        self.user = _run_as()
        # Not under pytest's tmp dir: root's is mode 0700, out of the server user's reach.
        self.base = Path(tempfile.mkdtemp(prefix="coda-pg-"))
        self.socket_dir.mkdir()
        if self.user is not None:
            for path in (self.base, self.socket_dir):
                os.chown(path, self.user.pw_uid, self.user.pw_gid)
        pg_ctl = str(self.bin_dir / "pg_ctl")
        self._run(
            pg_ctl,
            "initdb",
            "-D",
            str(self.data_dir),
            "-o",
            f"-A trust -U {SUPERUSER} -E UTF8 --locale=C.UTF-8 --no-sync",
        )
        self.port = _free_port()
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            pg_ctl, "start", "-D", str(self.data_dir), "-w", "-t", "60",
            "-l", str(self.base / "server.log"), "-o", options,
        )  # fmt: skip
        self.create_database(DB_NAME)
        return self

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def log(self) -> str:
        try:
            return (self.base / "server.log").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        try:
            self._run(str(self.bin_dir / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "fast")
        except (subprocess.SubprocessError, OSError):
            pass
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


def main() -> None:  # pragma: no cover - manual use
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise SystemExit("PostgreSQL binaries not found (apt-get install postgresql)")
    server = PostgresServer(bin_dir).start()
    print(server.url(), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
