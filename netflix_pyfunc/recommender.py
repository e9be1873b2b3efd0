"""The recommender: a weighted hybrid of TF-IDF blocks searched by an index.

A scikit-learn estimator: __init__ stores the hyperparameters (this signature is their one
source of truth: train.py's flags and MLproject follow it), fit(catalog) learns everything
ending in '_', and recommend/neighbors/neighbors_for_text need a fitted model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .catalog import (
    CAST, COUNTRY, DESCRIPTION, DIRECTOR, LISTED_IN, RATING, RELEASE_YEAR, SHOW_ID, TITLE, TYPE, work_ids,
)
from .explanations import Explainer
from .features import (
    BLOCKS, block_offsets, block_vectorizers, description_terms, fit_blocks, row_entries, scale_blocks, stack,
)
from .filters import CatalogFilters
from .index import ExactIndex
from .output import OUTPUT_COLUMNS, results_frame
from .params import InvalidRequest, Query, Request
from .text_vectors import TextVectorizer
from .titles import TitleIndex, UnresolvedTitle

REQUIRED_COLUMNS = (SHOW_ID, TITLE, TYPE, RELEASE_YEAR, RATING, DESCRIPTION, LISTED_IN, COUNTRY, DIRECTOR, CAST)
_ITEM_COLUMNS = (SHOW_ID, TITLE, TYPE, RATING, LISTED_IN, COUNTRY)


class HybridRecommender(BaseEstimator):
    """Content-based recommender over the Netflix catalogue.

    w_*: weight of each feature block (description, title, genre, people, country);
    w_text_title: the title block's weight when the query is free text (words that happen to be
    in a title are weaker evidence than the same words in a description);
    desc_*, sublinear_tf: the description TF-IDF; people_min_df: keep people credited this often.
    """

    def __init__(self, *, w_description=1.0, w_title=1.0, w_genre=0.35, w_people=0.6, w_country=0.15,
                 w_text_title=0.2, desc_ngram_max=1, desc_min_df=1, desc_max_df=0.5, desc_max_features=50_000,
                 sublinear_tf=True, people_min_df=1):
        self.w_description = w_description
        self.w_title = w_title
        self.w_genre = w_genre
        self.w_people = w_people
        self.w_country = w_country
        self.w_text_title = w_text_title
        self.desc_ngram_max = desc_ngram_max
        self.desc_min_df = desc_min_df
        self.desc_max_df = desc_max_df
        self.desc_max_features = desc_max_features
        self.sublinear_tf = sublinear_tf
        self.people_min_df = people_min_df

    # ---------------------------------------------------------------- fitting
    def _validate(self, catalog: pd.DataFrame) -> None:
        missing = set(REQUIRED_COLUMNS) - set(catalog.columns)
        if missing:
            raise ValueError(f"catalog lacks columns {sorted(missing)}; pass it through catalog.clean_catalog")
        if len(catalog) < 2:
            raise ValueError("catalog needs at least 2 titles")
        weights = {f"w_{b}": getattr(self, f"w_{b}") for b in BLOCKS} | {"w_text_title": self.w_text_title}
        for name, weight in weights.items():
            if not (weight >= 0 and np.isfinite(weight)):
                raise ValueError(f"{name} must be a finite number >= 0, got {weight}")
        if not any(weights[f"w_{b}"] for b in BLOCKS):
            raise ValueError("at least one block weight must be > 0")
        if self.desc_ngram_max < 1 or self.desc_min_df < 1 or self.people_min_df < 1:
            raise ValueError("desc_ngram_max, desc_min_df and people_min_df must be >= 1")
        if not 0 < self.desc_max_df <= 1:
            raise ValueError(f"desc_max_df must be in (0, 1], got {self.desc_max_df}")
        if self.desc_max_features < 1:
            raise ValueError("desc_max_features must be >= 1")

    def fit(self, catalog: pd.DataFrame, y=None) -> HybridRecommender:
        """Learn the feature blocks, the index, the filters and the title index from a cleaned catalogue."""
        self._validate(catalog)
        vectorizers = block_vectorizers(
            desc_ngram_max=self.desc_ngram_max, desc_min_df=self.desc_min_df, desc_max_df=self.desc_max_df,
            desc_max_features=self.desc_max_features, sublinear_tf=self.sublinear_tf,
            people_min_df=self.people_min_df,
        )
        blocks = fit_blocks(vectorizers, catalog)
        self.vectorizers_ = vectorizers
        self.offsets_ = block_offsets(vectorizers)
        self.weights_ = {b: float(getattr(self, f"w_{b}")) for b in BLOCKS}
        self.vectors_ = stack(blocks, self.weights_)                  # n x D, what is searched
        self.text_vectorizer_ = TextVectorizer(
            vectorizers, self.offsets_, {**self.weights_, "title": float(self.w_text_title)},
            ngram_max=self.desc_ngram_max, sublinear_tf=self.sublinear_tf,
        )
        # Titles with the same description are one work (language versions): listed once, never for each other.
        self.work_ = work_ids(catalog)
        self.index_ = ExactIndex().fit(self.vectors_, self.work_)
        self.filters_ = CatalogFilters().fit(catalog)
        self.titles_ = TitleIndex().fit(catalog[TITLE].tolist(), catalog[RELEASE_YEAR].tolist())
        names = {
            "genre": vectorizers["genre"].get_feature_names_out().tolist(),
            "people": vectorizers["people"].get_feature_names_out().tolist(),
            "description": description_terms(catalog[DESCRIPTION].tolist(), vectorizers["description"]).tolist(),
        }
        self.explainer_ = Explainer().fit(catalog, self.vectors_, self.offsets_, names, self.weights_["title"])
        self.items_ = {
            name: catalog[name].map(", ".join).to_numpy(dtype=object) if name in (LISTED_IN, COUNTRY)
            else catalog[name].to_numpy(dtype=object)
            for name in _ITEM_COLUMNS
        }
        self.items_[RELEASE_YEAR] = catalog[RELEASE_YEAR].to_numpy(dtype=np.int64)
        self.n_items_ = len(catalog)
        return self

    # ---------------------------------------------------------------- query vectors
    def _query_vectors(self, positions: np.ndarray, texts: list[str]) -> sp.csr_matrix:
        """One stacked query vector per row: the catalogue vector of the title at positions[i]
        (-1: none), the vector of the free text texts[i] ('': none), or, with both, their sum
        with each block rescaled to unit length times sqrt(weight)."""
        positions = np.asarray(positions, dtype=np.int64)
        n, n_features = len(positions), self.vectors_.shape[1]
        has_title = positions >= 0
        has_text = np.array([bool(text) for text in texts], dtype=bool)
        text_rows = np.flatnonzero(has_text)
        if len(text_rows):
            rows, columns, data = self.text_vectorizer_.entries([texts[i] for i in text_rows])
            rows = text_rows[rows]
        else:
            rows, columns, data = np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float32)
        if has_title.any():
            title_rows = np.flatnonzero(has_title)
            entries = row_entries(self.vectors_, positions[title_rows])
            rows = np.concatenate([rows, title_rows[entries[0]]])
            columns, data = np.concatenate([columns, entries[1]]), np.concatenate([data, entries[2]])
            keys = rows * n_features + columns
            if (has_title & has_text).any():   # sum, then rescale each block of those rows
                keys, inverse = np.unique(keys, return_inverse=True)
                data = np.bincount(inverse, weights=data, minlength=len(keys))
                rows, columns = np.divmod(keys, n_features)
                both = (has_title & has_text)[rows]
                data = np.where(both, scale_blocks(rows, columns, data, n, self.offsets_, self.weights_), data)
                data = data.astype(np.float32)
                keep = data != 0
                rows, columns, data = rows[keep], columns[keep], data[keep]
            elif len(text_rows):                # text rows and title rows: put them in row order
                order = np.argsort(keys, kind="stable")
                rows, columns, data = rows[order], columns[order], data[order]
        indptr = np.searchsorted(rows, np.arange(n + 1))
        return sp.csr_matrix((data, columns.astype(np.int32), indptr), shape=(n, n_features))

    def _exclusions(self, positions: np.ndarray) -> np.ndarray:
        """Per query row, the work never recommended for it: the queried title's own (-1: none)."""
        return np.where(positions >= 0, self.work_[positions], -1)

    # ---------------------------------------------------------------- evaluation helpers
    def neighbors(self, positions, k: int) -> list[np.ndarray]:
        """Top-k catalogue positions for catalogue titles, as recommend ranks them unfiltered."""
        check_is_fitted(self, "index_")
        positions = np.asarray(positions, dtype=np.int64)
        vectors = self._query_vectors(positions, [""] * len(positions))
        return [p for p, _ in self.index_.search(vectors, k, None, self._exclusions(positions))]

    def neighbors_for_text(self, texts, k: int) -> list[np.ndarray]:
        """Top-k catalogue positions for free-text queries, as recommend ranks them unfiltered."""
        check_is_fitted(self, "index_")
        texts = list(texts)
        vectors = self._query_vectors(np.full(len(texts), -1), texts)
        return [p for p, _ in self.index_.search(vectors, k)]

    # ---------------------------------------------------------------- requests
    def _resolve(self, queries: list[Query]) -> np.ndarray:
        """Catalogue position each query's title resolves to (-1: no title)."""
        positions = np.full(len(queries), -1, dtype=np.int64)
        for i, query in enumerate(queries):
            if query.title:
                try:
                    positions[i] = self.titles_.resolve(query.title)
                except UnresolvedTitle as error:
                    raise InvalidRequest(f"row {i}: {error}") from None
        return positions

    def recommend(self, queries: list[Query], request: Request | None = None) -> pd.DataFrame:
        """Flat records: one row per recommendation (see output.OUTPUT_COLUMNS)."""
        check_is_fitted(self, "index_")
        request = request or Request()
        allowed = self.filters_.mask(request)
        positions = self._resolve(queries)
        vectors = self._query_vectors(positions, [query.description for query in queries])
        indptr = vectors.indptr
        empty = np.flatnonzero(np.diff(indptr) == 0)
        if len(empty):
            raise InvalidRequest(f"row {empty[0]}: the description has no word the catalogue knows; try other words")
        found = self.index_.search(vectors, request.k, allowed, self._exclusions(positions))
        items = self.items_
        columns = {name: [] for name in OUTPUT_COLUMNS}
        for row, (hits, scores) in enumerate(found):
            position = int(positions[row])
            query = (vectors.indices[indptr[row]:indptr[row + 1]], vectors.data[indptr[row]:indptr[row + 1]])
            n = len(hits)
            columns["row"].extend([row] * n)
            columns["rank"].extend(range(1, n + 1))
            columns["score"].extend(round(s, 6) for s in scores.tolist())
            columns["reason"].extend(self.explainer_.reasons(query, position, hits))
            columns["query_title"].extend([items[TITLE][position] if position >= 0 else ""] * n)
            columns["query_show_id"].extend([items[SHOW_ID][position] if position >= 0 else ""] * n)
        hits = np.concatenate([hits for hits, _ in found]) if found else np.empty(0, dtype=np.int64)
        for name in (*_ITEM_COLUMNS, RELEASE_YEAR):
            columns[name] = items[name][hits].tolist()
        return results_frame(columns)

