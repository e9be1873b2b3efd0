#!/usr/bin/env bash
# Smoke-test the public endpoint: GET /ping, then POST one /invocations query and
# require HTTP 200 with SMOKE_EXPECT ("predictions") in the answer.
# EXTERNAL_IP: the Service's IP (default: asked from kubectl).
# SMOKE_BODY:  the query (default: Midnight Mass, k=3).
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
parse_common_args "$@"

default_body='{"dataframe_records": [{"title": "Midnight Mass"}], "params": {"k": 3}}'
SMOKE_BODY="${SMOKE_BODY:-$default_body}"
SMOKE_EXPECT="${SMOKE_EXPECT:-predictions}"
ip="${EXTERNAL_IP:-}"
if [ -z "$ip" ]; then
  if [ "$DRY_RUN" = 1 ]; then
    show kubectl get service "$K8S_APP_NAME" --namespace "$K8S_NAMESPACE" \
      --output 'jsonpath={.status.loadBalancer.ingress[0].ip}'
    ip='<EXTERNAL_IP>'
  else
    require_tools kubectl curl
    ip="$(kubectl get service "$K8S_APP_NAME" --namespace "$K8S_NAMESPACE" \
      --output 'jsonpath={.status.loadBalancer.ingress[0].ip}')"
    [ -n "$ip" ] || die "the Service has no external IP yet; run 08_wait_external_ip.sh"
  fi
fi
run curl -sS --fail --max-time 30 "http://$ip/ping"
if [ "$DRY_RUN" = 1 ]; then
  show curl -sS --max-time 60 -X POST -H 'Content-Type: application/json' \
    --data "$SMOKE_BODY" "http://$ip/invocations"
  exit 0
fi
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
show curl -sS --max-time 60 -X POST -H 'Content-Type: application/json' \
  --data "$SMOKE_BODY" "http://$ip/invocations" >&2
code="$(curl -sS --max-time 60 -o "$out" -w '%{http_code}' -X POST \
  -H 'Content-Type: application/json' --data "$SMOKE_BODY" "http://$ip/invocations")"
cat "$out"; echo
[ "$code" = 200 ] || die "/invocations answered HTTP $code"
grep -q -- "$SMOKE_EXPECT" "$out" || die "answer does not contain '$SMOKE_EXPECT'"
log "smoke test passed: http://$ip/invocations"
