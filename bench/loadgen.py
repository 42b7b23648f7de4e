"""A load generator on loopback: wrk when installed, else a threaded keep-alive client."""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import threading
import time


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def requests_per_second(url: str, *, headers: dict, seconds: float, connections: int = 32) -> tuple[float, str]:
    if wrk_available():
        return _wrk(url, headers=headers, seconds=seconds, connections=connections), "wrk"
    return _threads(url, headers=headers, seconds=seconds, connections=connections), "python threads"


def _wrk(url, *, headers, seconds, connections) -> float:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise RuntimeError(f"{url} answered {non_2xx.group(1)} errors under load:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def _threads(url, *, headers, seconds, connections) -> float:
    match = re.match(r"http://([^:/]+):(\d+)(/.*)", url)
    host, port, path = match.group(1), int(match.group(2)), match.group(3)
    deadline = time.perf_counter() + seconds
    counts = [0] * connections
    errors = []

    def worker(index):
        conn = http.client.HTTPConnection(host, port, timeout=30)
        while time.perf_counter() < deadline:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
                return
            counts[index] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{url} answered {errors[0]} under load")
    return sum(counts) / (time.perf_counter() - started)
