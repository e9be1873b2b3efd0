"""`make bench-scale`, dense part: the sentence-embedding block at 10x and 100x, exact against faiss HNSW.

Embedding 880k texts with the real encoder would take over an hour here, so each synthetic title's
vector is made the way bench/scale.py makes its description: synthetic title i takes the first
half of real description a[i] and the second half of b[i], so its vector is the normalised mix
w * e[a[i]] + (1 - w) * e[b[i]] + noise of the real catalogue embeddings e (w uniform in 0.3-0.7,
noise 0.1 / sqrt(d) per dimension). The real embeddings come from the real encoder (cached in
$NETFLIX_EMBEDDING_CACHE, else .cache/embeddings); its throughput is measured on a sample of real texts.

Each size runs in a fresh subprocess and reports: the catalogue's groups and filters, HNSW build time
and peak RSS after the dense part, recall@10 of HNSW against exact search (dense block alone, and
the hybrid: sparse TF-IDF score + weight * cosine through netflix_pyfunc.hybrid against the exact
combined score), in-process p50 of title, description and filtered queries.

    python bench/scale_dense.py                    # throughput, then 10x and 100x (~35 min, 9 GB)
    python bench/scale_dense.py --factors 10       # one size
    python bench/scale_dense.py --no-sparse        # dense block only (no recommender fit)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale import recall, synthetic_catalog, synthetic_picks, timed  # noqa: E402

RESULTS = ROOT / "bench" / "results"
ENCODER_DIR = ROOT / ".cache" / "encoder-int8"
TARGETS = {"title_p50_ms": 30.0, "description_p50_ms": 50.0}  # at 100x, in-process, hybrid
# The recommender's weights of the dense block: a title query's stored embedding, a free text's.
W_TITLE, W_TEXT = 0.5, 1.0
NOISE = 0.1


def real_embeddings():
    """(catalogue embeddings, encoder, texts) of the real catalogue; the encoder is built once into .cache."""
    from netflix_pyfunc.catalog import load_catalog
    from netflix_pyfunc.encoder import CACHE_ENV, ENCODER_FILE, SentenceEncoder, catalog_texts, embed_catalog
    from netflix_pyfunc.encoder_build import build_encoder

    if not (ENCODER_DIR / ENCODER_FILE).is_file():
        build_encoder(ENCODER_DIR)
    encoder = SentenceEncoder.load(ENCODER_DIR)
    texts = catalog_texts(load_catalog(ROOT / "data" / "netflix_titles.csv"))
    cache = os.environ.get(CACHE_ENV) or ROOT / ".cache" / "embeddings"
    return embed_catalog(texts, encoder, cache_dir=cache), encoder, texts


def synthetic_vectors(real: np.ndarray, factor: int, seed: int = 0) -> np.ndarray:
    """Unit rows for bench/scale.py's synthetic catalogue of the same factor and seed, row for row."""

    a, b, *_ = synthetic_picks(len(real), factor, seed)
    rng = np.random.default_rng(seed + 1)
    n, d = len(a), real.shape[1]
    out = np.empty((n, d), dtype=np.float32)
    for start in range(0, n, 65536):
        rows = slice(start, min(n, start + 65536))
        w = rng.uniform(0.3, 0.7, size=(len(a[rows]), 1)).astype(np.float32)
        mix = w * real[a[rows]] + (1 - w) * real[b[rows]]
        mix += rng.normal(0, NOISE / np.sqrt(d), size=mix.shape).astype(np.float32)
        out[rows] = mix / np.linalg.norm(mix, axis=1, keepdims=True)
    return out


def encoder_throughput(n_texts: int) -> dict:
    """Texts per second (wall and per CPU second, one onnxruntime thread) embedding real catalogue texts."""
    _, encoder, texts = real_embeddings()
    sample = random.Random(3).sample(texts, n_texts)
    wall, cpu = time.perf_counter(), time.process_time()
    encoder.encode(sample)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"texts": n_texts, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
            "texts_per_s": round(n_texts / wall, 1), "texts_per_cpu_s": round(n_texts / cpu, 1),
            "hours_for_880k_one_core": round(880_700 / (n_texts / cpu) / 3600, 2)}


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _brute(scores: np.ndarray, groups: np.ndarray, k: int, mask: np.ndarray) -> np.ndarray:
    from netflix_pyfunc.dense_index import top_unique

    candidates = np.flatnonzero(mask)
    return top_unique(candidates, scores[candidates], groups, k)[0]


