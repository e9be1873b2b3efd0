#!/usr/bin/env bash
# Build the MLflow serving image for a model and smoke-test it for real:
# GET /ping and one POST /invocations against a running container, then the nginx
# patch (deploy/nginx.conf): no Content-Type -> 200 with predictions, text/csv garbage
# -> 415 JSON without a stack trace, a 9 MB body -> 413 JSON, /ping and a good query
# still 200 afterwards; then the search page at / (with its catalog.json) and Swagger UI
# at /docs/ (with openapi.json), served by the same nginx.
#
# Usage: deploy/smoke_image.sh [MODEL]   MODEL = model URI or local model dir
#        (default models:/netflix-recommender@champion, resolved through
#        MLFLOW_TRACKING_URI, e.g. sqlite:///mlflow.db after `make run`)
#
# Two builders, chosen automatically (override with SMOKE_BUILDER=docker|buildah):
#   docker   where `docker info` works (an engine and registry access):
#            deploy/build_image.sh (generate-dockerfile --env-manager local + the nginx
#            patch + `docker build`) on the real python:*-slim base, container
#            published on 127.0.0.1 only.
#   buildah  otherwise (CI here: no engine, no image registry): the Dockerfile from
#            `mlflow models generate-dockerfile --env-manager local` is built with
#            buildah on a test-only Debian base made by deploy/local_base_image.sh
#            (mmdebstrap); the container runs under podman with --network none and
#            is queried from inside its network namespace with nsenter. Needs root.
#
# Env:
#   MLFLOW_CMD        how to run mlflow (default: `mlflow` on PATH, else `python3 -m mlflow`)
#   PYTHON            python with this project installed, for web/build_site.py (default python3)
#   IMAGE, TAG        image name/tag to build (default netflix-recommender:smoke)
#   BASE_IMAGE        stand-in base for buildah (see local_base_image.sh)
#   SMOKE_BODY        JSON for /invocations
#                     (default {"dataframe_records": [{"title": "Midnight Mass"}], "params": {"k": 3}})
#   SMOKE_EXPECT      substring the /invocations answer must contain (default "predictions")
#   SMOKE_TIMEOUT     seconds to wait for /ping (default 240)
#   SMOKE_WORKERS     MLFLOW_MODELS_WORKERS in the container (default 1, as in k8s)
#   SMOKE_CA_BUNDLE   CA bundle mounted into the build for pip (default: PIP_CERT,
#                     REQUESTS_CA_BUNDLE, SSL_CERT_FILE or /etc/ssl/certs/ca-certificates.crt)
#   KEEP_IMAGE=1      keep the built image (default: removed at the end)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
case "${1:-}" in
  -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
  -*) echo "unknown option: $1 (usage: $0 [MODEL_URI_OR_DIR])" >&2; exit 2 ;;
esac
MODEL="${1:-models:/netflix-recommender@champion}"
IMAGE="${IMAGE:-netflix-recommender}"
TAG="${TAG:-smoke}"
BASE_IMAGE="${BASE_IMAGE:-localhost/netflix-pyfunc-test-base:bookworm-py311}"
default_body='{"dataframe_records": [{"title": "Midnight Mass"}], "params": {"k": 3}}'
SMOKE_BODY="${SMOKE_BODY:-$default_body}"
SMOKE_EXPECT="${SMOKE_EXPECT:-predictions}"
SMOKE_TIMEOUT="${SMOKE_TIMEOUT:-240}"
SMOKE_WORKERS="${SMOKE_WORKERS:-1}"
KEEP_IMAGE="${KEEP_IMAGE:-0}"

if [ -z "${SMOKE_BUILDER:-}" ]; then
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    SMOKE_BUILDER=docker
  else
    SMOKE_BUILDER=buildah
  fi
fi

