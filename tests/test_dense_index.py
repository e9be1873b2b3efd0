import pickle

import numpy as np
import pytest
import scipy.sparse as sp

from netflix_pyfunc.dense_index import ExactDenseIndex, HNSWDenseIndex, top_unique
from netflix_pyfunc.hybrid import hybrid_search
from netflix_pyfunc.index import ExactIndex, Queries


def unit_rows(n, d, seed, clusters=0):
    """Random unit rows; with clusters, rows spread around that many random centres (like embeddings)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    if clusters:
        centres = rng.normal(size=(clusters, d))
        x = centres[rng.integers(0, clusters, n)] + 0.6 * x
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def brute(scores, groups, k, mask=None):
    """Reference: sort everything by (-score, position), keep a group's first, cut at k."""
    order = np.lexsort((np.arange(len(scores)), -scores))
    if mask is not None:
        order = order[mask[order]]
    _, first = np.unique(groups[order], return_index=True)
    chosen = order[np.sort(first)][:k]
    return chosen, scores[chosen]


def groups_of(n, seed, shared=0.3):
    """Group ids where about `shared` of the rows share a group with another row."""
    rng = np.random.default_rng(seed)
    groups = np.arange(n)
    twins = rng.choice(n, int(n * shared), replace=False)
    groups[twins] = rng.integers(0, n, len(twins))
    return groups


@pytest.mark.parametrize("scores, groups, k, expected", [
    ([0.5, 0.9, 0.9, 0.1], [0, 1, 2, 3], 2, [1, 2]),       # ties by position
    ([0.5, 0.9, 0.9, 0.1], [0, 1, 1, 3], 2, [1, 0]),       # one per group
    ([0.5, 0.9, 0.9, 0.1], [0, 0, 0, 0], 3, [1]),          # fewer groups than k
    ([0.2, 0.2, 0.2, 0.2, 0.9], [0, 0, 1, 1, 0], 2, [4, 2]),  # widens past a group's many ties
])
def test_top_unique(scores, groups, k, expected):
    positions, got = top_unique(np.arange(len(scores)), np.array(scores), np.array(groups), k)
    assert positions.tolist() == expected
    np.testing.assert_allclose(got, np.array(scores)[expected])


@pytest.mark.parametrize("k", [1, 10, 100])
@pytest.mark.parametrize("seed", [0, 1])
def test_exact_dense_is_brute_force(k, seed):
    vectors, groups = unit_rows(500, 16, seed), groups_of(500, seed)
    queries = unit_rows(40, 16, seed + 100)
    index = ExactDenseIndex().fit(vectors, groups)
    for query, (positions, scores) in zip(queries, index.search(queries, k)):
        expected, expected_scores = brute(vectors @ query, groups, k)
        assert positions.tolist() == expected.tolist()
        np.testing.assert_allclose(scores, expected_scores, rtol=1e-5, atol=1e-6)


def test_exact_dense_ties_break_by_position():
    vectors = np.array([[1, 0], [0, 1], [1, 0], [0.6, 0.8]], dtype=np.float32)
    (positions, _), = ExactDenseIndex().fit(vectors, np.arange(4)).search(np.array([[1, 0]], np.float32), 3)
    assert positions.tolist() == [0, 2, 3]


@pytest.fixture(scope="module")
def catalogue():
    vectors = unit_rows(3000, 32, 7, clusters=40)
    groups = groups_of(3000, 7, shared=0.1)
    queries = unit_rows(60, 32, 8, clusters=0) * 0.3 + vectors[:60]
    queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
    return vectors, groups, queries


@pytest.fixture(scope="module")
def hnsw(catalogue):
    vectors, groups, _ = catalogue
    return HNSWDenseIndex(candidates=50).fit(vectors, groups)


def recall_at(found, expected):
    return np.mean([len(set(f.tolist()) & set(e.tolist())) / len(e) for f, e in zip(found, expected)])


