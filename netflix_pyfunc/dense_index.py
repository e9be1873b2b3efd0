"""Search over the dense block (unit rows, cosine = dot product): exact, and approximate with faiss.

Both answer ExactIndex's call, `search(queries, k, allowed, exclude_groups)`, for an (m, d) float32
batch: top-k (positions, scores) per row, best first, ties by catalogue position, at most one title
per group, titles outside `allowed` and of the row's excluded group left out.

`HNSWDenseIndex` finds candidates with a faiss HNSW graph over int8 codes (HNSW-SQ8), then scores
them exactly from the stored float32 rows, so every score it returns is the exact cosine.
A filter that leaves few titles is searched exactly over those titles. `hybrid.py` combines this
block with the sparse TF-IDF scores.
"""

from __future__ import annotations

import faiss
import numpy as np
from sklearn.base import BaseEstimator

from .index import DenseRows

# Query rows scored together by the exact index: rows x catalogue scores at once.
_CHUNK = 32
# Candidates taken per result before dropping further members of a group already listed.
OVERSAMPLE = 3


def top_unique(candidates: np.ndarray, scores: np.ndarray, groups: np.ndarray, k: int):
    """The k best candidates, no two of one group: (positions, scores), best first, ties by position.

    candidates: distinct catalogue positions; scores: theirs; groups: the group id of every catalogue
    position. Takes the best k * 3 (and every candidate tied with the last), widens until k groups."""
    take = min(len(candidates), k * OVERSAMPLE)
    while True:
        if take < len(candidates):
            threshold = np.partition(scores, len(scores) - take)[len(scores) - take]
            shortlist = np.flatnonzero(scores >= threshold)   # ties at the cut all stay
        else:
            shortlist = np.arange(len(candidates))
        order = shortlist[np.lexsort((candidates[shortlist], -scores[shortlist]))]
        _, first = np.unique(groups[candidates[order]], return_index=True)
        chosen = order[np.sort(first)[:k]]
        if len(chosen) == k or take >= len(candidates):
            return candidates[chosen], scores[chosen]
        take = min(len(candidates), take * 4)


def check_vectors(vectors, name: str = "vectors", dim: int | None = None) -> np.ndarray:
    """A C-contiguous float32 (n, d) copy-free view when possible; errors name what is wrong."""
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (rows, dim), got shape {array.shape}")
    if dim is not None and array.shape[1] != dim:
        raise ValueError(f"{name} have {array.shape[1]} dimensions, the index has {dim}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contain NaN or infinite values")
    return array


def row_masks(groups: np.ndarray, allowed: np.ndarray | None, exclude_groups: np.ndarray | None, m: int):
    """Per query row, the boolean mask of titles it may return (None: every title)."""
    for i in range(m):
        group = -1 if exclude_groups is None else exclude_groups[i]
        if group >= 0:
            yield groups != group if allowed is None else allowed & (groups != group)
        else:
            yield allowed


class _DenseBase:
    def _fit_rows(self, vectors, groups) -> None:
        """vectors: an (n, d) array, or the DenseRows of the block that made them, kept by reference
        (the recommender then holds and pickles those rows once)."""
        array = check_vectors(vectors.rows if isinstance(vectors, DenseRows) else vectors)
        if array.shape[0] != len(groups):
            raise ValueError(f"{array.shape[0]} vectors but {len(groups)} group ids")
        if array.shape[0] == 0:
            raise ValueError("no vectors to index")
        self.rows_ = vectors if isinstance(vectors, DenseRows) else array
        self.groups_ = np.asarray(groups)
        self.n_items_, self.dim_ = array.shape

    @property
    def vectors_(self) -> np.ndarray:
        """The (n, d) float32 rows searched and rescored."""
        return self.rows_.rows if isinstance(self.rows_, DenseRows) else self.rows_

    def _check_search(self, queries, k, allowed, exclude_groups) -> np.ndarray:
        queries = check_vectors(queries, "queries", self.dim_)
        if k < 1:
            raise ValueError(f"k={k}; must be >= 1")
        if allowed is not None and (allowed.dtype != bool or allowed.shape != (self.n_items_,)):
            raise ValueError(f"allowed must be a boolean mask of {self.n_items_} titles")
        if exclude_groups is not None and len(exclude_groups) != len(queries):
            raise ValueError(f"{len(exclude_groups)} excluded groups for {len(queries)} query rows")
        return queries

    def exact(self, query: np.ndarray, k: int, mask: np.ndarray | None):
        """Exact top-k of one query row over the titles in mask (None: all)."""
        candidates = np.arange(self.n_items_) if mask is None else np.flatnonzero(mask)
        return top_unique(candidates, self.vectors_[candidates] @ query, self.groups_, k)


