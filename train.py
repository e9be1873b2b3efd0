"""Train the recommender, log it to MLflow, register it and move the `champion` alias.

Flags match the `main` entry point of MLproject one to one.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

import mlflow

from netflix_pyfunc.catalog import load_catalog
from netflix_pyfunc.model import pyfunc_kwargs, save_recommender
from netflix_pyfunc.recommender import HybridRecommender
from netflix_pyfunc.registry import MODEL_NAME, PROMOTE_MODES, promote

DEFAULTS = HybridRecommender().get_params()


def _bool(value: str) -> bool:
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {value!r}")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default="data/netflix_titles.csv", help="catalogue CSV")
    for name in ("w_description", "w_title", "w_genre", "w_people", "w_country", "w_text_title", "desc_max_df"):
        parser.add_argument(f"--{name}", type=float, default=DEFAULTS[name])
    for name in ("desc_ngram_max", "desc_min_df", "desc_max_features", "people_min_df"):
        parser.add_argument(f"--{name}", type=int, default=DEFAULTS[name])
    parser.add_argument("--sublinear_tf", type=_bool, default=DEFAULTS["sublinear_tf"])
    parser.add_argument("--model_name", default=MODEL_NAME, help="registered model name")
    parser.add_argument("--promote", choices=PROMOTE_MODES, default="gated")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = parse_args(argv)
    params = {name: getattr(args, name) for name in DEFAULTS}
    catalog = load_catalog(args.data)
    with mlflow.start_run() as run:
        # `mlflow run` has already logged the MLproject parameters as typed on its command line.
        logged = mlflow.get_run(run.info.run_id).data.params
        mlflow.log_params({k: v for k, v in {**params, "data": args.data, "promote": args.promote}.items() if k not in logged})
        started = time.perf_counter()
        recommender = HybridRecommender(**params).fit(catalog)
        mlflow.log_metrics({
            "fit_seconds": time.perf_counter() - started,
            "n_titles": recommender.n_items_,
            "n_features": recommender.index_.shape[1],
            "index_nnz": recommender.index_.nnz,
        })
        with tempfile.TemporaryDirectory() as tmp:
            artifact = save_recommender(recommender, Path(tmp) / "recommender.pkl")
            mlflow.log_metric("artifact_mb", artifact.stat().st_size / 2**20)
            info = mlflow.pyfunc.log_model(
                name="model", registered_model_name=args.model_name, **pyfunc_kwargs(artifact)
            )
        objective = 0.0
        alias = promote(mlflow.MlflowClient(), args.model_name, str(info.registered_model_version), objective, args.promote)
        mlflow.set_tag("alias", alias)
        print(f"run {run.info.run_id}: {args.model_name} version {info.registered_model_version} -> @{alias}")


if __name__ == "__main__":
    main()
