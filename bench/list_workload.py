"""The asset list endpoint under load, against a bare ``.values()`` + ``JsonResponse`` view."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .loadgen import requests_per_second
from .measure import Figure, human

API_PATH = "/api/v1/assets/?page_size=100"
BARE_PATH = "/bench/bare-assets/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(database_url: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "CONN_MAX_AGE": "600",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{BARE_PATH}", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def query_counts(token: str) -> tuple[int, int]:
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    counts = []
    for size in (10, 100):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/v1/assets/?page_size={size}")
        assert response.status_code == 200, response.content[:300]
        counts.append(len(captured))
    return counts[0], counts[1]


def list_figure(database_url: str, token: str, assets: int, *, seconds: float) -> Figure:
    port = _free_port()
    server = _serve(database_url, port)
    try:
        headers = {"Authorization": f"Token {token}"}
        base = f"http://127.0.0.1:{port}"
        ours, tool = requests_per_second(base + API_PATH, headers=headers, seconds=seconds)
        bare, _ = requests_per_second(base + BARE_PATH, headers=headers, seconds=seconds)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    small, large = query_counts(token)
    ratio = ours / bare
    return Figure(
        workload="asset list: GET /api/v1/assets/, 100 per page, 32 connections",
        size=f"{human(assets)} assets",
        ours=ours,
        reference=bare,
        unit="req/s",
        ratio=ratio,
        goal="≥ 50 % of a bare .values() view; fixed query count",
        met=ratio >= 0.5 and small == large,
        note=f"{tool}; queries per request: {small} at 10 rows, {large} at 100 rows; gunicorn 2 workers",
    )
