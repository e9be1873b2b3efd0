"""Sparse TF-IDF and dense block together, for catalogues too large to score the dense block exactly.

The hybrid score of title x for a query is ExactIndex's sparse score plus weight * the dense cosine
(plus an optional per-query boost). `hybrid_search` takes the sparse index's exact scores (cheap: one
sparse product) plus the boosts, the best `n_candidates` titles by that sum, and the dense index's
best `n_candidates` (an approximate index: faiss); it then scores that union exactly and returns
the top k. (A boost can name most of the catalogue, "movies" every movie: its titles join the
union only through those two shortlists.) A title good on both blocks but in neither shortlist is missed: how often is
the hybrid recall@10 in bench/README.md.

`HybridIndex` puts this behind ExactIndex's interface (`fit(vectors, groups, dense)`,
`search(queries, k, allowed, exclude_groups)`): the recommender serves a large catalogue from it.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .dense_index import OVERSAMPLE, HNSWDenseIndex, check_vectors, row_masks, top_unique
from .index import DenseRows, ExactIndex, Queries

# Query rows whose sparse scores are computed together (rows x catalogue floats at once).
_CHUNK = 32


class HybridIndex:
    """ExactIndex's scores, found approximately: the sparse blocks and boosts are scored exactly, the
    dense block's candidates come from a faiss HNSW graph (HNSWDenseIndex), the union is rescored
    exactly (hybrid_search). Every returned score is the one ExactIndex gives that title; a title in
    neither shortlist can be missed. Filters and the excluded group hold exactly.

    n_candidates: titles taken from each shortlist per query row. 300 rather than 100: at 880k titles
    description recall@10 against exact search 0.959 -> 0.994 at the same p50 (bench/README.md)."""

    def __init__(self, *, n_candidates: int = 300):
        self.n_candidates = n_candidates

    def fit(self, vectors: sp.csr_matrix, groups: np.ndarray, dense: DenseRows | None = None) -> HybridIndex:
        """vectors: n x D catalogue rows; groups: n ids, titles with one id count as one result;
        dense: n x d unit rows of the dense block (None: no dense block, every search is exact)."""
        self.sparse_ = ExactIndex().fit(vectors, groups)
        self.dense_ = None if dense is None else HNSWDenseIndex().fit(dense, groups)
        self.groups_ = self.sparse_.groups_
        self.n_items_ = self.sparse_.n_items_
        return self

    def search(self, queries: Queries, k: int, allowed: np.ndarray | None = None,
               exclude_groups: np.ndarray | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """Top-k (positions, scores) per query row, best first; ties by catalogue position (ExactIndex.search)."""
        if self.dense_ is None:
            if queries.dense is not None:
                raise ValueError("dense queries for an index fitted without a dense block")
            return self.sparse_.search(queries, k, allowed, exclude_groups)
        return hybrid_search(self.sparse_, self.dense_, queries.sparse, queries.dense, 1.0, k, allowed,
                             exclude_groups, boosts=queries.boosts, n_candidates=self.n_candidates)


def hybrid_search(sparse_index: ExactIndex, dense_index, sparse_queries: sp.csr_matrix,
                  dense_queries: np.ndarray | None, weight: float, k: int, allowed: np.ndarray | None = None,
                  exclude_groups: np.ndarray | None = None, *, boosts: sp.csr_matrix | None = None,
                  n_candidates: int = 100) -> list[tuple[np.ndarray, np.ndarray]]:
    """Top-k (positions, scores) per query row by sparse score + weight * dense cosine (+ boost).

    sparse_index: an ExactIndex over the catalogue's stacked TF-IDF rows; dense_index: an
    ExactDenseIndex or HNSWDenseIndex over the same titles in the same order (its `vectors_` are
    read to rescore); sparse_queries: (m, D) CSR; dense_queries: (m, d) float32 rows (None or a
    zero row: no dense part); weight: multiplies the dense cosine (1.0 if the rows are already
    weighted); boosts: optional (m, n) CSR of scores added to the titles they name. Best first,
    ties by position, one title per group, allowed and exclude_groups as in ExactIndex.search."""
    m = sparse_queries.shape[0]
    n = dense_index.n_items_
    if sparse_index.n_items_ != n:
        raise ValueError(f"sparse index has {sparse_index.n_items_} titles, dense index {n}")
    if dense_queries is not None:
        dense_queries = check_vectors(dense_queries, "dense_queries", dense_index.dim_)
        if len(dense_queries) != m:
            raise ValueError(f"{len(dense_queries)} dense query rows, {m} sparse ones")
    if boosts is not None and boosts.shape != (m, n):
        raise ValueError(f"boosts must be {m} x {n}, got {boosts.shape[0]} x {boosts.shape[1]}")
    if k < 1 or n_candidates < 1:
        raise ValueError(f"k={k}, n_candidates={n_candidates}; both must be >= 1")
    boosts = None if boosts is None else sp.csr_matrix(boosts)
    has_dense = np.zeros(m, dtype=bool) if dense_queries is None or weight == 0 else dense_queries.any(axis=1)
    count = max(n_candidates, k * OVERSAMPLE)
    dense_found = {}
    if has_dense.any():
        rows = np.flatnonzero(has_dense)
        found = _dense_candidates(dense_index, dense_queries[rows], count, allowed)
        dense_found = dict(zip(rows.tolist(), found))
    masks = row_masks(dense_index.groups_, allowed, exclude_groups, m)
    results = []
    for start in range(0, m, _CHUNK):
        # The sparse part alone: the dense part is scored below, from the shortlists.
        sparse_scores = sparse_index.scores(Queries(sparse_queries[start:start + _CHUNK]))
        for i, (row_scores, mask) in enumerate(zip(sparse_scores, masks), start):
            dense_query = dense_queries[i] * np.float32(weight) if has_dense[i] else None
            boost = None if boosts is None else boosts[i]
            results.append(_one_row(dense_index, row_scores, dense_query, boost, dense_found.get(i), mask, k, count))
    return results


def _dense_candidates(dense_index, queries: np.ndarray, count: int, allowed: np.ndarray | None) -> list[np.ndarray]:
    """The dense block's best `count` positions per row: approximate when the index can, else exact."""
    if hasattr(dense_index, "candidates_for"):
        return dense_index.candidates_for(queries, count, allowed)
    return [positions for positions, _ in dense_index.search(queries, count, allowed)]


