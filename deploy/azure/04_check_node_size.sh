#!/usr/bin/env bash
# Check, BEFORE creating the cluster, that AZ_NODE_SIZE is offered to this
# subscription in AZ_LOCATION (and AZ_ZONES, if set). If not, stop and list the
# sizes that are available. This is the failure that stopped the original project:
#   "The requested size ... is currently not available in location 'centralus'
#    zones '1,2' for subscription ..."
#
# For offline tests the two `az vm list-skus` answers can be given as files:
#   AZ_SKUS_JSON      answer of the --size query   (used instead of calling az)
#   AZ_ALL_SKUS_JSON  answer of the all-sizes query (used instead of calling az)
# With --dry-run and no AZ_SKUS_JSON the commands are only printed.
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
parse_common_args "$@"

size_cmd=(az vm list-skus --location "$AZ_LOCATION" --size "$AZ_NODE_SIZE"
  --resource-type virtualMachines --output json)
all_cmd=(az vm list-skus --location "$AZ_LOCATION" --resource-type virtualMachines
  --output json)

log "checking node size $AZ_NODE_SIZE in $AZ_LOCATION"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

fetch() { # fetch OUTFILE FIXTURE_VAR CMD...
  local out="$1" fixture="$2"; shift 2
  show "$@"
  if [ -n "$fixture" ]; then
    cp "$fixture" "$out"
  elif [ "$DRY_RUN" = 1 ]; then
    return 1
  else
    "$@" >"$out"
  fi
}

if ! fetch "$tmp/size.json" "${AZ_SKUS_JSON:-}" "${size_cmd[@]}"; then
  echo "# dry run: would stop here if $AZ_NODE_SIZE is restricted in $AZ_LOCATION, listing available sizes via:"
  show "${all_cmd[@]}"
  exit 0
fi
require_tools python3
if python3 "$AZURE_DIR/check_sku.py" "$AZ_NODE_SIZE" "$AZ_LOCATION" "$AZ_ZONES" "$tmp/size.json" \
  2>"$tmp/check.err"; then
  cat "$tmp/check.err" >&2   # warnings, if any
  exit 0
fi
# Unavailable: fetch every size in the region to suggest alternatives.
if fetch "$tmp/all.json" "${AZ_ALL_SKUS_JSON:-}" "${all_cmd[@]}"; then
  python3 "$AZURE_DIR/check_sku.py" "$AZ_NODE_SIZE" "$AZ_LOCATION" "$AZ_ZONES" "$tmp/size.json" "$tmp/all.json" || true
else
  cat "$tmp/check.err" >&2
fi
die "node size $AZ_NODE_SIZE is not available in $AZ_LOCATION; not creating the cluster"