log() { printf '[smoke %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
need() {
  command -v "$1" >/dev/null 2>&1 || {
    echo "error: '$1' not found. $2" >&2
    exit 1
  }
}

workdir="$(mktemp -d)"
container=""
engine=""
cleanup() {
  local rc=$?
  if [ -n "$container" ]; then
    if [ "$rc" -ne 0 ]; then
      log "container logs (last 60 lines):"
      "$engine" logs --tail 60 "$container" >&2 || true
    fi
    "$engine" rm -f "$container" >/dev/null 2>&1 || true
  fi
  if [ "$KEEP_IMAGE" != 1 ] && [ -n "$engine" ]; then
    "$engine" rmi -f "$IMAGE:$TAG" >/dev/null 2>&1 || true
  fi
  rm -rf "$workdir"
  exit "$rc"
}
trap cleanup EXIT

# curl wrapper: $1 = how to reach the server (nsenter pid or host:port)
status_and_body() {
  # prints "<http status>\n<body>"; never fails on HTTP errors
  local out="$workdir/body"
  local code
  rm -f "$out"
  code="$("$@" -o "$out" -w '%{http_code}' || true)"
  printf '%s\n' "${code:-000}"
  cat "$out" 2>/dev/null || true
}

# Same restrictions as deploy/k8s (read-only root, all capabilities dropped but
# CHOWN, DAC_OVERRIDE, SETUID, SETGID for nginx as root, no privilege escalation, tmpfs only
# where nginx and mlflow write), with either engine.
restrictions=(
  -e MLFLOW_MODELS_WORKERS="$SMOKE_WORKERS"
  --read-only --tmpfs /tmp --tmpfs /var/lib/nginx --tmpfs /var/log/nginx
  --cap-drop ALL --cap-add CHOWN --cap-add DAC_OVERRIDE --cap-add SETUID --cap-add SETGID
  --security-opt no-new-privileges
)

start=$SECONDS
log "builder: $SMOKE_BUILDER, model: $MODEL, image: $IMAGE:$TAG"

if [ "$SMOKE_BUILDER" = docker ]; then
  need docker "Install a Docker engine, or use SMOKE_BUILDER=buildah."
  engine=docker
  MODEL_URI="$MODEL" IMAGE_NAME="$IMAGE" IMAGE_TAG="$TAG" MLFLOW_CMD="${MLFLOW_CMD:-}" \
    "$here/build_image.sh"
  log "image built in $((SECONDS - start))s"
  container="netflix-smoke-$$"
  docker run -d --name "$container" -p 127.0.0.1::8080 \
    "${restrictions[@]}" \
    "$IMAGE:$TAG" >/dev/null
  hostport="$(docker port "$container" 8080/tcp | head -n1)"
  hostport="127.0.0.1:${hostport##*:}"
  reach=(curl -sS --max-time 30)
  base_url="http://$hostport"
else
  for t in buildah podman runc nsenter curl; do
    need "$t" "Install with: apt-get install -y buildah podman runc mmdebstrap curl util-linux"
  done
  if [ "$(id -u)" != 0 ]; then
    echo "error: the buildah/podman/nsenter path needs root" >&2
    exit 1
  fi
  engine=podman
  if ! podman image exists "$BASE_IMAGE"; then
    log "making the test-only base image $BASE_IMAGE"
    BASE_IMAGE="$BASE_IMAGE" "$here/local_base_image.sh"
  fi
  log "generating the Dockerfile"
  MODEL_URI="$MODEL" MLFLOW_MODELS_WORKERS="$SMOKE_WORKERS" MLFLOW_CMD="${MLFLOW_CMD:-}" \
    "$here/build_image.sh" --dockerfile "$workdir/ctx"

  ca="${SMOKE_CA_BUNDLE:-${PIP_CERT:-${REQUESTS_CA_BUNDLE:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}}}"
  [ -r "$ca" ] || { echo "error: CA bundle $ca not readable (set SMOKE_CA_BUNDLE)" >&2; exit 1; }
  # pip inside the build trusts the host's CA bundle (PyPI may be reached through
  # an intercepting proxy); both files are bind-mounted for RUN steps only.
  {
    echo "[global]"
    echo "cert = /run/smoke-build/ca.crt"
    echo "disable-pip-version-check = true"
    [ -z "${PIP_INDEX_URL:-}" ] || echo "index-url = $PIP_INDEX_URL"
    [ -z "${PIP_EXTRA_INDEX_URL:-}" ] || echo "extra-index-url = $PIP_EXTRA_INDEX_URL"
    [ -z "${PIP_DEFAULT_TIMEOUT:-}" ] || echo "timeout = $PIP_DEFAULT_TIMEOUT"
  } >"$workdir/pip.conf"

  log "building with buildah on $BASE_IMAGE (FROM line: $(grep -m1 '^FROM' "$workdir/ctx/Dockerfile"))"
  buildah bud \
    --from "$BASE_IMAGE" --pull=never \
    --network host \
    --volume "$ca:/run/smoke-build/ca.crt:ro" \
    --volume "$workdir/pip.conf:/etc/pip.conf:ro" \
    --tag "$IMAGE:$TAG" \
    "$workdir/ctx"
  log "image built in $((SECONDS - start))s"
  image_env="$(podman image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$IMAGE:$TAG")"
  grep -qx "MLFLOW_MODELS_WORKERS=$SMOKE_WORKERS" <<<"$image_env" ||
    { log "FAIL: image has no ENV MLFLOW_MODELS_WORKERS=$SMOKE_WORKERS"; exit 1; }

  container="netflix-smoke-$$"
  podman run -d --name "$container" \
    --network none --runtime runc \
    --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 \
    "${restrictions[@]}" \
    "$IMAGE:$TAG" >/dev/null
  pid="$(podman inspect --format '{{.State.Pid}}' "$container")"
  reach=(nsenter -t "$pid" -n curl -sS --max-time 30)
  base_url="http://127.0.0.1:8080"
fi

log "waiting up to ${SMOKE_TIMEOUT}s for /ping"
deadline=$((SECONDS + SMOKE_TIMEOUT))
ready=0
while [ "$SECONDS" -lt "$deadline" ]; do
  if [ "$("$engine" inspect --format '{{.State.Running}}' "$container")" != true ]; then
    log "container exited before becoming ready"
    exit 1
  fi
  code="$(status_and_body "${reach[@]}" "$base_url/ping" 2>/dev/null | head -n1)"
  if [ "$code" = 200 ]; then ready=1; break; fi
  sleep 2
