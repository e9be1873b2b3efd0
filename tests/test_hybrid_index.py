"""The approximate index behind ExactIndex's interface, alone and serving the recommender."""

import numpy as np
import pytest
import scipy.sparse as sp

from netflix_pyfunc.hybrid import HybridIndex
from netflix_pyfunc.index import DenseRows, ExactIndex, Queries
from netflix_pyfunc.model import load_recommender, save_recommender
from netflix_pyfunc.params import Query, Request
from netflix_pyfunc.recommender import HybridRecommender
from test_dense_index import groups_of, unit_rows
from test_recommender import FILTER_CASES


def sparse_rows(n, d, seed, density=0.05):
    rows = sp.random(n, d, density=density, format="csr", dtype=np.float32, random_state=seed)
    norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1))).ravel()
    return sp.diags(1 / np.where(norms > 0, norms, 1)).dot(rows).tocsr().astype(np.float32)


def queries_of(n, m, seed, wide_boost=False):
    """m query rows: sparse, dense (weighted; the last row has none), and boosts on a few titles or,
    wide_boost, one equal boost on 60 % of them (what "movies" gives every movie)."""
    dense = 0.5 * unit_rows(m, 16, seed + 1)
    dense[-1] = 0
    boosts = sp.random(m, n, density=0.01, format="csr", dtype=np.float32, random_state=seed + 2)
    if wide_boost:
        boosts = sp.csr_matrix(0.3 * (np.random.default_rng(seed + 4).random((m, n)) < 0.6), dtype=np.float32)
    return Queries(sparse_rows(m, 60, seed + 3, density=0.2), dense, boosts)


@pytest.mark.parametrize("wide_boost", [False, True])
@pytest.mark.parametrize("filtered", [False, True])
@pytest.mark.parametrize("k", [1, 10, 50])
def test_hybrid_index_answers_as_exact_index(k, filtered, wide_boost):
    """A catalogue small enough for both shortlists to hold every good title: the same answer."""
    n, m = 600, 12
    vectors, groups = sparse_rows(n, 60, 0), groups_of(n, 0)
    dense = DenseRows(unit_rows(n, 16, 1, clusters=8))
    queries = queries_of(n, m, 2, wide_boost)
    allowed = np.random.default_rng(3).random(n) < 0.5 if filtered else None
    exclude = groups[np.random.default_rng(4).integers(0, n, m)]
    exclude[::3] = -1
    exact = ExactIndex().fit(vectors, groups, dense).search(queries, k, allowed, exclude)
    approximate = HybridIndex().fit(vectors, groups, dense).search(queries, k, allowed, exclude)
    for row, ((want, want_scores), (got, got_scores)) in enumerate(zip(exact, approximate)):
        assert got.tolist() == want.tolist()
        np.testing.assert_allclose(got_scores, want_scores, rtol=1e-5, atol=1e-6)
        assert allowed is None or allowed[got].all()
        assert exclude[row] < 0 or not (groups[got] == exclude[row]).any()


def test_hybrid_index_without_dense_block_is_exact_sparse_search():
    vectors, groups = sparse_rows(200, 60, 5), groups_of(200, 5)
    queries = Queries(sparse_rows(4, 60, 6, density=0.2))
    exact = ExactIndex().fit(vectors, groups).search(queries, 10)
    approximate = HybridIndex().fit(vectors, groups).search(queries, 10)
    assert [p.tolist() for p, _ in approximate] == [p.tolist() for p, _ in exact]
    with pytest.raises(ValueError, match="without a dense block"):
        HybridIndex().fit(vectors, groups).search(queries_of(200, 4, 6), 10)


# ---------------------------------------------------------------- the recommender on it
@pytest.fixture(scope="module")
def ann_model(catalog, encoder):
    """The conftest model's hyperparameters, with the approximate index from 2 titles up."""
    return HybridRecommender(desc_min_df=1, desc_max_df=1.0, ann_min_titles=2).fit(catalog, encoder=encoder)


QUERIES = [Query(title="Rocky"), Query(description="astronaut"), Query(title="Midnight Mass"),
           Query(description="a haunted house"), Query(title="Rocky", description="a boxer's comeback"),
           Query(description="movies directed by Mike Flanagan")]
REQUESTS = [Request(k=5), Request(k=10, type="TV Show"), Request(k=10, min_year=2000, max_year=2018),
            Request(k=10, genres=("Sports",)), Request(k=3, countries=("south korea",))]


def test_above_the_threshold_the_index_is_approximate_and_nothing_is_stored(ann_model, model):
    assert isinstance(ann_model.index_, HybridIndex) and ann_model.stored_hits_ is None
    assert isinstance(model.index_, ExactIndex) and model.stored_hits_ is not None


@pytest.mark.parametrize("request_", REQUESTS)
def test_approximate_recommender_answers_as_the_exact_one(ann_model, model, request_):
    want, got = model.recommend(QUERIES, request_), ann_model.recommend(QUERIES, request_)
    assert got[["row", "rank", "show_id", "reason"]].equals(want[["row", "rank", "show_id", "reason"]])
    np.testing.assert_allclose(got["score"], want["score"], atol=1e-5)


@pytest.mark.parametrize("request_, check", FILTER_CASES)
def test_filters_and_exclusions_hold_with_the_approximate_index(ann_model, request_, check):
    out = ann_model.recommend(QUERIES, request_)
    assert len(out) > 0 and all(check(row) for _, row in out.iterrows())
    assert not ((out["row"] == 0) & out["title"].eq("Rocky")).any()   # never the queried title


def test_neighbors_are_searched_live_as_recommend_ranks(ann_model, model, catalog, position):
    rows = [position(catalog, title) for title in ("Rocky", "Midnight Mass", "Oh! Baby")]
    assert [p.tolist() for p in ann_model.neighbors(rows, 5)] == [p.tolist() for p in model.neighbors(rows, 5)]
    for row, found in zip(rows, ann_model.neighbors(rows, 5)):
        served = ann_model.recommend([Query(title=catalog["title"].iloc[row])], Request(k=5))
        assert catalog["show_id"].iloc[found].tolist() == served["show_id"].tolist()


def test_approximate_recommender_pickles_and_loads(ann_model, encoder_dir, tmp_path):
    loaded = load_recommender(save_recommender(ann_model, tmp_path / "recommender.pkl"), encoder_dir)
    assert isinstance(loaded.index_, HybridIndex)
    assert loaded.index_.dense_.rows_ is loaded.semantic_.embeddings_   # the rows travel once
    assert loaded.recommend(QUERIES, Request(k=5)).equals(ann_model.recommend(QUERIES, Request(k=5)))


@pytest.mark.slow
def test_full_catalogue_approximate_recall(full_catalog, full_model, encoder):
    """8.8k real titles served approximately: the exact model's top 10, nearly all of it."""
    ann = HybridRecommender(ann_min_titles=2).fit(full_catalog, encoder=encoder)
    rows = np.random.default_rng(0).choice(len(full_catalog), 200, replace=False)
    texts = ["a haunted house", "astronauts stranded in space", "a korean crime thriller", "funny dogs",
             "a chef opens a restaurant", "teenagers solve a murder", "a heist in madrid", "war documentary"]
    pairs = list(zip(ann.neighbors(rows, 10), full_model.neighbors(rows, 10)))
    pairs += list(zip(ann.neighbors_for_text(texts, 10), full_model.neighbors_for_text(texts, 10)))
    recall = np.mean([len(set(got.tolist()) & set(want.tolist())) / len(want) for got, want in pairs])
    assert recall >= 0.97
