"""The recommender: a weighted hybrid of TF-IDF blocks and an exact cosine index.

Follows scikit-learn's estimator contract: __init__ stores keyword-only params,
fit(catalog) learns attributes ending in '_', recommend(...) needs a fitted model.
"""

from __future__ import annotations

from dataclasses import asdict, fields

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import MultiLabelBinarizer, normalize

from .catalog import (
    CAST, COUNTRY, DESCRIPTION, DIRECTOR, LISTED_IN, RATING, RELEASE_YEAR, SHOW_ID, TITLE,
    TYPE, normalize_text, topical_genres,
)
from .features import BLOCKS, FeatureConfig, HybridFeatures
from .params import InvalidRequest, Query, Request
from .titles import TitleIndex, UnknownTitle

OUTPUT_COLUMNS = (
    "row", "rank", "show_id", "title", "type", "release_year", "rating", "listed_in",
    "country", "score", "reason", "query_title", "query_show_id",
)
# Candidates taken per result before dropping language versions of one work.
_OVERSAMPLE = 3


class HybridRecommender:
    """Content-based recommender over the Netflix catalogue."""

    def __init__(
        self, *, w_description=1.0, w_title=0.6, w_genre=0.5, w_people=0.4, w_country=0.15,
        desc_ngram_max=2, desc_min_df=2, desc_max_df=0.5, desc_max_features=50_000,
        sublinear_tf=True, people_min_df=1, w_text_title=0.2,
    ):
        self.w_description = w_description
        self.w_title = w_title
        self.w_genre = w_genre
        self.w_people = w_people
        self.w_country = w_country
        self.desc_ngram_max = desc_ngram_max
        self.desc_min_df = desc_min_df
        self.desc_max_df = desc_max_df
        self.desc_max_features = desc_max_features
        self.sublinear_tf = sublinear_tf
        self.people_min_df = people_min_df
        self.w_text_title = w_text_title

    def get_params(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(FeatureConfig)}

    # ---------------------------------------------------------------- fitting
    def fit(self, catalog: pd.DataFrame) -> HybridRecommender:
        """Learn the feature blocks and the index from a cleaned catalogue."""
        required = {SHOW_ID, TITLE, TYPE, RELEASE_YEAR, RATING, DESCRIPTION, LISTED_IN, COUNTRY, DIRECTOR, CAST}
        missing = required - set(catalog.columns)
        if missing:
            raise ValueError(f"catalog lacks columns {sorted(missing)}; pass it through catalog.clean_catalog")
        if len(catalog) < 2:
            raise ValueError("catalog needs at least 2 titles")
        config = FeatureConfig(**self.get_params())
        self.features_ = HybridFeatures(config)
        blocks = self.features_.fit_transform(catalog)
        self.index_ = self.features_.stack(blocks)          # n x D, what is searched
        self.index_t_ = self.index_.T.tocsr()               # D x n, for query @ index_t_
        self.block_norms_ = np.stack(
            [np.asarray((blocks[b].multiply(blocks[b])).sum(axis=1)).ravel() for b in BLOCKS], axis=1
        ).astype(np.float32)                                # n x blocks: 1 where the block is present
        self.n_items_ = len(catalog)
        self.items_ = {
            SHOW_ID: catalog[SHOW_ID].to_numpy(dtype=object),
            TITLE: catalog[TITLE].to_numpy(dtype=object),
            TYPE: catalog[TYPE].to_numpy(dtype=object),
            RELEASE_YEAR: catalog[RELEASE_YEAR].to_numpy(dtype=np.int64),
            RATING: catalog[RATING].to_numpy(dtype=object),
            LISTED_IN: catalog[LISTED_IN].map(", ".join).to_numpy(dtype=object),
            COUNTRY: catalog[COUNTRY].map(", ".join).to_numpy(dtype=object),
        }
        self.genres_ = catalog[LISTED_IN].map(tuple).to_numpy(dtype=object)
        self.directors_ = catalog[DIRECTOR].map(tuple).to_numpy(dtype=object)
        self.cast_ = catalog[CAST].map(tuple).to_numpy(dtype=object)
        descriptions = catalog[DESCRIPTION].map(normalize_text)
        self.work_ = pd.factorize(descriptions)[0].astype(np.int32)  # same description = same work
        self.titles_ = TitleIndex().fit(catalog[TITLE].tolist(), catalog[RELEASE_YEAR].tolist())
        self._fit_filters(catalog)
        return self

    def _fit_filters(self, catalog: pd.DataFrame) -> None:
        self.types_ = catalog[TYPE].to_numpy(dtype=object)
        self.years_ = catalog[RELEASE_YEAR].to_numpy(dtype=np.int64)
        self.ratings_ = catalog[RATING].to_numpy(dtype=object)
        self.rating_values_ = sorted(set(self.ratings_) - {""})
        for name, column in (("country", COUNTRY), ("genre", LISTED_IN)):
            binarizer = MultiLabelBinarizer(sparse_output=True)
            incidence = binarizer.fit_transform(catalog[column]).tocsc()
            setattr(self, f"{name}_incidence_", incidence)
            setattr(self, f"{name}_labels_", [normalize_text(c) for c in binarizer.classes_])

    def _check_fitted(self) -> None:
        if not hasattr(self, "index_"):
            raise NotFittedError("HybridRecommender is not fitted: call fit(catalog) first")

    # ---------------------------------------------------------------- queries
    def _allowed(self, request: Request) -> np.ndarray:
        allowed = np.ones(self.n_items_, dtype=bool)
        if request.type:
            allowed &= self.types_ == request.type
        if request.min_year is not None:
            allowed &= self.years_ >= request.min_year
        if request.max_year is not None:
            allowed &= self.years_ <= request.max_year
        if request.ratings:
            by_lower = {r.lower(): r for r in self.rating_values_}
            unknown = [r for r in request.ratings if r.lower() not in by_lower]
            if unknown:
                raise InvalidRequest(f"unknown rating {unknown[0][:30]!r}; known ratings: {', '.join(self.rating_values_)}")
            allowed &= np.isin(self.ratings_, [by_lower[r.lower()] for r in request.ratings])
        if request.countries:
            allowed &= self._label_mask("country", request.countries, exact=True)
        if request.genres:
            allowed &= self._label_mask("genre", request.genres, exact=False)
        return allowed

    def _label_mask(self, name: str, wanted: tuple[str, ...], *, exact: bool) -> np.ndarray:
        labels = getattr(self, f"{name}_labels_")
        incidence = getattr(self, f"{name}_incidence_")
        keys = [normalize_text(w) for w in wanted]
        columns = [
            j for j, label in enumerate(labels)
            if any((key == label) if exact else (key and key in label) for key in keys)
        ]
        if not columns:
            raise InvalidRequest(f"no title has {name} {', '.join(wanted)[:80]!r}")
        return np.asarray(incidence[:, columns].sum(axis=1)).ravel() > 0

    def _query_vectors(self, queries: list[Query]) -> tuple[sp.csr_matrix, np.ndarray]:
        """Stacked query vectors and the catalogue position each title resolved to (-1: none)."""
        positions = np.full(len(queries), -1, dtype=np.int64)
        for i, query in enumerate(queries):
            if query.title:
                try:
                    positions[i] = self.titles_.resolve(query.title)
                except UnknownTitle as error:
                    raise InvalidRequest(f"row {i}: {error}") from None
        texts = [q.description for q in queries]
        has_text = np.array([bool(t) for t in texts])
        stacked = sp.csr_matrix((len(queries), self.index_.shape[1]), dtype=np.float32)
        if has_text.any():
            text_blocks = self.features_.text_blocks([t for t in texts if t])
            text_rows = self.features_.stack(text_blocks, text=True)
            stacked = _place_rows(stacked, np.flatnonzero(has_text), text_rows)
        has_title = positions >= 0
        if has_title.any():
            title_rows = self.index_[positions[has_title]]
            stacked = _place_rows(stacked, np.flatnonzero(has_title), title_rows)
        both = has_title & has_text
        if both.any():
            stacked = self._renormalize_blocks(stacked, np.flatnonzero(both))
        return stacked, positions

    def _renormalize_blocks(self, stacked: sp.csr_matrix, rows: np.ndarray) -> sp.csr_matrix:
        """After adding a title's and a text's vectors, make each block unit length again."""
        stacked = stacked.tolil()
        for block in BLOCKS:
            start, stop = self.features_.offsets_[block]
            weight = np.sqrt(self.features_.weights_[block])
            if weight == 0:
                continue
            part = sp.csr_matrix(stacked[rows, start:stop])
            stacked[rows, start:stop] = normalize(part) * weight
        return stacked.tocsr()

    def _search(self, vectors: sp.csr_matrix, positions: np.ndarray, k: int, allowed: np.ndarray):
        """Top-k (positions, scores) per query row, best first, one title per work."""
        raw = (vectors @ self.index_t_).toarray()
        active = np.asarray(vectors.multiply(vectors).sum(axis=1)).ravel()
        results = []
        for i in range(raw.shape[0]):
            scores = raw[i] / active[i] if active[i] > 0 else raw[i]
            mask = allowed.copy()
            if positions[i] >= 0:
                mask &= self.work_ != self.work_[positions[i]]
            candidates = np.flatnonzero(mask)
            results.append(self._top_unique(candidates, scores[candidates], k))
        return results

    def _top_unique(self, candidates: np.ndarray, scores: np.ndarray, k: int):
        take = min(len(candidates), k * _OVERSAMPLE)
        while True:
            if take < len(candidates):
                part = np.argpartition(-scores, take - 1)[:take]
            else:
                part = np.arange(len(candidates))
            order = part[np.lexsort((candidates[part], -scores[part]))]
            chosen, seen = [], set()
            for j in order:
                work = self.work_[candidates[j]]
                if work not in seen:
                    seen.add(work)
                    chosen.append(j)
                    if len(chosen) == k:
                        break
            if len(chosen) == k or take >= len(candidates):
                chosen = np.asarray(chosen, dtype=np.int64)
                return candidates[chosen], scores[chosen]
            take = min(len(candidates), take * 4)

    def neighbors(self, positions, k: int) -> list[np.ndarray]:
        """Top-k catalogue positions for catalogue titles (evaluation helper)."""
        self._check_fitted()
        positions = np.asarray(positions, dtype=np.int64)
        vectors = self.index_[positions]
        allowed = np.ones(self.n_items_, dtype=bool)
        return [p for p, _ in self._search(vectors, positions, k, allowed)]

    def neighbors_for_text(self, texts, k: int) -> list[np.ndarray]:
        """Top-k catalogue positions for free-text queries (evaluation helper)."""
        self._check_fitted()
        vectors = self.features_.stack(self.features_.text_blocks(list(texts)), text=True)
        positions = np.full(len(texts), -1, dtype=np.int64)
        allowed = np.ones(self.n_items_, dtype=bool)
        return [p for p, _ in self._search(vectors, positions, k, allowed)]

    def recommend(self, queries: list[Query], request: Request | None = None) -> pd.DataFrame:
        """Flat records: one row per recommendation (see OUTPUT_COLUMNS)."""
        self._check_fitted()
        request = request or Request()
        allowed = self._allowed(request)
        vectors, positions = self._query_vectors(queries)
        empty = np.flatnonzero(np.asarray(vectors.getnnz(axis=1)) == 0)
        if empty.size:
            raise InvalidRequest(
                f"row {int(empty[0])}: the description has no word the catalogue knows; try other words"
            )
        found = self._search(vectors, positions, request.k, allowed)
        records = []
        for row, (hits, scores) in enumerate(found):
            reasons = self._reasons(vectors[row], positions[row], hits)
            query_title = self.items_[TITLE][positions[row]] if positions[row] >= 0 else ""
            query_id = self.items_[SHOW_ID][positions[row]] if positions[row] >= 0 else ""
            for rank, (j, score, reason) in enumerate(zip(hits, scores, reasons), start=1):
                records.append((
                    row, rank, self.items_[SHOW_ID][j], self.items_[TITLE][j], self.items_[TYPE][j],
                    int(self.items_[RELEASE_YEAR][j]), self.items_[RATING][j], self.items_[LISTED_IN][j],
                    self.items_[COUNTRY][j], round(float(score), 6), reason, query_title, query_id,
                ))
        return pd.DataFrame.from_records(records, columns=list(OUTPUT_COLUMNS))

    # ---------------------------------------------------------------- reasons
    def _reasons(self, vector: sp.csr_matrix, position: int, hits: np.ndarray) -> list[str]:
        if len(hits) == 0:
            return []
        contributions = self.index_[hits].multiply(vector).tocsr()
        features = self.features_
        d_start, d_stop = features.offsets_["description"]
        t_start, t_stop = features.offsets_["title"]
        g_start, g_stop = features.offsets_["genre"]
        p_start, p_stop = features.offsets_["people"]
        genre_names = features.feature_names_["genre"]
        people_names = features.feature_names_["people"]
        reasons = []
        for r, j in enumerate(hits):
            row = contributions.getrow(r)
            cols, values = row.indices, row.data
            parts = []
            title_share = values[(cols >= t_start) & (cols < t_stop)].sum()
            if title_share >= 0.25 * features.weights_["title"]:
                parts.append("similar title")
            if position >= 0:
                shared = sorted(topical_genres(self.genres_[j]) & topical_genres(self.genres_[position]))
            else:
                matched = {str(genre_names[c - g_start]) for c in cols[(cols >= g_start) & (cols < g_stop)]}
                shared = [g for g in self.genres_[j] if normalize_text(g) in matched
                          or any(m in normalize_text(g) for m in matched)]
            if shared:
                parts.append("genre: " + ", ".join(shared[:3]))
            people = {str(people_names[c - p_start]) for c in cols[(cols >= p_start) & (cols < p_stop)]}
            directors = [d for d in self.directors_[j] if normalize_text(d) in people]
            cast = [c for c in self.cast_[j] if normalize_text(c) in people]
            if directors:
                parts.append("director: " + ", ".join(directors[:2]))
            if cast:
                parts.append("cast: " + ", ".join(cast[:3]))
            in_desc = (cols >= d_start) & (cols < d_stop)
            if in_desc.any():
                top = cols[in_desc][np.argsort(-values[in_desc], kind="stable")] - d_start
                terms = _distinct_terms(features.description_terms_[top], 3)
                parts.append("about: " + ", ".join(terms))
            reasons.append("; ".join(parts) if parts else "little in common; shown to fill the list")
        return reasons


def _distinct_terms(terms, limit: int) -> list[str]:
    """The first `limit` terms, skipping any whose words an earlier term already shows."""
    chosen, words = [], set()
    for term in terms:
        parts = set(term.split())
        if parts <= words:
            continue
        chosen.append(term)
        words |= parts
        if len(chosen) == limit:
            break
    return chosen


def _place_rows(target: sp.csr_matrix, rows: np.ndarray, values: sp.csr_matrix) -> sp.csr_matrix:
    """target with `values` added onto the given rows."""
    selector = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, np.arange(len(rows)))),
        shape=(target.shape[0], len(rows)),
    )
    return (target + selector @ values).tocsr()


def config_dict(recommender: HybridRecommender) -> dict:
    """Training parameters as a flat dict, for logging."""
    return asdict(FeatureConfig(**recommender.get_params()))
