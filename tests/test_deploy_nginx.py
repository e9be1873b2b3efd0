"""deploy/nginx.conf, the nginx config the serving image runs instead of MLflow's
(deploy/README.md, "The nginx patch"): it still carries every directive of the installed
MLflow's own nginx.conf, its /invocations location answers 415/413 with JSON, `nginx -t`
accepts it, and a real nginx started with it (ports and log paths moved to a temp dir)
in front of a stand-in upstream: no Content-Type -> proxied as application/json,
text/csv -> 415 JSON that never reaches the upstream, 9 MB -> 413 JSON, /ping proxied,
the page's files at / and /docs/ served from disk, any other path MLflow's 404 "{}".
The config is moved to local ports by deploy/local_nginx.py, as `make app` does.
The image smoke test (tests/test_deploy_image_smoke.py) repeats the key cases against
the real MLflow server in the built image.

Tools: nginx (apt-get install -y nginx, the package the image installs too). Missing
tools fail when CI is set and skip otherwise.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import mlflow.models
import pytest

pytestmark = pytest.mark.deploy

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "deploy"))
from local_nginx import IMAGE_SITE, local_config, running_nginx  # noqa: E402

CONF = REPO / "deploy" / "nginx.conf"
MLFLOW_CONF = Path(mlflow.models.__file__).parent / "container" / "scoring_server" / "nginx.conf"
MLFLOW_LOCATION = "location ~ ^/(ping|invocations) {"  # the one line the patch replaces


def find_nginx() -> str:
    path = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if path is None:
        msg = "'nginx' not found; install it with: apt-get install -y nginx"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return path


def directives(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip() if not line.strip().startswith(("'", '"')) else line.strip()
        if line:
            out.append(re.sub(r"\s+", " ", line))
    return out


def block(text: str, opener: str) -> str:
    """The text of the {...} block opened by the line `opener`."""
    start = text.index(opener)
    depth, i = 0, text.index("{", start)
    for j in range(i, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return text[start : j + 1]
    raise AssertionError(f"unclosed block {opener}")


def test_keeps_every_directive_of_mlflows_nginx_conf():
    # If an MLflow upgrade changes its nginx.conf, this fails: redo the patch on the new file.
    ours = directives(CONF.read_text())
    theirs = directives(MLFLOW_CONF.read_text())
    assert MLFLOW_LOCATION in theirs, "MLflow's nginx.conf changed shape; re-apply the patch"
    missing = [d for d in theirs if d != MLFLOW_LOCATION and d not in ours]
    assert not missing, f"directives of MLflow's nginx.conf missing from deploy/nginx.conf: {missing}"
    assert MLFLOW_LOCATION not in ours
    # MLflow's /ping block survives as an exact location, unchanged
    ping = directives(block(CONF.read_text(), "location = /ping {"))[1:]
    assert ping == directives(block(MLFLOW_CONF.read_text(), MLFLOW_LOCATION))[1:]


def test_invocations_location_answers_json_415_and_413():
    text = CONF.read_text()
    inv = block(text, "location = /invocations {")
    assert "default_type application/json;" in inv
    assert "if ($invocations_json = 0)" in inv
    assert "client_max_body_size 8m;" in inv and "error_page 413 = @too_large;" in inv
    assert "proxy_set_header Content-Type $invocations_content_type;" in inv
    assert "proxy_pass http://uvicorn;" in inv
    answers = {int(code): json.loads(body.replace("\\n", "")) for code, body in
               re.findall(r"return (41[35]) '(.*?)';", text)}
    assert set(answers) == {413, 415}
    for body in answers.values():
        assert set(body) == {"error_code", "message"} and body["message"]
    assert "default_type application/json;" in block(text, "location @too_large {")
    # a missing Content-Type is JSON; only JSON (optionally ;charset=utf-8) gets through
    assert re.search(r'map \$http_content_type \$invocations_content_type \{\s*"" "application/json";', text)


@pytest.fixture
def nginx_in_front_of_stub():
    """deploy/nginx.conf on free loopback ports with logs/pid/temp files in a temp dir, in
    front of a stand-in upstream that records what reached it. Yields (port, seen)."""
    find_nginx()  # skips, or fails under CI, without nginx
    # not pytest's tmp_path: run as root, nginx's worker is `nobody` and must reach the
    # request-body temp dir (pytest's base dir is 0700)
    tmp_path = Path(tempfile.mkdtemp(prefix="netflix-nginx-test-"))
    tmp_path.chmod(0o755)
    seen: list[dict] = []

    class Upstream(BaseHTTPRequestHandler):
        def _answer(self):
            n = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(n)
            seen.append({"path": self.path, "content_type": self.headers.get("Content-Type"), "length": n})
            body = json.dumps({"predictions": [{"title": "Midnight Mass"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args):
            pass

    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    # a stand-in for the site web/build_site.py makes
    (tmp_path / "site" / "docs").mkdir(parents=True)
    (tmp_path / "site" / "index.html").write_text("<!doctype html><title>page</title>")
    (tmp_path / "site" / "docs" / "index.html").write_text("<!doctype html><title>swagger</title>")
    (tmp_path / "site" / "app.js").write_text("export {};")
    for path in [tmp_path, *tmp_path.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    port = free_port()
    try:
        with running_nginx(port=port, upstream_port=upstream.server_address[1], site=tmp_path / "site"):
            yield port, seen
    finally:
        upstream.shutdown()
        upstream.server_close()
        shutil.rmtree(tmp_path, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_local_config_moves_only_machine_specific_lines(tmp_path):
    text = CONF.read_text()
    local = local_config(text, workdir=tmp_path, port=1234, upstream_port=5678, site=tmp_path / "site")
    assert f"root {IMAGE_SITE};" in text and f"root {tmp_path / 'site'};" in local
    assert "listen 127.0.0.1:1234;" in local and "server 127.0.0.1:5678;" in local
    changed = set(directives(local)) - set(directives(text))
    assert all(any(word in d for word in (str(tmp_path), "1234", "5678")) for d in changed), changed
    with pytest.raises(ValueError, match="listen 8080"):
        local_config(text.replace("listen 8080 deferred;", "listen 80;"), workdir=tmp_path, port=1,
                     upstream_port=2)


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        # http.client adds no Content-Type of its own (unlike urllib)
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type"), resp.read().decode()
    finally:
        conn.close()


QUERY = b'{"dataframe_records": [{"title": "Midnight Mass"}], "params": {"k": 3}}'


def test_nginx_t_accepts_the_file_as_shipped():
    # the exact file the image gets (the fixture below also runs `nginx -t` on its copy)
    nginx = find_nginx()
    if os.geteuid() != 0:
        pytest.skip("nginx -t on the file as shipped opens /var/log/nginx/error.log: needs root")
    proc = subprocess.run([nginx, "-t", "-c", str(CONF)], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert "syntax is ok" in proc.stderr and "test is successful" in proc.stderr


def test_patched_nginx_behaviour(nginx_in_front_of_stub):
    port, seen = nginx_in_front_of_stub

    # 1. no Content-Type (MLflow: bare 500) -> proxied as application/json
    status, _, body = request(port, "POST", "/invocations", QUERY)
    assert status == 200 and "predictions" in body
    assert seen[-1] == {"path": "/invocations", "content_type": "application/json", "length": len(QUERY)}

    # 2. JSON with or without a UTF-8 charset passes unchanged
    for ct in ("application/json", "application/json; charset=utf-8", 'Application/JSON;charset="UTF-8"'):
        status, _, _ = request(port, "POST", "/invocations", QUERY, {"Content-Type": ct})
        assert status == 200, ct
        assert seen[-1]["content_type"] == ct

    # 3. anything else (MLflow: CSV/parquet parse errors -> 400 with stack_trace) -> 415 JSON,
    #    never reaching the upstream
    before = len(seen)
    for ct in ("text/csv", "application/vnd.apache.parquet", "application/x-parquet",
               "application/octet-stream", "application/json; charset=latin-1", "application/jsonx",
               "text/plain"):
        status, rtype, body = request(port, "POST", "/invocations", b'title\n"a\n', {"Content-Type": ct})
        assert status == 415, ct
        assert rtype == "application/json"
        assert json.loads(body)["error_code"] == "BAD_REQUEST"
        assert "stack_trace" not in body and "Traceback" not in body
    assert len(seen) == before

    # 4. a body over 8 MB -> 413 JSON, not proxied
    status, rtype, body = request(port, "POST", "/invocations", b" " * (9 * 1024 * 1024),
                                  {"Content-Type": "application/json"})
    assert status == 413 and rtype == "application/json"
    assert "8 MB" in json.loads(body)["message"]
    assert len(seen) == before
    # ... while 7 MB still goes through
    status, _, _ = request(port, "POST", "/invocations", b" " * (7 * 1024 * 1024),
                           {"Content-Type": "application/json"})
    assert status == 200 and seen[-1]["length"] == 7 * 1024 * 1024

    # 5. /ping is proxied as before; other paths that are not files of the page stay 404 "{}"
    status, _, _ = request(port, "GET", "/ping")
    assert status == 200 and seen[-1]["path"] == "/ping"
    for path in ("/health", "/invocationsx", "/pingx", "/version", "/docs/nope.js", "/missing/", "/../etc/passwd"):
        n = len(seen)
        status, _, body = request(port, "GET", path)
        assert status in (400, 404) and (status == 400 or body == "{}"), (path, status, body)
        assert len(seen) == n


def test_page_and_docs_are_static_files(nginx_in_front_of_stub):
    port, seen = nginx_in_front_of_stub
    for path, text in (("/", "<title>page</title>"), ("/docs/", "<title>swagger</title>"),
                       ("/index.html", "<title>page</title>"), ("/app.js", "export")):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read().decode()
        assert resp.status == 200 and text in body, path
        assert resp.getheader("X-Content-Type-Options") == "nosniff"
        assert "default-src 'self'" in resp.getheader("Content-Security-Policy")
        conn.close()
    assert seen == []  # none of it reached the scoring server
    # /docs redirects to /docs/ with a relative Location (right behind any port mapping)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/docs")
    resp = conn.getresponse()
    assert resp.status == 301 and resp.getheader("Location") == "/docs/"
    conn.close()
    # the endpoints' answers carry none of the page's headers
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/invocations", body=QUERY, headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 200 and resp.getheader("Content-Security-Policy") is None
    conn.close()
