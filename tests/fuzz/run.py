"""``make fuzz``: schemathesis against a live gunicorn on PostgreSQL, as two callers.

1. (Re)creates its own database, ``FUZZ_DATABASE_URL`` (default
   ``postgres://postgres@127.0.0.1:5432/assetlife_schemathesis``), migrates it and seeds it
   (``tests.fuzz.seed``: a small demo fleet, a superuser and an access-scoped user, each
   with a token);
2. serves the product with gunicorn on ``127.0.0.1:FUZZ_PORT`` (default 8111) in production
   mode (``DEBUG`` off, as deployed: error pages are the product's, not Django's debug ones);
3. runs ``schemathesis run`` with ``--checks all``, positive and negative data, and every
   phase (examples, coverage, fuzzing, stateful), once per caller, each for at most
   ``FUZZ_SECONDS`` (default 140 s), and counts the requests each one made (gunicorn's
   access log);
4. exits non-zero when a run found a failure (or could not run), zero otherwise.

The counts and the seed are printed at the end; docs/api.md records the last numbers.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("FUZZ_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/assetlife_schemathesis")
PORT = int(os.environ.get("FUZZ_PORT", "8111"))
SECONDS = int(os.environ.get("FUZZ_SECONDS", "140"))
SEED = os.environ.get("FUZZ_SEED", "20261201")
SERVERS = os.environ.get("FUZZ_SERVERS", "20")


def log(message: str) -> None:
    print(f"fuzz: {message}", flush=True)


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"fuzz: FUZZ_DATABASE_URL names an odd database {name!r}; use letters, digits and _.")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"fuzz: gunicorn exited ({process.returncode}) before it answered.")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise SystemExit(f"fuzz: gunicorn did not answer on port {port} within {seconds} s.")


def requests_in(access_log: Path) -> int:
    return sum(1 for _ in access_log.open()) if access_log.exists() else 0


def fetch_schema(path: Path) -> None:
    """The schema, read once (building it takes seconds in a cold worker): both runs use the file."""
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/v1/schema/?format=json", timeout=180) as response:
        path.write_bytes(response.read())


def schemathesis(caller: str, token: str, schema: Path, report_dir: Path) -> int:
    command = [
        str(BIN / "schemathesis"),
        "run",
        str(schema),
        "--url",
        f"http://127.0.0.1:{PORT}",
        "--header",
        f"Authorization: Token {token}",
        "--checks",
        "all",
        # Replaced by tests/fuzz/hooks.py's positive_data_acceptance_within_the_domain, which
        # runs it on everything but the 400s of rules no schema can state (docs/api.md).
        "--exclude-checks",
        "positive_data_acceptance",
        "--mode",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-time",
        str(SECONDS),
        "--seed",
        SEED,
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
        "--report",
        "junit,ndjson",
        "--report-dir",
        str(report_dir / caller),
        "--no-color",
    ]
    log(f"schemathesis as {caller} (at most {SECONDS} s)")
    return subprocess.run(command, cwd=ROOT, env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks"}).returncode


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="assetlife-fuzz-"))
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "ASSETLIFE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "CELERY_BROKER_URL": os.environ.get("FUZZ_CELERY_BROKER_URL", "redis://127.0.0.1:6379/14"),
        "ASSETLIFE_VAR_DIR": str(work / "var"),
        "EMAIL_OUTBOX_DIR": str(work / "outbox"),
        "API_THROTTLE_USER": "10000000/hour",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DATABASE_REPLICA_URL", None)
    log(f"database {DATABASE_URL}, port {PORT}, reports and logs in {work}")
    recreate_database(DATABASE_URL)
    for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
        subprocess.run([sys.executable, "manage.py", *command, "-v", "0"], cwd=ROOT, env=env, check=True)
    seeded = subprocess.run(
        [sys.executable, "-m", "tests.fuzz.seed"],
        cwd=ROOT,
        env={**env, "FUZZ_SERVERS": SERVERS},
        check=True,
        capture_output=True,
        text=True,
    )
    tokens = json.loads(seeded.stdout.strip().splitlines()[-1])
    log(f"seeded {SERVERS} demo servers; scoped user limited to {tokens['scope']}")

    access_log = work / "access.log"
    server_log = (work / "gunicorn.log").open("w")
    gunicorn = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "assetlife.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--timeout",
            "60",
            "--access-logfile",
            str(access_log),
        ],
        cwd=ROOT,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    results = {}
    try:
        wait_for_port(PORT, gunicorn)
        fetch_schema(work / "schema.json")
        for caller in ("admin", "scoped"):
            before = requests_in(access_log)
            code = schemathesis(caller, tokens[caller], work / "schema.json", work / "reports")
            results[caller] = (code, requests_in(access_log) - before)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
        server_log.close()
    errors = (work / "gunicorn.log").read_text().count("Traceback")
    for caller, (code, count) in results.items():
        log(f"{caller}: {count} requests, schemathesis exit {code} ({'passed' if code == 0 else 'FAILED'})")
    if errors:
        log(f"the server logged {errors} traceback(s): see {work / 'gunicorn.log'}")
    failed = errors or any(code != 0 for code, _ in results.values()) or len(results) != 2
    log("FAILED" if failed else "passed: zero failures")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
