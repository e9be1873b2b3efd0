"""The recommender's original query path (sparse matrices end to end), kept as the
reference the fast path must match bit for bit: bench/golden.py compares the two on the
same fitted model, so feature changes made elsewhere never break the comparison.

Copied from netflix_pyfunc/recommender.py before the speed work (git 9cbda3b); not used
at serving time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from netflix_pyfunc.catalog import (
    COUNTRY, LISTED_IN, RELEASE_YEAR, SHOW_ID, TITLE, TYPE, RATING, normalize_text, topical_genres,
)
from netflix_pyfunc.features import BLOCKS
from netflix_pyfunc.params import InvalidRequest, Query, Request
from netflix_pyfunc.recommender import OUTPUT_COLUMNS, _OVERSAMPLE
from netflix_pyfunc.titles import UnknownTitle


class Reference:
    """Wraps a fitted HybridRecommender; recommend() runs the original algorithm on its state."""

    def __init__(self, model):
        self.__dict__["_model"] = model

    def __getattr__(self, name):
        return getattr(self._model, name)

    def _check_fitted(self) -> None:
        pass

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
