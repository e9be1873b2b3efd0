"""The recommender: a weighted hybrid of TF-IDF blocks, a sentence-embedding block and the
query's parsed intent, searched by an index.

A scikit-learn estimator: __init__ stores the hyperparameters (this signature is their one
source of truth: train.py's flags and MLproject follow it), fit(catalog, encoder=...) learns
everything ending in '_', and recommend/neighbors/neighbors_for_text need a fitted model with its
encoder attached (a pickled model drops the encoder; see attach_encoder).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .catalog import (
    CAST, COUNTRY, DESCRIPTION, DIRECTOR, LISTED_IN, RATING, RELEASE_YEAR, SHOW_ID, TITLE, TYPE, work_ids,
)
from .encoder import SentenceEncoder
from .explanations import Explainer
from .features import (
    BLOCKS, block_offsets, block_vectorizers, description_terms, fit_blocks, stack,
    unknown_as_average,
)
from .filters import CatalogFilters
from .hybrid import HybridIndex
from .index import ExactIndex, Queries
from .intent import ParsedQuery, QueryParser
from .intent_boosts import IntentScorer, facet_share, words_to_match
from .output import OUTPUT_COLUMNS, results_frame, results_records
from .params import MAX_K, InvalidRequest, Query, Request
from .references import title_reference
from .semantic import SemanticBlock
from .sorted_ids import lookup
from .stored import stored_top_k
from .text_vectors import TextVectorizer, query_vectors
from .titles import TitleIndex, UnresolvedTitle

REQUIRED_COLUMNS = (SHOW_ID, TITLE, TYPE, RELEASE_YEAR, RATING, DESCRIPTION, LISTED_IN, COUNTRY, DIRECTOR, CAST)
_ITEM_COLUMNS = (SHOW_ID, TITLE, TYPE, RATING, LISTED_IN, COUNTRY)
_QUERY_WEIGHTS = ("w_semantic", "w_semantic_title", "w_person", "w_intent")


class HybridRecommender(BaseEstimator):
    """Content-based recommender over the Netflix catalogue.

    w_*: weight of each feature block (description, title, genre, people, country);
    w_text_title: the title block's weight when the query is free text (words that happen to be
    in a title are weaker evidence than the same words in a description);
    w_semantic: weight of the cosine between a free-text query's sentence embedding and each title's;
    w_semantic_title: the same for a title query (the queried title's stored embedding);
    w_person: added to the titles crediting a person the query names, in the asked role;
    w_intent: added, times the share matched, for the genres, countries, type and years it names;
    desc_*, sublinear_tf: the description TF-IDF; people_min_df: keep people credited this often;
    ann_min_titles: catalogues of at least this many titles are searched through an approximate
    index (hybrid.HybridIndex, faiss HNSW for the dense block) and store no neighbours: every query
    is searched live. Below it, search is exact and title queries look up stored neighbours.
    """

    def __init__(self, *, w_description=1.0, w_title=1.0, w_genre=0.35, w_people=0.6, w_country=0.15,
                 w_text_title=0.2, w_semantic=1.0, w_semantic_title=0.05, w_person=2.0, w_intent=1.0,
                 desc_ngram_max=1, desc_min_df=1, desc_max_df=0.5, desc_max_features=50_000,
                 sublinear_tf=True, people_min_df=1, ann_min_titles=50_000):
        self.w_description = w_description
        self.w_title = w_title
        self.w_genre = w_genre
        self.w_people = w_people
        self.w_country = w_country
        self.w_text_title = w_text_title
        self.w_semantic = w_semantic
        self.w_semantic_title = w_semantic_title
        self.w_person = w_person
        self.w_intent = w_intent
        self.desc_ngram_max = desc_ngram_max
        self.desc_min_df = desc_min_df
        self.desc_max_df = desc_max_df
        self.desc_max_features = desc_max_features
        self.sublinear_tf = sublinear_tf
        self.people_min_df = people_min_df
        self.ann_min_titles = ann_min_titles

    # ---------------------------------------------------------------- fitting
    def _validate(self, catalog: pd.DataFrame) -> None:
        missing = set(REQUIRED_COLUMNS) - set(catalog.columns)
        if missing:
            raise ValueError(f"catalog lacks columns {sorted(missing)}; pass it through catalog.clean_catalog")
        if len(catalog) < 2:
            raise ValueError("catalog needs at least 2 titles")
        weights = {f"w_{b}": getattr(self, f"w_{b}") for b in BLOCKS} | {
            name: getattr(self, name) for name in ("w_text_title", *_QUERY_WEIGHTS)}
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
        if self.ann_min_titles < 2:
            raise ValueError(f"ann_min_titles must be >= 2, got {self.ann_min_titles}")

    def fit(self, catalog: pd.DataFrame, y=None, *, encoder: SentenceEncoder | None = None) -> HybridRecommender:
        """Learn the feature blocks, the catalogue's embeddings (with encoder), the index, the query
        parser, the filters, the title index and every title's stored neighbours from a cleaned catalogue."""
        self._validate(catalog)
        if encoder is None:
            raise ValueError("fit needs encoder=SentenceEncoder.load(directory); build the directory with "
                             "netflix_pyfunc.encoder_build.build_encoder")
        self.fit_tfidf(catalog)
        vectorizers = self.vectorizers_
        self.semantic_ = SemanticBlock().fit(catalog, encoder)
        index = HybridIndex() if len(catalog) >= self.ann_min_titles else ExactIndex()
        # Searched with the country of a title that has none taken as the catalogue's average
        # (features.unknown_as_average); queries and reasons read vectors_ as it is.
        searched = unknown_as_average(self.vectors_, self.offsets_, "country")
        self.index_ = index.fit(searched, self.work_, self.semantic_.embeddings_)
        self.parser_ = QueryParser().fit(catalog)
        self.intent_ = IntentScorer().fit(catalog)
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
        self.labels_ = {"genre": catalog[LISTED_IN].map(tuple).to_numpy(dtype=object),
                        "country": catalog[COUNTRY].map(tuple).to_numpy(dtype=object)}
        self.n_items_ = len(catalog)
        stored = isinstance(self.index_, ExactIndex)   # one search per title: too slow for an ANN-sized catalogue
        self.stored_hits_, self.stored_scores_ = self._store_neighbors() if stored else (None, None)
        return self

    def fit_tfidf(self, catalog: pd.DataFrame) -> HybridRecommender:
        """The TF-IDF half of fit alone: vectorizers_, offsets_, weights_, vectors_ (n x D, what is
        searched), text_vectorizer_, work_ and shared_work_. fit calls it; bench/scale_dense.py uses it to measure
        the sparse half at sizes where embedding every title is out of reach."""
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
        self.vectors_ = stack(blocks, self.weights_)
        self.text_vectorizer_ = TextVectorizer(
            vectorizers, self.offsets_, {**self.weights_, "title": float(self.w_text_title)},
            ngram_max=self.desc_ngram_max, sublinear_tf=self.sublinear_tf,
        )
        # Titles with the same description are one work (language versions): listed once, never for each other.
        self.work_ = work_ids(catalog)
        self.shared_work_ = np.bincount(self.work_)[self.work_] > 1
        return self

    def _store_neighbors(self) -> tuple[np.ndarray, np.ndarray]:
        """Every title's top MAX_K neighbours as an unfiltered title query ranks them (n x MAX_K
        int32 positions, -1 past the end, and float32 scores): such a query is then a lookup."""
        n = self.n_items_
        hits, scores = np.full((n, MAX_K), -1, dtype=np.int32), np.zeros((n, MAX_K), dtype=np.float32)
        for start in range(0, n, 1024):
            positions = np.arange(start, min(n, start + 1024))
            queries, _ = self._queries(positions, [""] * len(positions))
            for row, (found, values) in enumerate(self.index_.search(queries, MAX_K, None, self._exclusions(positions))):
                hits[start + row, :len(found)], scores[start + row, :len(found)] = found, values
        return hits, scores

    def attach_encoder(self, encoder: SentenceEncoder) -> HybridRecommender:
        """Attach the sentence encoder to a fitted recommender loaded from a pickle (which drops it)."""
        check_is_fitted(self, "semantic_")
        self.semantic_.attach(encoder)
        return self

    # ---------------------------------------------------------------- queries
    def _queries(self, positions: np.ndarray, texts: list[str]) -> tuple[Queries, list[ParsedQuery | None]]:
        """The index's query batch and each free text as parsed. The words of the people a text
        names are matched as people only: the TF-IDF blocks and the encoder read the rest."""
        positions = np.asarray(positions, dtype=np.int64)
        parsed = [self.parser_.parse(text) if text else None for text in texts]
        # A title's query asking for the other type is steered by the title's genres in that type.
        parsed = [query if query is None or position < 0 else
                  self.parser_.for_title(query, self.labels_["genre"][position], self.items_[TYPE][position])
                  for position, query in zip(positions.tolist(), parsed)]
        # With a title, words that only say what kind of title ("Narcos" and "funny") ask for titles
        # like it of that kind: they count as intent only, not as text to match.
        rest = ["" if query is None or (position >= 0 and facet_share(query) == 1.0) else query.rest
                for position, query in zip(positions.tolist(), parsed)]
        lexical = [words_to_match(text, query, intent=bool(self.w_intent)) for text, query in zip(rest, parsed)]
        sparse = query_vectors(self.text_vectorizer_, self.vectors_, self.weights_, positions, lexical)
        examples = [np.concatenate([self.intent_.person_rows(person)[1] for person in query.people])
                    if query and query.people else None for query in parsed]
        dense = self.semantic_.query_rows(positions, rest, w_text=self.w_semantic, w_title=self.w_semantic_title,
                                          examples=examples)
        boosts = self.intent_.boosts(parsed, w_person=self.w_person, w_intent=self.w_intent)
        return Queries(sparse, dense, boosts), parsed

    def _exclusions(self, positions: np.ndarray) -> np.ndarray:
        """Per query row, the work never recommended for it: the queried title's own (-1: none)."""
        return np.where(positions >= 0, self.work_[positions], -1)

    # ---------------------------------------------------------------- evaluation helpers
    def neighbors(self, positions, k: int) -> list[np.ndarray]:
        """Top-k catalogue positions for catalogue titles, as recommend ranks them unfiltered."""
        check_is_fitted(self, "index_")
        if not 0 < k <= MAX_K:
            raise ValueError(f"k must be in 1..{MAX_K}, got {k}")
        positions = np.asarray(positions, np.int64)
        if self.stored_hits_ is None:
            queries, _ = self._queries(positions, [""] * len(positions))
            return [p for p, _ in self.index_.search(queries, k, None, self._exclusions(positions))]
        return [hits[hits >= 0].astype(np.int64) for hits in self.stored_hits_[positions, :k]]

    def neighbors_for_text(self, texts, k: int) -> list[np.ndarray]:
        """Top-k catalogue positions for free-text queries, as recommend ranks them unfiltered."""
        check_is_fitted(self, "index_")
        texts = list(texts)
        positions, texts = self._references(np.full(len(texts), -1), texts)
        queries, parsed = self._queries(positions, texts)
        return [p for p, _ in self._search(queries, positions, parsed, k, None)]

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

    def _references(self, positions: np.ndarray, texts: list[str]) -> tuple[np.ndarray, list[str]]:
        """A row without a title whose text names one after a cue ("something like Stranger
        Things") becomes a query for that title, with the text's other words (references.py)."""
        positions, texts = positions.copy(), list(texts)
        for i, text in enumerate(texts):
            if positions[i] < 0 and text:
                found = title_reference(text, self.titles_, self._labels)
                if found is not None:
                    positions[i], texts[i] = found
        return positions, texts

    def _labels(self, position: int) -> set[str]:
        """A catalogue title's type, genres and countries."""
        return {self.items_[TYPE][position], *self.labels_["genre"][position], *self.labels_["country"][position]}

    def recommend(self, queries: list[Query], request: Request | None = None) -> pd.DataFrame:
        """A table with one row per recommendation (see output.OUTPUT_COLUMNS)."""
        return results_frame(self._columns(queries, request or Request()))

    def recommend_records(self, queries: list[Query], request: Request | None = None) -> list[dict]:
        """The same as recommend, as one dict per recommendation (what the served model returns)."""
        return results_records(self._columns(queries, request or Request()))

    def _columns(self, queries: list[Query], request: Request) -> dict[str, list]:
        """The output's columns as equally long lists."""
        check_is_fitted(self, "index_")
        allowed = self.filters_.mask(request)
        positions, texts = self._references(self._resolve(queries), [query.description for query in queries])
        batch, parsed = self._queries(positions, texts)
        sparse, boosts = batch.sparse, batch.boosts
        # rows with no word to match and nothing boosted up (leaving out titles asks for none)
        empty = [row for row in np.flatnonzero(np.diff(sparse.indptr) == 0).tolist()
                 if not (boosts.data[boosts.indptr[row]:boosts.indptr[row + 1]] > 0).any()]
        if empty:
            row = empty[0]
            if parsed[row] is not None and parsed[row].excluded:
                raise InvalidRequest(f"row {row}: the description only says what to leave out; say what you would "
                                     "like too, for example 'a comedy, no horror'")
            raise InvalidRequest(f"row {row}: the description names nothing to look for; "
                                 "try a title, a genre, a mood or a topic")
        found = self._search(batch, positions, parsed, request.k, allowed)
        items = self.items_
        columns = {name: [] for name in OUTPUT_COLUMNS}
        for row, (hits, scores) in enumerate(found):
            position = int(positions[row])
            query = (sparse.indices[sparse.indptr[row]:sparse.indptr[row + 1]],
                     sparse.data[sparse.indptr[row]:sparse.indptr[row + 1]])
            n = len(hits)
            columns["row"].extend([row] * n)
            columns["rank"].extend(range(1, n + 1))
            columns["score"].extend(round(s, 6) for s in scores.tolist())
            columns["reason"].extend(self.explainer_.reasons(
                query, position, hits, premise=self._premise(batch, row, hits, scores),
                intent=self.intent_.reasons(parsed[row], hits, self.labels_) if parsed[row] else None,
            ))
            columns["query_title"].extend([items[TITLE][position] if position >= 0 else ""] * n)
            columns["query_show_id"].extend([items[SHOW_ID][position] if position >= 0 else ""] * n)
        hits = np.concatenate([hits for hits, _ in found]) if found else np.empty(0, dtype=np.int64)
        for name in (*_ITEM_COLUMNS, RELEASE_YEAR):
            columns[name] = items[name][hits].tolist()
        return columns

    def _search(self, batch: Queries, positions: np.ndarray, parsed: list, k: int,
                allowed: np.ndarray | None) -> list[tuple[np.ndarray, np.ndarray]]:
        """Top-k per row: a title-only row is read from its stored neighbours when they answer it
        (see _stored), every other row is searched (the stored neighbours are that same search,
        run at fit time)."""
        found: list = [None] * len(positions)
        for row in np.flatnonzero(positions >= 0).tolist():
            if parsed[row] is None:
                found[row] = self._stored(int(positions[row]), k, allowed)
        searched = np.asarray([row for row, result in enumerate(found) if result is None], dtype=np.int64)
        if len(searched):
            results = self.index_.search(batch.take(searched), k, allowed, self._exclusions(positions[searched]))
            for row, result in zip(searched.tolist(), results):
                found[row] = result
        return found

    def _stored(self, position: int, k: int, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray] | None:
        """stored.stored_top_k for this title; None without stored neighbours (the approximate index)."""
        if self.stored_hits_ is None:
            return None
        return stored_top_k(self.stored_hits_[position], self.stored_scores_[position], k, allowed,
                            self.work_, self.shared_work_)

    def _premise(self, batch: Queries, row: int, hits: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """Per hit: did the dense block drive the match (its part of the score at least the TF-IDF
        part and at least what the query's people and facets added)?"""
        dense = self.semantic_.embeddings_.rows[hits] @ batch.dense[row]
        boosts = batch.boosts
        start, stop = boosts.indptr[row], boosts.indptr[row + 1]
        boost = np.zeros(len(hits), dtype=np.float32)
        if stop > start:   # the row's boosted titles are sorted: look the hits up among them
            titles, values = boosts.indices[start:stop], boosts.data[start:stop]
            found, at = lookup(titles, hits)
            boost = np.where(found, values[at], boost)
        return (dense > 0) & (dense >= scores - dense - boost) & (dense >= boost)
