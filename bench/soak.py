"""Bounded soak test of the served model on loopback: N concurrent clients for S seconds.

    python bench/soak.py                                  # 60 s, 16 clients, starts its own server
    python bench/soak.py --seconds 10                     # the short version (CI)
    python bench/soak.py --url http://127.0.0.1:5000 --pid 1234   # an existing server

Without --url it starts `mlflow models serve -m MODEL_URI --env-manager local -w 1` on a free
127.0.0.1 port (tracking store from MLFLOW_TRACKING_URI, default sqlite:///mlflow.db), waits
for /ping, warms up, measures, and stops the server.

Reports requests, errors, throughput, p50/p90/p99/max latency, and the server's RSS (the whole
process tree) at minute 0 (after warm-up) and at the end. Exit status 1 when there was any
error or RSS grew by --max-rss-growth (default 10%) or more.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import BIN, MlflowServer, percentile  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "netflix_titles.csv"
_TEXTS = [
    "astronauts stranded far from earth", "a haunted house and a family with secrets",
    "heist crew plans one last job", "true crime documentary about a serial killer",
    "korean drama about first love", "kids animated adventure with talking animals",
    "a detective hunts a killer in a small town", "stand-up comedy special", "zombie apocalypse survival",
]
_FILTERS = [{}, {"type": "Movie"}, {"type": "TV Show", "min_year": 2015}, {"genre": "Horror"},
            {"country": "India"}, {"rating": "TV-MA", "max_year": 2019}]


def request_bodies(n: int = 400, seed: int = 7) -> list[bytes]:
    """A deterministic mix: title, description, both, filtered, and small batches."""
    with DATA.open(encoding="utf-8", newline="") as handle:
        titles = [row["title"] for row in csv.DictReader(handle)]
    rng = random.Random(seed)
    bodies = []
    for i in range(n):
        kind = i % 5
        if kind == 0:
            rows = [{"title": rng.choice(titles)}]
        elif kind == 1:
            rows = [{"description": rng.choice(_TEXTS)}]
        elif kind == 2:
            rows = [{"title": rng.choice(titles), "description": rng.choice(_TEXTS)}]
        elif kind == 3:
            rows = [{"title": rng.choice(titles)} for _ in range(rng.randint(2, 8))]
        else:
            rows = [{"description": rng.choice(_TEXTS)}]
        params = {"k": rng.choice([5, 10, 20]), **(_FILTERS[i % len(_FILTERS)] if kind in (1, 4) else {})}
        bodies.append(json.dumps({"dataframe_records": rows, "params": params}).encode())
    return bodies


def tree_rss_bytes(pid: int) -> tuple[int, int]:
    """(RSS of pid and all its descendants, RSS of the leaves only) from Linux /proc.

    The leaves are the uvicorn worker(s) that hold the model; the parents (the mlflow CLI,
    uvicorn's supervisor) are constant overhead that would dilute the growth figure."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
    total = leaves = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) * 1024
                    total += rss
                    if not children.get(current):
                        leaves += rss
    return total, leaves


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}

    def record(self, latency: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(latency)
            if error:
                self.errors[error] = self.errors.get(error, 0) + 1


def _client(url: str, bodies: list[bytes], offset: int, stop: threading.Event, stats: Stats | None) -> None:
    session = requests.Session()
    headers = {"Content-Type": "application/json"}
    i = offset
    while not stop.is_set():
        body = bodies[i % len(bodies)]
        i += 1
        started = time.perf_counter()
        error = None
        try:
            response = session.post(f"{url}/invocations", data=body, headers=headers, timeout=30)
            if response.status_code != 200:
                error = f"HTTP {response.status_code}: {response.text[:120]}"
            elif not response.json().get("predictions"):
                error = "empty predictions"
        except requests.RequestException as exc:
            error = type(exc).__name__
        if stats is not None:
            stats.record(time.perf_counter() - started, error)
    session.close()


def load(url: str, seconds: float, clients: int, bodies: list[bytes], stats: Stats | None,
         on_tick=None) -> float:
    """Run `clients` threads for `seconds`; call on_tick(elapsed) about once a second."""
    stop = threading.Event()
    threads = [threading.Thread(target=_client, args=(url, bodies, c * 37, stop, stats), daemon=True)
               for c in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    while (elapsed := time.monotonic() - started) < seconds:
        if on_tick:
            on_tick(elapsed)
        time.sleep(min(1.0, max(0.0, seconds - elapsed)))
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    return time.monotonic() - started


def soak(url: str, *, seconds: float, clients: int, pid: int | None, warmup: float) -> dict:
    bodies = request_bodies()
    load(url, warmup, clients, bodies, None)  # first-request costs and allocator growth
    rss = []
    if pid:
        rss.append((0.0, tree_rss_bytes(pid)))
    stats = Stats()
    duration = load(url, seconds, clients, bodies, stats,
                    on_tick=(lambda t: rss.append((t, tree_rss_bytes(pid)))) if pid else None)
    if pid:
        rss.append((duration, tree_rss_bytes(pid)))
    latencies = sorted(stats.latencies)
    result = {
        "seconds": round(duration, 1),
        "clients": clients,
        "requests": len(latencies),
        "errors": sum(stats.errors.values()),
        "error_kinds": stats.errors,
        "throughput_rps": round(len(latencies) / duration, 1) if duration else 0.0,
        "latency_ms": {name: round(percentile(latencies, q) * 1000, 1) if latencies else None
                       for name, q in (("p50", 50), ("p90", 90), ("p99", 99), ("max", 100))},
    }
    if rss:
        def mb(value: int) -> float:
            return round(value / 2**20, 1)

        (total0, worker0), (total1, worker1) = rss[0][1], rss[-1][1]
        result["rss_mb"] = {"minute_0": mb(worker0), "end": mb(worker1), "max": mb(max(r[1] for _, r in rss)),
                            "tree_minute_0": mb(total0), "tree_end": mb(total1)}
        result["rss_growth"] = round((worker1 - worker0) / worker0, 4) if worker0 else None
    return result


@contextlib.contextmanager
def start_server(model_uri: str, workers: int, timeout: float = 300):
    """A server of its own; yields (url, pid). Its access log (one line per request) goes to a file."""
    log_path = Path(tempfile.mkdtemp(prefix="soak-")) / "server.log"
    print(f"server log: {log_path}")
    # `mlflow models serve` runs `bash -c "exec uvicorn ..."`: uvicorn must be on PATH.
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    with MlflowServer(model_uri, cwd=Path.cwd(), env=env, log_path=log_path, workers=workers) as server:
        try:
            server.ready(timeout=timeout)
        except (RuntimeError, TimeoutError) as error:
            raise SystemExit(f"server not ready: {str(error)[:300]}") from None
        yield server.url, server.process.pid


def report(result: dict, max_growth: float) -> list[str]:
    lat = result["latency_ms"]
    lines = [
        f"soak: {result['seconds']} s, {result['clients']} clients, {result['requests']} requests, "
        f"{result['throughput_rps']} req/s, errors {result['errors']}",
        f"latency ms: p50 {lat['p50']}  p90 {lat['p90']}  p99 {lat['p99']}  max {lat['max']}",
    ]
    if "rss_mb" in result:
        rss = result["rss_mb"]
        lines.append(f"model worker RSS MB: minute 0 {rss['minute_0']}  end {rss['end']}  max {rss['max']}  "
                     f"growth {result['rss_growth']:+.1%} (limit {max_growth:.0%}); "
                     f"whole server tree {rss['tree_minute_0']} -> {rss['tree_end']}")
    for kind, count in result["error_kinds"].items():
        lines.append(f"  error x{count}: {kind}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of unmeasured load first")
    parser.add_argument("--url", help="an already running server (loopback); else one is started")
    parser.add_argument("--pid", type=int, help="server process id for RSS, with --url")
    parser.add_argument("--model-uri", default="models:/netflix-recommender@champion")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of the started server")
    parser.add_argument("--max-rss-growth", type=float, default=0.10)
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args(argv)

    def run(url: str, pid: int | None) -> dict:
        return soak(url, seconds=args.seconds, clients=args.clients, pid=pid, warmup=args.warmup)

    if args.url:
        result = run(args.url.rstrip("/"), args.pid)
    else:
        with start_server(args.model_uri, args.workers) as (url, pid):
            result = run(url, pid)
    for line in report(result, args.max_rss_growth):
        print(line)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    failed = result["errors"] > 0 or (result.get("rss_growth") or 0) >= args.max_rss_growth
    if failed:
        print("soak: FAILED", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
