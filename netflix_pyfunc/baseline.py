"""The original student project's model, for comparison only: TF-IDF over the description
and scikit-learn's NearestNeighbors (cosine, brute force); titles looked up exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neighbors import NearestNeighbors

from .catalog import DESCRIPTION


class DescriptionKNN:
    """TF-IDF(description) + NearestNeighbors, with neighbors/neighbors_for_text like HybridRecommender."""

    def fit(self, catalog: pd.DataFrame) -> DescriptionKNN:
        self.vectorizer_ = TfidfVectorizer(stop_words="english")
        self.matrix_ = self.vectorizer_.fit_transform(catalog[DESCRIPTION])
        self.index_ = NearestNeighbors(metric="cosine", algorithm="brute").fit(self.matrix_)
        return self

    def _query(self, vectors, k: int, exclude) -> list[np.ndarray]:
        _, found = self.index_.kneighbors(vectors, n_neighbors=k + 1)
        lists = []
        for row, positions in enumerate(found):
            kept = [int(p) for p in positions if exclude is None or p != exclude[row]]
            lists.append(np.asarray(kept[:k], dtype=np.int64))
        return lists

    def neighbors(self, positions, k: int) -> list[np.ndarray]:
        positions = np.asarray(positions, dtype=np.int64)
        return self._query(self.matrix_[positions], k, positions)

    def neighbors_for_text(self, texts, k: int) -> list[np.ndarray]:
        return self._query(self.vectorizer_.transform(list(texts)), k, None)
