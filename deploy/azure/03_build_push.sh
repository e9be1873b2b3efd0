#!/usr/bin/env bash
# Put the serving image for MODEL_URI into the registry as IMAGE_NAME:IMAGE_TAG.
#
# IMAGE_BUILDER=acr (default): write the MLflow-generated Dockerfile (with the
#   model and deploy/nginx.conf copied in) locally, then build it in Azure with `az acr build`.
#   No local Docker needed. Note: ACR Tasks may be disabled on free/student
#   subscriptions; then use IMAGE_BUILDER=docker.
# IMAGE_BUILDER=docker: the same Dockerfile built locally with `docker build`
#   (deploy/build_image.sh), then `az acr login` + `docker tag` + `docker push`.
# Both images serve through deploy/nginx.conf (deploy/README.md, "The nginx patch").
# Re-running pushes the same tag again (the tag then points at the new build).
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
parse_common_args "$@"

IMAGE_BUILDER="${IMAGE_BUILDER:-acr}"
validate_names
require_login
dry=()
[ "$DRY_RUN" = 1 ] && dry=(--dry-run)

case "$IMAGE_BUILDER" in
  acr)
    ctx="${BUILD_CONTEXT_DIR:-}"
    if [ -z "$ctx" ]; then
      ctx="$(mktemp -d)"
      trap 'rm -rf "$ctx"' EXIT
    fi
    MODEL_URI="$MODEL_URI" "$DEPLOY_DIR/build_image.sh" "${dry[@]}" --dockerfile "$ctx/image"
    run az acr build --registry "$AZ_ACR_NAME" --resource-group "$AZ_RESOURCE_GROUP" \
      --image "$IMAGE_NAME:$IMAGE_TAG" --file "$ctx/image/Dockerfile" "$ctx/image"
    ;;
  docker)
    MODEL_URI="$MODEL_URI" IMAGE_NAME="$IMAGE_NAME" IMAGE_TAG="$IMAGE_TAG" \
      "$DEPLOY_DIR/build_image.sh" "${dry[@]}"
    run az acr login --name "$AZ_ACR_NAME"
    run docker tag "$IMAGE_NAME:$IMAGE_TAG" "$(image_ref)"
    run docker push "$(image_ref)"
    ;;
  *) die "IMAGE_BUILDER must be 'acr' or 'docker', got '$IMAGE_BUILDER'" ;;
esac
log "image: $(image_ref)"
