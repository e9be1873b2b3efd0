"""Gated promotion, the training run's logged contents, and the sweep."""

import json

import mlflow
import pandas as pd
import pytest
from mlflow import MlflowClient

import sweep
import train
from netflix_pyfunc.registry import CHALLENGER, CHAMPION, OBJECTIVE_TAG, champion_objective, promote
from netflix_pyfunc.sweep import SEARCH_SPACE, sample_trials


def new_version(client, name, objective):
    if not client.search_registered_models(filter_string=f"name='{name}'"):
        client.create_registered_model(name)
    source = mlflow.get_tracking_uri().removeprefix("sqlite:///").removesuffix("mlflow.db")
    version = client.create_model_version(name, source=source, run_id=None)
    client.set_model_version_tag(name, version.version, OBJECTIVE_TAG, repr(objective))
    return str(version.version)


def test_promotion_better_becomes_champion_worse_becomes_challenger(tracking_store):
    client = MlflowClient()
    first = new_version(client, "m", 0.80)
    assert promote(client, "m", first, 0.80) == CHAMPION
    better = new_version(client, "m", 0.85)
    assert promote(client, "m", better, 0.85) == CHAMPION
    assert client.get_registered_model("m").aliases[CHAMPION] in (better, int(better))
    worse = new_version(client, "m", 0.70)
    assert promote(client, "m", worse, 0.70) == CHALLENGER
    aliases = {k: str(v) for k, v in client.get_registered_model("m").aliases.items()}
    assert aliases == {CHAMPION: better, CHALLENGER: worse}
    assert champion_objective(client, "m") == pytest.approx(0.85)


def test_equal_objective_is_promoted_and_always_overrides(tracking_store):
    client = MlflowClient()
    assert promote(client, "m", new_version(client, "m", 0.8), 0.8) == CHAMPION
    same = new_version(client, "m", 0.8)
    assert promote(client, "m", same, 0.8) == CHAMPION
    forced = new_version(client, "m", 0.1)
    assert promote(client, "m", forced, 0.1, mode="always") == CHAMPION
    assert str(client.get_registered_model("m").aliases[CHAMPION]) == forced


def test_unknown_promote_mode_is_rejected(tracking_store):
    with pytest.raises(ValueError, match="promote mode"):
        promote(MlflowClient(), "m", "1", 0.5, mode="sometimes")


@pytest.mark.slow
def test_training_run_logs_metrics_figures_report_input_and_champion(tracking_store, small_csv):
    train.main(["--data", str(small_csv), "--desc_min_df", "1", "--eval_sample_size", "14"])
    client = MlflowClient()
    version = client.get_model_version_by_alias("netflix-recommender", CHAMPION)
    run = client.get_run(version.run_id)
    for metric in ("genre_precision_at_k", "genre_precision_at_k_blind", "franchise_recall_at_k",
                   "known_item_success_at_k", "catalog_coverage_at_k", "hubness_max", "hubness_skew",
                   "intra_list_diversity", "latency_ms_p50", "objective"):
        assert metric in run.data.metrics, metric
        assert metric in version.tags, metric
    assert float(version.tags[OBJECTIVE_TAG]) == pytest.approx(run.data.metrics["objective"])
    assert len(run.data.tags["data_sha256"]) == 64 and run.data.tags["git_commit"]
    assert version.tags["data_sha256"] == run.data.tags["data_sha256"]
    assert "objective=" in version.description
    assert run.data.tags["mlflow.note.content"] == version.description
    assert [d.dataset.name for d in run.inputs.dataset_inputs] == ["netflix_titles"]
    figures = {a.path for a in client.list_artifacts(run.info.run_id, "eda")}
    assert len(figures) == 6 and all(p.endswith(".png") for p in figures)
    report_dir = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="evaluation")
    report = json.loads(open(f"{report_dir}/evaluation_report.json").read())
    assert report["metrics"]["objective"] == pytest.approx(run.data.metrics["objective"])
    assert report["examples"]["Rocky"][0]["title"] in ("Rocky II", "Rocky III")
    # A worse model (description only) stays challenger; the champion keeps serving.
    train.main(["--data", str(small_csv), "--desc_min_df", "1", "--eval_sample_size", "14",
                "--w_title", "0", "--w_genre", "0", "--w_people", "0", "--w_country", "0"])
    aliases = {k: str(v) for k, v in client.get_registered_model("netflix-recommender").aliases.items()}
    assert aliases == {CHAMPION: "1", CHALLENGER: "2"}
    served = mlflow.pyfunc.load_model("models:/netflix-recommender@champion")
    assert len(served.predict(pd.DataFrame({"title": ["Rocky"]}), params={"k": 2})) == 2


def test_sample_trials_starts_with_defaults_and_is_seeded():
    defaults = train.DEFAULTS
    trials = sample_trials(defaults, 5, seed=3)
    assert trials[0] == defaults
    assert trials == sample_trials(defaults, 5, seed=3)
    assert len({tuple(sorted(t.items())) for t in trials}) == 5
    assert all(t[name] in values for t in trials[1:] for name, values in SEARCH_SPACE.items())


@pytest.mark.slow
def test_sweep_two_trials_nested_with_best(tracking_store, small_csv):
    sweep.main(["--data", str(small_csv), "--trials", "2", "--eval_sample_size", "14"])
    runs = mlflow.search_runs(output_format="list")
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    children = [r for r in runs if "mlflow.parentRunId" in r.data.tags]
    assert len(parents) == 1 and len(children) == 2
    parent = parents[0]
    assert {c.data.tags["mlflow.parentRunId"] for c in children} == {parent.info.run_id}
    best_objective = max(r.data.metrics["objective"] for r in children)
    chosen = next(r for r in children if r.info.run_id == parent.data.tags["best_run_id"])
    assert chosen.data.metrics["objective"] == best_objective
    assert parent.data.metrics["best_objective"] == pytest.approx(best_objective)
    assert set(children[0].data.params) == set(children[1].data.params)


def test_training_runs_go_to_the_named_experiment_marked_for_training(tracking_store, monkeypatch):
    from netflix_pyfunc.experiment import EXPERIMENT_NAME, KIND_TAG, TRAINING_KIND, start_training_run, ui_url

    monkeypatch.delenv("MLFLOW_EXPERIMENT_NAME")
    with start_training_run() as run:
        pass
    client = MlflowClient()
    experiment = client.get_experiment(run.info.experiment_id)
    assert experiment.name == EXPERIMENT_NAME
    assert experiment.tags[KIND_TAG] == TRAINING_KIND and experiment.tags["mlflow.note.content"]
    assert ui_url(client, "http://127.0.0.1:5001/") == (
        f"http://127.0.0.1:5001/#/experiments/{experiment.experiment_id}?workflowType=machine_learning")
    assert ui_url(client, "http://127.0.0.1:5001", "no-such-experiment") is None


def test_mlflow_experiment_name_overrides_and_is_marked(tracking_store):
    from netflix_pyfunc.experiment import KIND_TAG, TRAINING_KIND, start_training_run

    with start_training_run() as run:
        pass
    experiment = MlflowClient().get_experiment(run.info.experiment_id)
    assert experiment.name == "netflix-pyfunc-test" and experiment.tags[KIND_TAG] == TRAINING_KIND
