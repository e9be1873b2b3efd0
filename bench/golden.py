"""Byte-identity check for speed work: run a fixed set of queries (singles, batches,
filters, k from 1 to 100) and compare canonical JSON dumps of the results.

    python bench/golden.py                          # fast path vs bench/reference.py (the
                                                    # original sparse algorithm) on one fitted model
    python bench/golden.py write /tmp/before.json   # dump, e.g. on an old checkout
    python bench/golden.py check /tmp/before.json   # compare with a dump: exit 1 on any difference
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if os.environ.get("GOLDEN_PACKAGE_ROOT"):  # e.g. a copy of the old package, to write the reference
    sys.path.insert(0, os.environ["GOLDEN_PACKAGE_ROOT"])

from bench.queries import batch_rows, description_queries, title_queries  # noqa: E402
from netflix_pyfunc.catalog import load_catalog  # noqa: E402
from netflix_pyfunc.params import InvalidRequest, Query, Request, parse_queries  # noqa: E402
from netflix_pyfunc.recommender import HybridRecommender  # noqa: E402

REQUESTS = [
    Request(),
    Request(k=5),
    Request(k=100),
    Request(k=10, type="Movie"),
    Request(k=10, type="TV Show", min_year=2015),
    Request(k=7, min_year=1990, max_year=2005, genres=("Horror",)),
    Request(k=10, countries=("South Korea", "Japan")),
    Request(k=10, ratings=("TV-MA", "R"), genres=("comedy", "Dramas")),
    Request(k=3, type="Movie", countries=("India",), min_year=2019, max_year=2019),
    Request(k=1),
    Request(k=2, genres=("Horror",)),
]


def cases():
    titles = title_queries()
    texts = description_queries()
    singles = [Query(title=t) for t in titles[:40]] + [Query(description=d) for d in texts[:40]]
    singles += [Query(title=t, description=d) for t, d in zip(titles[40:60], texts[40:60])]
    for request in REQUESTS:
        for query in singles[:: (1 if request == REQUESTS[0] else 7)]:
            yield [query], request
        yield parse_queries(batch_rows(100)), request
        yield [Query(description=d) for d in texts[60:90]], request
        yield [Query(title=t) for t in titles[60:90]], request
        yield [Query(title=t) for t in titles[90:100]] + [Query(description=d) for d in texts[90:100]], request
        yield [Query(title=titles[0]), Query(title=titles[0]), Query(description=texts[0]), Query(title=titles[0], description=texts[0])], request


def dump(model: HybridRecommender) -> dict:
    out = []
    for queries, request in cases():
        try:
            frame = model.recommend(queries, request)
            out.append({"records": json.loads(frame.to_json(orient="split", double_precision=15)),
                        "dtypes": [str(t) for t in frame.dtypes]})
        except InvalidRequest as error:
            out.append({"error": str(error)})
    positions = list(range(0, model.n_items_, 97))
    out.append({"neighbors": [p.tolist() for p in model.neighbors(positions, 10)]})
    out.append({"neighbors_for_text": [p.tolist() for p in model.neighbors_for_text(description_queries()[:50], 10)]})
    return {"cases": out}


def _first_difference(a, b, path="") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                return _first_difference(a.get(key), b.get(key), f"{path}.{key}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return _first_difference(x, y, f"{path}[{i}]")
    return f"{path}: was {json.dumps(a)[:300]} now {json.dumps(b)[:300]}"


def compare(reference: dict, result: dict, note: str = "") -> int:
    bad = [i for i, (a, b) in enumerate(zip(reference["cases"], result["cases"])) if a != b]
    if len(reference["cases"]) != len(result["cases"]):
        bad.append(-1)
    print(f"{len(result['cases'])} cases, {len(bad)} differ{note}")
    for i in bad[:5]:
        print("case", i, _first_difference(reference["cases"][i], result["cases"][i]))
    return 1 if bad else 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    model = HybridRecommender().fit(load_catalog(ROOT / "data" / "netflix_titles.csv"))
    if not argv:
        from bench.reference import Reference

        return compare(dump(Reference(model)), dump(model))
    mode, path = argv[:2]
    result = dump(model)
    text = json.dumps(result, sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()
    if mode == "write":
        Path(path).write_text(text)
        print(f"wrote {len(result['cases'])} cases to {path} from {sys.modules[HybridRecommender.__module__].__file__}, sha256 {digest}")
        return 0
    return compare(json.loads(Path(path).read_text()), result, f", sha256 {digest}")


if __name__ == "__main__":
    sys.exit(main())
