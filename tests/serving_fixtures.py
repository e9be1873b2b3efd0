"""Shared helpers and session fixtures for tests that talk to a real `mlflow models serve`.

Load it from a test module with ``pytest_plugins = ("serving_fixtures",)`` (pytest puts
tests/ on sys.path). The fixtures are session-scoped, so the catalogue is trained once and
one loopback server is shared by every module that asks for `live_server`.

Everything binds to 127.0.0.1 and every process started here is stopped here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from harness import BIN, MlflowServer

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "netflix_titles.csv"
MODEL_NAME = "netflix-recommender"
CHAMPION_URI = f"models:/{MODEL_NAME}@champion"


def tracking_env(tmp: Path) -> dict:
    """Environment for a private tracking store in tmp, with this venv's tools on PATH."""
    from mlflow import MlflowClient

    uri = f"sqlite:///{tmp / 'mlflow.db'}"
    name = "netflix-pyfunc-test"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    if client.get_experiment_by_name(name) is None:
        client.create_experiment(name, artifact_location=(tmp / "artifacts").as_uri())
    return {
        **os.environ,
        "MLFLOW_TRACKING_URI": uri,
        "MLFLOW_EXPERIMENT_NAME": name,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
    }


def invoke(url: str, body, *, headers: dict | None = None, timeout: float = 60) -> requests.Response:
    """POST /invocations; dicts are sent as JSON with Content-Type application/json."""
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return requests.post(
        f"{url}/invocations", data=data,
        headers={"Content-Type": "application/json"} if headers is None else headers, timeout=timeout,
    )


def server_env(env: dict) -> dict:
    """Server environment: no PYTHONPATH, so the model's own `code/` copy of the package is
    what runs (as in the image), not the working tree."""
    return {k: v for k, v in env.items() if k != "PYTHONPATH"}


@pytest.fixture(scope="session")
def trained_store(tmp_path_factory):
    """(tmp, env): a private tracking store where train.py registered the champion once."""
    tmp = tmp_path_factory.mktemp("served-store")
    env = tracking_env(tmp)
    subprocess.run(
        [sys.executable, str(ROOT / "train.py"), "--data", str(DATA)],
        cwd=tmp, env=env, check=True, timeout=900, stdout=subprocess.DEVNULL,
    )
    return tmp, env


@pytest.fixture(scope="session")
def champion_dir(trained_store) -> Path:
    """The champion's model directory, downloaded once (fault tests copy and damage it)."""
    tmp, env = trained_store
    # In a child process: download_artifacts' tracking_uri/registry_uri arguments do not reach
    # the models:/ resolver in MLflow 3.17.2, and set_tracking_uri here would leak to other tests.
    target = tmp / "champion"
    subprocess.run(
        [sys.executable, "-c", "import sys, mlflow; mlflow.artifacts.download_artifacts("
         "artifact_uri=sys.argv[1], dst_path=sys.argv[2])", CHAMPION_URI, str(target)],
        cwd=tmp, env=env, check=True, timeout=300, stdout=subprocess.DEVNULL,
    )
    assert (target / "MLmodel").is_file()
    return target


class External:
    """A server someone else started (NETFLIX_SERVING_URL); nothing to stop."""

    process = None
    log = ""

    def __init__(self, url: str):
        self.url = url.rstrip("/")


@pytest.fixture(scope="session")
def live_server(request):
    """One shared server for the champion; yields a harness.MlflowServer (use .url).

    With NETFLIX_SERVING_URL=http://127.0.0.1:PORT the tests use that server instead of
    training and starting one (e.g. a running image: nginx on :8080 proxies /invocations)."""
    if url := os.environ.get("NETFLIX_SERVING_URL"):
        yield External(url)
        return
    tmp, env = request.getfixturevalue("trained_store")
    with MlflowServer(CHAMPION_URI, cwd=tmp, env=server_env(env), log_path=tmp / "live-serve.log") as server:
        server.ready()
        yield server


# Things that only a server's internals can put in a body (the input is echoed in messages,
# so a marker counts only when the request did not contain it).
LEAK_MARKERS = ("Traceback", "stack_trace", 'File "', "site-packages", "/usr/lib/python", ".py\", line")
PATH_PATTERN = re.compile(r"(?:/[\w.-]+){2,}/[\w.-]+\.(?:py|pkl|pyc|so)\b")


def assert_no_leak(body: str, sent: str = "") -> None:
    """No stack trace, no server-side file path in a response body."""
    for marker in LEAK_MARKERS:
        assert marker not in body or marker in sent, f"response leaks {marker!r}: {body[:800]}"
    for path in PATH_PATTERN.findall(body):
        assert path in sent, f"response leaks the path {path!r}: {body[:800]}"


def content_type(response) -> str:
    """Content-Type of a requests or schemathesis response (the latter keeps header lists)."""
    value = {k.lower(): v for k, v in response.headers.items()}.get("content-type", "")
    return value[0] if isinstance(value, list) else value


def assert_useful_client_error(response) -> None:
    """A 4xx is JSON {error_code, message} with a message that names something."""
    assert content_type(response).startswith("application/json"), response.text[:500]
    body = response.json()
    assert isinstance(body, dict) and body.get("error_code"), body
    message = body.get("message")
    assert isinstance(message, str) and len(message.strip()) >= 15, body
