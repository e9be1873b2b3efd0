"""In-process timing (and optional profile) of RecommenderModel.predict, as the server calls it.

    python bench/inprocess.py                  # p50/p99 per query kind
    python bench/inprocess.py --profile title  # pyinstrument profile of one kind (pip install pyinstrument)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.queries import batch_rows, description_queries, title_queries  # noqa: E402
from harness import latency_summary  # noqa: E402
from netflix_pyfunc.catalog import load_catalog  # noqa: E402
from netflix_pyfunc.model import RecommenderModel  # noqa: E402
from netflix_pyfunc.recommender import HybridRecommender  # noqa: E402


def cases() -> dict[str, tuple[list[pd.DataFrame], dict]]:
    """Each kind: a rotation of inputs (as MLflow hands them to predict) and its params."""
    titles, texts = title_queries(), description_queries()
    frame = lambda rows: pd.DataFrame(rows)  # noqa: E731
    return {
        "title": ([frame([{"title": t}]) for t in titles[:100]], {"k": 10}),
        "description": ([frame([{"description": d}]) for d in texts[:100]], {"k": 10}),
        "filtered": ([frame([{"title": t}]) for t in titles[100:200]],
                     {"k": 10, "type": "Movie", "min_year": 2000, "genre": "Dramas"}),
        "batch100": ([frame(batch_rows(100))], {"k": 10}),
    }


def model_for(recommender: HybridRecommender) -> RecommenderModel:
    model = RecommenderModel()
    model.recommender = recommender
    return model


def time_kind(model: RecommenderModel, inputs, params, n: int) -> list[float]:
    for frame in inputs[:5]:
        model.predict(None, frame, params)
    out = []
    for i in range(n):
        frame = inputs[i % len(inputs)]
        started = time.perf_counter()
        model.predict(None, frame, params)
        out.append((time.perf_counter() - started) * 1000)
    return out


def measure(recommender: HybridRecommender, n: int = 300, kinds=None) -> dict:
    model = model_for(recommender)
    out = {}
    for kind, (inputs, params) in cases().items():
        if kinds and kind not in kinds:
            continue
        out[kind] = latency_summary(time_kind(model, inputs, params, n if kind != "batch100" else max(20, n // 10)))
    return out


def serialization(recommender: HybridRecommender, n: int = 200) -> dict:
    """p50 ms of what MLflow's server does with predict's output (to_dict(orient='records') then
    json.dump), for the echo floor's output and for the model's: the part of the HTTP cost
    that grows with the output table, not with the model's own work."""
    import io

    from mlflow.pyfunc.scoring_server import predictions_to_json

    model = model_for(recommender)
    outputs = {"floor_title": pd.DataFrame([{"title": title_queries()[0]}])}
    for kind, (inputs, params) in cases().items():
        outputs[f"model_{kind}"] = model.predict(None, inputs[0], params)
    out = {}
    for name, frame in outputs.items():
        times = []
        for _ in range(n if "batch" not in name else max(10, n // 10)):
            started = time.perf_counter()
            predictions_to_json(frame, io.StringIO())
            times.append((time.perf_counter() - started) * 1000)
        out[name] = round(statistics.median(times), 3)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", choices=["title", "description", "filtered", "batch100"])
    parser.add_argument("-n", type=int, default=300)
    args = parser.parse_args(argv)
    from netflix_pyfunc.training import training_encoder

    with tempfile.TemporaryDirectory() as tmp:
        _, encoder = training_encoder(Path(tmp))
    recommender = HybridRecommender().fit(load_catalog(ROOT / "data" / "netflix_titles.csv"), encoder=encoder)
    if args.profile:
        from pyinstrument import Profiler

        inputs, params = cases()[args.profile]
        model = model_for(recommender)
        time_kind(model, inputs, params, 5)
        profiler = Profiler(interval=0.0002)
        profiler.start()
        time_kind(model, inputs, params, args.n)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
        return 0
    print(json.dumps(measure(recommender, args.n), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
