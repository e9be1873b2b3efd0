"""Free text -> stacked query vectors: the one path for requests and for evaluation.

TextVectorizer turns free text into block columns; query_vectors gives each query row its vector:
a catalogue title's own row, a free text's, or both summed and rescaled block by block.

The same numbers TfidfVectorizer.transform would give per block (term counts, sublinear tf,
idf, L2 norm), computed for a whole batch of texts at once from the vectorizers' public
`vocabulary_` and `idf_`, without transform's per-call validation and sparse-matrix set-up.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from .analyzers import FreeTextAnalyzer
from .features import BLOCKS, row_entries, scale_blocks


class TextVectorizer:
    """Maps free text into the stacked block columns, each block unit length times sqrt(weight)."""

    def __init__(self, vectorizers: dict[str, TfidfVectorizer], offsets: dict[str, tuple[int, int]],
                 weights: dict[str, float], *, ngram_max: int, sublinear_tf: bool):
        self.analyzer = FreeTextAnalyzer(ngram_max=ngram_max)
        self.vocabularies = [(block, offsets[block][0], vectorizers[block].vocabulary_) for block in BLOCKS]
        self.offsets = offsets
        self.weights = weights
        self.n_features = offsets[BLOCKS[-1]][1]
        self.idf = np.concatenate([vectorizers[b].idf_ for b in BLOCKS]).astype(np.float32)
        self.sublinear_tf = sublinear_tf

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        """One row per text (float32, sorted indices, no explicit zeros; empty for unknown words)."""
        rows, columns, data = self.entries(texts)
        indptr = np.searchsorted(rows, np.arange(len(texts) + 1))
        return sp.csr_matrix((data, columns.astype(np.int32), indptr), shape=(len(texts), self.n_features))

    def entries(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The nonzero entries of transform(texts) as (rows, columns, values), sorted by row, then column."""
        counts: dict[tuple[int, int], int] = {}   # (row, column) -> term count
        for row, text in enumerate(texts):
            tokens = self.analyzer(text)
            for block, offset, vocabulary in self.vocabularies:
                for token in tokens[block]:
                    column = vocabulary.get(token)
                    if column is not None:
                        key = (row, offset + column)
                        counts[key] = counts.get(key, 0) + 1
        keys = sorted(counts)
        rows = np.fromiter((row for row, _ in keys), dtype=np.int64, count=len(keys))
        columns = np.fromiter((column for _, column in keys), dtype=np.int64, count=len(keys))
        tf = np.fromiter((counts[key] for key in keys), dtype=np.float32, count=len(keys))
        if self.sublinear_tf:
            tf = np.log(tf) + np.float32(1)
        data = scale_blocks(rows, columns, tf * self.idf[columns], len(texts), self.offsets, self.weights)
        keep = data != 0   # blocks weighted 0
        return rows[keep], columns[keep], data[keep]


def query_vectors(text_vectorizer: TextVectorizer, catalog_vectors: sp.csr_matrix, weights: dict[str, float],
                  positions: np.ndarray, texts: list[str]) -> sp.csr_matrix:
    """One stacked query vector per row: the catalogue vector (a row of catalog_vectors, stacked
    with weights) of the title at positions[i] (-1: none), the vector of the free text texts[i]
    ('': none), or, with both, their sum with each block rescaled to unit length times sqrt(weight)."""
    positions = np.asarray(positions, dtype=np.int64)
    n, n_features = len(positions), catalog_vectors.shape[1]
    text_rows = [i for i, text in enumerate(texts) if text]
    if text_rows:
        rows, columns, data = text_vectorizer.entries([texts[i] for i in text_rows])
        rows = rows if len(text_rows) == n else np.asarray(text_rows, dtype=np.int64)[rows]
    else:
        rows, columns, data = np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float32)
    has_title = positions >= 0
    title_rows = np.flatnonzero(has_title)
    if len(title_rows):
        has_text = np.zeros(n, dtype=bool)
        has_text[text_rows] = True
        entries = row_entries(catalog_vectors, positions[title_rows])
        rows = np.concatenate([rows, title_rows[entries[0]]])
        columns, data = np.concatenate([columns, entries[1]]), np.concatenate([data, entries[2]])
        keys = rows * n_features + columns
        if (has_title & has_text).any():   # sum, then rescale each block of those rows
            keys, inverse = np.unique(keys, return_inverse=True)
            data = np.bincount(inverse, weights=data, minlength=len(keys))
            rows, columns = np.divmod(keys, n_features)
            both = (has_title & has_text)[rows]
            data = np.where(both, scale_blocks(rows, columns, data, n, text_vectorizer.offsets, weights), data)
            data = data.astype(np.float32)
            keep = data != 0
            rows, columns, data = rows[keep], columns[keep], data[keep]
        elif len(text_rows):                # text rows and title rows: put them in row order
            order = np.argsort(keys, kind="stable")
            rows, columns, data = rows[order], columns[order], data[order]
    indptr = np.searchsorted(rows, np.arange(n + 1)).astype(np.int32)
    return sp.csr_matrix((data, columns.astype(np.int32), indptr), shape=(n, n_features))
