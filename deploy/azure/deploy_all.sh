#!/usr/bin/env bash
# Run the whole path in order: resource group, ACR, image, node-size check,
# AKS, credentials, manifests, external IP, smoke test. Every step is safe to
# re-run. `deploy_all.sh --dry-run` prints the complete command sequence.
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
parse_common_args "$@"

steps=(01_resource_group 02_acr 03_build_push 04_check_node_size 05_aks_cluster
  06_get_credentials 07_apply_manifests 08_wait_external_ip 09_smoke_test)
for step in "${steps[@]}"; do
  [ "$DRY_RUN" = 1 ] && echo "# --- $step"
  if [ "$step" = 05_aks_cluster ]; then
    # 04 just ran; do not query the SKUs twice.
    SKIP_NODE_SIZE_CHECK=1 "$AZURE_DIR/$step.sh" "$@"
  elif [ "$step" = 08_wait_external_ip ] && [ "$DRY_RUN" != 1 ]; then
    EXTERNAL_IP="$("$AZURE_DIR/$step.sh" "$@")"
    export EXTERNAL_IP
  else
    "$AZURE_DIR/$step.sh" "$@"
  fi
done
[ "$DRY_RUN" = 1 ] || log "done: http://$EXTERNAL_IP/invocations"
