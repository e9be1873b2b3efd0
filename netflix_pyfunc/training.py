"""One training run as MLflow sees it: fit, evaluate, log, register, promote.

train.py and sweep.py call these inside their own `mlflow.start_run()`.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import mlflow
import pandas as pd
from mlflow import MlflowClient
from mlflow.data.sources import LocalArtifactDatasetSource

from .catalog import clean_catalog, read_catalog
from .eda import eda_figures
from .encoder import SentenceEncoder
from .evaluate import evaluate, objective, sample_positions, write_report
from .judged import text_precision_at_k
from .judged_people import people_precision_at_k
from .metrics import genre_precision_at_k
from .model import pyfunc_kwargs, save_recommender
from .params import InvalidRequest, Query, Request
from .recommender import HybridRecommender
from .registry import MODEL_DESCRIPTION, OBJECTIVE_TAG, promote

log = logging.getLogger(__name__)

# Shown in every run's evaluation report.
EXAMPLE_QUERIES = (
    Query(title="Midnight Mass"),
    Query(title="Rocky"),
    Query(title="Kung Fu Panda"),
    Query(title="Stranger Things"),
    Query(title="Narcos"),
    Query(title="Our Planet"),
    Query(title="pokemon indigo league"),
    Query(description="astronauts stranded far from earth"),
    Query(description="a heist crew plans to rob the royal mint of spain"),
    Query(title="Death Note", description="a detective chases a killer"),
    Query(description="movies with Tom Hanks"),
    Query(description="a korean thriller"),
)
# People asked for by name in people_precision_at_k (sampled with the evaluation seed).
PEOPLE_SAMPLE = 100


@dataclass(frozen=True)
class Dataset:
    """The catalogue as read from disk, cleaned, with its provenance."""

    path: Path
    raw: pd.DataFrame
    catalog: pd.DataFrame
    sha256: str


def load_dataset(path: str | Path) -> Dataset:
    path = Path(path)
    raw = read_catalog(path)
    return Dataset(path, raw, clean_catalog(raw), hashlib.sha256(path.read_bytes()).hexdigest())


def git_commit(directory: Path) -> str:
    """HEAD of the repository holding directory, or 'unknown' outside a git checkout."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=directory, capture_output=True, text=True, check=True, timeout=10
        )
    except (FileNotFoundError, subprocess.CalledProcessError):
        return "unknown"
    return result.stdout.strip()


def fit_and_evaluate(catalog: pd.DataFrame, params: dict, encoder: SentenceEncoder, *, k: int = 10,
                     sample_size: int = 500, seed: int = 0) -> tuple[HybridRecommender, dict[str, float]]:
    """Fit the recommender, compute the offline metrics and the objective.

    genre_precision_at_k_blind comes from a second model fitted with the genre block
    weighted 0, on the same sample: it shows how much of the genre precision is
    copied from the genre field (it reuses the cached catalogue embeddings).
    text_precision_at_k (judged free-text wishes; _dev and _holdout halves) and
    people_precision_at_k (people asked for by name) run through neighbors_for_text,
    the path requests take.
    """
    started = time.perf_counter()
    recommender = HybridRecommender(**params).fit(catalog, encoder=encoder)
    fit_seconds = time.perf_counter() - started
    request = Request(k=k)
    metrics = evaluate(
        catalog, recommender.neighbors, recommender.neighbors_for_text, k=k, sample_size=sample_size, seed=seed,
        predict=lambda title: recommender.recommend([Query(title=title)], request),
    )
    text = text_precision_at_k(catalog, recommender.neighbors_for_text, k).per_query
    metrics["text_precision_at_k"] = float(text["precision"].mean())
    for split, rows in text.groupby("split"):
        metrics[f"text_precision_at_k_{split}"] = float(rows["precision"].mean())
    metrics["people_precision_at_k"] = people_precision_at_k(
        catalog, recommender.neighbors_for_text, k, PEOPLE_SAMPLE, seed).value
    blind = HybridRecommender(**{**params, "w_genre": 0.0}).fit(catalog, encoder=encoder)
    sample = sample_positions(len(catalog), sample_size, seed)
    metrics["genre_precision_at_k_blind"] = genre_precision_at_k(catalog, sample, blind.neighbors(sample, k))
    metrics["objective"] = objective(metrics)
    metrics["fit_seconds"] = fit_seconds
    return recommender, metrics


def example_results(recommender: HybridRecommender, k: int = 5) -> dict[str, pd.DataFrame]:
    """Results of EXAMPLE_QUERIES; a query this catalogue cannot answer is left out."""
    columns = ["rank", "title", "type", "release_year", "score", "reason"]
    examples = {}
    for query in EXAMPLE_QUERIES:
        label = " + ".join(filter(None, [query.title, query.description and f'"{query.description}"']))
        try:
            examples[label] = recommender.recommend([query], Request(k=k))[columns]
        except InvalidRequest as error:
            log.info("example %s left out of the report: %s", label, error)
    return examples


