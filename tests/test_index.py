import numpy as np
import pytest
import scipy.sparse as sp

from netflix_pyfunc.index import DenseRows, ExactIndex, Queries

# Five catalogue rows over three columns; rows 1 and 2 are one group (e.g. language versions).
VECTORS = sp.csr_matrix(np.array([
    [1.0, 0.0, 0.0],
    [0.8, 0.6, 0.0],
    [0.8, 0.6, 0.0],
    [0.0, 1.0, 0.0],
    [0.0, 0.0, 1.0],
], dtype=np.float32))
GROUPS = np.array([0, 1, 1, 2, 3])


@pytest.fixture()
def index():
    return ExactIndex().fit(VECTORS, GROUPS)


def query(*rows):
    return Queries(sp.csr_matrix(np.array(rows, dtype=np.float32)))


def test_scores_are_dot_products_over_the_squared_query_norm(index):
    scores = index.scores(query([2.0, 0.0, 0.0], [0.0, 0.0, 0.0]))
    np.testing.assert_allclose(scores[0], [0.5, 0.4, 0.4, 0.0, 0.0], rtol=1e-6)
    assert not scores[1].any()   # an empty query scores 0, not NaN


def test_one_result_per_group_best_first_ties_by_position(index):
    (positions, scores), = index.search(query([1.0, 1.0, 0.0]), k=4)
    assert positions.tolist() == [1, 0, 3, 4]
    assert np.all(np.diff(scores) <= 0)


@pytest.mark.parametrize("k", [1, 3, 10])
def test_allowed_and_excluded_groups(index, k):
    allowed = np.array([True, True, True, False, True])
    (positions, _), (free, _) = index.search(query([1.0, 1.0, 0.0], [0.0, 1.0, 0.0]), k, allowed,
                                              exclude_groups=np.array([1, -1]))
    assert set(positions.tolist()) <= {0, 4} and len(positions) == min(k, 2)
    assert 3 not in free.tolist() and len(free) == min(k, 3)


def test_batches_larger_than_a_chunk_match_row_by_row(index):
    rng = np.random.default_rng(0)
    batch = Queries(sp.csr_matrix(rng.random((70, 3)).astype(np.float32)), rng.random((70, 2)).astype(np.float32),
                    sp.csr_matrix(rng.random((70, 5)).astype(np.float32)))
    dense_index = ExactIndex().fit(VECTORS, GROUPS, DenseRows(rng.random((5, 2))))
    together = dense_index.search(batch, k=2)
    for i in (0, 33, 69):
        (alone, _), = dense_index.search(batch.take(np.array([i])), k=2)
        assert together[i][0].tolist() == alone.tolist()


def test_dense_scores_and_boosts_add_to_the_sparse_score():
    dense = np.array([[1, 0], [0, 1], [0, 1], [0.6, 0.8], [1, 0]], dtype=np.float32)
    index = ExactIndex().fit(VECTORS, GROUPS, DenseRows(dense))
    boosts = sp.csr_matrix(np.array([[0, 0, 0, 0, 2.0]], dtype=np.float32))
    scores = index.scores(Queries(sp.csr_matrix(np.array([[2.0, 0, 0]], dtype=np.float32)),
                                  np.array([[0.5, 0]], dtype=np.float32), boosts))
    np.testing.assert_allclose(scores[0], [0.5 + 0.5, 0.4, 0.4, 0.3, 2.5], atol=1e-3)   # float16 rows
    (positions, _), = index.search(Queries(sp.csr_matrix(np.array([[2.0, 0, 0]], dtype=np.float32)),
                                           np.array([[0.5, 0]], dtype=np.float32), boosts), k=2)
    assert positions.tolist() == [4, 0]   # the boost lifts a title the words never matched


def test_queries_check_their_parts_have_one_row_per_query():
    with pytest.raises(ValueError, match="dense has 2 rows"):
        Queries(sp.csr_matrix((1, 3), dtype=np.float32), np.zeros((2, 2), dtype=np.float32))


def test_dense_rows_pickle_at_half_size_and_load_equal_with_their_int8_copy_rebuilt():
    import pickle

    rows = DenseRows(np.random.default_rng(1).standard_normal((50, 8)))
    plain = pickle.loads(pickle.dumps(rows))
    assert plain.quantized is None   # an approximate index never asks for the int8 copy
    rows.quantize()
    loaded = pickle.loads(pickle.dumps(rows))
    np.testing.assert_array_equal(loaded.rows, rows.rows)
    assert loaded.rows.dtype == np.float32
    # float16 plus the int8 product's graph (a few hundred bytes) and the pickle's framing
    assert len(pickle.dumps(rows)) < 50 * 8 * 4 * 0.6 + len(rows.quantized.graph_) + 200
    queries = np.random.default_rng(2).standard_normal((3, 8)).astype(np.float32)
    assert loaded.quantized is not None and loaded.quantized.session_ is not rows.quantized.session_
    for got, want in zip(loaded.quantized.approximate(queries), rows.quantized.approximate(queries)):
        np.testing.assert_array_equal(got, want)


def _random_csr(rng, shape, density, duplicates=False):
    """float32 CSR rows, each row's columns shuffled; with duplicates, some columns listed twice."""
    coo = sp.coo_matrix(((rng.random(shape) < density) * rng.random(shape)).astype(np.float32))
    repeat = rng.random(coo.nnz) < (0.3 if duplicates else 0)
    rows = np.concatenate([coo.row, coo.row[repeat]])
    cols = np.concatenate([coo.col, coo.col[repeat]])
    data = np.concatenate([coo.data, rng.random(int(repeat.sum())).astype(np.float32)])
    order = np.lexsort((rng.random(len(rows)), rows))
    indptr = np.searchsorted(rows[order], np.arange(shape[0] + 1))
    return sp.csr_matrix((data[order], cols[order], indptr), shape=shape)


@pytest.mark.parametrize("seed, repeated_columns", [(3, False), (4, False), (5, True)])
def test_scores_sum_the_sparse_product_and_boosts_as_scipy_does(seed, repeated_columns):
    """Bit for bit: ranking ties are broken by position, so the sums must not move by a rounding.
    The last query row is empty; with repeated_columns, some query rows list a column twice."""
    rng = np.random.default_rng(seed)
    index = ExactIndex().fit(_random_csr(rng, (40, 30), 0.3), np.arange(40))
    queries = _random_csr(rng, (5, 30), 0.4, duplicates=repeated_columns)
    last = queries.indptr[4]
    queries = sp.csr_matrix((queries.data[:last], queries.indices[:last], np.append(queries.indptr[:5], last)), shape=(5, 30))
    assert not queries[4].nnz and repeated_columns == any(
        len(set(row.indices)) < row.nnz for row in (queries[i] for i in range(5)))
    boosts = _random_csr(rng, (5, 40), 0.2, duplicates=True)
    squared = np.bincount(np.repeat(np.arange(5), np.diff(queries.indptr)), weights=queries.data * queries.data, minlength=5)
    expected = (queries @ index.vectors_t_).toarray() / np.where(squared > 0, squared, 1).astype(np.float32)[:, None]
    np.testing.assert_array_equal(index.scores(Queries(queries)), expected)
    np.testing.assert_array_equal(index.scores(Queries(queries, boosts=boosts)), expected + boosts.toarray())
