"""Random search over block, semantic and intent weights and vectorizer settings, one nested
child run per trial (the grid is netflix_pyfunc.sweep.SEARCH_SPACE).

The parent run records the best child by netflix_pyfunc.evaluate.objective (known-item success,
franchise recall, genre precision with and without the genre block, coverage, judged free-text
and people precision, all at k). Flags match the `sweep` entry point of MLproject one to one.
"""

from __future__ import annotations

import argparse
import logging
import tempfile

import mlflow

from netflix_pyfunc.experiment import start_training_run
from netflix_pyfunc.sweep import SEARCH_SPACE, sample_trials
from netflix_pyfunc.registry import MODEL_NAME, PROMOTE_MODES
from netflix_pyfunc.training import fit_and_evaluate, load_dataset, log_and_register, training_encoder
from train import DEFAULTS, add_eval_flags


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    add_eval_flags(parser)
    parser.add_argument("--trials", type=int, default=4, help="number of configurations tried")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random search")
    parser.add_argument("--register_best", choices=("true", "false"), default="false",
                        help="log, register and gate the best configuration's model")
    parser.add_argument("--model_name", default=MODEL_NAME)
    parser.add_argument("--promote", choices=PROMOTE_MODES, default="gated")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    # Our own progress at INFO; other libraries only when they warn (onnxruntime's quantiser
    # logs a line per tensor at INFO on the root logger).
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("netflix_pyfunc").setLevel(logging.INFO)
    args = parse_args(argv)
    dataset = load_dataset(args.data)
    eval_kwargs = {"k": args.eval_k, "sample_size": args.eval_sample_size, "seed": args.eval_seed}
    with tempfile.TemporaryDirectory() as tmp, start_training_run():
        encoder_dir, encoder = training_encoder(tmp)
        mlflow.set_tags({"data_sha256": dataset.sha256, "search_space": repr(SEARCH_SPACE),
                         "encoder_sha256": encoder.sha256})
        best = None
        for i, params in enumerate(sample_trials(DEFAULTS, args.trials, args.seed)):
            with mlflow.start_run(run_name=f"trial-{i}", nested=True) as child:
                mlflow.log_params({**params, **{f"eval_{k}": v for k, v in eval_kwargs.items()}})
                recommender, metrics = fit_and_evaluate(dataset.catalog, params, encoder, **eval_kwargs)
                mlflow.log_metrics(metrics)
            print(f"trial {i}: objective {metrics['objective']:.4f} {params}")
            if best is None or metrics["objective"] > best[2]["objective"]:
                best = (child.info.run_id, params, metrics, recommender)
        run_id, params, metrics, recommender = best
        mlflow.set_tag("best_run_id", run_id)
        mlflow.log_params({f"best_{name}": value for name, value in params.items()})
        mlflow.log_metrics({"best_objective": metrics["objective"],
                            **{f"best_{name}": value for name, value in metrics.items()}})
        print(f"best trial run {run_id}: objective {metrics['objective']:.4f}")
        if args.register_best == "true":
            metrics = {**metrics, "n_titles": recommender.n_items_}
            version, alias = log_and_register(recommender, metrics, dataset, encoder_dir,
                                              model_name=args.model_name, promote_mode=args.promote)
            print(f"{args.model_name} version {version} -> @{alias}")


if __name__ == "__main__":
    main()
