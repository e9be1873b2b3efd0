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
from sklearn.preprocessing import MultiLabelBinarizer

from .catalog import (
    CAST, COUNTRY, DESCRIPTION, DIRECTOR, LISTED_IN, RATING, RELEASE_YEAR, SHOW_ID, TITLE,
    TYPE, normalize_text, topical_genres,
)
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

from .features import BLOCKS, FeatureConfig, HybridFeatures, _Row
from .filter_values import match_countries, match_genres
from .params import InvalidRequest, Query, Request
from .titles import TitleIndex, UnresolvedTitle

OUTPUT_COLUMNS = (
    "row", "rank", "show_id", "title", "type", "release_year", "rating", "listed_in",
    "country", "score", "reason", "query_title", "query_show_id",
)
# Candidates taken per result before dropping language versions of one work.
_OVERSAMPLE = 3
SEARCH_MODES = ("exact", "blocked")
# Blocks with few distinct rows (label sets), scored once per distinct row in 'blocked' search.
_BLOCKED = ("genre", "country")
SEARCH_MODES = ("exact", "blocked")
# Query rows scored together (one sparse product, rows x catalogue dense scores).
_CHUNK = 32


class HybridRecommender:
    """Content-based recommender over the Netflix catalogue."""

    def __init__(
        self, *, w_description=1.0, w_title=1.0, w_genre=0.35, w_people=0.6, w_country=0.15,
        desc_ngram_max=1, desc_min_df=1, desc_max_df=0.5, desc_max_features=50_000,
        sublinear_tf=True, people_min_df=1, w_text_title=0.2,
        search="exact",
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
        # 'exact': the original float order, bit for bit; 'blocked': genre and country scored per
        # distinct label set (same math, different float32 rounding), for catalogues of 100k+.
        self.search = search

    def get_params(self) -> dict:
        """Every __init__ parameter: the feature configuration and the search mode."""
        return {**asdict(self._config()), "search": self.search}

    def _config(self) -> FeatureConfig:
        return FeatureConfig(**{f.name: getattr(self, f.name) for f in fields(FeatureConfig)})

    # ---------------------------------------------------------------- fitting
    def fit(self, catalog: pd.DataFrame) -> HybridRecommender:
        """Learn the feature blocks and the index from a cleaned catalogue."""
        required = {SHOW_ID, TITLE, TYPE, RELEASE_YEAR, RATING, DESCRIPTION, LISTED_IN, COUNTRY, DIRECTOR, CAST}
        missing = required - set(catalog.columns)
        if missing:
            raise ValueError(f"catalog lacks columns {sorted(missing)}; pass it through catalog.clean_catalog")
        if len(catalog) < 2:
            raise ValueError("catalog needs at least 2 titles")
        if self.search not in SEARCH_MODES:
            raise ValueError(f"search must be one of {SEARCH_MODES}, got {self.search!r}")
        config = self._config()
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
        if self.search not in SEARCH_MODES:
            raise ValueError(f"search must be one of {SEARCH_MODES}, got {self.search!r}")
        if self.search == "blocked":
            self._fit_blocked()
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
            setattr(self, f"{name}_names_", list(binarizer.classes_))   # as published, for filter_values

    def _check_fitted(self) -> None:
        if not hasattr(self, "index_"):
            raise NotFittedError("HybridRecommender is not fitted: call fit(catalog) first")

    # ---------------------------------------------------------------- queries
    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_cache"}

    def _memo(self) -> dict:
        cache = self.__dict__.get("_cache")
        if cache is None:
            cache = self._cache = {"allowed": {}, "names": {}, "genres": {}}
        return cache

    def _allowed(self, request: Request) -> np.ndarray:
        """Read-only mask of titles that pass the request's filters (cached per filter set)."""
        key = (request.type, request.min_year, request.max_year, request.countries, request.genres, request.ratings)
        cache = self._memo()["allowed"]
        allowed = cache.get(key)
        if allowed is None:
            allowed = self._allowed_uncached(request)
            allowed.flags.writeable = False
            if len(cache) >= 32:
                cache.pop(next(iter(cache)))
            cache[key] = allowed
        return allowed

    def _allowed_uncached(self, request: Request) -> np.ndarray:
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
            allowed &= self._label_mask("country", match_countries(self.country_names_, request.countries))
        if request.genres:
            allowed &= self._label_mask("genre", match_genres(self.genre_names_, request.genres))
        return allowed

    def _label_mask(self, name: str, wanted: list[tuple[tuple[str, ...], ...]]) -> np.ndarray:
        """Titles that, for some wanted value, carry a label of each of its groups (filter_values)."""
        incidence = getattr(self, f"{name}_incidence_")
        column = {label: j for j, label in enumerate(getattr(self, f"{name}_names_"))}
        mask = np.zeros(self.n_items_, dtype=bool)
        for groups in wanted:
            hit = np.ones(self.n_items_, dtype=bool)
            for group in groups:
                hit &= np.asarray(incidence[:, [column[label] for label in group]].sum(axis=1)).ravel() > 0
            mask |= hit
        return mask

    def _query_vectors(self, queries: list[Query]) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
        """Stacked query vectors as (column indices, float32 values) per row, and the
        catalogue position each title resolved to (-1: none).

        Bit for bit the rows the original sparse-matrix formulation built (text rows via
        HybridFeatures.text_vector, title rows from the index, both summed and each block
        renormalised), in the same entry order (see _legacy_order), without building
        scipy matrices per request."""
        positions = np.full(len(queries), -1, dtype=np.int64)
        for i, query in enumerate(queries):
            if query.title:
                try:
                    positions[i] = self.titles_.resolve(query.title)
                except UnresolvedTitle as error:
                    raise InvalidRequest(f"row {i}: {error}") from None
        index = self.index_
        rows = []
        for query, position in zip(queries, positions.tolist()):
            text = self.features_.text_vector(query.description) if query.description else None
            title = None
            if position >= 0:
                start, stop = index.indptr[position], index.indptr[position + 1]
                keep = index.data[start:stop] != 0
                title = (index.indices[start:stop][keep], index.data[start:stop][keep])
            rows.append((text, title))
        return _legacy_order(rows, self._combine), positions

    def _combine(self, text, title) -> tuple[np.ndarray, np.ndarray]:
        """text + title, then each block (with a weight > 0) back to unit length times sqrt(weight)."""
        indices = np.union1d(text[0], title[0]).astype(text[0].dtype, copy=False)
        data = np.zeros(len(indices), dtype=np.float32)
        data[np.searchsorted(indices, text[0])] += text[1]
        data[np.searchsorted(indices, title[0])] += title[1]
        keep = data != 0
        indices, data = indices[keep], data[keep]
        for block in BLOCKS:
            weight = np.sqrt(self.features_.weights_[block])
            if weight == 0:
                continue
            start, stop = self.features_.offsets_[block]
            lo, hi = np.searchsorted(indices, [start, stop])
            if lo == hi:
                continue
            part = data[lo:hi].copy()
            inplace_csr_row_normalize_l2(_Row(part, indices[lo:hi]))
            data[lo:hi] = (part * weight).astype(np.float32)
        keep = data != 0
        return indices[keep], data[keep]

    def _search(self, vectors, positions: np.ndarray, k: int, allowed: np.ndarray):
        """Top-k (positions, scores) per query row, best first, one title per work.

        vectors: a list of (indices, data) rows or a CSR matrix."""
        if sp.issparse(vectors):
            vectors = _rows_of(vectors)
        canonical = all(_ascending(indices) for indices, _ in vectors)
        everything = bool(allowed.all())
        results = []
        positions = positions.tolist()
        for chunk in range(0, len(vectors), _CHUNK):
            rows = vectors[chunk:chunk + _CHUNK]
            scores = self._scores_batch(rows, canonical)
            for i, position in enumerate(positions[chunk:chunk + _CHUNK]):
                if position >= 0:
                    candidates = np.flatnonzero(allowed & (self.work_ != self.work_[position]))
                elif everything:
                    candidates = self._all_positions()   # same values as flatnonzero(all True)
                else:
                    candidates = np.flatnonzero(allowed)
                results.append(self._top_unique(candidates, scores[i][candidates], k))
        return results

    def _fit_blocked(self) -> None:
        """Per low-cardinality block: each title's distinct-row id and the distinct rows."""
        index = self.index_
        self.blocked_ = {}
        for block in _BLOCKED:
            start, stop = self.features_.offsets_[block]
            sub = index[:, start:stop].tocsr()
            sub.sort_indices()
            ids = np.empty(sub.shape[0], dtype=np.int32)
            seen: dict[bytes, int] = {}
            first = []
            for i in range(sub.shape[0]):
                lo, hi = sub.indptr[i], sub.indptr[i + 1]
                key = sub.indices[lo:hi].tobytes() + b"|" + sub.data[lo:hi].tobytes()
                found = seen.get(key)
                if found is None:
                    found = seen[key] = len(first)
                    first.append(i)
                ids[i] = found
            self.blocked_[block] = (ids, np.ascontiguousarray(sub[first].toarray().T))  # f x distinct

    def _scores_blocked(self, rows) -> np.ndarray:
        """Scores with genre/country summed per distinct label set: far fewer postings touched."""
        offsets = self.features_.offsets_
        narrow, parts = [], {b: np.zeros((len(rows), self.blocked_[b][1].shape[0]), dtype=np.float32) for b in _BLOCKED}
        for r, (indices, data) in enumerate(rows):
            keep = np.ones(len(indices), dtype=bool)
            for block in _BLOCKED:
                start, stop = offsets[block]
                inside = (indices >= start) & (indices < stop)
                parts[block][r, indices[inside] - start] = data[inside]
                keep &= ~inside
            narrow.append((indices[keep], data[keep]))
        raw = self._raw_scores(narrow)
        for block in _BLOCKED:
            ids, distinct = self.blocked_[block]
            raw += (parts[block] @ distinct)[:, ids]
        return raw

    def _raw_scores(self, rows) -> np.ndarray:
        lengths = np.array([len(indices) for indices, _ in rows], dtype=np.int64)
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        indices = np.concatenate([r[0] for r in rows]) if indptr[-1] else np.empty(0, dtype=np.int32)
        data = np.concatenate([r[1] for r in rows]) if indptr[-1] else np.empty(0, dtype=np.float32)
        queries = sp.csr_matrix((data, indices, indptr), shape=(len(rows), self.index_.shape[1]))
        return (queries @ self.index_t_).toarray()

    def _scores_batch(self, rows, canonical: bool) -> np.ndarray:
        """Scores of query rows against the catalogue: scipy's csr @ csr (float32 sums in the
        order of each row's entries, as the original code formed them) divided by |q|^2."""
        if getattr(self, "search", "exact") == "blocked" and hasattr(self, "blocked_"):
            raw = self._scores_blocked(rows)
        else:
            raw = self._raw_scores(rows)
        indptr = np.concatenate([[0], np.cumsum([len(indices) for indices, _ in rows])])
        squares = np.concatenate([d * d if canonical else d[::-1] * d[::-1] for _, d in rows])
        for i, (start, stop) in enumerate(zip(indptr[:-1].tolist(), indptr[1:].tolist())):
            row = squares[start:stop]
            row = row[row != 0]
            if len(row):
                active = np.add.reduceat(row, np.zeros(1, dtype=np.intp))[0]
                if active > 0:
                    raw[i] = raw[i] / active
        return raw

    def _all_positions(self) -> np.ndarray:
        cache = self._memo()
        positions = cache.get("all_positions")
        if positions is None:
            positions = cache["all_positions"] = np.arange(self.n_items_, dtype=np.intp)
            positions.flags.writeable = False
        return positions

    def _top_unique(self, candidates: np.ndarray, scores: np.ndarray, k: int):
        take = min(len(candidates), k * _OVERSAMPLE)
        work = self.work_
        while True:
            if take < len(candidates):
                part = np.argpartition(-scores, take - 1)[:take]
            else:
                part = np.arange(len(candidates))
            order = part[np.lexsort((candidates[part], -scores[part]))]
            chosen, seen = [], set()
            for j, w in zip(order.tolist(), work[candidates[order]].tolist()):
                if w not in seen:
                    seen.add(w)
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
        for row, (indices, _) in enumerate(vectors):
            if len(indices) == 0:
                raise InvalidRequest(
                    f"row {row}: the description has no word the catalogue knows; try other words"
                )
        found = self._search(vectors, positions, request.k, allowed)
        items = self.items_
        columns = {name: [] for name in OUTPUT_COLUMNS}
        hits_all = []
        for row, (hits, scores) in enumerate(found):
            position = int(positions[row])
            reasons = self._reasons(vectors[row], position, hits)
            n = len(hits)
            columns["row"].extend([row] * n)
            columns["rank"].extend(range(1, n + 1))
            columns["score"].extend(round(s, 6) for s in scores.tolist())
            columns["reason"].extend(reasons)
            columns["query_title"].extend([items[TITLE][position] if position >= 0 else ""] * n)
            columns["query_show_id"].extend([items[SHOW_ID][position] if position >= 0 else ""] * n)
            hits_all.append(hits)
        hits = np.concatenate(hits_all) if hits_all else np.empty(0, dtype=np.int64)
        for name in (SHOW_ID, TITLE, TYPE, RATING, LISTED_IN, COUNTRY):
            columns[name] = items[name][hits].tolist()
        columns[RELEASE_YEAR] = items[RELEASE_YEAR][hits].tolist()
        return _frame(columns)

    # ---------------------------------------------------------------- reasons
    def _normalized(self, kind: str, j: int) -> tuple[str, ...]:
        """normalize_text of title j's directors, cast or genres, memoised per title."""
        cache = self._memo()["names"]
        key = (kind, j)
        names = cache.get(key)
        if names is None:
            source = {"directors": self.directors_, "cast": self.cast_, "genres": self.genres_}[kind]
            if len(cache) > 200_000:
                cache.clear()
            names = cache[key] = tuple(normalize_text(v) for v in source[j])
        return names

    def _feature_lists(self) -> dict:
        cache = self._memo()
        lists = cache.get("features")
        if lists is None:
            names = self.features_.feature_names_
            lists = cache["features"] = {
                "genre": [str(n) for n in names["genre"]],
                "people": [str(n) for n in names["people"]],
                "terms": self.features_.description_terms_.tolist(),
            }
        return lists

    def _reasons(self, vector, position: int, hits: np.ndarray) -> list[str]:
        """One explanation per hit from the terms the hit shares with the query vector
        (the elementwise product of the hit's index row and the query)."""
        if len(hits) == 0:
            return []
        if sp.issparse(vector):
            vector = _rows_of(vector)[0]
        q_indices, q_data = vector
        index = self.index_
        starts = index.indptr[hits]
        lengths = index.indptr[hits + 1] - starts
        # index_[hits].multiply(vector) lists each hit's shared terms in reverse stored order,
        # except for a single hit when both rows are sorted (scipy's canonical fast path).
        gather = _ranges(starts, lengths)
        if not (len(hits) == 1 and _ascending(index.indices[gather]) and _ascending(q_indices)):
            gather = _ranges(starts + lengths - 1, lengths, step=-1)
        cols = index.indices[gather]
        sorter = np.argsort(q_indices, kind="stable")
        at = sorter[np.minimum(np.searchsorted(q_indices, cols, sorter=sorter), len(q_indices) - 1)]
        shared = q_indices[at] == cols
        values = index.data[gather][shared] * q_data[at[shared]]
        owner = np.repeat(np.arange(len(hits)), lengths)[shared]
        cols = cols[shared]
        nonzero = values != 0
        values, owner, cols = values[nonzero], owner[nonzero], cols[nonzero]
        bounds = np.searchsorted(owner, np.arange(len(hits) + 1)).tolist()

        features = self.features_
        d_start, d_stop = features.offsets_["description"]
        t_start, t_stop = features.offsets_["title"]
        g_start, g_stop = features.offsets_["genre"]
        p_start, p_stop = features.offsets_["people"]
        title_bar = 0.25 * features.weights_["title"]
        in_title = (cols >= t_start) & (cols < t_stop)
        lists = self._feature_lists()
        genre_names, people_names, terms_of = lists["genre"], lists["people"], lists["terms"]
        query_genres = topical_genres(self.genres_[position]) if position >= 0 else None
        col_list, value_list = cols.tolist(), values.tolist()
        title_hits = set(owner[in_title].tolist())
        nothing_shared_passes = bool(np.float32(0) >= title_bar)
        reasons = []
        for r, j in enumerate(hits.tolist()):
            lo, hi = bounds[r], bounds[r + 1]
            parts = []
            if r in title_hits:
                similar_title = values[lo:hi][in_title[lo:hi]].sum() >= title_bar
            else:
                similar_title = nothing_shared_passes
            if similar_title:
                parts.append("similar title")
            row_cols = col_list[lo:hi]
            if query_genres is not None:
                shared_genres = sorted(topical_genres(self.genres_[j]) & query_genres)
            else:
                matched = {genre_names[c - g_start] for c in row_cols if g_start <= c < g_stop}
                shared_genres = [g for g, gn in zip(self.genres_[j], self._normalized("genres", j))
                                 if gn in matched or any(m in gn for m in matched)] if matched else []
            if shared_genres:
                parts.append("genre: " + ", ".join(shared_genres[:3]))
            people = {people_names[c - p_start] for c in row_cols if p_start <= c < p_stop}
            if people:
                directors = [d for d, dn in zip(self.directors_[j], self._normalized("directors", j)) if dn in people]
                cast = [c for c, cn in zip(self.cast_[j], self._normalized("cast", j)) if cn in people]
                if directors:
                    parts.append("director: " + ", ".join(directors[:2]))
                if cast:
                    parts.append("cast: " + ", ".join(cast[:3]))
            desc = [(c, v) for c, v in zip(row_cols, value_list[lo:hi]) if d_start <= c < d_stop]
            if desc:
                desc.sort(key=lambda cv: -cv[1])   # stable: ties keep column order
                terms = _distinct_terms((terms_of[c - d_start] for c, _ in desc), 3)
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


def _ranges(starts: np.ndarray, lengths: np.ndarray, step: int = 1) -> np.ndarray:
    """Concatenated runs starts[i], starts[i]+step, ... of lengths[i] items each."""
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    ends = np.cumsum(lengths)
    within = np.arange(total, dtype=np.int64) - np.repeat(ends - lengths, lengths)
    return np.repeat(starts.astype(np.int64), lengths) + step * within


def _ascending(indices: np.ndarray) -> bool:
    return bool(np.all(indices[1:] > indices[:-1]))


def _rows_of(matrix) -> list[tuple[np.ndarray, np.ndarray]]:
    """(indices, data) of each row in stored order, explicit zeros dropped."""
    matrix = sp.csr_matrix(matrix)
    rows = []
    for i in range(matrix.shape[0]):
        start, stop = matrix.indptr[i], matrix.indptr[i + 1]
        keep = matrix.data[start:stop] != 0
        rows.append((matrix.indices[start:stop][keep], matrix.data[start:stop][keep]))
    return rows


def _sorted(row):
    order = np.argsort(row[0], kind="stable")
    return row[0][order], row[1][order]


def _legacy_order(rows, combine) -> list[tuple[np.ndarray, np.ndarray]]:
    """Query rows (text, title) -> vectors in the entry order the original scipy code left them in.

    That code placed text rows, then title rows, into an empty CSR batch with `target +
    selector @ rows`. scipy's csr_matmat emits a row's entries in reverse insertion order;
    csr + csr keeps sorted order only when both operands are canonical, and otherwise
    reverses insertion order again; renormalising (via LIL) sorts every row. The order
    decides float32 summation order in the scores, so it is kept to stay bit-identical."""
    if any(text is not None and title is not None for text, title in rows):
        out = []
        for text, title in rows:
            if text is not None and title is not None:
                out.append(combine(text, title))
            else:
                out.append(text if text is not None else _sorted(title))
        return out
    titles = [title for _, title in rows if title is not None]
    # selector @ title rows reverses each title row; sorted only if every one was descending.
    placed_titles_sorted = all(_ascending(title[0][::-1]) for title in titles)
    if not titles or placed_titles_sorted:
        return [text if text is not None else _sorted(title) for text, title in rows]
    return [(text[0][::-1], text[1][::-1]) if text is not None else title for text, title in rows]


_INT_COLUMNS = frozenset({"row", "rank", RELEASE_YEAR})


def _frame(columns: dict[str, list]) -> pd.DataFrame:
    """The output table; typed column by column (what from_records infers, without the inference)."""
    if not columns["row"]:
        return pd.DataFrame.from_records([], columns=list(OUTPUT_COLUMNS))
    n = len(columns["row"])
    text_names = [name for name in OUTPUT_COLUMNS if name not in _INT_COLUMNS and name != "score"]
    text = _text_columns([value for name in text_names for value in columns[name]], n)
    typed = {}
    for name in OUTPUT_COLUMNS:
        if name in _INT_COLUMNS:
            typed[name] = np.array(columns[name], dtype=np.int64)
        elif name == "score":
            typed[name] = np.array(columns[name], dtype=np.float64)
        else:
            typed[name] = next(text)
    return pd.DataFrame(typed, copy=False)


_STR = pd.array([], dtype="str").dtype


def _text_columns(values: list[str], n: int):
    """Consecutive runs of n strings as pandas' default str arrays. With pyarrow storage,
    one Arrow array sliced per column: ~10x cheaper than inferring each column."""
    if _STR.storage == "pyarrow":
        import pyarrow as pa
        from pandas.arrays import ArrowStringArray

        whole = pa.array(values, type=pa.large_string())
        return (ArrowStringArray(whole.slice(start, n), dtype=_STR) for start in range(0, len(values), n))
    return (pd.array(values[start:start + n], dtype=_STR) for start in range(0, len(values), n))
