"""The fast query path gives exactly what the original sparse-matrix path gave.

bench/reference.py keeps the original algorithm; bench/golden.py runs the full 300-case
comparison. These tests run a smaller set on the 14-title and the full catalogue.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from bench.queries import batch_rows, description_queries, title_queries
from bench.reference import Reference
from netflix_pyfunc.params import InvalidRequest, Query, Request, parse_queries
from netflix_pyfunc.recommender import HybridRecommender

SMALL_QUERIES = [
    [Query(title="Rocky")],
    [Query(title="midnight mas")],
    [Query(description="astronauts stranded far from earth")],
    [Query(title="Death Note", description="a notebook that kills")],
    [Query(title="Rocky"), Query(description="haunted house"), Query(title="Oh! Baby")],
    [Query(title="Rocky II"), Query(title="Beach Wedding", description="love on the beach"), Query(description="boxer")],
]
REQUESTS = [Request(k=1), Request(k=3), Request(k=10, type="Movie"), Request(k=5, genres=("Dramas",))]


def canonical(frame: pd.DataFrame) -> str:
    return json.dumps({"data": json.loads(frame.to_json(orient="split", double_precision=15)),
                       "dtypes": [str(t) for t in frame.dtypes]}, sort_keys=True)


def outcome(model, queries, request) -> str:
    try:
        return canonical(model.recommend(queries, request))
    except InvalidRequest as error:
        return f"error: {error}"


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: f"k{r.k}-{r.type or 'all'}-{'-'.join(r.genres)}")
def test_small_catalogue_matches_reference(model, request_):
    reference = Reference(model)
    for queries in SMALL_QUERIES:
        assert outcome(model, queries, request_) == outcome(reference, queries, request_)


def test_text_vector_equals_sklearn_transform(full_model, full_catalog):
    features = full_model.features_
    texts = description_queries()[:150] + title_queries()[:50] + full_catalog["description"].tolist()[:100] + [
        "", "Pokémon: ÉTÉ 2 II iii 1999 the", "united states of america", "tom hanks and meg ryan",
    ]
    stacked = features.stack(features.text_blocks(texts), text=True)
    stacked.eliminate_zeros()
    stacked.sort_indices()
    for i, text in enumerate(texts):
        indices, data = features.text_vector(text)
        row = stacked.getrow(i)
        assert np.array_equal(indices, row.indices), text
        assert data.dtype == row.data.dtype and np.array_equal(data, row.data), text


@pytest.mark.slow
def test_full_catalogue_matches_reference(full_model):
    reference = Reference(full_model)
    titles, texts = title_queries(), description_queries()
    cases = [[Query(title=t)] for t in titles[:15]] + [[Query(description=d)] for d in texts[:15]]
    cases += [[Query(title=t, description=d)] for t, d in zip(titles[15:20], texts[15:20])]
    cases += [parse_queries(batch_rows(40)), [Query(title=t) for t in titles[20:30]],
              [Query(description=d) for d in texts[20:30]]]
    for request in (Request(k=10), Request(k=1), Request(k=7, type="TV Show", min_year=2015)):
        for queries in cases:
            assert outcome(full_model, queries, request) == outcome(reference, queries, request)


def test_blocked_search_ranks_like_exact(catalog):
    exact = HybridRecommender(desc_min_df=1, desc_max_df=1.0).fit(catalog)
    blocked = HybridRecommender(desc_min_df=1, desc_max_df=1.0, search="blocked").fit(catalog)
    queries = [Query(title="Rocky"), Query(description="haunted house"), Query(title="Space Rescue")]
    a = exact.recommend(queries, Request(k=5))
    b = blocked.recommend(queries, Request(k=5))
    assert a["show_id"].tolist() == b["show_id"].tolist()
    np.testing.assert_allclose(a["score"], b["score"], atol=1e-5)
    assert a["reason"].tolist() == b["reason"].tolist()


def test_unknown_search_mode_is_rejected(catalog):
    with pytest.raises(ValueError, match="search must be one of"):
        HybridRecommender(search="magic").fit(catalog)


def test_output_frame_types_match_from_records(model):
    out = model.recommend([Query(title="Rocky")], Request(k=3))
    assert [str(t) for t in out.dtypes] == [
        "int64", "int64", "str", "str", "str", "int64", "str", "str", "str", "float64", "str", "str", "str"]
    empty = model.recommend([Query(title="Rocky")], Request(k=3, genres=("Anime",), type="Movie"))
    assert len(empty) == 0 and list(empty.columns) == list(out.columns)
