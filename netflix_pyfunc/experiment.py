"""The MLflow experiment that training runs go to, and the UI address that opens on them.

Runs go to the experiment `netflix-recommender` unless MLflow's own choice says otherwise:
`mlflow run --experiment-name/--experiment-id`, or MLFLOW_EXPERIMENT_NAME/MLFLOW_EXPERIMENT_ID.
Under `mlflow run` the run exists before train.py starts; `make train` passes
`--experiment-name` so it lands there. The experiment is tagged as model development,
so MLflow's UI shows its training runs rather than its GenAI pages.
"""

from __future__ import annotations

import argparse
import os

import mlflow
from mlflow import MlflowClient

EXPERIMENT_NAME = "netflix-recommender"
KIND_TAG = "mlflow.experimentKind"
TRAINING_KIND = "custom_model_development"
DESCRIPTION = (
    "Training runs of the Netflix recommender: one run per `mlflow run` (params, offline metrics, "
    "EDA figures, evaluation report, the model) and the sweep's parent and child runs."
)
_CHOSEN_BY = ("MLFLOW_RUN_ID", "MLFLOW_EXPERIMENT_ID", "MLFLOW_EXPERIMENT_NAME")


def start_training_run(**kwargs) -> mlflow.ActiveRun:
    """mlflow.start_run in the experiment MLflow was told to use, else in EXPERIMENT_NAME;
    the experiment is then marked as model development (see mark_training_experiment)."""
    if not any(os.environ.get(name) for name in _CHOSEN_BY):
        experiment = MlflowClient().get_experiment_by_name(EXPERIMENT_NAME)
        kwargs["experiment_id"] = (
            experiment.experiment_id if experiment else MlflowClient().create_experiment(EXPERIMENT_NAME)
        )
    run = mlflow.start_run(**kwargs)
    mark_training_experiment(MlflowClient(), run.info.experiment_id)
    return run


def mark_training_experiment(client: MlflowClient, experiment_id: str) -> None:
    """Tag the experiment as model development and describe it, unless it already says otherwise."""
    tags = client.get_experiment(experiment_id).tags
    if KIND_TAG not in tags:
        client.set_experiment_tag(experiment_id, KIND_TAG, TRAINING_KIND)
    if "mlflow.note.content" not in tags:
        client.set_experiment_tag(experiment_id, "mlflow.note.content", DESCRIPTION)


def ui_url(client: MlflowClient, base: str, name: str = EXPERIMENT_NAME) -> str | None:
    """The UI page of the experiment's training runs; None if the experiment does not exist."""
    experiment = client.get_experiment_by_name(name)
    if experiment is None:
        return None
    return f"{base.rstrip('/')}/#/experiments/{experiment.experiment_id}?workflowType=machine_learning"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Print the MLflow UI address of the training runs.")
    parser.add_argument("--tracking-uri", default=None)
    parser.add_argument("--base", default="http://127.0.0.1:5001", help="where the UI listens")
    parser.add_argument("--name", default=os.environ.get("MLFLOW_EXPERIMENT_NAME") or EXPERIMENT_NAME)
    args = parser.parse_args(argv)
    url = ui_url(MlflowClient(tracking_uri=args.tracking_uri), args.base, args.name)
    if url is None:
        print(f"No experiment {args.name!r} yet (make train creates it); the UI is at {args.base}")
    else:
        print(f"Training runs of {args.name!r}: {url}")


if __name__ == "__main__":
    main()
