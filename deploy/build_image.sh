#!/usr/bin/env bash
# Build the MLflow scoring image for the registered model, or write its Dockerfile.
#
# Usage:
#   deploy/build_image.sh                   # mlflow models build-docker (needs a Docker engine)
#   deploy/build_image.sh --dockerfile DIR  # mlflow models generate-dockerfile into DIR
#                                           # (build DIR with docker/buildah/podman/az acr build)
#   add --dry-run to print the commands instead of running them
#
# Env:
#   MODEL_URI              default models:/netflix-recommender@champion
#   MLFLOW_TRACKING_URI    where models:/ URIs resolve (after `make run`: sqlite:///mlflow.db)
#   IMAGE_NAME, IMAGE_TAG  default netflix-recommender, latest
#   MLFLOW_MODELS_WORKERS  uvicorn workers per container, default 1 (one per pod; scale
#                          with replicas). Written as ENV into the generated Dockerfile;
#                          for build-docker images pass it at run time (k8s sets it).
#   MLFLOW_CMD             how to run mlflow (default: `mlflow`, else `python3 -m mlflow`)
#
# Always --env-manager local: without it MLflow builds an ubuntu + pyenv + Java image.
# The image serves /ping and /invocations on port 8080 behind MLflow's nginx
# (/health is not proxied).
set -euo pipefail

MODEL_URI="${MODEL_URI:-models:/netflix-recommender@champion}"
IMAGE_NAME="${IMAGE_NAME:-netflix-recommender}"
IMAGE_TAG="${IMAGE_TAG:-latest}"
WORKERS="${MLFLOW_MODELS_WORKERS:-1}"
DRY_RUN=0
DOCKERFILE_DIR=""

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --dockerfile)
      [ $# -ge 2 ] || { echo "--dockerfile needs a directory" >&2; exit 2; }
      DOCKERFILE_DIR="$2"; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

case "$WORKERS" in
  ''|*[!0-9]*|0) echo "MLFLOW_MODELS_WORKERS must be a positive integer, got '$WORKERS'" >&2; exit 2 ;;
esac

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

if [ -n "$DOCKERFILE_DIR" ]; then
  run "${mlflow_cmd[@]}" models generate-dockerfile -m "$MODEL_URI" --env-manager local -d "$DOCKERFILE_DIR"
  # Pin the worker count in the image instead of inheriting the node's core count.
  line="ENV MLFLOW_MODELS_WORKERS=$WORKERS"
  if [ "$DRY_RUN" = 1 ]; then
    echo "+ echo '$line' >> $DOCKERFILE_DIR/Dockerfile"
  elif ! grep -q '^ENV MLFLOW_MODELS_WORKERS=' "$DOCKERFILE_DIR/Dockerfile"; then
    printf '\n# One worker per container; scale with replicas (deploy/README.md).\n%s\n' "$line" \
      >>"$DOCKERFILE_DIR/Dockerfile"
  fi
  [ "$DRY_RUN" = 1 ] || echo "Dockerfile written to $DOCKERFILE_DIR/Dockerfile" >&2
else
  run "${mlflow_cmd[@]}" models build-docker -m "$MODEL_URI" -n "$IMAGE_NAME:$IMAGE_TAG" --env-manager local
  [ "$DRY_RUN" = 1 ] || cat >&2 <<MSG
Built $IMAGE_NAME:$IMAGE_TAG. Run it with one worker per container, e.g.
  docker run --rm -p 127.0.0.1:8080:8080 -e MLFLOW_MODELS_WORKERS=$WORKERS $IMAGE_NAME:$IMAGE_TAG
MSG
fi
