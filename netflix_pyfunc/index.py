"""Exact search over the catalogue's stacked vectors.

An index is fitted on the catalogue's vectors and answers `search(queries, k, allowed,
exclude_groups)` for a CSR batch of query vectors. Another index (approximate, or over dense
blocks) only has to answer the same call.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

# Query rows scored together: one sparse product, rows x catalogue dense scores.
_CHUNK = 32
# Candidates taken per result before dropping further members of a group already listed.
_OVERSAMPLE = 3


class ExactIndex:
    """Brute-force scores of every catalogue title; at most one result per group.

    A query's score for title x is q.x / |q|^2. With every block of q scaled to sqrt(weight),
    that is the weighted mean, over the blocks the query has, of the per-block cosines.
    """

    def fit(self, vectors: sp.csr_matrix, groups: np.ndarray) -> ExactIndex:
        """vectors: n x D catalogue rows; groups: n ids, titles with one id count as one result."""
        if vectors.shape[0] != len(groups):
            raise ValueError(f"{vectors.shape[0]} vectors but {len(groups)} group ids")
        self.vectors_t_ = vectors.T.tocsr()   # D x n, for queries @ vectors_t_
        self.groups_ = np.asarray(groups)
        self.n_items_ = vectors.shape[0]
        return self

    def scores(self, queries: sp.csr_matrix) -> np.ndarray:
        """Dense rows x n scores of a batch of query vectors (0 for an empty query)."""
        rows = np.repeat(np.arange(queries.shape[0]), np.diff(queries.indptr))
        squared = np.bincount(rows, weights=queries.data * queries.data, minlength=queries.shape[0])
        raw = (queries @ self.vectors_t_).toarray()
        raw /= np.where(squared > 0, squared, 1).astype(np.float32)[:, None]
        return raw

    def search(self, queries: sp.csr_matrix, k: int, allowed: np.ndarray | None = None,
               exclude_groups: np.ndarray | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """Top-k (positions, scores) per query row, best first; ties by catalogue position.

        allowed: boolean mask of the titles that may be returned (None: all);
        exclude_groups: per query row, a group id whose titles are left out (-1: none)."""
        results = []
        for start in range(0, queries.shape[0], _CHUNK):
            chunk = queries if queries.shape[0] <= _CHUNK else queries[start:start + _CHUNK]
            scores = self.scores(chunk)
            for i, row_scores in enumerate(scores):
                mask = allowed
                group = -1 if exclude_groups is None else exclude_groups[start + i]
                if group >= 0:
                    mask = self.groups_ != group if mask is None else mask & (self.groups_ != group)
                candidates = np.arange(self.n_items_) if mask is None else np.flatnonzero(mask)
                results.append(self._top_unique(candidates, row_scores[candidates], k))
        return results

    def _top_unique(self, candidates: np.ndarray, scores: np.ndarray, k: int):
        """The k best candidates, no two of one group; widens the shortlist until k are found."""
        take = min(len(candidates), k * _OVERSAMPLE)
        while True:
            if take < len(candidates):
                shortlist = np.argpartition(-scores, take - 1)[:take]
            else:
                shortlist = np.arange(len(candidates))
            order = shortlist[np.lexsort((candidates[shortlist], -scores[shortlist]))]
            chosen, seen = [], set()
            for j, group in zip(order.tolist(), self.groups_[candidates[order]].tolist()):
                if group not in seen:
                    seen.add(group)
                    chosen.append(j)
                    if len(chosen) == k:
                        break
            if len(chosen) == k or take >= len(candidates):
                chosen = np.asarray(chosen, dtype=np.int64)
                return candidates[chosen], scores[chosen]
            take = min(len(candidates), take * 4)