done
[ "$ready" = 1 ] || { log "/ping did not answer 200 within ${SMOKE_TIMEOUT}s"; exit 1; }
log "/ping 200 after $((SECONDS - start))s total"

if [ "$engine" = podman ]; then
  # The inference server's command line must carry the configured worker count.
  server_cmd=""
  for status in /proc/[0-9]*/status; do
    ppid="$(awk '/^PPid:/ {print $2}' "$status" 2>/dev/null || true)"
    [ "$ppid" = "$pid" ] || continue
    cmdline="$(tr '\0' ' ' <"${status%/status}/cmdline" 2>/dev/null || true)"
    case "$cmdline" in *uvicorn*|*gunicorn*) server_cmd="$cmdline" ;; esac
  done
  log "inference server: ${server_cmd:-not found}"
  [[ "$server_cmd" == *"--workers $SMOKE_WORKERS"* ]] ||
    { log "FAIL: server not started with --workers $SMOKE_WORKERS"; exit 1; }
fi

# One request through the image's nginx: $1 label, $2 expected HTTP status, rest = curl
# arguments after the reach command. Fails unless the status matches; an error answer must
# be JSON without a Python stack trace. Leaves the answer body in $body.
expect() {
  local label="$1" want="$2" answer code
  shift 2
  answer="$(status_and_body "${reach[@]}" "$@")"
  code="$(head -n1 <<<"$answer")"
  body="$(tail -n +2 <<<"$answer")"
  log "$label -> HTTP $code: ${body:0:500}"
  if [ "$code" != "$want" ]; then
    log "FAIL: $label: expected HTTP $want"
    exit 1
  fi
  if [ "$want" != 200 ]; then
    if [[ "$body" == *stack_trace* || "$body" == *Traceback* || "$body" != *'"error_code"'* ]]; then
      log "FAIL: $label: the error answer is not clean JSON (or carries a stack trace)"
      exit 1
    fi
  fi
}

expect "/invocations" 200 -X POST -H 'Content-Type: application/json' \
  --data "$SMOKE_BODY" "$base_url/invocations"
if [[ "$body" != *"$SMOKE_EXPECT"* ]]; then
  log "FAIL: answer does not contain '$SMOKE_EXPECT'"
  exit 1
fi

# deploy/nginx.conf (the nginx patch, deploy/README.md): MLflow 3.17.2 itself answers a
# request without Content-Type with a bare 500, and a CSV/parquet body pandas cannot
# parse with a 400 carrying a Python stack_trace. `-H 'Content-Type:'` makes curl send
# no Content-Type header at all.
expect "/invocations without Content-Type" 200 -X POST -H 'Content-Type:' \
  --data "$SMOKE_BODY" "$base_url/invocations"
[[ "$body" == *"$SMOKE_EXPECT"* ]] ||
  { log "FAIL: answer without Content-Type does not contain '$SMOKE_EXPECT'"; exit 1; }
# (MLflow 3.17.2 answers this unterminated-quote CSV with 400 + "stack_trace": "Traceback ...")
expect "/invocations text/csv garbage" 415 -X POST -H 'Content-Type: text/csv' \
  --data-binary $'title\n"a\n' "$base_url/invocations"
head -c $((9 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$workdir/big.json"
expect "/invocations 9 MB body" 413 -X POST -H 'Content-Type: application/json' \
  --data-binary "@$workdir/big.json" "$base_url/invocations"
expect "/ping after the rejected requests" 200 "$base_url/ping"
expect "/invocations after the rejected requests" 200 -X POST -H 'Content-Type: application/json' \
  --data "$SMOKE_BODY" "$base_url/invocations"

# The search page and Swagger UI (web/build_site.py, copied to /opt/netflix-web).
# $1 path, $2 a substring its 200 answer must contain.
expect_page() {
  expect "GET $1" 200 "$base_url$1"
  [[ "$body" == *"$2"* ]] || { log "FAIL: GET $1 does not contain '$2'"; exit 1; }
}
expect_page / 'src="js/app.js"'
expect_page /catalog.json '"Midnight Mass"'
expect_page /docs/ 'swagger-ui-bundle.js'
expect_page /docs/openapi.json '"/invocations"'
code="$(status_and_body "${reach[@]}" "$base_url/docs" | head -n1)"
log "GET /docs -> HTTP $code (a redirect to /docs/)"
[ "$code" = 301 ] || { log "FAIL: GET /docs: expected HTTP 301"; exit 1; }

# /health is not proxied by MLflow's nginx: it must answer 404 on port 8080.
code="$(status_and_body "${reach[@]}" "$base_url/health" | head -n1)"
log "/health -> HTTP $code (nginx proxies only /ping and /invocations)"
log "PASS in $((SECONDS - start))s"
