#!/usr/bin/env bash
# Delete everything: the resource group (AKS cluster, its node resource group,
# the ACR and the public IP go with it) and the local kubeconfig entry.
# Destructive: needs --yes (or --dry-run to just print the commands).
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
parse_common_args "$@"

if [ "$DRY_RUN" != 1 ] && [ "$ASSUME_YES" != 1 ]; then
  die "this deletes resource group '$AZ_RESOURCE_GROUP' and all it contains; re-run with --yes"
fi
require_login
if exists az group show --name "$AZ_RESOURCE_GROUP" --output none || [ "$DRY_RUN" = 1 ]; then
  run az group delete --name "$AZ_RESOURCE_GROUP" --yes --no-wait
  log "deletion of $AZ_RESOURCE_GROUP started; follow with: az group wait --deleted --name $AZ_RESOURCE_GROUP"
else
  log "resource group $AZ_RESOURCE_GROUP does not exist; nothing to delete"
fi
if [ "$DRY_RUN" = 1 ] || kubectl config get-contexts "$AZ_AKS_NAME" >/dev/null 2>&1; then
  run kubectl config delete-context "$AZ_AKS_NAME"
fi
