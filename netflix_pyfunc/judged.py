"""Judged free-text search: a public set of wishes, each judged from catalogue metadata alone.

`text_precision_at_k` runs the query set in judged_queries.json: each query carries a rule (genre
labels, countries, type, release years, words in title or description) that says whether a
returned title answers it. judged_people.py asks for people by name the same way.

`search(texts, k) -> list[np.ndarray]` is any free-text search returning catalogue positions, e.g.
`HybridRecommender(...).fit(catalog).neighbors_for_text`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from importlib import resources
from itertools import chain

import numpy as np
import pandas as pd

from .catalog import COUNTRY, DESCRIPTION, LISTED_IN, RELEASE_YEAR, TITLE, TYPE, TYPES, normalize_text

Search = Callable[[list[str], int], Sequence[np.ndarray]]

QUERY_FILE = "judged_queries.json"
SPLITS = ("dev", "holdout")
RULE_KEYS = ("genres", "countries", "type", "years", "words")


@dataclass(frozen=True)
class Rule:
    """Relevance from metadata. Every given field must hold; within a field, any listed value will do.

    genres and words are groups: each group must match (any label / any phrase of the group).
    Words are matched on normalize_text(title + description) at word boundaries, so list the forms
    to accept ("heist", "heists")."""

    genres: tuple[tuple[str, ...], ...] = ()
    countries: tuple[str, ...] = ()
    type: str | None = None
    years: tuple[int, int] | None = None
    words: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self):
        if not (self.genres or self.countries or self.type or self.years or self.words):
            raise ValueError("a rule needs at least one of " + ", ".join(RULE_KEYS))
        if self.type is not None and self.type not in TYPES:
            raise ValueError(f"rule type must be one of {TYPES}, got {self.type!r}")
        if self.years is not None and (len(self.years) != 2 or self.years[0] > self.years[1]):
            raise ValueError(f"rule years must be [first, last], got {self.years!r}")
        for group in (*self.genres, *self.words):
            if not group:
                raise ValueError("rule genres and words groups must not be empty")

    @classmethod
    def from_dict(cls, data: dict) -> Rule:
        unknown = set(data) - set(RULE_KEYS)
        if unknown:
            raise ValueError(f"unknown rule keys {sorted(unknown)}; valid keys: {list(RULE_KEYS)}")
        return cls(
            genres=tuple(tuple(g) for g in data.get("genres", ())),
            countries=tuple(data.get("countries", ())),
            type=data.get("type"),
            years=tuple(data["years"]) if "years" in data else None,
            words=tuple(tuple(normalize_text(w) for w in g) for g in data.get("words", ())),
        )

    def mask(self, catalog: pd.DataFrame, words: WordIndex | None = None) -> np.ndarray:
        """Boolean per catalogue row: does the title satisfy the rule?

        words: WordIndex(catalog), to reuse across rules."""
        ok = np.ones(len(catalog), dtype=bool)
        for group in self.genres:
            ok &= _any_label(catalog[LISTED_IN], group)
        if self.countries:
            ok &= _any_label(catalog[COUNTRY], self.countries)
        if self.type is not None:
            ok &= (catalog[TYPE] == self.type).to_numpy()
        if self.years is not None:
            ok &= catalog[RELEASE_YEAR].between(*self.years).to_numpy()
        if self.words:
            words = WordIndex(catalog) if words is None else words
            for group in self.words:
                ok &= words.any_of(group)
        return ok


def _any_label(column: pd.Series, wanted) -> np.ndarray:
    wanted = set(wanted)
    return column.map(lambda labels: not wanted.isdisjoint(labels)).to_numpy(dtype=bool)


class WordIndex:
    """Rows whose normalised title + description hold a word or a phrase (consecutive words)."""

    def __init__(self, catalog: pd.DataFrame):
        self.texts = [f" {normalize_text(t)} " for t in catalog[TITLE] + " " + catalog[DESCRIPTION]]
        rows: dict[str, list[int]] = {}
        for row, text in enumerate(self.texts):
            for word in set(text.split()):
                rows.setdefault(word, []).append(row)
        self.rows = {word: np.asarray(found, dtype=np.int64) for word, found in rows.items()}

    def any_of(self, phrases) -> np.ndarray:
        """Boolean per row: does any of the normalised phrases occur at word boundaries?"""
        hit = np.zeros(len(self.texts), dtype=bool)
        empty = np.zeros(0, dtype=np.int64)
        for phrase in phrases:
            first, *others = phrase.split()
            candidates = self.rows.get(first, empty)
            for word in others:
                candidates = np.intersect1d(candidates, self.rows.get(word, empty), assume_unique=True)
            if others:
                candidates = np.asarray([r for r in candidates if f" {phrase} " in self.texts[r]], dtype=np.int64)
            hit[candidates] = True
        return hit


@dataclass(frozen=True)
class JudgedQuery:
    text: str
    rule: Rule
    split: str


def split_of(position: int) -> str:
    """'dev' for even positions in the query file, 'holdout' for odd ones: fixed, and the two
    halves stay balanced and interleaved (new queries are appended in pairs)."""
    return SPLITS[position % 2]


def load_queries(split: str | None = None) -> tuple[JudgedQuery, ...]:
    """The public judged query set, all of it or one half ('dev' or 'holdout')."""
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS} or None, got {split!r}")
    raw = json.loads(resources.files(__package__).joinpath(QUERY_FILE).read_text(encoding="utf-8"))
    queries = tuple(
        JudgedQuery(q["text"], Rule.from_dict(q["rule"]), split_of(i)) for i, q in enumerate(raw["queries"])
    )
    repeated = [t for t, n in Counter(normalize_text(q.text) for q in queries).items() if n > 1]
    if repeated:
        raise ValueError(f"{QUERY_FILE}: repeated queries {repeated}")
    return tuple(q for q in queries if split is None or q.split == split)


@dataclass(frozen=True)
class Judged:
    """A metric's value (mean over queries) and one row per query for reports."""

    value: float
    per_query: pd.DataFrame

    @classmethod
    def from_rows(cls, rows: list[dict]) -> Judged:
        """Rows with a 'precision' each (NaN: no relevant title) -> their mean and the table."""
        frame = pd.DataFrame(rows)
        if frame["precision"].isna().all():
            raise ValueError("no query has a relevant title in this catalogue")
        return cls(float(frame["precision"].mean()), frame)


