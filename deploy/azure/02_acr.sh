#!/usr/bin/env bash
# Create the Azure Container Registry AZ_ACR_NAME (Basic SKU) if it does not exist.
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
parse_common_args "$@"

validate_names
require_login
if exists az acr show --name "$AZ_ACR_NAME" --resource-group "$AZ_RESOURCE_GROUP" --output none; then
  log "registry $AZ_ACR_NAME already exists"
else
  # Admin user stays disabled: AKS pulls with its managed identity (--attach-acr).
  run az acr create --name "$AZ_ACR_NAME" --resource-group "$AZ_RESOURCE_GROUP" \
    --location "$AZ_LOCATION" --sku Basic --admin-enabled false --output none
fi
