"""`make bench-scale`: how training time, memory, artifact size and query time grow with the catalogue.

Synthetic catalogues of 10x and 100x the real one (about 88k and 880k titles) are built by
recombining real fields, so vocabulary, lengths and label frequencies stay realistic:
each synthetic title takes its description from the first half of one real description
and the second half of another, its title from the words of two real titles, its people
from a third title, its country from a fourth and type/genres/rating/year from a fifth.

Each size runs in a fresh subprocess (so peak RSS is that size's own) and reports:
fit time, peak RSS, pickled artifact size, in-process p50/p99 of title and description
queries, (exact search).

    python bench/scale.py                      # 1x, 10x, 100x
    python bench/scale.py --factors 1 10       # smaller run
    python bench/scale.py --one 10             # one measurement (prints JSON)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import latency_summary  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TARGETS = {"train_s": 600.0, "title_p50_ms": 30.0, "description_p50_ms": 50.0}  # at 100x


def synthetic_picks(n_real: int, factor: int, seed: int = 0):
    """The real rows each synthetic title draws on: first half of description a[i] + second half of
    b[i], title words of a[i] and c[i], people of c[i], country of d[i], type/genres/year of e[i]."""
    import numpy as np

    rng = np.random.default_rng(seed)
    return tuple(rng.integers(0, n_real, size=n_real * factor) for _ in range(5))


def synthetic_catalog(factor: int, seed: int = 0):
    """The real catalogue recombined to factor x its size (factor 1: the real catalogue)."""
    import numpy as np
    import pandas as pd

    from netflix_pyfunc.catalog import (
        CAST, COUNTRY, DATE_ADDED, DESCRIPTION, DIRECTOR, DURATION, LISTED_IN, RATING, RELEASE_YEAR,
        SHOW_ID, TITLE, TYPE, clean_catalog, read_catalog,
    )

    raw = read_catalog(ROOT / "data" / "netflix_titles.csv")
    if factor == 1:
        return clean_catalog(raw)
    n_real, n = len(raw), len(raw) * factor
    a, b, c, d, e = synthetic_picks(n_real, factor, seed)
    desc_words = [s.split() for s in raw[DESCRIPTION].tolist()]
    title_words = [s.split() for s in raw[TITLE].tolist()]
    descriptions, titles = [], []
    for i in range(n):
        first, second = desc_words[a[i]], desc_words[b[i]]
        descriptions.append(" ".join(first[: len(first) // 2] + second[len(second) // 2:]))
        t1, t2 = title_words[a[i]], title_words[c[i]]
        cut1, cut2 = max(1, (len(t1) + 1) // 2), len(t2) // 2
        titles.append(" ".join(t1[:cut1] + t2[cut2:]) or t1[0])
    frame = pd.DataFrame({
        SHOW_ID: [f"x{i}" for i in range(n)],
        TYPE: raw[TYPE].to_numpy()[e],
        TITLE: titles,
        DIRECTOR: raw[DIRECTOR].to_numpy()[c],
        CAST: raw[CAST].to_numpy()[c],
        COUNTRY: raw[COUNTRY].to_numpy()[d],
        DATE_ADDED: raw[DATE_ADDED].to_numpy()[e],
        RELEASE_YEAR: raw[RELEASE_YEAR].to_numpy()[e],
        RATING: raw[RATING].to_numpy()[e],
        DURATION: raw[DURATION].to_numpy()[e],
        LISTED_IN: raw[LISTED_IN].to_numpy()[e],
        DESCRIPTION: descriptions,
    })
    return clean_catalog(frame)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_one(factor: int, n_queries: int) -> dict:
    """Build, fit, pickle and query one catalogue size (in this process)."""
    from bench.queries import description_queries
    from netflix_pyfunc.model import save_recommender
    from netflix_pyfunc.params import Query, Request
    from netflix_pyfunc.recommender import HybridRecommender

    started = time.perf_counter()
    catalog = synthetic_catalog(factor)
    build_s = time.perf_counter() - started
    from netflix_pyfunc.training import training_encoder

    with tempfile.TemporaryDirectory() as tmp:
        _, encoder = training_encoder(Path(tmp))
    started = time.perf_counter()
    model = HybridRecommender().fit(catalog, encoder=encoder)   # embeds every synthetic text (cached)
    fit_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        path = save_recommender(model, Path(tmp) / "recommender.pkl")
        artifact_mb = path.stat().st_size / 2**20
        started = time.perf_counter()
        with path.open("rb") as handle:
            import cloudpickle

            cloudpickle.load(handle)
        load_s = time.perf_counter() - started
    rng = random.Random(11)
    titles = [catalog["title"].iat[i] for i in rng.sample(range(len(catalog)), n_queries)]
    texts = (description_queries() * 2)[:n_queries]
    request = Request(k=10)
    out = {
        "factor": factor, "n_titles": len(catalog),
        "catalog_build_s": round(build_s, 1), "fit_s": round(fit_s, 1),
        "artifact_mb": round(artifact_mb, 1), "unpickle_s": round(load_s, 2),
        "index_nnz": int(model.vectors_.nnz), "n_features": int(model.vectors_.shape[1]),
    }
    for kind, queries in (("title", [Query(title=t) for t in titles]), ("description", [Query(description=d) for d in texts])):
        for q in queries[:5]:
            model.recommend([q], request)
        times = []
        for q in queries:
            t0 = time.perf_counter()
            model.recommend([q], request)
            times.append((time.perf_counter() - t0) * 1000)
        out[kind] = latency_summary(times)
    out["peak_rss_mb"] = round(_peak_rss_mb(), 0)
    return out


def run_child(factor: int, n_queries: int, timeout: float) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--one", str(factor), "--queries", str(n_queries)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        return {"factor": factor, "error": done.stderr[-2000:],
                "wall_s": round(time.perf_counter() - started, 1)}
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(rows: list[dict]) -> str:
    head = (f"{'titles':>8} {'fit s':>7} {'peak MB':>8} {'pkl MB':>7} {'load s':>7} "
            f"{'title p50':>9} {'p99':>7} {'desc p50':>9} {'p99':>7}")
    lines = [head, "-" * len(head)]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['factor']:>7}x  failed: {r['error'].strip().splitlines()[-1][:80]}")
            continue
        lines.append(
            f"{r['n_titles']:>8} {r['fit_s']:>7.1f} {r['peak_rss_mb']:>8.0f} {r['artifact_mb']:>7.1f} "
            f"{r['unpickle_s']:>7.2f} {r['title']['p50_ms']:>9.2f} {r['title']['p99_ms']:>7.2f} "
            f"{r['description']['p50_ms']:>9.2f} {r['description']['p99_ms']:>7.2f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--one", type=int, help="measure one factor in this process and print JSON")
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(measure_one(args.one, args.queries)))
        return 0
    rows = []
    for factor in args.factors:
        print(f"{factor}x ...", file=sys.stderr, flush=True)
        rows.append(run_child(factor, args.queries, args.timeout))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    result = {"started": stamp, "rows": rows, "targets_at_100x": TARGETS}
    for path in (RESULTS / f"scale-{stamp}.json", RESULTS / "scale-latest.json"):
        path.write_text(json.dumps(result, indent=1) + "\n")
    print(table(rows))
    print(f"\nwrote {RESULTS / f'scale-{stamp}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