class ExactDenseIndex(_DenseBase):
    """Brute-force dot products with every catalogue row; at most one result per group."""

    def fit(self, vectors: np.ndarray | DenseRows, groups: np.ndarray) -> ExactDenseIndex:
        """vectors: (n, d) float32 unit rows (or DenseRows); groups: n ids, titles with one id count as one result."""
        self._fit_rows(vectors, groups)
        return self

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None,
               exclude_groups: np.ndarray | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """Top-k (positions, scores) per query row, best first; ties by catalogue position."""
        queries = self._check_search(queries, k, allowed, exclude_groups)
        masks = row_masks(self.groups_, allowed, exclude_groups, len(queries))
        results = []
        for start in range(0, len(queries), _CHUNK):
            scores = queries[start:start + _CHUNK] @ self.vectors_.T
            for row_scores, mask in zip(scores, masks):
                candidates = np.arange(self.n_items_) if mask is None else np.flatnonzero(mask)
                results.append(top_unique(candidates, row_scores[candidates], self.groups_, k))
        return results


class HNSWDenseIndex(BaseEstimator, _DenseBase):
    """Approximate search: a faiss HNSW graph over int8 codes for candidates, exact float32 scores for the answer.

    m: graph links per node; ef_construction: breadth of the search that places each row;
    ef_search: breadth of a query's search (recall against speed, raised to the count asked for);
    candidates: rows asked from the graph per query, at least k * 3, rescored exactly;
    exact_below: a filter leaving fewer than this fraction of the catalogue is searched exactly over
    the titles it leaves (a graph walk would skip most of what it visits).
    Defaults: bench/README.md ("Which library, which parameters"). The graph is built on one thread, so fitting twice on the same rows gives the same bytes and the
    same answers (a multi-threaded build links rows in whatever order the threads reach them).
    """

    def __init__(self, *, m: int = 32, ef_construction: int = 40, ef_search: int = 256, candidates: int = 100,
                 exact_below: float = 0.05):
        self.m = m
        self.ef_construction = ef_construction
        self.ef_search = ef_search
        self.candidates = candidates
        self.exact_below = exact_below

    def fit(self, vectors: np.ndarray | DenseRows, groups: np.ndarray) -> HNSWDenseIndex:
        """vectors: (n, d) float32 unit rows (or DenseRows); groups: n ids, titles with one id count as one result."""
        for name in ("m", "ef_construction", "ef_search", "candidates"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}={getattr(self, name)}; must be >= 1")
        if not 0 <= self.exact_below <= 1:
            raise ValueError(f"exact_below={self.exact_below}; a fraction in [0, 1]")
        self._fit_rows(vectors, groups)
        index = faiss.IndexHNSWSQ(self.dim_, faiss.ScalarQuantizer.QT_8bit, self.m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = self.ef_construction
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            index.train(self.vectors_)
            index.add(self.vectors_)
        finally:
            faiss.omp_set_num_threads(threads)
        self.ann_ = index
        return self

    def __getstate__(self):
        state = self.__dict__.copy()
        if "ann_" in state:   # a faiss index is a C++ object: pickled as its serialised bytes
            state["ann_"] = faiss.serialize_index(state["ann_"])
        return state

    def __setstate__(self, state):
        if "ann_" in state:
            state["ann_"] = faiss.deserialize_index(state["ann_"])
        self.__dict__.update(state)

    def candidates_for(self, queries: np.ndarray, count: int, allowed: np.ndarray | None = None,
                       ef_search: int | None = None) -> list[np.ndarray]:
        """Up to `count` approximate nearest positions per query row within allowed (no group rule)."""
        selector, ef_search = None, max(ef_search or self.ef_search, count)
        if allowed is not None:
            bitmap = np.packbits(allowed, bitorder="little")
            selector = faiss.IDSelectorBitmap(self.n_items_, faiss.swig_ptr(bitmap))
            # the walk passes through titles the filter drops: widen it by the share it keeps
            share = max(allowed.sum() / self.n_items_, self.exact_below, 1 / 64)
            ef_search = int(np.ceil(ef_search / share))
        params = faiss.SearchParametersHNSW(efSearch=ef_search, sel=selector)
        _, found = self.ann_.search(queries, count, params=params)
        return [row[row >= 0] for row in found]

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None,
               exclude_groups: np.ndarray | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """Top-k (positions, scores) per query row, best first; ties by catalogue position.

        Scores are exact cosines; which titles are found is approximate (see bench/README.md)."""
        queries = self._check_search(queries, k, allowed, exclude_groups)
        n_allowed = self.n_items_ if allowed is None else int(allowed.sum())
        masks = list(row_masks(self.groups_, allowed, exclude_groups, len(queries)))
        if n_allowed < self.exact_below * self.n_items_ or n_allowed <= k * OVERSAMPLE:
            return [self.exact(query, k, mask) for query, mask in zip(queries, masks)]
        count = max(self.candidates, k * OVERSAMPLE)
        found = self.candidates_for(queries, count, allowed)
        return [self._rescore(query, k, mask, positions, count, allowed, n_allowed)
                for query, mask, positions in zip(queries, masks, found)]

    def _rescore(self, query, k, mask, positions, count, allowed, n_allowed):
        """Exact top-k among the candidates; asks the graph for 4x more until k groups are found."""
        while True:
            if mask is not None:
                positions = positions[mask[positions]]   # drops the row's excluded group
            best = top_unique(positions, self.vectors_[positions] @ query, self.groups_, k)
            if len(best[0]) == k:
                return best
            count *= 4   # groups or the filter ate the shortlist
            if count > n_allowed // 2:
                return self.exact(query, k, mask)
            (positions,) = self.candidates_for(query[None], count, allowed)