def log_training(dataset: Dataset, params: dict, encoder: SentenceEncoder, *, k: int, sample_size: int, seed: int,
                 extra_params: dict | None = None) -> tuple[HybridRecommender, dict]:
    """Inside an active run: lineage tags and input, params (and the encoder's sha256), metrics,
    EDA figures, evaluation report."""
    mlflow.log_input(
        mlflow.data.from_pandas(dataset.raw, source=LocalArtifactDatasetSource(dataset.path.resolve().as_uri()),
                                name="netflix_titles", digest=dataset.sha256[:16]),
        context="training",
    )
    mlflow.set_tags({"data_sha256": dataset.sha256, "git_commit": git_commit(Path(__file__).resolve().parent),
                     "encoder_sha256": encoder.sha256})
    logged = mlflow.get_run(mlflow.active_run().info.run_id).data.params
    wanted = {**params, "eval_k": k, "eval_sample_size": sample_size, "eval_seed": seed,
              "encoder_sha256": encoder.sha256, **(extra_params or {})}
    # `mlflow run` has already logged the MLproject parameters as typed on its command line.
    mlflow.log_params({name: value for name, value in wanted.items() if name not in logged})
    recommender, metrics = fit_and_evaluate(dataset.catalog, params, encoder, k=k, sample_size=sample_size, seed=seed)
    metrics.update({"n_titles": recommender.n_items_, "n_features": recommender.vectors_.shape[1],
                    "index_nnz": recommender.vectors_.nnz})
    mlflow.log_metrics(metrics)
    for name, figure in eda_figures(dataset.catalog).items():
        mlflow.log_figure(figure, f"eda/{name}")
    with tempfile.TemporaryDirectory() as tmp:
        write_report(metrics, example_results(recommender), tmp)
        mlflow.log_artifacts(tmp, artifact_path="evaluation")
    return recommender, metrics


def log_and_register(recommender: HybridRecommender, metrics: dict, dataset: Dataset, encoder_dir: Path, *,
                     model_name: str, promote_mode: str) -> tuple[str, str]:
    """Log the pyfunc (recommender and encoder directory), register a version tagged with its
    metrics, move the alias by the gate."""
    with tempfile.TemporaryDirectory() as tmp:
        artifact = save_recommender(recommender, Path(tmp) / "recommender.pkl")
        encoder_mb = sum(path.stat().st_size for path in Path(encoder_dir).iterdir()) / 2**20
        mlflow.log_metric("artifact_mb", artifact.stat().st_size / 2**20 + encoder_mb)
        info = mlflow.pyfunc.log_model(name="model", registered_model_name=model_name,
                                       **pyfunc_kwargs(artifact, encoder_dir))
    version = str(info.registered_model_version)
    client = MlflowClient()
    client.update_registered_model(model_name, description=MODEL_DESCRIPTION)
    for name, value in metrics.items():
        client.set_model_version_tag(model_name, version, name, f"{value:.6g}")
    client.set_model_version_tag(model_name, version, OBJECTIVE_TAG, repr(float(metrics["objective"])))
    client.set_model_version_tag(model_name, version, "data_sha256", dataset.sha256)
    client.set_model_version_tag(model_name, version, "encoder_sha256", recommender.semantic_.encoder_sha256_)
    client.set_model_version_tag(model_name, version, "git_commit", git_commit(Path(__file__).resolve().parent))
    description = (
        f"Hybrid TF-IDF + MiniLM recommender over {metrics['n_titles']:.0f} titles. "
        f"objective={metrics['objective']:.4f}, text_precision@k={metrics['text_precision_at_k']:.3f}, "
        f"people_precision@k={metrics['people_precision_at_k']:.3f}, "
        f"franchise_recall@k={metrics['franchise_recall_at_k']:.3f}, "
        f"known_item@k={metrics['known_item_success_at_k']:.3f}, "
        f"genre_precision@k={metrics['genre_precision_at_k']:.3f} (blind {metrics['genre_precision_at_k_blind']:.3f})."
    )
    client.update_model_version(model_name, version, description=description)
    mlflow.set_tag("mlflow.note.content", description)  # the run's description in the UI
    alias = promote(client, model_name, version, float(metrics["objective"]), promote_mode)
    mlflow.set_tag("registered_alias", alias)
    return version, alias


def training_encoder(directory: Path) -> tuple[Path, SentenceEncoder]:
    """Build the verified int8 encoder into directory/encoder (deterministic: the same files and
    sha256 every run, so the catalogue embedding cache keeps hitting) and load it."""
    from .encoder_build import build_encoder   # training only: imports onnx

    encoder_dir = build_encoder(Path(directory) / "encoder")
    return encoder_dir, SentenceEncoder.load(encoder_dir)
