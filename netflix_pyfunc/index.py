"""Exact search over the catalogue: sparse TF-IDF blocks, a dense block and per-query boosts.

An index is fitted on the catalogue's vectors and answers `search(queries, k, allowed,
exclude_groups)` for a `Queries` batch: the titles and scores of ranking every title's float32
score, found by ranking an int8 dense product first and rescoring its candidates (see search).
Another index (approximate, say, for the dense block of a much larger catalogue) only has to
answer the same call: a boost names the titles it applies to, so such an index can add them to
its candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .dense_scores import QuantizedRows, exact_products
from .sorted_ids import union

# Query rows scored together: rows x catalogue dense scores.
_CHUNK = 32
# Candidates taken per result before dropping further members of a group already listed.
_OVERSAMPLE = 3
# A chunk whose rows ask for more than n / _FULL_SHARE results between them, or whose candidates
# number that many, is scored in full: gathering their rows would cost about as much.
_FULL_SHARE = 4


class DenseRows:
    """n x d float32 rows of a dense block, held at float16 precision: pickled as float16 (half the
    size; a cosine moves by < 1e-3), float32 in memory for BLAS. One object can be shared by the
    block that made the rows and the index that searches them, and is then pickled once.

    `quantized`: their int8 copy (dense_scores.QuantizedRows) once `quantize` made it (ExactIndex
    does; an approximate index at 880k titles need not), None before. A pickle carries its ONNX
    graph (a few hundred bytes) and unpickling rebuilds it: it holds an onnxruntime session."""

    def __init__(self, rows: np.ndarray, graph: bytes | None = None):
        self.rows = np.ascontiguousarray(np.asarray(rows, dtype=np.float16), dtype=np.float32)
        self.quantized = None if graph is None else QuantizedRows(self.rows, graph)

    def quantize(self) -> QuantizedRows:
        """The int8 copy, made on the first call (which needs the training-only onnx package)."""
        if self.quantized is None:
            self.quantized = QuantizedRows(self.rows)
        return self.quantized

    def __getstate__(self) -> dict:
        return {"rows": self.rows.astype(np.float16), "graph": None if self.quantized is None else self.quantized.graph_}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["rows"], state["graph"])


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
        dense: n x d unit rows of the dense block (None: no dense block), kept by reference and
        quantised (see DenseRows)."""
        if vectors.shape[0] != len(groups):
            raise ValueError(f"{vectors.shape[0]} vectors but {len(groups)} group ids")
        if dense is not None and dense.rows.shape[0] != vectors.shape[0]:
            raise ValueError(f"{vectors.shape[0]} sparse vectors but {dense.rows.shape[0]} dense ones")
        self.vectors_t_ = vectors.T.tocsr()   # D x n, for queries @ vectors_t_
        self.dense_ = dense
        if dense is not None:
            dense.quantize()
        self.groups_ = np.asarray(groups)
        self.n_items_ = vectors.shape[0]
        return self

    def scores(self, queries: Queries) -> np.ndarray:
        """Dense rows x n scores of a batch (0 for an empty query), every title scored in float32."""
        return self._add_dense_and_boosts(self._sparse_scores(queries.sparse), queries)

    def _add_dense_and_boosts(self, raw: np.ndarray, queries: Queries) -> np.ndarray:
        """raw (the sparse scores) plus every title's dense score, then the boosts, in place."""
        if queries.dense is not None:
            # rows @ queries.T, not queries @ rows.T: for a few query rows BLAS then streams the
            # n x d rows once instead of packing them (2-3x faster for 2-32 rows, the same for one)
            raw += (self._dense_rows().rows @ queries.dense.T).T
        _add_boosts(raw, queries.boosts)
        return raw

    def _dense_rows(self) -> DenseRows:
        if self.dense_ is None:
            raise ValueError("dense queries for an index fitted without a dense block")
        return self.dense_

    def _sparse_scores(self, sparse: sp.csr_matrix) -> np.ndarray:
        """m x n sparse scores q.x / |q|^2 (0 for an empty query)."""
        m, indptr = sparse.shape[0], sparse.indptr
        rows = np.repeat(np.arange(m), np.diff(indptr))
        squared = np.bincount(rows, weights=sparse.data * sparse.data, minlength=m)
        raw = self._sparse_products(sparse)
        raw /= np.where(squared > 0, squared, 1).astype(np.float32)[:, None]
        return raw

    def _sparse_products(self, sparse: sp.csr_matrix) -> np.ndarray:
        """m x n: sparse @ vectors.T, each row as the query's columns of the transposed catalogue
        (one CSR row selection) times its values: scipy sums it as its CSR product does, column
        after column, in a few calls whatever the query's length (each call lets go of the GIL once,
        which costs a concurrent server a thread switch), and without the product's sparse result,
        whose size grows with the catalogue (at 880k titles: 1.6 ms a title query, 7.4 ms as
        `(sparse @ vectors_t_).toarray()`)."""
        m, indptr = sparse.shape[0], sparse.indptr
        raw = np.empty((m, self.n_items_), dtype=np.result_type(sparse.dtype, self.vectors_t_.dtype))
        for row in range(m):
            start, stop = indptr[row], indptr[row + 1]
            raw[row] = self.vectors_t_[sparse.indices[start:stop]].T @ sparse.data[start:stop]
        return raw

    def search(self, queries: Queries, k: int, allowed: np.ndarray | None = None,
               exclude_groups: np.ndarray | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """Top-k (positions, scores) per query row, best first; ties by catalogue position: the
        result and scores of ranking `scores(queries)`, found without the full float32 dense product.

        allowed: boolean mask of the titles that may be returned (None: all);
        exclude_groups: per query row, a group id whose titles are left out (-1: none).

        With a dense part, each row is ranked on approximate scores a_x (the int8 dense product,
        dense_scores.QuantizedRows) with a bound |s_x - a_x| <= b_x on the exact score s_x. Let T be
        the k-th score `_top_unique` picks on the a_x and B = max b_x. Its k picks are k groups,
        each with a title of s >= T - B, so the k-th pick of the exact ranking scores >= T - B and so
        does every title ranked before it. Such a title has a_x + b_x >= s_x >= T - B, so a_x >=
        T - 2B: the allowed titles passing that test (the candidates) hold the exact ranking's
        whole prefix up to its k-th pick, in the same order (score, then position), and
        `_top_unique` on their exact scores picks the same titles. Fewer than k groups: every
        allowed title is a candidate."""
        results = []
        for start in range(0, len(queries), _CHUNK):
            chunk = queries.rows(start, start + _CHUNK)
            groups = None if exclude_groups is None else exclude_groups[start:start + len(chunk)]
            masks = [self._mask(allowed, -1 if groups is None else groups[i]) for i in range(len(chunk))]
            if chunk.dense is None:
                results.extend(self._top_unique(_take(row, mask), k, mask) for row, mask in zip(self.scores(chunk), masks))
            else:
                results.extend(self._search_dense(chunk, k, masks))
        return results

    def _mask(self, allowed: np.ndarray | None, group: int) -> np.ndarray | None:
        """Positions of the titles a row may return (None: all)."""
        if group >= 0:
            allowed = self.groups_ != group if allowed is None else allowed & (self.groups_ != group)
        return None if allowed is None else np.flatnonzero(allowed)

    def _search_dense(self, chunk: Queries, k: int, masks: list) -> list[tuple[np.ndarray, np.ndarray]]:
        """search's top-k for a chunk with a dense part: candidates from the approximate scores,
        ranked on their exact ones (see search)."""
        base = self._sparse_scores(chunk.sparse)
        if len(chunk) * k * _FULL_SHARE > self.n_items_:   # the candidates' union would be about as big
            return self._rank(chunk, k, base, masks, None)
        quantized = self._dense_rows().quantized
        approx, norms, errors = quantized.approximate(chunk.dense)
        approx += base
        boosts = None if chunk.boosts is None or not chunk.boosts.nnz else _canonical(chunk.boosts).toarray()
        if boosts is not None:
            approx += boosts
        candidates = []
        for i, mask in enumerate(masks):
            _, picked = self._top_unique(_take(approx[i], mask), k, mask)
            if len(picked) < k:
                candidates.append(np.arange(self.n_items_) if mask is None else mask)
                continue
            # s_x and a_x each add three float32 terms (sparse, dense, boost), each sum within u of
            # its exact value: 8u times the terms' size covers both sides' rounding, generously
            size = np.abs(base[i]).max() + (0 if boosts is None else np.abs(boosts[i]).max())
            slack = 8 * 2.0 ** -24 * (size + 2 * (norms[i] + errors[i]) * quantized.max_norm_)
            # a_x + b_x >= T - B with every b_x <= B: a_x >= T - 2B, the threshold rounded down
            bound = quantized.max_bound(norms[i], errors[i]) + slack
            threshold = np.nextafter(np.float32(float(picked[-1]) - 2 * bound), np.float32(-np.inf))
            keep = approx[i] >= threshold
            candidates.append(np.flatnonzero(keep) if mask is None else mask[keep[mask]])
        return self._rank(chunk, k, base, masks, candidates, boosts)

    def _rank(self, chunk: Queries, k: int, base: np.ndarray, masks: list, candidates: list | None,
              boosts: np.ndarray | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """_top_unique of each row's candidates (sorted positions; None: all it may return) on their
        exact scores, summed as `scores` sums them (sparse + dense, then the boost; `boosts`: the
        chunk's as dense rows). Scores every title when the candidates are most of them."""
        pooled = None if candidates is None else union(candidates)
        if pooled is None or len(pooled) * _FULL_SHARE > self.n_items_:
            raw = self._add_dense_and_boosts(base, chunk)
            return [self._top_unique(_take(row, mask), k, mask) for row, mask in zip(raw, masks)]
        products = exact_products(self.dense_.rows, pooled, chunk.dense)
        results = []
        for i, found in enumerate(candidates):
            scores = base[i, found] + products[np.searchsorted(pooled, found), i]
            if boosts is not None:   # a title without a boost adds 0; each sum rounds once, as in _add_boosts
                scores += boosts[i, found]
            results.append(self._top_unique(scores, k, found))
        return results

    def _top_unique(self, scores: np.ndarray, k: int, candidates: np.ndarray | None = None):
        """The k best of scores, no two of one group, as (positions, scores); scores[j] is position
        candidates[j] (None: position j). Widens the shortlist until k groups are found."""
        n = len(scores)
        take = min(n, k * _OVERSAMPLE)
        while True:
            if take < n:   # with every title tied at the cutoff: the picks are the full sort's
                shortlist = np.flatnonzero(scores >= scores[np.argpartition(-scores, take - 1)[take - 1]])
            else:
                shortlist = np.arange(n)
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


def _canonical(boosts: sp.csr_matrix) -> sp.csr_matrix:
    """One entry per title: duplicates summed first."""
    if boosts.has_canonical_format:
        return boosts
    boosts = boosts.copy()
    boosts.sum_duplicates()
    return boosts


def _add_boosts(raw: np.ndarray, boosts: sp.csr_matrix | None) -> None:
    """Add each row's boosts to the titles they name, in place."""
    if boosts is not None and boosts.nnz:
        boosts = _canonical(boosts)
        raw[np.repeat(np.arange(raw.shape[0]), np.diff(boosts.indptr)), boosts.indices] += boosts.data


def _take(row: np.ndarray, positions: np.ndarray | None) -> np.ndarray:
    return row if positions is None else row[positions]
