"""A real streaming replica of the test database's PostgreSQL cluster, on this machine.

``ReplicaCluster.create()`` copies the primary cluster with ``pg_basebackup -R`` (a
physical copy: every database, including the ``test_…`` database pytest-django creates
later, streams to it) into a temporary directory and starts it as a hot standby on its
own port; ``remove()`` stops it and deletes the directory. PostgreSQL refuses to run as
root, so when the tests run as root every server command runs as the ``postgres`` user.

The primary must accept replication connections from the test's host: pg_hba.conf's
``all`` does not cover them (``.ci/run`` adds ``host replication all 127.0.0.1/32 trust``
once and reloads; see docs/scaling.md).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

# Settings a hot standby must hold at least as high as its primary, or it refuses to start.
AT_LEAST_PRIMARY = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


class ReplicaUnavailable(Exception):
    """The replica could not be made: the message says why and what to change."""


@dataclass(frozen=True)
class Primary:
    host: str
    port: int
    user: str
    password: str

    def connect(self, dbname: str = "postgres", **kwargs) -> psycopg.Connection:
        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, password=self.password or None, dbname=dbname, **kwargs
        )


def _run_as_postgres() -> list[str]:
    """As root, run server programs as ``postgres`` (util-linux's runuser); else as we are."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class ReplicaCluster:
    def __init__(self, primary: Primary, port: int):
        self.primary = primary
        self.port = port
        self.directory: Path | None = None
        self.bindir = self._bindir()

    # --- life cycle -----------------------------------------------------------------------

    def create(self) -> None:
        self._check_port_free()
        self._check_replication_allowed()
        self.directory = Path(tempfile.mkdtemp(prefix="assetlife-replica-"))
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.directory, owner.pw_uid, owner.pw_gid)
        env = {"PGPASSWORD": self.primary.password} if self.primary.password else {}
        self._server(
            "pg_basebackup",
            f"--host={self.primary.host}",
            f"--port={self.primary.port}",
            f"--username={self.primary.user}",
            f"--pgdata={self.data}",
            "--write-recovery-conf",  # -R: standby.signal + primary_conninfo
            "--wal-method=stream",
            "--checkpoint=fast",  # a spread checkpoint could take minutes
            "--no-sync",
            "--no-manifest",
            env=env,
        )
        self._write_config()
        self.start()

    def start(self) -> None:
        self._server("pg_ctl", "start", f"--pgdata={self.data}", f"--log={self.log}", "--wait", "--timeout=60")
        self._wait_accepting()

    def stop(self) -> None:
        self._server("pg_ctl", "stop", f"--pgdata={self.data}", "--mode=fast", "--wait", "--timeout=60")

    def remove(self) -> None:
        if self.directory is None:
            return
        if (self.data / "postmaster.pid").exists():
            self._server("pg_ctl", "stop", f"--pgdata={self.data}", "--mode=immediate", "--wait", check=False)
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory = None

    @property
    def running(self) -> bool:
        return self.directory is not None and (self.data / "postmaster.pid").exists()

    # --- replication control ------------------------------------------------------------

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user=self.primary.user, dbname=dbname, autocommit=True)

    def pause_replay(self) -> None:
        """WAL still arrives; it is not applied until ``resume_replay()``."""
        with self.connect() as conn:
            conn.execute("SELECT pg_wal_replay_pause()")
            for _ in range(100):
                if conn.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] == "paused":
                    return
                time.sleep(0.05)
        raise ReplicaUnavailable("replay did not pause")

    def resume_replay(self) -> None:
        with self.connect() as conn:
            conn.execute("SELECT pg_wal_replay_resume()")

    def wait_caught_up(self, timeout: float = 30) -> None:
        """Until the replica has applied everything the primary has written so far."""
        with self.primary.connect(autocommit=True) as conn:
            target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        with self.connect() as conn:
            while time.monotonic() < deadline:
                if conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()[0]:
                    return
                time.sleep(0.02)
        raise ReplicaUnavailable(f"the replica did not reach {target} in {timeout} s\n{self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    # --- details --------------------------------------------------------------------------

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def log(self) -> Path:
        return self.directory / "replica.log"

    def _bindir(self) -> Path:
        override = os.environ.get("TEST_REPLICA_PG_BINDIR")
        if override:
            return Path(override)
        try:
            with self.primary.connect() as conn:
                version = conn.execute("SHOW server_version_num").fetchone()[0]
        except psycopg.Error as error:
            raise ReplicaUnavailable(f"cannot reach the primary: {error}") from error
        debian = Path(f"/usr/lib/postgresql/{int(version) // 10000}/bin")
        if (debian / "pg_ctl").exists():
            return debian
        found = shutil.which("pg_ctl")
        if found:
            return Path(found).parent
        raise ReplicaUnavailable(
            f"no pg_ctl for PostgreSQL {int(version) // 10000} (looked in {debian} and PATH); "
            "set TEST_REPLICA_PG_BINDIR to its bin directory"
        )

    def _server(self, program: str, *args: str, env: dict | None = None, check: bool = True) -> None:
        command = [*_run_as_postgres(), str(self.bindir / program), *args]
        result = subprocess.run(
            command, env={**os.environ, **(env or {})}, capture_output=True, text=True, cwd=tempfile.gettempdir()
        )
        if check and result.returncode != 0:
            log = self.log_tail() if self.directory else ""
            raise ReplicaUnavailable(f"{program} failed ({result.returncode}): {result.stderr.strip()}\n{log}")

    def _check_port_free(self) -> None:
        try:
            psycopg.connect(host="127.0.0.1", port=self.port, user=self.primary.user, dbname="postgres").close()
        except psycopg.OperationalError as error:
            if "Connection refused" in str(error) or "could not connect" in str(error):
                return
        leftovers = sorted(str(path) for path in Path(tempfile.gettempdir()).glob("assetlife-replica-*/data"))
        stop = "; ".join(f"runuser -u postgres -- {self.bindir / 'pg_ctl'} stop -D {path}" for path in leftovers)
        raise ReplicaUnavailable(
            f"port {self.port} is taken (a replica left over from an interrupted run? {stop or 'none found'}); "
            "stop it, or choose another port with TEST_REPLICA_PORT"
        )

    def _check_replication_allowed(self) -> None:
        try:
            self.primary.connect(replication="true").close()
        except psycopg.OperationalError as error:
            raise ReplicaUnavailable(
                f"the primary refuses replication connections ({str(error).strip()}); add "
                f"'host replication all {self.primary.host}/32 trust' to its pg_hba.conf and reload it "
                "(.ci/run does this)"
            ) from error

    def _write_config(self) -> None:
        with self.primary.connect() as conn:
            minimums = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in AT_LEAST_PRIMARY}
        settings = {
            "port": self.port,
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.directory}'",
            "hot_standby": "on",
            # Queries on the standby hold back the primary's cleanup instead of being cancelled.
            "hot_standby_feedback": "on",
            "wal_receiver_status_interval": "1s",
            "shared_buffers": "32MB",
            "fsync": "off",  # a throw-away copy
            "logging_collector": "off",
            **minimums,
        }
        config = "".join(f"{name} = {value}\n" for name, value in settings.items())
        hba = "local all all trust\nhost all all 127.0.0.1/32 trust\n"
        for name, text in (("postgresql.conf", config), ("pg_hba.conf", hba), ("pg_ident.conf", "")):
            self._write_as_postgres(self.data / name, text)

    def _write_as_postgres(self, path: Path, text: str) -> None:
        path.write_text(text)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(path, owner.pw_uid, owner.pw_gid)
            path.chmod(0o600)

    def _wait_accepting(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with self.connect() as conn:
                    if conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                        return
            except psycopg.OperationalError:
                time.sleep(0.1)
        raise ReplicaUnavailable(f"the replica did not accept connections in {timeout} s\n{self.log_tail()}")
