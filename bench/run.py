"""`make bench`: the serving benchmark of issue 5, the project's champion side by side with the floor.

One run, everything in a temporary directory of its own:
  1. trains with `mlflow run . --env-manager local` into a private tracking store (timed);
  2. saves the floor: an echo pyfunc with the same input schema and params (bench/echo_model.py),
     and the bound: the champion's encoder and dense product alone (bench/bound_model.py);
  3. serves them with `mlflow models serve -w 1` on 127.0.0.1 and measures, for a title
     query, a description query, a filtered query and a batch of 100 mixed rows: p50/p99 of
     400 sequential keep-alive requests and throughput with 8 concurrent keep-alive clients
     for 10 s, each split into rounds that alternate floor and model (a shared machine's
     background load then hits both alike); plus cold start (process start -> first 200 on
     /invocations, each server started alone) and server RSS. The bound takes part in the
     description rounds only: no model that embeds each wish per request answers faster here;
  4. times predict in-process (no HTTP) on the loaded champion;
  5. the workers experiment: keep-alive latency with -w 2 against -w 1 (and -w 2 with a new
     connection per request, what nginx in front does);
  6. prints one table (each figure next to the floor's, with the ratio and the target) and
     writes it as JSON to bench/results/ (bench-<UTC time>.json and latest.json).

    python bench/run.py            # the full run (about 5 minutes)
    python bench/run.py --quick    # fewer requests, 3 s throughput: a smoke test

Only the Python standard library for load generation (threads + http.client keep-alive).
Timings on a shared machine are noisy: compare ratios within one run, not across runs.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.queries import batch_rows, description_queries, title_queries  # noqa: E402
from harness import BIN, MlflowServer, latency_summary  # noqa: E402

RESULTS = ROOT / "bench" / "results"
MODEL_NAME = "netflix-recommender"
CHAMPION_URI = f"models:/{MODEL_NAME}@champion"
KINDS = ("title", "description", "filtered", "batch100")
SINGLE_KINDS = ("title", "description", "filtered")
# What the bound (bench/bound_model.py: the encoder and the dense product alone) is measured on.
BOUND_KINDS = ("description",)

TARGETS = {
    # metric key: (comparison, bound, what); the latency budget of issue 10 (with the sentence encoder)
    "title.p50_ratio": ("<=", 1.5, "title-query p50 <= 1.5x floor"),
    "description.p50_ratio": ("<=", 2.0, "description-query p50 <= 2.0x floor"),
    "title.rps_ratio": (">=", 0.55, "single-query title throughput >= 0.55x floor"),
    "description.rps_ratio": (">=", 0.55, "single-query description throughput >= 0.55x floor"),
    "filtered.rps_ratio": (">=", 0.55, "filtered throughput >= 0.55x floor"),
    "batch100.inprocess_p50_ms": ("<=", 25.0, "batch of 100 in-process <= 25 ms"),
    "batch100.http_p50_ms": ("<=", 60.0, "batch of 100 over HTTP <= 60 ms"),
    "cold_start_s": ("<=", 8.0, "cold start <= 8 s"),
    "train_s": ("<=", 90.0, "`mlflow run` training <= 90 s"),
    "artifact_mb": ("<=", 60.0, "model artifact <= 60 MB"),
}


# ------------------------------------------------------------------ request bodies
def bodies() -> dict[str, list[bytes]]:
    """Per kind, a rotation of /invocations bodies (the floor gets the very same bytes)."""
    titles, texts = title_queries(), description_queries()
    encode = lambda rows, params: json.dumps({"dataframe_records": rows, "params": params}).encode()  # noqa: E731
    filters = {"k": 10, "type": "Movie", "min_year": 2000, "genre": "Dramas"}
    return {
        "title": [encode([{"title": t}], {"k": 10}) for t in titles[:50]],
        "description": [encode([{"description": d}], {"k": 10}) for d in texts[:50]],
        "filtered": [encode([{"title": t}], filters) for t in titles[100:150]],
        "batch100": [encode(batch_rows(100), {"k": 10})],
    }


# ------------------------------------------------------------------ HTTP load
class Client:
    """One keep-alive connection (http.client), or a new connection per request."""

    def __init__(self, port: int, keep_alive: bool = True):
        self.port, self.keep_alive = port, keep_alive
        self.conn = None

    def post(self, body: bytes) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Content-Type": "application/json"}
        if not self.keep_alive:
            headers["Connection"] = "close"
        try:
            self.conn.request("POST", "/invocations", body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.close()
            raise
        if not self.keep_alive or response.will_close:
            self.close()
        return response.status, data

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def latency(port: int, rotation: list[bytes], n: int, warmup: int = 20, keep_alive: bool = True) -> dict:
    client = Client(port, keep_alive)
    for i in range(warmup):
        client.post(rotation[i % len(rotation)])
    times, errors = _timed(client, rotation, n, 0)
    return _summary(times, errors)


def throughput(port: int, rotation: list[bytes], clients: int, seconds: float) -> dict:
    deadline = time.perf_counter() + seconds
    counts, errors = [0] * clients, [0] * clients
    start_gate = threading.Barrier(clients + 1)

    def work(slot: int) -> None:
        client = Client(port)
        start_gate.wait()
        i = slot
        while time.perf_counter() < deadline:
            try:
                status, _ = client.post(rotation[i % len(rotation)])
            except (http.client.HTTPException, OSError):
                errors[slot] += 1
                continue
            if status == 200:
                counts[slot] += 1
            else:
                errors[slot] += 1
            i += 1
        client.close()

    threads = [threading.Thread(target=work, args=(s,), daemon=True) for s in range(clients)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    start_gate.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"rps": round(sum(counts) / elapsed, 1), "requests": sum(counts), "errors": sum(errors),
            "clients": clients, "seconds": round(elapsed, 2)}


# ------------------------------------------------------------------ servers
def serve(model_uri: str, env: dict, workdir: Path, workers: int = 1, name: str = "server") -> MlflowServer:
    return MlflowServer(model_uri, cwd=workdir, env=env, log_path=workdir / f"{name}-w{workers}.log", workers=workers)


def answers(body: bytes):
    """A readiness probe: the server answers 200 to this /invocations body (cold start = the first 200)."""

    def probe(url: str) -> bool:
        try:
            status, answer = Client(int(url.rsplit(":", 1)[1]), keep_alive=False).post(body)
        except (ConnectionError, OSError, http.client.HTTPException):
            return False
        if status != 200:
            raise RuntimeError(f"probe answered {status}: {answer[:500]!r}")
        return True

    return probe


# ------------------------------------------------------------------ the steps
def tracking_env(tmp: Path) -> dict:
    import mlflow

    uri = f"sqlite:///{tmp / 'mlflow.db'}"
    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    if client.get_experiment_by_name("bench") is None:
        client.create_experiment("bench", artifact_location=(tmp / "artifacts").as_uri())
    return {**os.environ, "MLFLOW_TRACKING_URI": uri, "MLFLOW_EXPERIMENT_NAME": "bench",
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONPATH": str(ROOT)}


def train(tmp: Path, env: dict) -> float:
    """Wall time of `mlflow run . --env-manager local` into the private store."""
    log = tmp / "train.log"
    started = time.perf_counter()
    with log.open("w") as handle:
        done = subprocess.run([str(BIN / "mlflow"), "run", str(ROOT), "--env-manager", "local",
                               "--experiment-name", "bench"],
                              cwd=tmp, env=env, stdout=handle, stderr=subprocess.STDOUT, timeout=1800)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"mlflow run failed:\n{log.read_text()[-3000:]}")
    return elapsed


def download_champion(tmp: Path, env: dict) -> Path:
    import mlflow

    mlflow.set_tracking_uri(env["MLFLOW_TRACKING_URI"])
    mlflow.set_registry_uri(env["MLFLOW_TRACKING_URI"])
    return Path(mlflow.artifacts.download_artifacts(CHAMPION_URI, dst_path=str(tmp / "champion")))


def save_echo(tmp: Path) -> Path:
    import mlflow
    from mlflow.models import ModelSignature

    from netflix_pyfunc.model import signature

    path = tmp / "echo"
    full = signature()
    mlflow.pyfunc.save_model(
        str(path), python_model=str(ROOT / "bench" / "echo_model.py"),
        signature=ModelSignature(inputs=full.inputs, params=full.params),
        pip_requirements=["mlflow==3.17.2"],
    )
    return path


def save_bound(tmp: Path, model_dir: Path) -> Path:
    """The bound (bench/bound_model.py) over the champion's own artifacts and package, with the
    floor's input schema and params."""
    import mlflow
    from mlflow.models import Model, ModelSignature

    champion = Model.load(str(model_dir))
    flavor = champion.flavors["python_function"]
    path = tmp / "bound"
    mlflow.pyfunc.save_model(
        str(path), python_model=str(ROOT / "bench" / "bound_model.py"),
        artifacts={name: str(model_dir / entry["path"]) for name, entry in flavor["artifacts"].items()},
        code_paths=[str(code) for code in (model_dir / flavor["code"]).iterdir()],
        signature=ModelSignature(inputs=champion.signature.inputs, params=champion.signature.params),
        pip_requirements=str(model_dir / "requirements.txt"),
    )
    return path


