"""A real Celery worker and a real SMTP server, for tests that kill processes (PostgreSQL + Redis).

``SmtpSink`` is an aiosmtpd server in a thread of the test process. It keeps every message
whose DATA it received (``received``), and can be told to *hold* the next message to an
address (``hold_next``): after its DATA (it has the whole message but does not answer) or
before it (after RCPT) — until ``release()``. A worker that dies in that moment cannot
know whether the report went out.

``Worker`` is ``celery -A assetlife worker`` in a process group of its own, pointed at the
test database (the transactional test commits, so the worker sees what the test wrote)
and at the broker the test run is configured with (``CELERY_BROKER_URL``). It can lose its
pool process (``kill_pool_process``) or die whole (``kill``), both by SIGKILL.

Every wait polls with a generous timeout instead of sleeping a fixed time: on a loaded
2-core machine a worker takes seconds to start.
"""

from __future__ import annotations

import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from email.message import Message
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent
REPORT_HEADER = "X-AssetLife-Report"
NOTICE_HEADER = "X-AssetLife-Notice"


def wait_for(predicate: Callable[[], object], *, timeout: float = 60, what: str = "", log: Callable[[], str] = str):
    """Poll ``predicate`` until it is true; fail naming ``what`` (and the worker's log) after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}.\n{log()[-4000:]}")
        time.sleep(0.1)


def free_port() -> int:
    """A TCP port nothing listens on: the first free one of ``TEST_PORT_RANGE`` (``8401-8449``) if
    that is set (engineers sharing a machine each have a range), else one the kernel picks."""
    wanted = os.environ.get("TEST_PORT_RANGE", "")
    candidates = [0]
    if wanted:
        first, last = (int(part) for part in wanted.split("-"))
        candidates = list(range(first, last + 1))
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError(f"No free port in TEST_PORT_RANGE={wanted}")


class SmtpSink:
    """An SMTP server that counts what it received and can hold a message without answering."""

    def __init__(self, port: int):
        self.port = port
        self.received: list[Message] = []
        self.held = 0
        self._hold: tuple[str, str] | None = None
        self._drop_to: str | None = None
        self._controller = None
        self._release: asyncio.Event | None = None

    def hold_next(self, *, at: str, to: str) -> None:
        """Hold the next message to ``to`` after its ``RCPT`` (nothing of it received yet) or its
        ``DATA`` (all of it received, but not acknowledged)."""
        assert at in ("RCPT", "DATA")
        self._hold = (at, to)

    def drop_next(self, *, to: str) -> None:
        """Take the whole next message to ``to``, then close the connection without answering."""
        self._drop_to = to

    # aiosmtpd calls these on its own event loop.
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        envelope.rcpt_tos.append(address)
        if self._hold == ("RCPT", address):
            await self._stall()
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(email.message_from_bytes(envelope.original_content or envelope.content))
        if self._drop_to is not None and self._drop_to in envelope.rcpt_tos:
            self._drop_to = None
            server.transport.close()
            return "421 Closing"  # never reaches the client: the connection is gone
        if self._hold is not None and self._hold[0] == "DATA" and self._hold[1] in envelope.rcpt_tos:
            await self._stall()
        return "250 Message accepted for delivery"

    async def _stall(self) -> None:
        self._hold = None
        self.held += 1
        self._release = asyncio.Event()
        await self._release.wait()

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, ready_timeout=30)
        self._controller.start()
        return self

    def release(self) -> None:
        if self._controller is not None and self._release is not None:
            self._controller.loop.call_soon_threadsafe(self._release.set)

    def stop(self) -> None:
        if self._controller is not None:
            self.release()
            self._controller.stop()
            self._controller = None

    def reports(self) -> list[Message]:
        return [m for m in self.received if m[REPORT_HEADER]]

    def notices(self) -> list[Message]:
        return [m for m in self.received if m[NOTICE_HEADER]]


def worker_database_url() -> str:
    """The URL of the database this test runs on (pytest-django's ``test_…`` database)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


def clear_broker() -> None:
    """Empty the queues the worker reads and kombu's unacked bookkeeping in the test broker."""
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    keys = [*client.scan_iter("email*"), *client.scan_iter("default*"), "unacked", "unacked_index", "unacked_mutex"]
    client.delete(*keys)
    client.close()


def broker_idle() -> bool:
    """No message waiting in the worker's queues and none delivered but unacknowledged."""
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        waiting = sum(client.llen(key) for key in [*client.scan_iter("email*"), *client.scan_iter("default*")])
        return waiting == 0 and client.hlen("unacked") == 0
    finally:
        client.close()


class Worker:
    """``celery worker`` on the ``email`` and ``default`` queues, one pool process."""

    def __init__(self, log_path: Path, env: dict[str, str]):
        self.log_path = log_path
        self.env = env
        self.process: subprocess.Popen | None = None

    def start(self, *, timeout: float = 90, **extra_env: str) -> Worker:
        env = {**os.environ, **self.env, **extra_env}
        starts = self.log().count(" ready.")
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "assetlife",
                "worker",
                "--queues=email,default",
                "--pool=prefork",
                "--concurrency=1",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "--loglevel=INFO",
                f"--hostname=crash-test-{os.getpid()}@%h",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill() takes the pool with it
        )
        log.close()
        wait_for(
            lambda: self.log().count(" ready.") > starts or self.process.poll() is not None,
            timeout=timeout,
            what="the worker to start",
            log=self.log,
        )
        assert self.process.poll() is None, f"The worker exited:\n{self.log()[-4000:]}"
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def pool_process(self) -> int:
        """The pid of the (single) pool process running the tasks."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        assert len(children) == 1, f"expected one pool process, found {children}"
        return int(children[0])

    def kill_pool_process(self) -> None:
        os.kill(self.pool_process(), signal.SIGKILL)

    def kill(self) -> None:
        """The whole worker dies at once (the machine lost power, the container was OOM-killed)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """End the test's worker at once (its unacknowledged task is cleared from the broker after)."""
        if self.process is not None and self.process.poll() is None:
            self.kill()
