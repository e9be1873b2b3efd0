"""Train the recommender, evaluate it, log it to MLflow, register a version and
move `champion` to it if it is at least as good as the current champion.

Flags match the `main` entry point of MLproject one to one.
"""

from __future__ import annotations

import argparse
import logging
import tempfile


from netflix_pyfunc.experiment import start_training_run
from netflix_pyfunc.recommender import HybridRecommender
from netflix_pyfunc.registry import MODEL_NAME, PROMOTE_MODES
from netflix_pyfunc.training import load_dataset, log_and_register, log_training, training_encoder

# The recommender's hyperparameters and defaults, from its __init__ signature.
DEFAULTS = HybridRecommender().get_params()


def _bool(value: str) -> bool:
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {value!r}")


def add_model_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per hyperparameter, typed by its default (see HybridRecommender for their meaning)."""
    for name, default in DEFAULTS.items():
        kind = _bool if isinstance(default, bool) else type(default)
        parser.add_argument(f"--{name}", type=kind, default=default)


def add_eval_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", default="data/netflix_titles.csv", help="catalogue CSV")
    parser.add_argument("--eval_k", type=int, default=10, help="k of the offline metrics")
    parser.add_argument("--eval_sample_size", type=int, default=500, help="query titles sampled for the metrics")
    parser.add_argument("--eval_seed", type=int, default=0)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    add_eval_flags(parser)
    add_model_flags(parser)
    parser.add_argument("--model_name", default=MODEL_NAME, help="registered model name")
    parser.add_argument("--promote", choices=PROMOTE_MODES, default="gated",
                        help="gated: champion only if objective >= champion's; always: champion regardless")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    # Our own progress at INFO; other libraries only when they warn (onnxruntime's quantiser
    # logs a line per tensor at INFO on the root logger).
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("netflix_pyfunc").setLevel(logging.INFO)
    args = parse_args(argv)
    params = {name: getattr(args, name) for name in DEFAULTS}
    dataset = load_dataset(args.data)
    with tempfile.TemporaryDirectory() as tmp, start_training_run() as run:
        encoder_dir, encoder = training_encoder(tmp)
        recommender, metrics = log_training(
            dataset, params, encoder, k=args.eval_k, sample_size=args.eval_sample_size, seed=args.eval_seed,
            extra_params={"data": args.data, "model_name": args.model_name, "promote": args.promote},
        )
        version, alias = log_and_register(
            recommender, metrics, dataset, encoder_dir, model_name=args.model_name, promote_mode=args.promote
        )
        print(f"run {run.info.run_id}: {args.model_name} version {version} -> @{alias} "
              f"(objective {metrics['objective']:.4f})")


if __name__ == "__main__":
    main()
