import numpy as np
import pytest
import scipy.sparse as sp

from netflix_pyfunc.index import ExactIndex

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
    return sp.csr_matrix(np.array(rows, dtype=np.float32))


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
    batch = sp.csr_matrix(rng.random((70, 3)).astype(np.float32))
    together = index.search(batch, k=2)
    for i in (0, 33, 69):
        (alone, _), = index.search(batch[i], k=2)
        assert together[i][0].tolist() == alone.tolist()
