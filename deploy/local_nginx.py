"""Run deploy/nginx.conf, the image's nginx config, on this machine: the same file with only
the machine-specific lines moved (listen address, upstream port, page root, pid, logs and
temp files in a private directory). Used by `make app` and by the tests.

    python deploy/local_nginx.py --site build/site --port 8080 --upstream-port 5000 \\
        [-- mlflow models serve ... -p 5000]

With a command after `--`, the command (the scoring server) is started too, and both stop
together on Ctrl-C or when either exits. Needs nginx (Debian: apt-get install -y nginx).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONF = Path(__file__).resolve().parent / "nginx.conf"
IMAGE_SITE = "/opt/netflix-web"


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def local_config(text: str, *, workdir: Path, port: int, upstream_port: int, site: Path | None = None,
                 host: str = "127.0.0.1") -> str:
    """deploy/nginx.conf with the lines that only make sense inside the image moved."""
    moves = {
        "pid /tmp/nginx.pid;": f"pid {workdir}/nginx.pid;",
        "error_log /var/log/nginx/error.log;": f"error_log {workdir}/error.log;",
        "access_log /var/log/nginx/access.log combined;":
            f"access_log {workdir}/access.log combined;\n  client_body_temp_path {workdir}/body;\n"
            f"  proxy_temp_path {workdir}/proxy;",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream_port};",
        "listen 8080 deferred;": f"listen {host}:{port};",
    }
    if site is not None:
        moves[f"root {IMAGE_SITE};"] = f"root {Path(site).resolve()};"
    for old, new in moves.items():
        if text.count(old) != 1:
            raise ValueError(f"deploy/nginx.conf changed: expected the line {old!r} once")
        text = text.replace(old, new)
    return text


def wait_for_port(host: str, port: int, process: subprocess.Popen, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited with {process.returncode}") from None
            if time.monotonic() > deadline:
                raise TimeoutError(f"nginx did not listen on {host}:{port} within {timeout:.0f} s") from None
            time.sleep(0.05)


@contextlib.contextmanager
def running_nginx(*, port: int, upstream_port: int, site: Path | None, host: str = "127.0.0.1",
                  conf_text: str | None = None):
    """nginx with the local config until the block ends; yields its private directory."""
    nginx = find_nginx()
    if nginx is None:
        raise FileNotFoundError("nginx not found; install it with: apt-get install -y nginx")
    # as root, nginx's workers run as `nobody`: they must reach the temp dirs (0700 by default)
    workdir = Path(tempfile.mkdtemp(prefix="netflix-nginx-"))
    workdir.chmod(0o755)
    conf = workdir / "nginx.conf"
    conf.write_text(local_config(conf_text or CONF.read_text(), workdir=workdir, port=port,
                                 upstream_port=upstream_port, site=site, host=host))
    args = [nginx, "-c", str(conf), "-p", str(workdir), "-e", str(workdir / "error.log")]
    check = subprocess.run([*args, "-t"], capture_output=True, text=True, timeout=30)
    if check.returncode != 0:
        shutil.rmtree(workdir, ignore_errors=True)
        raise RuntimeError(f"nginx -t failed: {check.stderr}")
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(host, port, process)
        yield workdir
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[argv.index("--") + 1:] if "--" in argv else []
    own = argv[: argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, required=True, help="directory made by web/build_site.py")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="where nginx listens")
    parser.add_argument("--upstream-port", type=int, default=5000, help="the scoring server's port on 127.0.0.1")
    args = parser.parse_args(own)
    if not (args.site / "index.html").is_file():
        parser.error(f"{args.site} has no index.html: run  python web/build_site.py --out {args.site}")

    server = subprocess.Popen(command, start_new_session=True) if command else None
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    try:
        with running_nginx(port=args.port, upstream_port=args.upstream_port, site=args.site, host=args.host):
            print(f"page: http://{args.host}:{args.port}/   API docs: http://{args.host}:{args.port}/docs/"
                  f"   (scoring server on 127.0.0.1:{args.upstream_port}; Ctrl-C stops)", flush=True)
            while not stop and (server is None or server.poll() is None):
                time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
    return server.returncode if server is not None and server.returncode not in (None, -signal.SIGTERM) else 0


if __name__ == "__main__":
    raise SystemExit(main())
