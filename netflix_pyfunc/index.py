"""Exact search over the catalogue: sparse TF-IDF blocks, a dense block and per-query boosts.

An index is fitted on the catalogue's vectors and answers `search(queries, k, allowed,
exclude_groups)` for a `Queries` batch. Another index (approximate, say, for the dense block of a
much larger catalogue) only has to answer the same call: a boost names the titles it applies to,
so such an index can add them to its candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

# Query rows scored together: rows x catalogue dense scores.
_CHUNK = 32
# Candidates taken per result before dropping further members of a group already listed.
_OVERSAMPLE = 3


class DenseRows:
    """n x d float32 rows of a dense block, held at float16 precision: pickled as float16 (half the
    size; a cosine moves by < 1e-3), float32 in memory for BLAS. One object can be shared by the
    block that made the rows and the index that searches them, and is then pickled once."""

    def __init__(self, rows: np.ndarray):
        self.rows = np.ascontiguousarray(np.asarray(rows, dtype=np.float16), dtype=np.float32)

    def __getstate__(self) -> dict:
        return {"rows": self.rows.astype(np.float16)}

    def __setstate__(self, state: dict) -> None:
        self.rows = state["rows"].astype(np.float32)


@dataclass(frozen=True)
class Queries:
    """A batch of m queries.

    sparse: m x D rows in the stacked TF-IDF columns; dense: m x d rows in the dense block's space,
    already multiplied by their weight (None: no dense part); boosts: m x n CSR scores added to the
    titles they name (None: none)."""

    sparse: sp.csr_matrix
    dense: np.ndarray | None = None
    boosts: sp.csr_matrix | None = None

    def __post_init__(self):
        m = self.sparse.shape[0]
        for name in ("dense", "boosts"):
            part = getattr(self, name)
            if part is not None and part.shape[0] != m:
                raise ValueError(f"{name} has {part.shape[0]} rows, sparse has {m}")

    def __len__(self) -> int:
        return self.sparse.shape[0]

    def rows(self, start: int, stop: int) -> Queries:
        """Rows start..stop-1 (the batch itself when that is all of it)."""
        if start == 0 and stop >= len(self):
            return self
        return self.take(np.arange(start, min(stop, len(self))))

    def take(self, rows: np.ndarray) -> Queries:
        """The given rows, in that order."""
        if len(rows) == len(self) and np.array_equal(rows, np.arange(len(self))):
            return self
        return Queries(
            self.sparse[rows],
            None if self.dense is None else self.dense[rows],
            None if self.boosts is None else self.boosts[rows],
        )


class ExactIndex:
    """Brute-force scores of every catalogue title; at most one result per group.

    A query's sparse score for title x is q.x / |q|^2. With every block of q scaled to
    sqrt(weight), that is the weighted mean, over the blocks the query has, of the per-block
    cosines. The dense score q_dense.e_x (unit rows, weighted query: weight * cosine) and the
    query's boost for x are added to it.
    """

    def fit(self, vectors: sp.csr_matrix, groups: np.ndarray, dense: DenseRows | None = None) -> ExactIndex:
        """vectors: n x D catalogue rows; groups: n ids, titles with one id count as one result;
        dense: n x d unit rows of the dense block (None: no dense block), kept by reference."""
        if vectors.shape[0] != len(groups):
            raise ValueError(f"{vectors.shape[0]} vectors but {len(groups)} group ids")
        if dense is not None and dense.rows.shape[0] != vectors.shape[0]:
            raise ValueError(f"{vectors.shape[0]} sparse vectors but {dense.rows.shape[0]} dense ones")
        self.vectors_t_ = vectors.T.tocsr()   # D x n, for queries @ vectors_t_
        self.dense_ = dense
        self.groups_ = np.asarray(groups)
        self.n_items_ = vectors.shape[0]
        return self

    def scores(self, queries: Queries) -> np.ndarray:
        """Dense rows x n scores of a batch (0 for an empty query)."""
        sparse = queries.sparse
        m, indptr = sparse.shape[0], sparse.indptr
        rows = np.repeat(np.arange(m), np.diff(indptr))
        squared = np.bincount(rows, weights=sparse.data * sparse.data, minlength=m)
        raw = self._sparse_products(sparse)
        raw /= np.where(squared > 0, squared, 1).astype(np.float32)[:, None]
        if queries.dense is not None:
            if self.dense_ is None:
                raise ValueError("dense queries for an index fitted without a dense block")
            # rows @ queries.T, not queries @ rows.T: for a few query rows BLAS then streams the
            # n x d rows once instead of packing them (2-3x faster for 2-32 rows, the same for one)
            raw += (self.dense_.rows @ queries.dense.T).T
        boosts = queries.boosts
        if boosts is not None and boosts.nnz:
            if not boosts.has_canonical_format:   # one entry per title: duplicates summed first
                boosts = boosts.copy()
                boosts.sum_duplicates()
            raw[np.repeat(np.arange(m), np.diff(boosts.indptr)), boosts.indices] += boosts.data
        return raw

    def _sparse_products(self, sparse: sp.csr_matrix) -> np.ndarray:
        """m x n: sparse @ vectors.T, summed as scipy's CSR product sums it (float32, one query
        column after the other), without building the product matrix: a query has a few columns,
        each one slice of the transposed catalogue."""
        m = sparse.shape[0]
        dtype = np.result_type(sparse.dtype, self.vectors_t_.dtype)
        raw = np.zeros((m, self.n_items_), dtype=dtype)
        t_indptr, t_indices, t_data = self.vectors_t_.indptr, self.vectors_t_.indices, self.vectors_t_.data
        starts, stops = t_indptr[sparse.indices].tolist(), t_indptr[sparse.indices + 1].tolist()
        indptr, data = sparse.indptr.tolist(), sparse.data.astype(dtype)
        for row in range(m):
            out = raw[row]
            for entry in range(indptr[row], indptr[row + 1]):
                start, stop = starts[entry], stops[entry]
                out[t_indices[start:stop]] += t_data[start:stop] * data[entry]
        return raw

    def search(self, queries: Queries, k: int, allowed: np.ndarray | None = None,
               exclude_groups: np.ndarray | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """Top-k (positions, scores) per query row, best first; ties by catalogue position.

        allowed: boolean mask of the titles that may be returned (None: all);
        exclude_groups: per query row, a group id whose titles are left out (-1: none)."""
        results = []
        for start in range(0, len(queries), _CHUNK):
            scores = self.scores(queries.rows(start, start + _CHUNK))
            for i, row_scores in enumerate(scores):
                mask = allowed
                group = -1 if exclude_groups is None else exclude_groups[start + i]
                if group >= 0:
                    mask = self.groups_ != group if mask is None else mask & (self.groups_ != group)
                if mask is None:
                    results.append(self._top_unique(row_scores, k))
                else:
                    candidates = np.flatnonzero(mask)
                    results.append(self._top_unique(row_scores[candidates], k, candidates))
        return results

    def _top_unique(self, scores: np.ndarray, k: int, candidates: np.ndarray | None = None):
        """The k best of scores, no two of one group, as (positions, scores); scores[j] is position
        candidates[j] (None: position j). Widens the shortlist until k groups are found."""
        n = len(scores)
        take = min(n, k * _OVERSAMPLE)
        while True:
            shortlist = np.argpartition(-scores, take - 1)[:take] if take < n else np.arange(n)
            positions = shortlist if candidates is None else candidates[shortlist]
            order = np.lexsort((positions, -scores[shortlist]))
            chosen, seen = [], set()   # a few dozen: a set beats np.unique's sorts
            for j, group in zip(shortlist[order].tolist(), self.groups_[positions[order]].tolist()):
                if group not in seen:
                    seen.add(group)
                    chosen.append(j)
                    if len(chosen) == k:
                        break
            if len(chosen) == k or take >= n:
                chosen = np.asarray(chosen, dtype=np.int64)
                return (chosen if candidates is None else candidates[chosen]), scores[chosen]
            take = min(n, take * 4)