def capped_precision(found: np.ndarray, relevant: np.ndarray, k: int) -> tuple[int, float]:
    """Hits in the top k over min(k, number of relevant titles): 1.0 when nothing better was possible.

    NaN when the catalogue holds no relevant title (the query says nothing about this catalogue)."""
    found = np.asarray(found, dtype=np.int64)[:k]
    hits = int(relevant[found].sum()) if len(found) else 0
    best = min(k, int(relevant.sum()))
    return hits, (hits / best if best else float("nan"))


def run_search(search: Search, texts: list[str], k: int) -> list[np.ndarray]:
    """search(texts, k), checked: one result list per text."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    results = list(search(texts, k))
    if len(results) != len(texts):
        raise ValueError(f"search returned {len(results)} result lists for {len(texts)} texts")
    return results


def text_precision_at_k(
    catalog: pd.DataFrame, search: Search, k: int, *, split: str | None = None,
    queries: Sequence[JudgedQuery] | None = None,
) -> Judged:
    """Mean over judged queries of the share of the top k that satisfy the query's rule.

    The share is hits / min(k, relevant titles in the catalogue); queries with no relevant title get
    NaN and are left out of the mean. Rows of per_query: query, split, precision, hits, relevant
    (titles in the catalogue), base_rate (relevant / catalogue size), found (top-k positions)."""
    if queries is not None and split is not None:
        raise ValueError("pass split (a half of the public set) or queries, not both")
    queries = load_queries(split) if queries is None else tuple(queries)
    if not queries:
        raise ValueError("no judged queries to run")
    texts = [q.text for q in queries]
    results = run_search(search, texts, k)
    words = WordIndex(catalog)
    rows = []
    for query, found in zip(queries, results):
        relevant = query.rule.mask(catalog, words)
        hits, precision = capped_precision(found, relevant, k)
        rows.append({
            "query": query.text, "split": query.split, "precision": precision, "hits": hits,
            "relevant": int(relevant.sum()), "base_rate": float(relevant.mean()),
            "found": [int(p) for p in np.asarray(found)[:k]],
        })
    return Judged.from_rows(rows)


def check_labels(catalog: pd.DataFrame, queries: Sequence[JudgedQuery] | None = None) -> None:
    """Raise ValueError if a rule names a genre or country the catalogue does not have."""
    queries = load_queries() if queries is None else queries
    genres = set(chain.from_iterable(catalog[LISTED_IN]))
    countries = set(chain.from_iterable(catalog[COUNTRY]))
    for query in queries:
        for kind, named, known in (
            ("genre", set(chain.from_iterable(query.rule.genres)), genres),
            ("country", set(query.rule.countries), countries),
        ):
            for label in sorted(named - known):
                close = get_close_matches(label, sorted(known), n=3)
                raise ValueError(f"query {query.text!r}: unknown {kind} {label!r}; closest: {close}")


def base_rates(catalog: pd.DataFrame, queries: Sequence[JudgedQuery] | None = None) -> pd.Series:
    """Share of the catalogue each query's rule accepts, indexed by query text."""
    queries = load_queries() if queries is None else queries
    words = WordIndex(catalog)
    return pd.Series({q.text: float(q.rule.mask(catalog, words).mean()) for q in queries}, name="base_rate")