def measure_one(factor: int, n_queries: int, with_sparse: bool, ef_values: list[int]) -> dict:
    """One size, with BLAS on one thread (as in a one-CPU pod): on this shared 2-core machine a
    two-thread matrix product waits a whole scheduler slice (~8 ms) whenever the other core is busy."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _measure_one(factor, n_queries, with_sparse, ef_values)


def _measure_one(factor: int, n_queries: int, with_sparse: bool, ef_values: list[int]) -> dict:
    from bench.queries import description_queries
    from netflix_pyfunc.catalog import COUNTRY, RELEASE_YEAR, TYPE, work_ids
    from netflix_pyfunc.dense_index import ExactDenseIndex, HNSWDenseIndex

    out = {"factor": factor}
    real, encoder, _ = real_embeddings()
    started = time.perf_counter()
    catalog = synthetic_catalog(factor)
    groups = work_ids(catalog)
    out["catalog_s"] = round(time.perf_counter() - started, 1)
    filters = {
        "movies_since_2015": (catalog[TYPE] == "Movie").to_numpy() & (catalog[RELEASE_YEAR] >= 2015).to_numpy(),
        "korean_tv": (catalog[TYPE] == "TV Show").to_numpy() & catalog[COUNTRY].map(lambda c: "South Korea" in c).to_numpy(),
    }
    out["filter_share"] = {name: round(float(mask.mean()), 4) for name, mask in filters.items()}
    out["rss_before_dense_mb"] = _peak_mb()

    started = time.perf_counter()
    vectors = synthetic_vectors(real, factor)
    out["vectors_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    ann = HNSWDenseIndex().fit(vectors, groups)
    out["hnsw_build_s"] = round(time.perf_counter() - started, 1)
    out["n_titles"], out["dim"] = vectors.shape
    out["vectors_mb"] = round(vectors.nbytes / 2**20)
    out["hnsw_mb"] = round(len(__import__("faiss").serialize_index(ann.ann_)) / 2**20)
    out["peak_rss_after_dense_mb"] = _peak_mb()
    exact = ExactDenseIndex().fit(vectors, groups)

    rng = random.Random(11)
    positions = np.array(rng.sample(range(len(vectors)), n_queries))
    texts = (description_queries() * 2)[:n_queries]
    out["encode_one"] = timed(lambda text: encoder.encode([text]), texts, warmup=3)
    text_vectors = encoder.encode(texts)
    kinds = {"title": (vectors[positions], groups[positions]), "description": (text_vectors, np.full(n_queries, -1))}
    every = np.ones(len(vectors), dtype=bool)
    dense = {}
    for kind, (queries, exclude) in kinds.items():
        for fname, mask in [("none", None)] + list(filters.items()):
            if kind == "title" and fname != "none":
                continue
            truth = [p for p, _ in exact.search(queries, 10, mask, exclude)]
            exact_p50 = timed(lambda i: exact.search(queries[i:i + 1], 10, mask, exclude[i:i + 1]), list(range(20)), warmup=3)
            for ef in ef_values:
                ann.set_params(ef_search=ef)
                found = ann.search(queries, 10, mask, exclude)
                dense[f"ef={ef} {kind}/{fname}"] = {
                    "recall@10": recall([p for p, _ in found], truth),
                    "ann": timed(lambda i: ann.search(queries[i:i + 1], 10, mask, exclude[i:i + 1]), list(range(n_queries)), warmup=3),
                    "exact": exact_p50,
                }
    out["dense"] = dense
    if not with_sparse:
        out["peak_rss_mb"] = _peak_mb()
        return out

    from netflix_pyfunc.hybrid import hybrid_search
    from netflix_pyfunc.index import ExactIndex, Queries
    from netflix_pyfunc.recommender import HybridRecommender

    started = time.perf_counter()
    # The TF-IDF half only: a full fit would also embed every synthetic title.
    model = HybridRecommender().fit_tfidf(catalog)
    sparse_index = ExactIndex().fit(model.vectors_, model.work_)
    out["sparse_fit_s"] = round(time.perf_counter() - started, 1)
    assert np.array_equal(model.work_, groups)
    rows, columns, data = model.text_vectorizer_.entries(texts)
    text_sparse = sp.csr_matrix((data, (rows, columns)), shape=(n_queries, model.vectors_.shape[1]), dtype=np.float32)
    kinds = {
        "title": (model.vectors_[positions], W_TITLE * vectors[positions], groups[positions]),
        "description": (text_sparse, W_TEXT * text_vectors, np.full(n_queries, -1)),
    }
    hybrid = {}
    for kind, (sparse_q, dense_q, exclude) in kinds.items():
        for fname, mask in (("none", None), ("movies_since_2015", filters["movies_since_2015"])):
            truth = []
            for start in range(0, n_queries, 32):
                block = slice(start, start + 32)
                total = sparse_index.scores(Queries(sparse_q[block])) + dense_q[block] @ vectors.T
                for row, group in zip(total, exclude[block]):
                    truth.append(_brute(row, groups, 10, (every if mask is None else mask) & (groups != group)))

            def one(i, kind=kind, sparse_q=sparse_q, dense_q=dense_q, exclude=exclude, mask=mask):
                if kind == "description":   # the request's whole path: encode, TF-IDF vector, search
                    encoder.encode([texts[i]])
                    model.text_vectorizer_.entries([texts[i]])
                return hybrid_search(sparse_index, ann, sparse_q[i], dense_q[i:i + 1], 1.0, 10, mask, exclude[i:i + 1])

            for ef in ef_values:
                ann.set_params(ef_search=ef)
                found = hybrid_search(sparse_index, ann, sparse_q, dense_q, 1.0, 10, mask, exclude)
                hybrid[f"ef={ef} {kind}/{fname}"] = {"recall@10": recall([p for p, _ in found], truth),
                                                    "p50": timed(one, list(range(n_queries)), warmup=3)}
    out["hybrid"] = hybrid
    out["peak_rss_mb"] = _peak_mb()
    return out


def run_child(args: list[str], timeout: float) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        return {"args": args, "error": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(throughput: dict, rows: list[dict]) -> str:
    lines = [f"encoder: {throughput['texts']} real texts in {throughput['wall_s']} s "
             f"({throughput['texts_per_s']}/s wall, {throughput['texts_per_cpu_s']}/s per CPU second); "
             f"880,700 texts on one core: {throughput['hours_for_880k_one_core']} h"]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['args']}: failed: {r['error'].strip().splitlines()[-1][:100]}")
            continue
        lines.append(f"\n{r['n_titles']:,} titles x {r['dim']}: vectors {r['vectors_mb']} MB, HNSW {r['hnsw_mb']} MB, "
                     f"build {r['hnsw_build_s']} s, peak RSS after the dense part {r['peak_rss_after_dense_mb']} MB "
                     f"(before it {r['rss_before_dense_mb']} MB); filters kept {r['filter_share']}; "
                     f"encode one query p50 {r['encode_one']['p50_ms']} ms")
        lines.append(f"  {'efSearch query/filter':<38} {'recall@10':>9} {'ANN p50':>8} {'p99':>7} {'exact p50':>9}")
        for name, m in r["dense"].items():
            lines.append(f"  dense {name:<32} {m['recall@10']:>9.3f} {m['ann']['p50_ms']:>8.2f} "
                         f"{m['ann']['p99_ms']:>7.2f} {m['exact']['p50_ms']:>9.2f}")
        for name, m in r.get("hybrid", {}).items():
            lines.append(f"  hybrid {name:<31} {m['recall@10']:>9.3f} {m['p50']['p50_ms']:>8.2f} {m['p50']['p99_ms']:>7.2f}")
        if "sparse_fit_s" in r:
            lines.append(f"  sparse fit {r['sparse_fit_s']} s, peak RSS {r['peak_rss_mb']} MB")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factors", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--throughput-texts", type=int, default=1500)
    parser.add_argument("--ef-search", type=int, nargs="+", default=[256, 1024],
                        help="HNSW efSearch values measured on the same graph")
    parser.add_argument("--no-sparse", action="store_true", help="dense block only: no recommender fit, no hybrid")
    parser.add_argument("--timeout", type=float, default=5400)
    parser.add_argument("--one", type=int, help="measure one factor in this process and print JSON")
    parser.add_argument("--throughput", action="store_true", help="measure the encoder's throughput and print JSON")
    args = parser.parse_args(argv)
    if args.throughput:
        print(json.dumps(encoder_throughput(args.throughput_texts)))
        return 0
    if args.one is not None:
        print(json.dumps(measure_one(args.one, args.queries, not args.no_sparse, args.ef_search)))
        return 0
    throughput = run_child(["--throughput", "--throughput-texts", str(args.throughput_texts)], args.timeout)
    print(json.dumps(throughput), file=sys.stderr, flush=True)
    rows = []
    for factor in args.factors:
        print(f"{factor}x ...", file=sys.stderr, flush=True)
        extra = ["--no-sparse"] if args.no_sparse else []
        efs = ["--ef-search", *map(str, args.ef_search)]
        rows.append(run_child(["--one", str(factor), "--queries", str(args.queries), *efs, *extra], args.timeout))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    result = {"started": stamp, "throughput": throughput, "rows": rows, "targets_at_100x": TARGETS}
    for path in (RESULTS / f"scale-dense-{stamp}.json", RESULTS / "scale-dense-latest.json"):
        path.write_text(json.dumps(result, indent=1) + "\n")
    print(table(throughput, rows))
    print(f"\nwrote {RESULTS / f'scale-dense-{stamp}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
