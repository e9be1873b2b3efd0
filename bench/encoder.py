"""The sentence encoder on its own: build time, file sizes, query latency, catalogue throughput, accuracy.

    taskset -c 0 python bench/encoder.py          # one core, as the figures in the report
    python bench/encoder.py --sample 1000         # a quicker run on the first 1,000 titles

Builds the encoder in fp32 and int8 (netflix_pyfunc.encoder_build) in a temporary directory, then,
with one onnxruntime thread: p50/p90 (wall clock and CPU time) of single short queries (alternating fp32 and int8 in rounds, so
a shared machine's load hits both alike), texts per second embedding the catalogue as
"title. genres. description" (per wall-clock and per CPU second), cosine to the official pipeline's vectors (tests/fixtures) and
cosine of int8 to fp32 over the catalogue. Timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from netflix_pyfunc.catalog import load_catalog  # noqa: E402
from netflix_pyfunc.encoder import ENCODER_FILE, SentenceEncoder, catalog_texts  # noqa: E402
from netflix_pyfunc.encoder_build import build_encoder  # noqa: E402

QUERIES = ("a ghost story that keeps me up at night", "movies with Tom Hanks", "astronauts stranded far from earth",
           "something funny for a rainy day", "a korean thriller", "Midnight Mass")
PRECISIONS = ("fp32", "int8")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "netflix_titles.csv")
    parser.add_argument("--sample", type=int, default=None, help="embed only the first N titles")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--queries-per-round", type=int, default=120)
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    texts = catalog_texts(load_catalog(args.data))[:args.sample]
    reference = np.load(ROOT / "tests" / "fixtures" / "minilm_reference.npz")
    with tempfile.TemporaryDirectory() as scratch:
        encoders = {}
        for precision in PRECISIONS:
            start = time.perf_counter()
            directory = build_encoder(Path(scratch) / precision, precision=precision)
            built = time.perf_counter() - start
            start = time.perf_counter()
            encoders[precision] = SentenceEncoder.load(directory, threads=1)
            loaded = time.perf_counter() - start
            size = (directory / ENCODER_FILE).stat().st_size / 1e6
            print(f"{precision}: build {built:.1f} s, {ENCODER_FILE} {size:.1f} MB, load {loaded * 1e3:.0f} ms")

        latencies = {precision: [] for precision in PRECISIONS}
        cpu_latencies = {precision: [] for precision in PRECISIONS}
        for encoder in encoders.values():
            encoder.encode(list(QUERIES))  # warm up
        for _ in range(args.rounds):
            for precision, encoder in encoders.items():
                for i in range(args.queries_per_round):
                    start, cpu_start = time.perf_counter(), time.process_time()
                    encoder.encode([QUERIES[i % len(QUERIES)]])
                    latencies[precision].append(time.perf_counter() - start)
                    cpu_latencies[precision].append(time.process_time() - cpu_start)

        vectors = {}
        for precision, encoder in encoders.items():
            start, cpu_start = time.perf_counter(), time.process_time()
            vectors[precision] = encoder.encode(texts)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
            ms = np.array(latencies[precision]) * 1e3
            cpu_ms = np.array(cpu_latencies[precision]) * 1e3
            cosine = np.sum(encoder.encode([str(t) for t in reference["texts"]]) * reference["vectors"], axis=1)
            print(f"{precision}: query p50 {statistics.median(ms):.2f} ms (CPU {statistics.median(cpu_ms):.2f} ms), "
                  f"p90 {np.percentile(ms, 90):.2f} ms; {len(texts):,} catalogue texts in {elapsed:.1f} s "
                  f"= {len(texts) / elapsed:.0f} texts/s ({len(texts) / cpu:.0f} per CPU second); "
                  f"cosine to reference min {cosine.min():.5f} mean {cosine.mean():.5f}")
        agreement = np.sum(vectors["int8"] * vectors["fp32"], axis=1)
        print(f"int8 vs fp32 over the catalogue: cosine min {agreement.min():.4f}, "
              f"p1 {np.percentile(agreement, 1):.4f}, mean {agreement.mean():.4f}")
        top_fp32 = np.argsort(-(vectors["fp32"] @ vectors["fp32"][:500].T), axis=0)[1:11]
        top_int8 = np.argsort(-(vectors["int8"] @ vectors["int8"][:500].T), axis=0)[1:11]
        overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(top_fp32.T, top_int8.T)])
        print(f"top-10 neighbours of the first 500 titles, int8 vs fp32: {overlap:.1%} shared")


if __name__ == "__main__":
    main()
