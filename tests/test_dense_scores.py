"""The int8 dense product's bound, the exact rescoring of chosen rows, and exact search through them."""

import numpy as np
import pytest
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from netflix_pyfunc.dense_scores import QuantizedRows, exact_products
from netflix_pyfunc.index import DenseRows, ExactIndex, Queries
from tests.test_dense_index import brute, unit_rows
from tests.test_index import _random_csr


def _queries(rng, m, d, scale=1.0):
    """m query rows of norms between 0 and scale, one of them all zero (a query without a dense part)."""
    rows = unit_rows(m, d, int(rng.integers(1 << 30))) * (scale * rng.random((m, 1))).astype(np.float32)
    rows[0] = 0
    return rows


@pytest.mark.parametrize("d", [8, 64, 384])
@pytest.mark.parametrize("seed", [0, 1])
def test_the_bound_holds_for_every_title(d, seed):
    rng = np.random.default_rng(seed)
    rows = DenseRows(unit_rows(500, d, seed, clusters=5))
    queries = _queries(rng, 20, d, scale=2.0)
    approx, norms, errors = rows.quantize().approximate(queries)
    exact = queries @ rows.rows.T
    for i in range(len(queries)):
        bound, max_bound = rows.quantized.bounds(norms[i], errors[i])
        assert np.all(np.abs(exact[i] - approx[i]) <= bound)
        assert max_bound >= bound.max()
        assert bound.max() < 0.05 * max(norms[i], 1e-9) + 1e-9   # and it is no vacuous bound


@pytest.mark.parametrize("exact_side", ["rows", "queries"])
def test_each_term_of_the_bound_covers_its_own_rounding(exact_side):
    """Rows (or queries) that int8 holds exactly: the whole error then comes from the other side,
    so the bound fails if that side's term is left out."""
    rng = np.random.default_rng(5)
    n, d = 400, 64
    grid = rng.integers(-127, 128, size=(n, d)).astype(np.float32)
    grid[:, 0] = 127   # every row's scale is then 2^-10, and k * 2^-10 is exact in float16 and int8
    on_grid = grid * np.float32(2.0 ** -10)
    rows = DenseRows(on_grid if exact_side == "rows" else unit_rows(n, d, 5))
    queries = on_grid[:10] if exact_side == "queries" else _queries(rng, 10, d)
    approx, norms, errors = rows.quantize().approximate(queries)
    worst = 0.0
    for i in range(len(queries)):
        bound, _ = rows.quantized.bounds(norms[i], errors[i])
        gap = np.abs(queries[i] @ rows.rows.T - approx[i])
        assert np.all(gap <= bound)
        worst = max(worst, (gap / np.maximum(bound, 1e-30)).max())
    assert worst > 0.05   # the errors are of the bound's size, not far below it
    if exact_side == "rows":
        assert np.all(rows.quantized.row_factor_ < 1e-4)   # only float32's gamma_d: r = 0
    else:
        assert np.all(errors <= 1e-6 * norms)              # q = q~: only the float32 margin


@pytest.mark.parametrize("m", [1, 2, 5, 32])
@pytest.mark.parametrize("count", [1, 3, 50, 400])
def test_exact_products_equal_the_full_product_bit_for_bit(m, count):
    """With one BLAS thread (how the model serves), chosen rows, the catalogue's last rows among
    them, score exactly as in the full product."""
    rng = np.random.default_rng(m * 1000 + count)
    rows = DenseRows(unit_rows(1003, 384, count, clusters=4)).rows
    queries = unit_rows(m, 384, m + 7)
    positions = np.sort(np.concatenate([rng.choice(1000, count - 1, replace=False), [1001]]))
    with threadpool_limits(limits=1, user_api="blas"):
        full = rows @ queries.T
        chosen = exact_products(rows, positions, queries)
    np.testing.assert_array_equal(chosen, full[positions])


