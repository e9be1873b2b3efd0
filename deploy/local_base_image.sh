#!/usr/bin/env bash
# Make a TEST-ONLY stand-in for the `python:3.11-slim` base image that the
# MLflow-generated Dockerfile starts FROM, using Debian's mmdebstrap, and load it
# into the local containers-storage (shared by buildah and podman).
#
# Why: CI here has no Docker engine and cannot pull from any image registry; only
# Debian's apt mirror and PyPI are reachable. Never push this image anywhere.
#
# The stand-in mimics what the Dockerfile expects from python:*-slim:
#   - Debian bookworm (the same release python:3.11-slim is built on), apt works;
#   - `python` and `pip` on PATH (python-is-python3, python3-pip);
#   - pip may install into the system interpreter (the PEP 668 EXTERNALLY-MANAGED
#     marker is removed; the official image has no such marker either).
# It is NOT byte-identical: Debian's python3.11 is 3.11.2 in /usr/bin, the official
# image builds CPython into /usr/local.
#
# Env:
#   BASE_IMAGE   name:tag to create (default localhost/netflix-pyfunc-test-base:bookworm-py311)
#   DEBIAN_MIRROR  (default http://deb.debian.org/debian)
#   DEBIAN_SECURITY_MIRROR (default http://deb.debian.org/debian-security)
#   DRY_RUN=1 or --dry-run: print the commands only
set -euo pipefail

BASE_IMAGE="${BASE_IMAGE:-localhost/netflix-pyfunc-test-base:bookworm-py311}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
DEBIAN_SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
DRY_RUN="${DRY_RUN:-0}"
for arg in "$@"; do
  case "$arg" in
    --dry-run) DRY_RUN=1 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

run() {
  if [ "$DRY_RUN" = 1 ]; then printf '+'; printf ' %q' "$@"; printf '\n'; else "$@"; fi
}

for tool in mmdebstrap podman; do
  if [ "$DRY_RUN" != 1 ] && ! command -v "$tool" >/dev/null 2>&1; then
    echo "error: $tool not found; install with: apt-get install -y mmdebstrap podman buildah runc" >&2
    exit 1
  fi
done

if [ "$DRY_RUN" != 1 ] && podman image exists "$BASE_IMAGE"; then
  echo "base image $BASE_IMAGE already exists; remove it with 'podman rmi $BASE_IMAGE' to rebuild"
  exit 0
fi

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
tarball="$workdir/rootfs.tar"

# Sources like the official image's: bookworm, bookworm-updates, bookworm-security.
# Check-Valid-Until=false: a snapshot-backed mirror serves Release files whose
# Valid-Until has passed; it is written into the image too, so the Dockerfile's
# own `apt-get update` works against the same mirror.
# shellcheck disable=SC2016  # "$1" in the hooks is expanded by mmdebstrap, not here
run mmdebstrap \
  --variant=minbase \
  --mode=root \
  --format=tar \
  --aptopt='Acquire::Check-Valid-Until "false"' \
  --aptopt='Acquire::Retries "3"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --include=ca-certificates,python3,python3-pip,python-is-python3 \
  --customize-hook='rm -f "$1"/usr/lib/python3*/EXTERNALLY-MANAGED' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
  bookworm "$tarball" \
  "deb $DEBIAN_MIRROR bookworm main" \
  "deb $DEBIAN_MIRROR bookworm-updates main" \
  "deb $DEBIAN_SECURITY_MIRROR bookworm-security main"

run podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["python3"]' \
  "$tarball" "$BASE_IMAGE"
echo "created test-only base image $BASE_IMAGE"
