"""`make bench-scale`: the served recommender at 1x, 10x and 100x the catalogue.

Synthetic catalogues of 10x and 100x the real one (about 88k and 880k titles) are built by
recombining real fields, so vocabulary, lengths and label frequencies stay realistic:
each synthetic title takes its description from the first half of one real description
and the second half of another, its title from the words of two real titles, its people
from a third title, its country from a fourth and type/genres/rating/year from a fifth.

Each size runs in a fresh subprocess (so peak RSS is that size's own) and goes through the served
path: HybridRecommender.fit, pickling, and in-process recommend_records for title, description and
filtered queries. At 10x and 100x the recommender is fitted with the approximate index
(ann_min_titles below the size) and its answers are compared with exact search over the same fitted
model (recall@10). Embedding 880k synthetic texts for real would take about an hour, so the fit gets
`SyntheticEncoder`: catalogue texts get a jittered mix of the real embeddings of the titles they were
made from (bench/scale_dense.py's synthetic_vectors); every other text (the queries) goes to the real
encoder. The 1x row is the real catalogue with the real encoder (cached embeddings).

    python bench/scale.py                      # encoder throughput, then 1x, 10x, 100x (~40 min, ~8 GB)
    python bench/scale.py --factors 1 10       # smaller run
    python bench/scale.py --one 10             # one measurement (prints JSON)
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import latency_summary  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TARGETS = {"title_p50_ms": 30.0, "description_p50_ms": 50.0}  # at 100x, in-process
ANN_MIN_TITLES = 50_000   # the recommender's default: 10x and 100x are served approximately


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
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def synthetic_encoder(real_encoder, texts: list[str], vectors):
    """A SentenceEncoder for the fit: texts[i] -> vectors[i], any other text -> the real encoder."""
    import numpy as np

    from netflix_pyfunc.encoder import SentenceEncoder

    class SyntheticEncoder(SentenceEncoder):
        def __init__(self):   # no session of its own: catalogue texts are looked up, queries encoded for real
            self.dim, self.sha256 = real_encoder.dim, f"synthetic{len(texts)}-{real_encoder.sha256}"
            self.rows = {text: i for i, text in enumerate(texts)}

        def encode(self, batch):
            batch = list(batch)
            found = np.array([self.rows.get(text, -1) for text in batch], dtype=np.int64)
            out = np.empty((len(batch), self.dim), dtype=np.float32)
            out[found >= 0] = vectors[found[found >= 0]]
            missing = np.flatnonzero(found < 0)
            if len(missing):
                out[missing] = real_encoder.encode([batch[i] for i in missing])
            return out

    return SyntheticEncoder()


def timed(fn, items, warmup: int = 5) -> dict:
    """latency_summary of fn(item) for each item, ms, after fn on the first `warmup` items untimed."""
    for item in items[:warmup]:
        fn(item)
    times = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - started) * 1000)
    return latency_summary(times)


def recall(found, expected) -> float:
    """Mean share of each expected list (arrays or lists) found in the matching found list."""
    return round(sum(len(set(np.asarray(f).tolist()) & set(np.asarray(e).tolist())) / max(1, len(e))
                     for f, e in zip(found, expected)) / len(expected), 4)


def _ids_per_row(records: list[dict], n_rows: int) -> list[list[str]]:
    rows = [[] for _ in range(n_rows)]
    for record in records:
        rows[record["row"]].append(record["show_id"])
    return rows


def measure_one(factor: int, n_queries: int, ann_min_titles: int) -> dict:
    """One size, BLAS on one thread (as in a one-CPU pod; on this shared 2-core machine a two-thread
    product waits a whole scheduler slice whenever the other core is busy)."""
    from threadpoolctl import threadpool_limits

    import netflix_pyfunc.recommender  # noqa: F401  (numpy's, scipy's and faiss's BLAS loaded: limits apply to loaded ones)

    with threadpool_limits(limits=1, user_api="blas"):
        return _measure_one(factor, n_queries, ann_min_titles)


def _measure_one(factor: int, n_queries: int, ann_min_titles: int) -> dict:
    """Build, fit, query, compare with exact search, pickle and unpickle one catalogue size."""
    import cloudpickle

    from bench.queries import description_queries
    from bench.scale_dense import real_embeddings, synthetic_vectors
    from netflix_pyfunc.catalog import TITLE
    from netflix_pyfunc.encoder import CACHE_ENV, catalog_texts
    from netflix_pyfunc.index import ExactIndex
    from netflix_pyfunc.model import save_recommender
    from netflix_pyfunc.params import Query, Request
    from netflix_pyfunc.recommender import HybridRecommender
    from netflix_pyfunc.titles import UnresolvedTitle

    real, encoder, _ = real_embeddings()
    started = time.perf_counter()
    catalog = synthetic_catalog(factor)
    out = {"factor": factor, "n_titles": len(catalog), "catalog_build_s": round(time.perf_counter() - started, 1)}
    fit_encoder = encoder
    if factor > 1:
        fit_encoder = synthetic_encoder(encoder, catalog_texts(catalog), synthetic_vectors(real, factor))
    out["rss_before_fit_mb"] = _peak_rss_mb()
    with tempfile.TemporaryDirectory() as cache:
        if factor > 1:   # synthetic vectors are not worth caching (1.3 GB at 100x)
            os.environ[CACHE_ENV] = cache
        started = time.perf_counter()
        model = HybridRecommender(ann_min_titles=ann_min_titles).fit(catalog, encoder=fit_encoder)
        out["fit_s"] = round(time.perf_counter() - started, 1)
    out["index"] = type(model.index_).__name__
    out["peak_rss_fit_mb"] = _peak_rss_mb()

    rng = random.Random(11)
    titles = catalog[TITLE].tolist()
    positions = []
    for position in rng.sample(range(len(catalog)), 3 * n_queries):
        try:   # titles that resolve to themselves (synthetic titles repeat)
            if model.titles_.resolve(titles[position]) == position:
                positions.append(position)
        except UnresolvedTitle:
            continue
        if len(positions) == n_queries:
            break
    texts = (description_queries() * 2)[:n_queries]
    filtered = Request(type="Movie", min_year=2015)
    kinds = {"title": ([Query(title=titles[p]) for p in positions], Request()),
             "description": ([Query(description=t) for t in texts], Request()),
             "description_filtered": ([Query(description=t) for t in texts], filtered)}
    for kind, (queries, request) in kinds.items():
        out[kind] = timed(lambda q, request=request: model.recommend_records([q], request), queries)
    if not isinstance(model.index_, ExactIndex):   # the same fitted model, searched exactly
        exact = copy.copy(model)
        exact.index_ = ExactIndex().fit(model.vectors_, model.work_, model.semantic_.embeddings_)
        queries = kinds["description_filtered"][0]
        out["recall@10"] = {
            "title": recall(model.neighbors(positions, 10), exact.neighbors(positions, 10)),
            "description": recall(model.neighbors_for_text(texts, 10), exact.neighbors_for_text(texts, 10)),
            "description_filtered": recall(
                _ids_per_row(model.recommend_records(queries, filtered), len(queries)),
                _ids_per_row(exact.recommend_records(queries, filtered), len(queries))),
        }
        del exact
    with tempfile.TemporaryDirectory() as tmp:
        path = save_recommender(model, Path(tmp) / "recommender.pkl")
        out["artifact_mb"] = round(path.stat().st_size / 2**20, 1)
        del model
        started = time.perf_counter()
        with path.open("rb") as handle:
            cloudpickle.load(handle)
        out["unpickle_s"] = round(time.perf_counter() - started, 2)
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


def run_child(args: list[str], timeout: float) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), *args]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        return {"args": args, "error": done.stderr[-2000:], "wall_s": round(time.perf_counter() - started, 1)}
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(throughput: dict, rows: list[dict]) -> str:
    lines = [f"encoder: {throughput['texts']} real texts, {throughput['texts_per_cpu_s']} texts per CPU second "
             f"({throughput['texts_per_s']}/s wall); 880,700 texts on one core: {throughput['hours_for_880k_one_core']} h"]
    head = (f"{'titles':>8} {'index':>12} {'fit s':>7} {'fit MB':>7} {'pkl MB':>7} {'load s':>7} "
            f"{'title p50':>9} {'desc p50':>8} {'filt p50':>8} {'recall@10 t/d/f':>18}")
    lines += [head, "-" * len(head)]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['args']}: failed: {r['error'].strip().splitlines()[-1][:80]}")
            continue
        recall = r.get("recall@10")
        recall = "/".join(f"{recall[k]:.3f}" for k in ("title", "description", "description_filtered")) if recall else "exact"
        lines.append(
            f"{r['n_titles']:>8} {r['index']:>12} {r['fit_s']:>7.1f} {r['peak_rss_fit_mb']:>7.0f} "
            f"{r['artifact_mb']:>7.1f} {r['unpickle_s']:>7.2f} {r['title']['p50_ms']:>9.2f} "
            f"{r['description']['p50_ms']:>8.2f} {r['description_filtered']['p50_ms']:>8.2f} {recall:>18}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--ann-min-titles", type=int, default=ANN_MIN_TITLES)
    parser.add_argument("--throughput-texts", type=int, default=2000)
    parser.add_argument("--timeout", type=float, default=5400)
    parser.add_argument("--one", type=int, help="measure one factor in this process and print JSON")
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(measure_one(args.one, args.queries, args.ann_min_titles)))
        return 0
    dense_script = str(ROOT / "bench" / "scale_dense.py")
    done = subprocess.run([sys.executable, dense_script, "--throughput", "--throughput-texts",
                           str(args.throughput_texts)], capture_output=True, text=True, timeout=args.timeout, check=True)
    throughput = json.loads(done.stdout.strip().splitlines()[-1])
    print(json.dumps(throughput), file=sys.stderr, flush=True)
    rows = []
    for factor in args.factors:
        print(f"{factor}x ...", file=sys.stderr, flush=True)
        rows.append(run_child(["--one", str(factor), "--queries", str(args.queries),
                               "--ann-min-titles", str(args.ann_min_titles)], args.timeout))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    result = {"started": stamp, "throughput": throughput, "rows": rows, "targets_at_100x": TARGETS}
    for path in (RESULTS / f"scale-{stamp}.json", RESULTS / "scale-latest.json"):
        path.write_text(json.dumps(result, indent=1) + "\n")
    print(table(throughput, rows))
    print(f"\nwrote {RESULTS / f'scale-{stamp}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
