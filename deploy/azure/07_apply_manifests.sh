#!/usr/bin/env bash
# Apply deploy/k8s/overlays/aks with the image set to
# <AZ_ACR_NAME>.azurecr.io/<IMAGE_NAME>:<IMAGE_TAG> (kustomize `images:` in a
# throw-away kustomization layered on the overlay), then wait for the rollout.
# `kubectl apply` is declarative, so re-running is safe.
# RENDER_ONLY=1: print the manifests that would be applied (offline, no cluster).
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
parse_common_args "$@"

validate_names
require_tools kubectl
overlay="$DEPLOY_DIR/k8s/overlays/aks"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# kustomize wants relative paths to other kustomizations.
rel="$(python3 -c 'import os,sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' "$overlay" "$tmp" 2>/dev/null ||
  realpath --relative-to="$tmp" "$overlay")"
cat >"$tmp/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: $K8S_NAMESPACE
resources:
  - $rel
images:
  - name: netflix-recommender
    newName: $(acr_login_server)/$IMAGE_NAME
    newTag: "$IMAGE_TAG"
YAML
if [ "${RENDER_ONLY:-0}" = 1 ]; then
  kubectl kustomize "$tmp"
  exit 0
fi
if [ "$DRY_RUN" = 1 ]; then
  echo "# kustomization layered on deploy/k8s/overlays/aks:"
  sed 's/^/#   /' "$tmp/kustomization.yaml"
fi
run kubectl apply -k "$tmp"
run kubectl rollout status "deployment/$K8S_APP_NAME" --namespace "$K8S_NAMESPACE" \
  --timeout "${WAIT_TIMEOUT}s"
