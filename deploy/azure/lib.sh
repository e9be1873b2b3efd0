# shellcheck shell=bash disable=SC2034  # variables are used by the scripts that source this
# Shared settings and helpers for deploy/azure/*.sh. Source it; do not run it.
#
# Every setting is an environment variable with a default:
#   AZ_RESOURCE_GROUP   resource group                    (netflix-pyfunc-rg)
#   AZ_LOCATION         Azure region                      (eastus)
#   AZ_ACR_NAME         registry name, globally unique, 5-50 lowercase letters/digits
#                                                         (netflixpyfuncacr)
#   AZ_AKS_NAME         AKS cluster name                  (netflix-pyfunc-aks)
#   AZ_NODE_SIZE        node VM size                      (Standard_D2s_v3)
#   AZ_NODE_COUNT       node count                        (2)
#   AZ_ZONES            space-separated zones for the node pool, empty = regional ("")
#   IMAGE_NAME          repository in the registry        (netflix-recommender)
#   IMAGE_TAG           image tag                         (v1)
#   MODEL_URI           model to package                  (models:/netflix-recommender@champion)
#   K8S_NAMESPACE       namespace for the manifests       (default)
#   WAIT_TIMEOUT        seconds to wait for rollout / external IP (600)
# Every script accepts --dry-run: print each command (prefixed "+ ") instead of
# running it. Read-only queries are printed too; their answers can be supplied
# for tests through files (AZ_SKUS_JSON, AZ_ALL_SKUS_JSON, see 04_check_node_size.sh).

AZ_RESOURCE_GROUP="${AZ_RESOURCE_GROUP:-netflix-pyfunc-rg}"
AZ_LOCATION="${AZ_LOCATION:-eastus}"
AZ_ACR_NAME="${AZ_ACR_NAME:-netflixpyfuncacr}"
AZ_AKS_NAME="${AZ_AKS_NAME:-netflix-pyfunc-aks}"
AZ_NODE_SIZE="${AZ_NODE_SIZE:-Standard_D2s_v3}"
AZ_NODE_COUNT="${AZ_NODE_COUNT:-2}"
AZ_ZONES="${AZ_ZONES:-}"
IMAGE_NAME="${IMAGE_NAME:-netflix-recommender}"
IMAGE_TAG="${IMAGE_TAG:-v1}"
MODEL_URI="${MODEL_URI:-models:/netflix-recommender@champion}"
K8S_NAMESPACE="${K8S_NAMESPACE:-default}"
WAIT_TIMEOUT="${WAIT_TIMEOUT:-600}"
K8S_APP_NAME="netflix-recommender"   # metadata.name of the Deployment/Service in deploy/k8s

AZURE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEPLOY_DIR="$(dirname "$AZURE_DIR")"

DRY_RUN="${DRY_RUN:-0}"
ASSUME_YES=0
parse_common_args() {
  local arg
  for arg in "$@"; do
    case "$arg" in
      --dry-run) DRY_RUN=1 ;;
      --yes) ASSUME_YES=1 ;;
      -h|--help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d'
        exit 0 ;;
      *) echo "unknown argument: $arg (use --dry-run, --yes, --help)" >&2; exit 2 ;;
    esac
  done
  export DRY_RUN
}

# Print a command shell-quoted (one line, "+ " prefix).
show() { printf '+'; printf ' %q' "$@"; printf '\n'; }

# Run a command that changes something; in dry-run only print it.
run() {
  if [ "$DRY_RUN" = 1 ]; then show "$@"; else show "$@" >&2; "$@"; fi
}

# Does a read-only "show" command succeed? In dry-run print it and answer "no",
# so the dry run lists the create commands a first run would execute.
exists() {
  if [ "$DRY_RUN" = 1 ]; then show "$@"; return 1; fi
  "$@" >/dev/null 2>&1
}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

require_tools() {
  local t
  [ "$DRY_RUN" = 1 ] && return 0
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || die "'$t' not found on PATH"
  done
}

require_login() {
  if [ "$DRY_RUN" = 1 ]; then show az account show --output none; return 0; fi
  require_tools az
  az account show --output none >/dev/null 2>&1 || die "not logged in to Azure: run 'az login' first"
}

validate_names() {
  [[ "$AZ_ACR_NAME" =~ ^[a-z0-9]{5,50}$ ]] ||
    die "AZ_ACR_NAME='$AZ_ACR_NAME' must be 5-50 lowercase letters or digits (and globally unique)"
  [[ "$AZ_NODE_COUNT" =~ ^[1-9][0-9]*$ ]] || die "AZ_NODE_COUNT must be a positive integer"
}

acr_login_server() { printf '%s.azurecr.io' "$AZ_ACR_NAME"; }
image_ref() { printf '%s/%s:%s' "$(acr_login_server)" "$IMAGE_NAME" "$IMAGE_TAG"; }
