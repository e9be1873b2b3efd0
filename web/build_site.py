"""Assemble the page's static site in one directory, ready for nginx:

    python web/build_site.py --out build/site [--data data/netflix_titles.csv]

- web/site/*          the page (index.html, style.css, js/) and the Swagger UI shell (docs/);
- catalog.json        titles and filter values from the cleaned catalogue (catalog.load_catalog),
                      generated here so no multi-hundred-KB file is committed;
- docs/openapi.json   the committed OpenAPI document;
- docs/swagger-ui*    swagger-ui-dist, pinned below, fetched once from the npm registry into
                      --cache (`make install` runs --fetch-only) and checked against the
                      registry's sha512 before every use.

No network at run time: the browser only ever loads files from this directory and
POSTs to /invocations on the same origin.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import shutil
import tarfile
import urllib.request
from pathlib import Path

from netflix_pyfunc.catalog import COUNTRY, LISTED_IN, RATING, RELEASE_YEAR, TITLE, TYPE, TYPES, load_catalog

ROOT = Path(__file__).resolve().parents[1]
SITE_SOURCE = Path(__file__).resolve().parent / "site"
SWAGGER_UI_VERSION = "5.35.0"
# `npm view swagger-ui-dist@5.35.0 dist.integrity`
SWAGGER_UI_INTEGRITY = "sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ=="
SWAGGER_UI_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE")


def catalog_summary(data: str | Path) -> dict:
    """What the page needs from the catalogue: [title, year, type] rows and the filter values."""
    frame = load_catalog(data)
    rows = sorted({(t, int(y), k) for t, y, k in zip(frame[TITLE], frame[RELEASE_YEAR], frame[TYPE])},
                  key=lambda row: (row[0].casefold(), row[1], row[2]))

    def values(column: str) -> list[str]:
        found = {v for cell in frame[column] for v in (cell if isinstance(cell, list) else [cell]) if v}
        return sorted(found, key=str.casefold)

    return {
        "titles": [list(row) for row in rows],
        "types": list(TYPES),
        "years": [int(frame[RELEASE_YEAR].min()), int(frame[RELEASE_YEAR].max())],
        "countries": values(COUNTRY),
        "genres": values(LISTED_IN),
        "ratings": values(RATING),
    }


def swagger_tarball(cache: Path) -> bytes:
    """The pinned swagger-ui-dist tarball, from the cache or the npm registry, integrity-checked."""
    name = f"swagger-ui-dist-{SWAGGER_UI_VERSION}.tgz"
    path = cache / name
    if path.is_file():
        data = path.read_bytes()
    else:
        registry = os.environ.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org").rstrip("/")
        url = f"{registry}/swagger-ui-dist/-/{name}"
        with urllib.request.urlopen(url, timeout=120) as response:
            data = response.read()
    algorithm, expected = SWAGGER_UI_INTEGRITY.split("-", 1)
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise ValueError(f"{name}: {algorithm} is {actual}, expected {expected}; not using it")
    if not path.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return data


def extract_swagger_ui(tarball: bytes, out: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for name in SWAGGER_UI_FILES:
            member = archive.extractfile(f"package/{name}")
            if member is None:
                raise ValueError(f"swagger-ui-dist {SWAGGER_UI_VERSION} has no file {name}")
            (out / name).write_bytes(member.read())


def build_site(out: Path, data: Path, cache: Path) -> Path:
    shutil.copytree(SITE_SOURCE, out, dirs_exist_ok=True)
    (out / "catalog.json").write_text(json.dumps(catalog_summary(data), ensure_ascii=False, separators=(",", ":")),
                                      encoding="utf-8")
    shutil.copyfile(ROOT / "docs" / "openapi.json", out / "docs" / "openapi.json")
    extract_swagger_ui(swagger_tarball(cache), out / "docs")
    # nginx's worker (user nobody in the image) only needs to read
    for path in [out, *out.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Assemble the web page and /docs into one directory.")
    parser.add_argument("--out", type=Path, help="output directory (created or updated)")
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "netflix_titles.csv", help="catalogue CSV")
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "cache",
                        help=f"where swagger-ui-dist-{SWAGGER_UI_VERSION}.tgz is kept (put it there to build offline)")
    parser.add_argument("--fetch-only", action="store_true",
                        help="only put the pinned swagger-ui-dist into --cache (`make install` does this)")
    args = parser.parse_args(argv)
    if args.fetch_only:
        swagger_tarball(args.cache)
        print(f"swagger-ui-dist {SWAGGER_UI_VERSION} in {args.cache}")
        return 0
    if args.out is None:
        parser.error("--out is required")
    out = build_site(args.out, args.data, args.cache)
    print(f"site written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
