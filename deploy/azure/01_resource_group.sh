#!/usr/bin/env bash
# Create the resource group AZ_RESOURCE_GROUP in AZ_LOCATION (idempotent:
# `az group create` on an existing group with the same location is a no-op).
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
parse_common_args "$@"

require_login
run az group create --name "$AZ_RESOURCE_GROUP" --location "$AZ_LOCATION" --output none
