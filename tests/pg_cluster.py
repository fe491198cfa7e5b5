"""A throwaway PostgreSQL cluster for the tests and benches: initdb + pg_ctl in a temporary
folder, listening only on a Unix socket inside it, stopped and deleted at the end.

PostgreSQL refuses to run as root, and CI and sessions run as root: then every server command
runs as the ``postgres`` user (``runuser -u postgres``, Debian's package creates that user) in a
folder that user owns. As any other user the commands run as that user. No system-wide cluster
is used or needed. Plain module (no pytest): ``bench/postgres.py`` uses it too.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

ENV_BINDIR = "IXEMPRA_PG_BINDIR"  # where initdb, pg_ctl and postgres are, when not found
MIN_MAJOR = 15
SUPERUSER = "postgres"


class ClusterUnavailable(RuntimeError):
    """The server binaries are missing or the cluster would not start: the message says which."""


def find_bindir(debian: Path = Path("/usr/lib/postgresql")) -> Path:
    """PostgreSQL's server binaries: $IXEMPRA_PG_BINDIR, else the newest Debian
    /usr/lib/postgresql/N/bin (N >= 15), else pg_config --bindir, else initdb on PATH."""
    configured = os.environ.get(ENV_BINDIR, "").strip()
    candidates: list[Path] = []
    if configured:
        candidates.append(Path(configured))
    if debian.is_dir():
        versions = sorted(
            (int(p.name), p / "bin")
            for p in debian.iterdir()
            if p.name.isdigit() and int(p.name) >= MIN_MAJOR
        )
        candidates += [bindir for _, bindir in reversed(versions)]
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10
            ).stdout.strip()
            if out:
                candidates.append(Path(out))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).parent)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise ClusterUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl; version >= 15) were not found in "
        f"{', '.join(str(c) for c in candidates) or '/usr/lib/postgresql/*/bin or PATH'}: "
        "install Debian's postgresql package (sh packaging/debian-setup.sh does) or set "
        f"{ENV_BINDIR}. The PostgreSQL journal tests need a real server and are not skipped."
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """One throwaway cluster. ``start()`` after construction; ``destroy()`` at the end."""

    def __init__(self, bindir: Path | None = None, *, fsync: bool = True) -> None:
        self.bindir = bindir or find_bindir()
        if not (self.bindir / "initdb").is_file():
            raise ClusterUnavailable(f"no initdb in {self.bindir}")
        self.as_root = os.geteuid() == 0
        self.root = Path(tempfile.mkdtemp(prefix="ixpg-"))  # short: socket paths <= 107 bytes
        self.data = self.root / "data"
        self.sockets = self.root / "run"
        self.port = free_port()
        self.superuser_password = secrets.token_hex(16)
        self.fsync = fsync
        self.passfile = self.root / "pgpass"
        self._passwords: dict[str, str] = {SUPERUSER: self.superuser_password}
        self._initialised = False
        os.chmod(self.root, 0o755)
        self.sockets.mkdir(mode=0o755)
        if self.as_root:
            shutil.chown(self.root, SUPERUSER, SUPERUSER)
            shutil.chown(self.sockets, SUPERUSER, SUPERUSER)

    # --- running server commands as the right user ------------------------------------------
    def _run(self, *args: str, check: bool = True, timeout: float = 120) -> str:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            if shutil.which("runuser") is None:
                raise ClusterUnavailable("running as root needs runuser to start PostgreSQL")
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise ClusterUnavailable(
                f"{' '.join(args[:2])} failed ({done.returncode}): {done.stderr.strip()[-2000:]}"
            )
        return done.stdout

    def _initdb(self) -> None:
        pwfile = self.root / "initdb-pw"
        pwfile.write_text(self.superuser_password + "\n")
        if self.as_root:
            shutil.chown(pwfile, SUPERUSER, SUPERUSER)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--pwfile",
            str(pwfile),
            "--auth-local=scram-sha-256",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        pwfile.unlink()
        settings = {
            "listen_addresses": "''",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.sockets}'",
            "max_connections": "60",
            "shared_buffers": "32MB",
            "fsync": "on" if self.fsync else "off",
            "log_min_messages": "warning",
            "logging_collector": "off",
        }
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# throwaway test cluster (tests/pg_cluster.py)\n")
            for key, value in settings.items():
                conf.write(f"{key} = {value}\n")
        self._initialised = True

    def start(self) -> Cluster:
        if not self._initialised:
            self._initdb()
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            "120",
            "start",
        )
        self._write_passfile()
        return self

    def stop(self, mode: str = "fast") -> None:
        """``pg_ctl stop -m MODE`` (``immediate``: the crash test's power cut of the server)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def destroy(self) -> None:
        if self._initialised:
            with contextlib.suppress(ClusterUnavailable, OSError, subprocess.SubprocessError):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return (self.root / "server.log").read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    # --- connecting ---------------------------------------------------------------------------
    def url(self, user: str = SUPERUSER, dbname: str = "ixempra") -> str:
        """A libpq URI to this cluster's socket, with no password (passwords are in the
        passfile, or given in memory)."""
        return (
            f"postgresql://{quote(user, safe='')}@/{quote(dbname, safe='')}"
            f"?host={quote(str(self.sockets), safe='')}&port={self.port}"
        )

    def conninfo(self, user: str = SUPERUSER, dbname: str = "postgres") -> str:
        return f"host={self.sockets} port={self.port} user={user} dbname={dbname}"

    def remember_password(self, user: str, password: str) -> None:
        """Put a role's password into this cluster's passfile (tests only: a shared passfile
        stands in for each pharmacist's own .pgpass)."""
        self._passwords[user] = password
        self._write_passfile()

    def _write_passfile(self) -> None:
        def esc(text: str) -> str:
            return re.sub(r"([:\\])", r"\\\1", text)

        lines = [
            f"{esc(str(self.sockets))}:{self.port}:*:{esc(user)}:{esc(password)}"
            for user, password in self._passwords.items()
        ]
        fd = os.open(self.passfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")

    def psql(self, sql: str, user: str = SUPERUSER, dbname: str = "postgres") -> str:
        """Run SQL as ``user`` through psql (password from the passfile)."""
        env = dict(os.environ, PGPASSFILE=str(self.passfile))
        done = subprocess.run(
            [
                str(self.bindir / "psql"),
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                self.conninfo(user, dbname),
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"psql as {user}: {done.stderr.strip()}")
        return done.stdout