def dir_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 2)


def _summary(times: list[float], errors: int) -> dict:
    return {**latency_summary(times), "errors": errors}


def _timed(client: Client, rotation: list[bytes], n: int, start: int) -> tuple[list[float], int]:
    """n sequential requests on one client (ms each) and how many were not 200; closes the client."""
    times, errors = [], 0
    for i in range(start, start + n):
        body = rotation[i % len(rotation)]
        began = time.perf_counter()
        status, _ = client.post(body)
        times.append((time.perf_counter() - began) * 1000)
        errors += status != 200
    client.close()
    return times, errors


def latency_times(port: int, rotation: list[bytes], n: int, start: int, keep_alive: bool = True):
    return _timed(Client(port, keep_alive), rotation, n, start)


def measure_servers(env: dict, tmp: Path, dirs: dict[str, str], args, rotations) -> dict[str, dict]:
    """The floor, the model and the bound (dirs: name -> model URI) served side by side, one worker
    each, measured in alternating rounds so that all see the same background load on a shared
    machine. The bound only answers description queries (BOUND_KINDS)."""
    out = {name: {} for name in dirs}
    with contextlib.ExitStack() as stack:
        servers = {}
        for name, uri in dirs.items():   # started one at a time: cold start is each one's own
            servers[name] = stack.enter_context(serve(uri, env, tmp, workers=1, name=name))
            out[name]["cold_start_s"] = round(servers[name].ready(answers(rotations["title"][0]), timeout=180), 2)
        taking = {kind: [(out[name], server) for name, server in servers.items()
                         if name != "bound" or kind in BOUND_KINDS] for kind in KINDS}
        rounds = 4
        for kind in KINDS:
            rotation, pairs = rotations[kind], taking[kind]
            collected = {id(result): ([], 0) for result, _ in pairs}
            for result, server in pairs:  # warm-up
                latency_times(server.port, rotation, 20, 0)
            per_round = max(1, args.requests // rounds)
            for r in range(rounds):
                for result, server in (pairs if r % 2 == 0 else pairs[::-1]):
                    times, errors = latency_times(server.port, rotation, per_round, r * per_round)
                    acc, errs = collected[id(result)]
                    collected[id(result)] = (acc + times, errs + errors)
            for result, _ in pairs:
                times, errors = collected[id(result)]
                result[kind] = {"latency": _summary(times, errors)}
        for kind in KINDS:
            pairs = taking[kind]
            parts = {id(result): [] for result, _ in pairs}
            for r in range(2):
                for result, server in (pairs if r % 2 == 0 else pairs[::-1]):
                    parts[id(result)].append(throughput(server.port, rotations[kind], args.clients, args.seconds / 2))
            for result, _ in pairs:
                runs = parts[id(result)]
                requests = sum(x["requests"] for x in runs)
                seconds = sum(x["seconds"] for x in runs)
                result[kind]["throughput"] = {"rps": round(requests / seconds, 1), "requests": requests,
                                              "errors": sum(x["errors"] for x in runs),
                                              "clients": args.clients, "seconds": round(seconds, 2)}
        for name, server in servers.items():
            out[name]["rss"] = server.rss_mb()
    return out


def inprocess(model_dir: Path, n: int) -> dict:
    import mlflow

    from bench.inprocess import measure, serialization

    model = mlflow.pyfunc.load_model(str(model_dir))
    recommender = model.unwrap_python_model().recommender
    return {**measure(recommender, n), "serialize_p50_ms": serialization(recommender)}


def workers_experiment(env: dict, tmp: Path, args, rotations) -> dict:
    """Sequential title-query latency: -w 1 and -w 2 keep-alive, -w 2 with a new connection per request."""
    out = {}
    n = max(40, args.requests // 4)
    for workers in (1, 2):
        with serve(CHAMPION_URI, env, tmp, workers=workers, name="workers") as server:
            server.ready(answers(rotations["title"][0]), timeout=180)
            out[f"w{workers}_keepalive"] = latency(server.port, rotations["title"], n, warmup=5)
            out[f"w{workers}_new_connection"] = latency(server.port, rotations["title"], n, warmup=5, keep_alive=False)
    return out


# ------------------------------------------------------------------ report
def summarise(result: dict) -> dict:
    """Flat metrics (model vs floor, ratios) used by the table and the targets."""
    floor, model = result["floor"], result["model"]
    flat = {}
    for kind in KINDS:
        f_lat, m_lat = floor[kind]["latency"], model[kind]["latency"]
        f_tp, m_tp = floor[kind]["throughput"], model[kind]["throughput"]
        flat[kind] = {
            "floor_p50_ms": f_lat["p50_ms"], "model_p50_ms": m_lat["p50_ms"],
            "p50_ratio": round(m_lat["p50_ms"] / f_lat["p50_ms"], 2),
            "floor_p99_ms": f_lat["p99_ms"], "model_p99_ms": m_lat["p99_ms"],
            "p99_ratio": round(m_lat["p99_ms"] / f_lat["p99_ms"], 2),
            "floor_rps": f_tp["rps"], "model_rps": m_tp["rps"],
            "rps_ratio": round(m_tp["rps"] / f_tp["rps"], 2) if f_tp["rps"] else None,
            "http_p50_ms": m_lat["p50_ms"],
            "inprocess_p50_ms": result["inprocess"][kind]["p50_ms"],
        }
        if kind in BOUND_KINDS and "bound" in result:
            b_lat, b_tp = result["bound"][kind]["latency"], result["bound"][kind]["throughput"]
            flat[kind] |= {"bound_p50_ms": b_lat["p50_ms"], "bound_p50_ratio": round(b_lat["p50_ms"] / f_lat["p50_ms"], 2),
                           "bound_rps": b_tp["rps"],
                           "bound_rps_ratio": round(b_tp["rps"] / f_tp["rps"], 2) if f_tp["rps"] else None}
    flat["cold_start_s"] = model["cold_start_s"]
    flat["floor_cold_start_s"] = floor["cold_start_s"]
    flat["train_s"] = result.get("train_s")
    flat["artifact_mb"] = result["artifact_mb"]
    return flat


def _lookup(flat: dict, key: str):
    value = flat
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def check_targets(flat: dict) -> dict:
    out = {}
    for key, (op, bound, what) in TARGETS.items():
        value = _lookup(flat, key)
        ok = None if value is None else (value <= bound if op == "<=" else value >= bound)
        out[key] = {"value": value, "target": f"{op} {bound}", "ok": ok, "what": what}
    return out


def table(result: dict) -> str:
    flat, targets = result["summary"], result["targets"]
    lines = [f"{'metric':<34}{'floor':>10}{'model':>10}{'ratio':>8}  target",
             "-" * 78]

    def mark(key):
        t = targets.get(key)
        if not t:
            return ""
        return f"{t['target']:<8}{'ok' if t['ok'] else ('MISS' if t['ok'] is False else 'n/a')}"

    for kind in KINDS:
        row = flat[kind]
        lines.append(f"{kind + ' p50 ms':<34}{row['floor_p50_ms']:>10.2f}{row['model_p50_ms']:>10.2f}"
                     f"{row['p50_ratio']:>8.2f}  {mark(kind + '.p50_ratio') or mark(kind + '.http_p50_ms')}")
        lines.append(f"{kind + ' p99 ms':<34}{row['floor_p99_ms']:>10.2f}{row['model_p99_ms']:>10.2f}"
                     f"{row['p99_ratio']:>8.2f}")
        lines.append(f"{kind + ' req/s (8 clients)':<34}{row['floor_rps']:>10.1f}{row['model_rps']:>10.1f}"
                     f"{row['rps_ratio']:>8.2f}  {mark(kind + '.rps_ratio')}")
        if "bound_p50_ms" in row:
            lines.append(f"{'  bound: encoder + product p50 ms':<34}{row['floor_p50_ms']:>10.2f}"
                         f"{row['bound_p50_ms']:>10.2f}{row['bound_p50_ratio']:>8.2f}")
            lines.append(f"{'  bound: req/s (8 clients)':<34}{row['floor_rps']:>10.1f}{row['bound_rps']:>10.1f}"
                         f"{row['bound_rps_ratio']:>8.2f}")
    for kind in KINDS:
        lines.append(f"{kind + ' in-process p50 ms':<34}{'':>10}{flat[kind]['inprocess_p50_ms']:>10.2f}{'':>8}  "
                     f"{mark(kind + '.inprocess_p50_ms')}")
    serial = result["inprocess"].get("serialize_p50_ms", {})
    if serial:
        lines.append(f"{'output -> JSON (server side) p50 ms':<34}{serial['floor_title']:>10.2f}"
                     f"{serial['model_title']:>10.2f}{serial['model_title'] / serial['floor_title']:>8.2f}"
                     f"  (batch100: {serial['model_batch100']:.1f} ms)")
    rss_f, rss_m = result["floor"]["rss"]["total_mb"], result["model"]["rss"]["total_mb"]
    lines.append(f"{'cold start s':<34}{flat['floor_cold_start_s']:>10.2f}{flat['cold_start_s']:>10.2f}"
                 f"{flat['cold_start_s'] / flat['floor_cold_start_s']:>8.2f}  {mark('cold_start_s')}")
    lines.append(f"{'server RSS MB (process tree)':<34}{rss_f:>10.1f}{rss_m:>10.1f}{rss_m / rss_f:>8.2f}")
    lines.append(f"{'model artifact MB':<34}{result['floor_artifact_mb']:>10.2f}{flat['artifact_mb']:>10.2f}"
                 f"{'':>8}  {mark('artifact_mb')}")
    if flat.get("train_s") is not None:
        lines.append(f"{'mlflow run training s':<34}{'':>10}{flat['train_s']:>10.1f}{'':>8}  {mark('train_s')}")
    workers = result.get("workers")
    if workers:
        lines.append("")
        lines.append("workers (title query, sequential, p50 / p99 ms):")
        for key, value in workers.items():
            lines.append(f"  {key:<24}{value['p50_ms']:>8.2f} / {value['p99_ms']:.2f}")
    missed = [t["what"] for t in targets.values() if t["ok"] is False]
    lines.append("")
    lines.append("targets: all met" if not missed else "targets missed: " + "; ".join(missed))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100 requests, 3 s throughput, no workers run")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--no-workers", action="store_true", help="skip the -w 2 experiment")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.quick:
        args.requests, args.seconds, args.no_workers = 100, 3.0, True

    tmp = Path(tempfile.mkdtemp(prefix="netflix-bench-"))
    print(f"working in {tmp}", flush=True)
    result = {"started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "args": vars(args), "host": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    try:
        env = tracking_env(tmp)
        print("training with `mlflow run . --env-manager local` ...", flush=True)
        result["train_s"] = round(train(tmp, env), 1)
        model_dir = download_champion(tmp, env)
        result["artifact_mb"] = dir_mb(model_dir)
        result["recommender_pkl_mb"] = round(next(model_dir.rglob("recommender.pkl")).stat().st_size / 2**20, 2)
        echo_dir = save_echo(tmp)
        result["floor_artifact_mb"] = dir_mb(echo_dir)
        bound_dir = save_bound(tmp, model_dir)
        rotations = bodies()
        print("serving the floor (echo pyfunc), the champion and the bound, measured in alternating rounds ...",
              flush=True)
        served = measure_servers(env, tmp, {"floor": str(echo_dir), "model": CHAMPION_URI, "bound": str(bound_dir)},
                                 args, rotations)
        result["floor"], result["model"], result["bound"] = served["floor"], served["model"], served["bound"]
        print("in-process predict ...", flush=True)
        result["inprocess"] = inprocess(model_dir, args.requests)
        if not args.no_workers:
            print("workers experiment (-w 1 vs -w 2) ...", flush=True)
            result["workers"] = workers_experiment(env, tmp, args, rotations)
        result["summary"] = summarise(result)
        result["targets"] = check_targets(result["summary"])
        text = table(result)
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        for path in (RESULTS / f"bench-{stamp}.json", RESULTS / "latest.json"):
            path.write_text(json.dumps(result, indent=1) + "\n")
        print()
        print(text)
        print(f"\nwrote {RESULTS / f'bench-{stamp}.json'}")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
