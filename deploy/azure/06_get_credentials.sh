#!/usr/bin/env bash
# Merge the cluster's kubeconfig into ~/.kube/config (or $KUBECONFIG) and make it
# the current context. Re-running overwrites the same entry.
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
parse_common_args "$@"

require_login
run az aks get-credentials --name "$AZ_AKS_NAME" --resource-group "$AZ_RESOURCE_GROUP" \
  --overwrite-existing