def test_hnsw_recall_against_exact(catalogue, hnsw):
    vectors, groups, queries = catalogue
    exact = ExactDenseIndex().fit(vectors, groups).search(queries, 10)
    found = hnsw.search(queries, 10)
    assert recall_at([p for p, _ in found], [p for p, _ in exact]) >= 0.95
    for (positions, scores), query in zip(found, queries):   # scores are the exact cosines, best first
        np.testing.assert_allclose(scores, vectors[positions] @ query, rtol=1e-5, atol=1e-6)
        assert np.all(np.diff(scores) <= 0)


@pytest.mark.parametrize("fraction", [0.5, 0.1, 0.01])   # through the graph's filter, and exact below 5 %
@pytest.mark.parametrize("index_type", [ExactDenseIndex, HNSWDenseIndex])
def test_allowed_mask_and_excluded_groups_are_honoured(catalogue, hnsw, fraction, index_type):
    vectors, groups, queries = catalogue
    index = hnsw if index_type is HNSWDenseIndex else ExactDenseIndex().fit(vectors, groups)
    allowed = np.random.default_rng(3).random(len(vectors)) < fraction
    exclude = groups[:len(queries)]               # each query row's own title's group
    found = index.search(queries, 10, allowed, exclude)
    for (positions, _), group in zip(found, exclude):
        assert allowed[positions].all()
        assert group not in groups[positions]
        assert len(set(groups[positions].tolist())) == len(positions) == 10
    expected = [brute(vectors @ query, groups, 10, allowed & (groups != group))[0]
                for query, group in zip(queries, exclude)]
    assert recall_at([p for p, _ in found], expected) >= 0.95


@pytest.mark.parametrize("index_type", [ExactDenseIndex, HNSWDenseIndex])
def test_one_title_per_group(index_type):
    vectors = unit_rows(400, 8, 2)
    groups = np.arange(400) // 4                # 100 groups of 4 near-duplicates
    vectors = np.repeat(vectors[::4], 4, axis=0)
    index = index_type().fit(vectors, groups)
    (positions, scores), = index.search(vectors[:1], 30)
    assert len(set(groups[positions].tolist())) == 30
    assert positions[0] == 0                    # ties inside a group: the first position


@pytest.mark.parametrize("index_type", [ExactDenseIndex, HNSWDenseIndex])
@pytest.mark.parametrize("k", [5, 100])
def test_k_larger_than_the_allowed_rows_returns_them_all(catalogue, index_type, k):
    vectors, groups, queries = catalogue
    allowed = np.zeros(len(vectors), dtype=bool)
    allowed[[5, 17, 900, 901]] = True
    groups = np.arange(len(vectors))
    index = index_type().fit(vectors, groups)
    (positions, scores), = index.search(queries[:1], k, allowed)
    assert set(positions.tolist()) <= {5, 17, 900, 901}
    assert len(positions) == min(k, 4)


def test_hnsw_builds_and_answers_deterministically(catalogue, hnsw):
    vectors, groups, queries = catalogue
    again = HNSWDenseIndex(candidates=50).fit(vectors, groups)
    assert bytes(pickle.dumps(again)) == bytes(pickle.dumps(hnsw))
    for (a, sa), (b, sb) in zip(hnsw.search(queries, 10), again.search(queries, 10)):
        assert a.tolist() == b.tolist() and np.array_equal(sa, sb)


def test_hnsw_survives_pickling(catalogue, hnsw):
    _, _, queries = catalogue
    loaded = pickle.loads(pickle.dumps(hnsw))
    for (a, _), (b, _) in zip(hnsw.search(queries, 10), loaded.search(queries, 10)):
        assert a.tolist() == b.tolist()


@pytest.mark.parametrize("bad, message", [
    (np.ones((2, 5), np.float32), "5 dimensions, the index has 32"),
    (np.full((1, 32), np.nan, np.float32), "NaN"),
    (np.ones(32, np.float32), "2-D"),
])
def test_bad_queries_name_the_problem(hnsw, bad, message):
    with pytest.raises(ValueError, match=message):
        hnsw.search(bad, 10)


# ---------------------------------------------------------------- hybrid: sparse + weight * dense

