"""What tests/ and bench/ share, outside the shipped package: a free loopback port, latency
percentiles, and `mlflow models serve` started in its own process group and always stopped.

Everything binds to 127.0.0.1; every process started here is stopped here, by its own pid.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

BIN = Path(sys.executable).parent
# Loading the model and importing MLflow take ~20 s on an idle 2-core machine and up to
# ~75 s on a busy one; a server that is not up after this long is broken.
START_TIMEOUT = 240


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank q-th percentile (0 < q <= 100) of values; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def latency_summary(ms: list[float]) -> dict:
    """p50 (median), p99 and mean of timings in milliseconds, rounded to µs, and their count."""
    return {"p50_ms": round(statistics.median(ms), 3), "p99_ms": round(percentile(ms, 99), 3),
            "mean_ms": round(statistics.fmean(ms), 3), "n": len(ms)}


def _pings(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/ping", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


class MlflowServer:
    """`mlflow models serve -m model_uri` on a loopback port, in its own process group.

    Use as a context manager (stopped on exit) or call stop(); ready() waits for it."""

    def __init__(self, model_uri: str, *, cwd: Path, env: dict, log_path: Path, workers: int = 1,
                 port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(log_path)
        self.started = time.perf_counter()
        with self.log_path.open("w") as log:   # the child holds its own copy
            self.process = subprocess.Popen(
                [str(BIN / "mlflow"), "models", "serve", "-m", str(model_uri), "--env-manager", "local",
                 "-h", "127.0.0.1", "-p", str(self.port), "-w", str(workers)],
                cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def ready(self, probe: Callable[[str], bool] = _pings, timeout: float = START_TIMEOUT) -> float:
        """Seconds from process start until probe(url) is true (default: /ping answers 200);
        raises if the server exits or the time runs out."""
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: {self.log[-3000:]}")
            if probe(self.url):
                return time.perf_counter() - self.started
            if time.perf_counter() - self.started > timeout:
                raise TimeoutError(f"server not ready within {timeout:.0f} s: {self.log[-3000:]}")
            time.sleep(0.1)

    def rss_mb(self) -> dict:
        """Resident memory of the server's process tree: total and its largest process (the worker)."""
        sizes = [size for size in map(_rss_kb, _descendants(self.process.pid) | {self.process.pid}) if size]
        return {"total_mb": round(sum(sizes) / 1024, 1), "largest_mb": round(max(sizes, default=0) / 1024, 1),
                "processes": len(sizes)}

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def __enter__(self) -> MlflowServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
