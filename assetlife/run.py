"""``python -m assetlife.run``: the Procfile's web server, workers and beat, as ``make run`` starts them.

honcho (``honcho.manager.Manager``) runs and prefixes the processes; three of its defaults
are changed so that Ctrl-C is a clean stop:

* **Only this launcher hears Ctrl-C.** A terminal sends SIGINT to its whole foreground
  process group: ``make`` too, which then dies of it (``make: *** [run] Interrupt``, exit
  status 130) whatever its recipe does. Run from a terminal, the launcher takes the
  terminal's foreground for a process group of its own, as a job-control shell does, and
  gives it back when it exits; ``make`` just waits for it.
* **SIGTERM goes to each process, not its group,** and each Procfile line is ``exec``-ed
  so that the process is the command, not a shell in front of it. honcho signals the process group,
  which kills Celery's pool children under the worker's feet (one ``ERROR ... exited with
  'signal 15 (SIGTERM)'`` line per child). Told alone, the worker stops its pool itself.
* **Enough time to stop, and a status that says how it went.** A warm shutdown of three
  workers on a loaded machine takes more than honcho's 5 s before SIGKILL; and honcho exits
  130 after any Ctrl-C. Here: 0 when every process stopped because it was told to,
  otherwise the status of the first one that stopped on its own (a crash stops the others).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from pathlib import Path

from honcho import manager as honcho_manager
from honcho.compat import ProcessManager
from honcho.environ import expand_processes, parse_procfile
from honcho.printer import Printer

BASE_DIR = Path(__file__).resolve().parent.parent
STOP_WAIT_SECONDS = 30
# How a process told to stop (SIGTERM) may end: exit 0, or killed by that signal.
STOPPED_AS_TOLD = {0, -signal.SIGTERM, 128 + signal.SIGTERM}


class SignalEachProcess(ProcessManager):
    """honcho's process manager, signalling the process itself instead of its group."""

    def terminate(self, pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)


@contextlib.contextmanager
def terminal_foreground():
    """While inside, this process's own group is the terminal's foreground (if there is a terminal)."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:  # no controlling terminal: CI, a test, nohup
        yield False
        return
    try:
        previous = os.tcgetpgrp(tty)
        if os.getpgrp() != os.getpid():
            os.setpgid(0, 0)
        _set_foreground(tty, os.getpgrp())
        try:
            yield True
        finally:
            _set_foreground(tty, previous)
    finally:
        os.close(tty)


def _set_foreground(tty: int, group: int) -> None:
    # A background group that sets the foreground is sent SIGTTOU (and stopped) unless it ignores it.
    old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        with contextlib.suppress(OSError):
            os.tcsetpgrp(tty, group)
    finally:
        signal.signal(signal.SIGTTOU, old)


def exit_status(manager: honcho_manager.Manager, *, told_to_stop: bool) -> int:
    codes = {name: process.get("returncode") for name, process in manager._processes.items()}
    if told_to_stop:
        return 0 if all(code in STOPPED_AS_TOLD for code in codes.values()) else 1
    # Stopped because one process ended on its own: that one's status (honcho keeps the first);
    # killed by a signal nobody here sent, 1.
    first = manager.returncode
    return first if isinstance(first, int) and first >= 0 else 1


def run(procfile: Path, port: int) -> int:
    honcho_manager.KILL_WAIT = STOP_WAIT_SECONDS
    manager = honcho_manager.Manager(Printer(sys.stdout, colour=sys.stdout.isatty()))
    manager._procmgr = SignalEachProcess()
    processes = parse_procfile(procfile.read_text()).processes
    for process in expand_processes(processes, port=port, env={"PORT": str(port)}):
        env = {**os.environ, **process.env}
        # ``exec``: the process honcho signals is the command itself, not a shell that would
        # die of SIGTERM and leave the command running.
        manager.add_process(process.name, f"exec {process.cmd}", quiet=process.quiet, env=env)
    with terminal_foreground():
        manager.loop()
    told = manager.returncode in (128 + signal.SIGINT, 128 + signal.SIGTERM)
    status = exit_status(manager, told_to_stop=told)
    if told and status == 0:
        print("AssetLife stopped: web, workers and beat.", flush=True)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procfile", type=Path, default=BASE_DIR / "Procfile")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
    args = parser.parse_args(argv)
    return run(args.procfile, args.port)


if __name__ == "__main__":
    sys.exit(main())
