"""``make serve`` (the end of ``make run``): Ctrl-C in its terminal stops web, workers and beat
cleanly: no ERROR line, no ``make: *** Interrupt``, exit status 0.

For real: ``make`` runs on a pseudo-terminal that is its controlling terminal, and the test
types Ctrl-C into it, so the terminal driver sends SIGINT to its foreground process group
exactly as it does for a person. The processes use a SQLite database and the filesystem
broker in a temporary directory (migrated first: beat reads its schedule from the database).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import subprocess
import sys
import termios
import time

import pytest

from tests.live import BASE_DIR, free_port

WORKERS = 3  # default, metrics, email: each logs "<name>@<host> ready."

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _controlling_terminal():
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    def __init__(self, args, env):
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            args, cwd=BASE_DIR, stdin=slave, stdout=slave, stderr=slave, env=env, preexec_fn=_controlling_terminal
        )
        os.close(slave)
        self.output = b""

    def read(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if not ready:
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:  # the other end closed
                return
            if not data:
                return
            self.output += data

    def read_until(self, predicate, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.output) or self.process.poll() is not None:
                return predicate(self.output)
            self.read(0.5)
        return predicate(self.output)

    @property
    def text(self) -> str:
        return self.output.decode(errors="replace")


@pytest.fixture
def var_dir(tmp_path):
    env = {**os.environ, "ASSETLIFE_VAR_DIR": str(tmp_path), "DATABASE_URL": "", "CELERY_BROKER_URL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0", "--no-input"], cwd=BASE_DIR, env=env, check=True)
    return env


def test_ctrl_c_stops_web_workers_and_beat_with_no_error_and_status_0(var_dir):
    port = free_port()
    terminal = Terminal(["make", "-s", "serve", f"PORT={port}"], {**var_dir, "PORT": str(port)})
    try:
        started = terminal.read_until(lambda out: out.count(b" ready.") >= WORKERS and b"beat" in out, 150)
        assert started, terminal.text[-4000:]
        terminal.read(2)
        os.write(terminal.master, b"\x03")  # Ctrl-C, typed
        stopped = terminal.read_until(lambda out: b"AssetLife stopped" in out, 90)
        terminal.process.wait(timeout=30)
        terminal.read(0.5)
    finally:
        if terminal.process.poll() is None:
            terminal.process.kill()
        os.close(terminal.master)
    text = terminal.text
    assert stopped, text[-4000:]
    assert terminal.process.returncode == 0, text[-4000:]
    assert "ERROR" not in text and "Traceback" not in text, text[-4000:]
    assert "Interrupt" not in text  # make itself did not hear Ctrl-C
    for name in ("web", "worker-default", "worker-metrics", "worker-email", "beat"):
        assert f"{name}.1 stopped" in text
    assert "SIGKILL" not in text  # each stopped when told, none had to be killed
