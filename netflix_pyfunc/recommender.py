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
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

from .features import BLOCKS, FeatureConfig, HybridFeatures, _Row
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
                except UnknownTitle as error:
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

    def _scores(self, indices: np.ndarray, data: np.ndarray, canonical: bool) -> np.ndarray:
        """Cosine-style scores of one query vector against the catalogue: the float32 sums
        scipy's csr @ csr forms (terms accumulated in column order), divided by |q|^2."""
        index_t = self.index_t_
        raw = np.zeros(self.n_items_, dtype=np.float32)
        if len(indices):
            starts = index_t.indptr[indices]
            lengths = index_t.indptr[indices + 1] - starts
            gather = _ranges(starts, lengths)
            products = np.repeat(data, lengths) * index_t.data[gather]
            np.add.at(raw, index_t.indices[gather], products)
            # vectors.multiply(vectors) keeps a canonical matrix's order, else reverses each row
            squares = data * data if canonical else data[::-1] * data[::-1]
            squares = squares[squares != 0]
            active = np.add.reduceat(squares, np.zeros(1, dtype=np.intp))[0] if len(squares) else np.float32(0)
            if active > 0:
                raw = raw / active
        return raw

    def _search(self, vectors, positions: np.ndarray, k: int, allowed: np.ndarray):
        """Top-k (positions, scores) per query row, best first, one title per work.

        vectors: a list of (indices, data) rows or a CSR matrix."""
        if sp.issparse(vectors):
            vectors = _rows_of(vectors)
        canonical = all(_ascending(indices) for indices, _ in vectors)
        results = []
        for (indices, data), position in zip(vectors, positions.tolist()):
            scores = self._scores(indices, data, canonical)
            if position >= 0:
                mask = allowed & (self.work_ != self.work_[position])
            else:
                mask = allowed
            candidates = np.flatnonzero(mask)
            results.append(self._top_unique(candidates, scores[candidates], k))
        return results

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
    def _item_names(self, j: int) -> tuple:
        """(normalised directors, normalised cast, normalised genres) of title j, memoised."""
        cache = self._memo()["names"]
        names = cache.get(j)
        if names is None:
            names = cache[j] = (
                tuple(normalize_text(d) for d in self.directors_[j]),
                tuple(normalize_text(c) for c in self.cast_[j]),
                tuple(normalize_text(g) for g in self.genres_[j]),
            )
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
        reasons = []
        for r, j in enumerate(hits.tolist()):
            lo, hi = bounds[r], bounds[r + 1]
            parts = []
            title_share = values[lo:hi][in_title[lo:hi]].sum() if in_title[lo:hi].any() else np.float32(0)
            if title_share >= title_bar:
                parts.append("similar title")
            row_cols = col_list[lo:hi]
            directors_n, cast_n, genres_n = self._item_names(j)
            if query_genres is not None:
                shared_genres = sorted(topical_genres(self.genres_[j]) & query_genres)
            else:
                matched = {genre_names[c - g_start] for c in row_cols if g_start <= c < g_stop}
                shared_genres = [g for g, gn in zip(self.genres_[j], genres_n)
                                 if gn in matched or any(m in gn for m in matched)] if matched else []
            if shared_genres:
                parts.append("genre: " + ", ".join(shared_genres[:3]))
            people = {people_names[c - p_start] for c in row_cols if p_start <= c < p_stop}
            if people:
                directors = [d for d, dn in zip(self.directors_[j], directors_n) if dn in people]
                cast = [c for c, cn in zip(self.cast_[j], cast_n) if cn in people]
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


def _frame(columns: dict[str, list]) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(zip(*(columns[c] for c in OUTPUT_COLUMNS))), columns=list(OUTPUT_COLUMNS))


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