@pytest.fixture(scope="module")
def hybrid_parts(catalogue):
    vectors, groups, queries = catalogue
    sparse = sp.random(len(vectors), 200, density=0.03, format="csr", random_state=4, dtype=np.float32)
    sparse_queries = sp.random(len(queries), 200, density=0.05, format="csr", random_state=5, dtype=np.float32)
    return ExactIndex().fit(sparse, groups), sparse_queries


def hybrid_reference(sparse_index, vectors, sparse_queries, dense_queries, weight, groups, k, mask=None, boosts=None):
    total = sparse_index.scores(Queries(sparse_queries)) + weight * dense_queries @ vectors.T
    if boosts is not None:
        total = total + boosts.toarray()
    return [brute(row, groups, k, mask)[0] for row in total]


@pytest.mark.parametrize("weight", [0.0, 0.5, 2.0])
def test_hybrid_over_every_candidate_is_the_combined_brute_force(catalogue, hybrid_parts, weight):
    vectors, groups, queries = catalogue
    sparse_index, sparse_queries = hybrid_parts
    dense = ExactDenseIndex().fit(vectors, groups)
    # with every title a candidate, the union is the catalogue: the answer must be the brute force's
    found = hybrid_search(sparse_index, dense, sparse_queries, queries, weight, 10, n_candidates=len(vectors))
    expected = hybrid_reference(sparse_index, vectors, sparse_queries, queries, weight, groups, 10)
    assert [p.tolist() for p, _ in found] == [e.tolist() for e in expected]
    total = sparse_index.scores(Queries(sparse_queries)) + weight * queries @ vectors.T
    for i, (positions, scores) in enumerate(found):
        np.testing.assert_allclose(scores, total[i, positions], rtol=1e-5, atol=1e-6)


def test_hybrid_with_hnsw_keeps_recall_and_honours_filters(catalogue, hybrid_parts, hnsw):
    vectors, groups, queries = catalogue
    sparse_index, sparse_queries = hybrid_parts
    allowed = np.random.default_rng(9).random(len(vectors)) < 0.4
    exclude = groups[:len(queries)]
    found = hybrid_search(sparse_index, hnsw, sparse_queries, queries, 1.0, 10, allowed, exclude)
    for (positions, _), group in zip(found, exclude):
        assert allowed[positions].all() and group not in groups[positions] and len(positions) == 10
        assert len(set(groups[positions].tolist())) == 10
    expected = [hybrid_reference(sparse_index, vectors, sparse_queries[i], queries[i:i + 1], 1.0, groups, 10,
                                 allowed & (groups != exclude[i]))[0] for i in range(len(queries))]
    assert recall_at([p for p, _ in found], expected) >= 0.95


def test_hybrid_boosts_reach_titles_outside_both_shortlists(catalogue, hybrid_parts, hnsw):
    vectors, groups, queries = catalogue
    sparse_index, sparse_queries = hybrid_parts
    far = int(np.argmin(vectors @ queries[0]))       # the dense block's worst title for row 0
    boosts = sp.csr_matrix(([5.0], ([0], [far])), shape=(2, len(vectors)))
    (positions, scores), _ = hybrid_search(sparse_index, hnsw, sparse_queries[:2], queries[:2], 1.0, 5, boosts=boosts)
    assert positions[0] == far


def test_hybrid_without_dense_part_is_the_sparse_search(catalogue, hybrid_parts, hnsw):
    _, groups, queries = catalogue
    sparse_index, sparse_queries = hybrid_parts
    found = hybrid_search(sparse_index, hnsw, sparse_queries, None, 1.0, 10, n_candidates=3000)
    for (positions, _), (expected, _) in zip(found, sparse_index.search(Queries(sparse_queries), 10)):
        assert positions.tolist() == expected.tolist()


def test_hybrid_rejects_mismatched_parts(catalogue, hybrid_parts, hnsw):
    _, _, queries = catalogue
    sparse_index, sparse_queries = hybrid_parts
    with pytest.raises(ValueError, match="3 dense query rows, 60 sparse ones"):
        hybrid_search(sparse_index, hnsw, sparse_queries, queries[:3], 1.0, 10)