def _one_row(dense_index, sparse_scores, dense_query, boost, dense_positions, mask, k, count):
    exact = sparse_scores   # this row's own array: the boost is added in place
    if boost is not None and boost.nnz:
        boost.sum_duplicates()
        exact[boost.indices] += boost.data
    # titles outside the mask rank last on the exact part and are dropped from the dense shortlist
    ranked = exact if mask is None else np.where(mask, exact, -np.inf)
    n_allowed = len(ranked) if mask is None else int(np.count_nonzero(mask))
    while True:
        pool = [_top_positions(ranked, count)]
        if dense_positions is not None:
            pool.append(dense_positions if mask is None else dense_positions[mask[dense_positions]])
        union = np.unique(np.concatenate(pool))
        scores = exact[union].astype(np.float32)
        if dense_query is not None:
            scores += dense_index.vectors_[union] @ dense_query
        best = top_unique(union, scores, dense_index.groups_, k)
        if len(best[0]) == k or count >= n_allowed:
            return best
        count = min(n_allowed, count * 4)   # many titles of one group: widen both shortlists
        if dense_query is not None:          # past the shortlist, score every allowed title
            dense_positions = np.arange(len(ranked)) if mask is None else np.flatnonzero(mask)
            count = n_allowed


def _top_positions(scores: np.ndarray, count: int) -> np.ndarray:
    """The positions of the best `count` positive scores; of those tied at the cut, the first positions
    (ExactIndex breaks ties by position), so a boost shared by half the catalogue keeps the list short.

    Titles scoring 0 on the exact part rank by their dense score alone: the dense shortlist has them."""
    if count >= len(scores):
        return np.flatnonzero(scores > 0)
    threshold = np.partition(scores, len(scores) - count)[len(scores) - count]
    if threshold <= 0:
        return np.flatnonzero(scores > 0)
    above = np.flatnonzero(scores > threshold)
    tied = np.flatnonzero(scores == threshold)[:max(0, count - len(above))]
    return np.concatenate([above, tied])