def _index_and_queries(seed, n=1000, d=64, m=3, near_ties=False):
    rng = np.random.default_rng(seed)
    dense = unit_rows(n, d, seed, clusters=6)
    if near_ties:   # most titles within a rounding of each other around the scores that matter
        dense = unit_rows(1, d, seed) + 1e-4 * unit_rows(n, d, seed + 1)
    groups = rng.integers(0, n // 2, n)   # about one group in three has several titles
    vectors = sp.random(n, 40, density=0.15, random_state=seed, dtype=np.float32, format="csr")
    sparse = sp.random(m, 40, density=0.2, random_state=seed + 1, dtype=np.float32, format="csr")
    boosts = _random_csr(rng, (m, n), 0.05, duplicates=True)   # some titles named twice
    queries = Queries(sparse, _queries(rng, m, d), boosts)
    return ExactIndex().fit(vectors, groups, DenseRows(dense)), queries, rng


def _check_equal_to_full_scoring(index, queries, k, allowed, exclude, monkeypatch=None):
    """search's results are those of ranking index.scores' full float32 scores; returns how many
    rows exact_products rescored per call (none: every title was scored)."""
    import netflix_pyfunc.index as module

    sizes = []

    def recorded(rows, positions, dense):
        sizes.append(len(positions))
        return exact_products(rows, positions, dense)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "exact_products", recorded)
        found = index.search(queries, k, allowed, exclude)
    full = index.scores(queries)
    for i, (positions, scores) in enumerate(found):
        mask = np.ones(index.n_items_, dtype=bool) if allowed is None else allowed.copy()
        if exclude is not None and exclude[i] >= 0:
            mask &= index.groups_ != exclude[i]
        want, _ = brute(full[i], index.groups_, k, mask)
        assert positions.tolist() == want.tolist()
        np.testing.assert_allclose(scores, full[i][want], rtol=0, atol=1e-6)
    return sizes


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("k", [1, 10, 100])
@pytest.mark.parametrize("share", [None, 0.4, 0.005, 0.0])
def test_search_equals_ranking_every_exact_score(seed, k, share):
    """share: of the titles allowed (None: all; 0.005: fewer groups than k; 0: none)."""
    index, queries, rng = _index_and_queries(seed)
    allowed = None if share is None else rng.random(index.n_items_) < share
    exclude = np.where(rng.random(len(queries)) < 0.5, index.groups_[rng.integers(0, index.n_items_, len(queries))], -1)
    sizes = _check_equal_to_full_scoring(index, queries, k, allowed, exclude)
    if k < 100 and share is None:
        assert sizes   # candidates were rescored, not every title


@pytest.mark.parametrize("k", [5, 40])
def test_search_with_near_ties_around_the_kth_score_equals_exact_ranking(k):
    index, queries, rng = _index_and_queries(9, near_ties=True)
    queries = Queries(sp.csr_matrix(queries.sparse.shape, dtype=np.float32), queries.dense)   # the dense part alone
    _check_equal_to_full_scoring(index, queries, k, None, None)
    _check_equal_to_full_scoring(index, queries, k, rng.random(index.n_items_) < 0.5, None)


@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("k", [5, 40])
def test_search_in_few_dimensions_where_the_bound_is_nearly_reached(d, k):
    """In 2-3 dimensions the int8 error of a title lies along the query about as often as not, so
    the approximate order of the near-tied best titles is scrambled by about the bound itself."""
    rng = np.random.default_rng(d * 100 + k)
    n = 2000
    index = ExactIndex().fit(sp.csr_matrix((n, 5), dtype=np.float32), rng.integers(0, n * 2 // 3, n),
                             DenseRows(unit_rows(n, d, d)))
    dense = unit_rows(30, d, d + 1)
    for start in range(0, 30, 3):
        queries = Queries(sp.csr_matrix((3, 5), dtype=np.float32), dense[start:start + 3])
        assert _check_equal_to_full_scoring(index, queries, k, None, None)   # candidates rescored


class _Adversary:
    """Approximate scores as wrong as the bound allows, the worst way round: each query's exact
    top titles scored `spread` too low, every other title `spread` too high."""

    def __init__(self, rows, top, spread):
        self.rows, self.top, self.spread = rows, top, spread
        self.max_norm_ = np.linalg.norm(rows, axis=1).max()

    def approximate(self, queries):
        exact = queries @ self.rows.T
        ranks = np.argsort(np.argsort(-exact, axis=1, kind="stable"), axis=1, kind="stable")
        norms = np.linalg.norm(queries, axis=1)
        approx = exact + np.where(ranks < self.top, -1, 1) * self.spread * norms[:, None]
        return approx.astype(np.float32), norms, np.zeros(len(queries))

    def max_bound(self, norm, error):
        return self.spread * norm * (1 + 1e-3)


@pytest.mark.parametrize("k", [3, 10])
def test_candidates_survive_approximate_scores_wrong_by_the_whole_bound(k):
    rng = np.random.default_rng(k)
    n, d = 2000, 16
    dense = DenseRows(unit_rows(n, d, k, clusters=3))
    index = ExactIndex().fit(sp.csr_matrix((n, 5), dtype=np.float32), np.arange(n), dense)
    queries = Queries(sp.csr_matrix((3, 5), dtype=np.float32), unit_rows(3, d, k + 1))
    dense.quantized = _Adversary(dense.rows, 2 * k, spread=0.05)
    sizes = _check_equal_to_full_scoring(index, queries, k, None, None)
    sizes += _check_equal_to_full_scoring(index, queries, k, rng.random(n) < 0.5, None)
    assert sizes   # candidates rescored


def test_a_pickled_index_rebuilds_its_int8_rows_and_searches_the_same():
    import pickle

    index, queries, _ = _index_and_queries(4)
    loaded = pickle.loads(pickle.dumps(index))
    assert loaded.dense_.quantized is not None and loaded.dense_.quantized is not index.dense_.quantized
    for (got, got_scores), (want, want_scores) in zip(loaded.search(queries, 10), index.search(queries, 10)):
        assert got.tolist() == want.tolist()
        np.testing.assert_array_equal(got_scores, want_scores)
