"""Free text -> stacked query vectors: the one path for requests and for evaluation.

The same numbers TfidfVectorizer.transform would give per block (term counts, sublinear tf,
idf, L2 norm), computed for a whole batch of texts at once from the vectorizers' public
`vocabulary_` and `idf_`, without transform's per-call validation and sparse-matrix set-up.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from .analyzers import FreeTextAnalyzer
from .features import BLOCKS, scale_blocks


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
