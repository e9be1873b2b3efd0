#!/usr/bin/env bash
# Create the AKS cluster AZ_AKS_NAME (system-assigned managed identity, pull access
# to the ACR via --attach-acr), after checking the node size is available.
# If the cluster exists, only make sure the registry is attached.
# SKIP_NODE_SIZE_CHECK=1 skips 04_check_node_size.sh (not recommended).
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
parse_common_args "$@"

validate_names
require_login
if exists az aks show --name "$AZ_AKS_NAME" --resource-group "$AZ_RESOURCE_GROUP" --output none; then
  log "cluster $AZ_AKS_NAME already exists; ensuring $AZ_ACR_NAME is attached"
  run az aks update --name "$AZ_AKS_NAME" --resource-group "$AZ_RESOURCE_GROUP" \
    --attach-acr "$AZ_ACR_NAME" --output none
  exit 0
fi

if [ "${SKIP_NODE_SIZE_CHECK:-0}" != 1 ]; then
  "$AZURE_DIR/04_check_node_size.sh" "$@"
fi

zone_args=()
if [ -n "$AZ_ZONES" ]; then
  read -r -a zones <<<"$AZ_ZONES"
  zone_args=(--zones "${zones[@]}")
fi
run az aks create --name "$AZ_AKS_NAME" --resource-group "$AZ_RESOURCE_GROUP" \
  --location "$AZ_LOCATION" \
  --node-count "$AZ_NODE_COUNT" --node-vm-size "$AZ_NODE_SIZE" "${zone_args[@]}" \
  --enable-managed-identity \
  --attach-acr "$AZ_ACR_NAME" \
  --generate-ssh-keys \
  --output none
