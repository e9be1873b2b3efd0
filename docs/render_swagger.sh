#!/usr/bin/env bash
# Manual check that docs/openapi.json renders in Swagger UI, without the network at run time.
#
#   docs/render_swagger.sh [OUT.png]
#
# Needs: Debian's `chromium` (apt-get install -y chromium), npm (to fetch swagger-ui-dist once,
# pinned below) and python3. Serves a throw-away Swagger UI page on 127.0.0.1 only, screenshots
# it with headless Chromium, and stops everything it started. Look at the PNG.
set -euo pipefail
cd "$(dirname "$0")/.."

SWAGGER_UI_VERSION=5.35.0
OUT=${1:-$PWD/build/swagger-ui.png}
PYTHON=${PYTHON:-python3}
work=$(mktemp -d)
server_pid=""
cleanup() {
    [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

(cd "$work" && npm pack --silent "swagger-ui-dist@$SWAGGER_UI_VERSION" >/dev/null && tar -xzf swagger-ui-dist-*.tgz)
site=$work/package
cp docs/openapi.json "$site/openapi.json"
cat > "$site/index.html" <<'HTML'
<!doctype html>
<html><head><meta charset="utf-8"><title>Netflix recommender API</title>
<link rel="stylesheet" href="swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="swagger-ui-bundle.js"></script>
<script>
  window.ui = SwaggerUIBundle({url: "openapi.json", dom_id: "#swagger-ui", docExpansion: "full",
                               defaultModelsExpandDepth: 1});
</script></body></html>
HTML

port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$PYTHON" -m http.server "$port" --bind 127.0.0.1 --directory "$site" >/dev/null 2>&1 &
server_pid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/index.html" >/dev/null && break; sleep 0.1; done

mkdir -p "$(dirname "$OUT")"
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
    --user-data-dir="$work/profile" --window-size=1280,4000 --virtual-time-budget=15000 \
    --screenshot="$OUT" "http://127.0.0.1:$port/index.html" 2>"$work/chromium.log" || {
    cat "$work/chromium.log" >&2
    exit 1
}
echo "screenshot: $OUT"
