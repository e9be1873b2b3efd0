#!/usr/bin/env bash
# Wait (up to WAIT_TIMEOUT seconds) until the LoadBalancer Service has a public IP
# and print it on stdout.
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
parse_common_args "$@"

get_ip=(kubectl get service "$K8S_APP_NAME" --namespace "$K8S_NAMESPACE"
  --output 'jsonpath={.status.loadBalancer.ingress[0].ip}')
if [ "$DRY_RUN" = 1 ]; then
  echo "# repeat every 10s for up to ${WAIT_TIMEOUT}s until it prints an IP:"
  show "${get_ip[@]}"
  exit 0
fi
require_tools kubectl
deadline=$((SECONDS + WAIT_TIMEOUT))
while [ "$SECONDS" -lt "$deadline" ]; do
  ip="$("${get_ip[@]}" 2>/dev/null || true)"
  if [ -n "$ip" ]; then
    log "external IP: $ip"
    echo "$ip"
    exit 0
  fi
  sleep 10
done
die "no external IP after ${WAIT_TIMEOUT}s; see: kubectl describe service $K8S_APP_NAME"
