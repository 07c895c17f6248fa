"""A throwaway PostgreSQL server for the tests: initdb in a temporary folder, started with
pg_ctl on a free loopback port (and stopped and started again by the outage tests), removed
afterwards.

As root (CI containers), the server runs as the ``postgres`` user that Debian's package creates:
initdb refuses to run as root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["PostgresServer", "find_bindir", "throwaway_server"]


def find_bindir() -> Path | None:
    """The newest installed PostgreSQL binaries (Debian layout, then PATH), or None."""
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if debian:
        return debian[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """A server in a temporary folder, initdb'd once, stopped and started again at will on the
    same port, so that a client's URL stays valid across an outage (the fault tests)."""

    def __init__(self, bindir: Path) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="mammocad-pg-"))
        self._bindir, self._data, self._port = bindir, self.root / "data", _free_port()
        self._as_user: list[str] = []
        self.running = False
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self._as_user = ["runuser", "-u", "postgres", "--"]
        try:
            self._run("initdb", "-D", str(self._data), "-U", "postgres", "--auth=trust", "-N")
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise

    @property
    def url(self) -> str:
        """The admin URL, without a database: ``postgresql+psycopg://postgres@127.0.0.1:PORT``."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self._port}"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self._port} -h 127.0.0.1 -k {self.root} -F -c max_connections=100"
        self._run("pg_ctl", "-D", str(self._data), "-o", options, "-l", str(self.root / "log"),
                  "-w", "-t", "60", "start")  # fmt: skip
        self.running = True

    def stop(self) -> None:
        """Stop the server at once, as a crash would (``-m immediate``: no clean shutdown)."""
        self._run("pg_ctl", "-D", str(self._data), "-m", "immediate", "-w", "stop")
        self.running = False

    def _run(self, program: str, *args: str) -> None:
        command = [*self._as_user, str(self._bindir / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            log = (self.root / "log").read_text() if (self.root / "log").exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}{log}")


@contextmanager
def throwaway_server(bindir: Path) -> Iterator[PostgresServer]:
    """A running server, stopped and removed afterwards."""
    server = PostgresServer(bindir)
    try:
        server.start()
        try:
            yield server
        finally:
            if server.running:  # an outage test may have left it stopped
                server.stop()
    finally:
        shutil.rmtree(server.root, ignore_errors=True)
