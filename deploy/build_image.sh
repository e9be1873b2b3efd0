#!/usr/bin/env bash
# Build the MLflow scoring image for the registered model, or write its Dockerfile.
#
# Usage:
#   deploy/build_image.sh                   # generate-dockerfile + nginx patch + `docker build`
#                                           # (needs a Docker engine)
#   deploy/build_image.sh --dockerfile DIR  # only write the patched Dockerfile + context into DIR
#                                           # (build DIR with docker/buildah/podman/az acr build)
#   deploy/build_image.sh --mlflow-build-docker
#                                           # plain `mlflow models build-docker`: UNPATCHED nginx
#   add --dry-run to print the commands instead of running them
#
# Env:
#   MODEL_URI              default models:/netflix-recommender@champion
#   MLFLOW_TRACKING_URI    where models:/ URIs resolve (after `make run`: sqlite:///mlflow.db)
#   IMAGE_NAME, IMAGE_TAG  default netflix-recommender, latest
#   MLFLOW_MODELS_WORKERS  uvicorn workers per container, default 1 (one per pod; scale
#                          with replicas). Written as ENV into the generated Dockerfile;
#                          for --mlflow-build-docker images pass it at run time (k8s sets it).
#   MLFLOW_CMD             how to run mlflow (default: `mlflow`, else `python3 -m mlflow`)
#   PYTHON                 a python with this project installed (`make install`; default python3),
#                          for web/build_site.py
#   DATA                   catalogue CSV for the page's title list (default data/netflix_titles.csv)
#
# Always --env-manager local: without it MLflow builds an ubuntu + pyenv + Java image.
# The image serves /ping and /invocations on port 8080 behind MLflow's nginx
# (/health is not proxied). The Dockerfile written here replaces MLflow's nginx.conf
# with deploy/nginx.conf (a missing Content-Type is taken as JSON instead of MLflow's 500;
# non-JSON bodies get 415 instead of a 400 carrying a Python stack trace; see README), and
# adds the search page and Swagger UI (web/build_site.py) that this nginx serves at / and /docs/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
MODEL_URI="${MODEL_URI:-models:/netflix-recommender@champion}"
IMAGE_NAME="${IMAGE_NAME:-netflix-recommender}"
IMAGE_TAG="${IMAGE_TAG:-latest}"
WORKERS="${MLFLOW_MODELS_WORKERS:-1}"
PYTHON="${PYTHON:-python3}"
DATA="${DATA:-$repo/data/netflix_titles.csv}"
DRY_RUN=0
DOCKERFILE_DIR=""
MLFLOW_BUILD_DOCKER=0

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --dockerfile)
      [ $# -ge 2 ] || { echo "--dockerfile needs a directory" >&2; exit 2; }
      DOCKERFILE_DIR="$2"; shift ;;
    --mlflow-build-docker) MLFLOW_BUILD_DOCKER=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

case "$WORKERS" in
  ''|*[!0-9]*|0) echo "MLFLOW_MODELS_WORKERS must be a positive integer, got '$WORKERS'" >&2; exit 2 ;;
esac
if [ "$MLFLOW_BUILD_DOCKER" = 1 ] && [ -n "$DOCKERFILE_DIR" ]; then
  echo "--mlflow-build-docker and --dockerfile exclude each other" >&2; exit 2
fi

if [ -n "${MLFLOW_CMD:-}" ]; then
  read -r -a mlflow_cmd <<<"$MLFLOW_CMD"
elif command -v mlflow >/dev/null 2>&1; then
  mlflow_cmd=(mlflow)
else
  mlflow_cmd=(python3 -m mlflow)
fi

run() {
  if [ "$DRY_RUN" = 1 ]; then printf '+'; printf ' %q' "$@"; printf '\n'; else "$@"; fi
}

# Append a commented block of lines to a Dockerfile, once (re-runs into one dir keep
# a single copy): $1 file, $2 comment, $3... lines. A dry run prints one echo per line.
append_block() {
  local file="$1" comment="$2" line
  shift 2
  if [ "$DRY_RUN" = 1 ]; then
    for line in "$@"; do printf '+ echo %q >> %q\n' "$line" "$file"; done
  elif ! grep -qxF -- "$1" "$file"; then
    printf '\n# %s\n' "$comment" >>"$file"
    printf '%s\n' "$@" >>"$file"
  fi
}

# The entrypoint (mlflow.models.container._serve_pyfunc) runs
#   nginx -c Path(mlflow.models.__file__).parent / "container/scoring_server/nginx.conf"
# so the image's copy of that file is replaced. The path is resolved with the image's own
# python (site-packages differs between python:*-slim and Debian); `test -f` fails the
# build if MLflow ever moves the file, and `nginx -t` checks the config with the image's nginx.
# shellcheck disable=SC2016  # $(...) and $conf are for the RUN step's shell, not this one
NGINX_RUN='RUN conf="$(python -c '"'"'import mlflow.models, pathlib; print(pathlib.Path(mlflow.models.__file__).parent / "container" / "scoring_server" / "nginx.conf")'"'"')" && test -f "$conf" && mv /opt/mlflow/nginx.conf "$conf" && nginx -t -c "$conf"'

write_dockerfile() {
  local dir="$1"
  run "${mlflow_cmd[@]}" models generate-dockerfile -m "$MODEL_URI" --env-manager local -d "$dir"
  # Pin the worker count in the image instead of inheriting the node's core count.
  append_block "$dir/Dockerfile" "One worker per container; scale with replicas (deploy/README.md)." \
    "ENV MLFLOW_MODELS_WORKERS=$WORKERS"
  # Serve through deploy/nginx.conf instead of MLflow's.
  run cp "$here/nginx.conf" "$dir/nginx.conf"
  append_block "$dir/Dockerfile" \
    "deploy/nginx.conf replaces MLflow's nginx.conf (deploy/README.md, \"The nginx patch\")." \
    "COPY nginx.conf /opt/mlflow/nginx.conf" "$NGINX_RUN"
  # The page and /docs/: static files, root of `location /` in deploy/nginx.conf.
  run "$PYTHON" "$repo/web/build_site.py" --out "$dir/web" --data "$DATA"
  append_block "$dir/Dockerfile" "The search page and Swagger UI (web/build_site.py), served by nginx at / and /docs/." \
    "COPY web/ /opt/netflix-web/"
}

if [ -n "$DOCKERFILE_DIR" ]; then
  write_dockerfile "$DOCKERFILE_DIR"
  [ "$DRY_RUN" = 1 ] || echo "Dockerfile written to $DOCKERFILE_DIR/Dockerfile" >&2
  exit 0
fi

if [ "$MLFLOW_BUILD_DOCKER" = 1 ]; then
  # MLflow's own builder: its nginx.conf as shipped (no Content-Type -> 500, CSV/parquet
  # errors -> 400 with a stack trace) and no ENV for the worker count.
  run "${mlflow_cmd[@]}" models build-docker -m "$MODEL_URI" -n "$IMAGE_NAME:$IMAGE_TAG" --env-manager local
else
  ctx="$(mktemp -d)"
  trap 'rm -rf "$ctx"' EXIT
  write_dockerfile "$ctx/image"
  run docker build -t "$IMAGE_NAME:$IMAGE_TAG" "$ctx/image"
fi
[ "$DRY_RUN" = 1 ] || cat >&2 <<MSG
Built $IMAGE_NAME:$IMAGE_TAG. Run it with one worker per container, e.g.
  docker run --rm -p 127.0.0.1:8080:8080 -e MLFLOW_MODELS_WORKERS=$WORKERS $IMAGE_NAME:$IMAGE_TAG
MSG
