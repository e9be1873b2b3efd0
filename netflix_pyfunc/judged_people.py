"""People named in a query: "with NAME", "directed by NAME", "NAME movies", judged from the credits.

`people_precision_at_k` samples directors and cast members with at least MIN_CREDITS credits and
asks for each by name; a returned title is relevant when it credits that person (as director for
"directed by"). `search(texts, k) -> list[np.ndarray]` as in judged.py.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .catalog import CAST, DIRECTOR, TYPE, TYPES, normalize_text
from .judged import Judged, Search, capped_precision, run_search

MIN_CREDITS = 3


@dataclass(frozen=True)
class PeopleQuery:
    """A person asked for by name; relevant titles credit them (as director when role is 'director')."""

    text: str
    name: str
    role: str            # 'cast' or 'director': the role the person was sampled from
    phrasing: str        # 'with', 'directed by' or 'movies'
    credit: str          # what counts: 'any' credit, 'director' only, or any credit on a 'movie'

    def mask(self, catalog: pd.DataFrame, credits: CreditIndex | None = None) -> np.ndarray:
        """Boolean per catalogue row: does the title credit the person as this query asks?

        credits: CreditIndex(catalog), to reuse across queries."""
        credits = CreditIndex(catalog) if credits is None else credits
        relevant = np.zeros(credits.n_items, dtype=bool)
        relevant[credits.rows(DIRECTOR, self.name)] = True
        if self.credit != "director":
            relevant[credits.rows(CAST, self.name)] = True
        if self.credit == "movie":
            relevant &= credits.movie
        return relevant


class CreditIndex:
    """Catalogue rows crediting each director and cast member."""

    def __init__(self, catalog: pd.DataFrame):
        self.n_items = len(catalog)
        self.movie = (catalog[TYPE] == TYPES[0]).to_numpy()
        self._rows: dict[str, dict[str, list[int]]] = {DIRECTOR: {}, CAST: {}}
        for column, by_name in self._rows.items():
            for row, names in enumerate(catalog[column]):
                for name in names:
                    by_name.setdefault(name, []).append(row)

    def rows(self, column: str, name: str) -> np.ndarray:
        return np.asarray(self._rows[column].get(name, ()), dtype=np.int64)


def _credits(catalog: pd.DataFrame, column: str) -> Counter:
    return Counter(name for names in catalog[column] for name in names)


def people_queries(catalog: pd.DataFrame, sample_size: int, seed: int) -> list[PeopleQuery]:
    """sample_size directors and sample_size cast members with >= MIN_CREDITS credits in that role.

    Cast are asked "with NAME" (any credit counts), directors "directed by NAME" (only a director
    credit counts). Every second sampled person (odd positions in name order) with >= MIN_CREDITS
    movies in that role is also asked "NAME movies" (any credit on a movie counts). Names of one
    word (after normalize_text) are left out. Same catalogue and seed, same queries."""
    if sample_size < 1:
        raise ValueError(f"sample_size must be >= 1, got {sample_size}")
    rng = np.random.default_rng(seed)
    movies = catalog[catalog[TYPE] == TYPES[0]]
    queries = []
    asked = (("cast", CAST, "with", "any"), ("director", DIRECTOR, "directed by", "director"))
    for role, column, phrase, credit in asked:
        counts = _credits(catalog, column)
        movie_counts = _credits(movies, column)
        eligible = sorted(
            name for name, n in counts.items() if n >= MIN_CREDITS and len(normalize_text(name).split()) >= 2
        )
        if not eligible:
            continue
        chosen = rng.choice(len(eligible), size=min(sample_size, len(eligible)), replace=False)
        for i, index in enumerate(sorted(chosen.tolist())):
            name = eligible[index]
            queries.append(PeopleQuery(f"{phrase} {name}", name, role, phrase, credit))
            if i % 2 == 1 and movie_counts[name] >= MIN_CREDITS:
                queries.append(PeopleQuery(f"{name} movies", name, role, "movies", "movie"))
    return queries


def people_precision_at_k(catalog: pd.DataFrame, search: Search, k: int, sample_size: int, seed: int) -> Judged:
    """Mean over people_queries of hits / min(k, titles crediting the person): 1.0 means every
    one of the person's titles the top k could hold came first. per_query has one row per query
    (query, name, role, phrasing, precision, hits, relevant, found); the value is over all rows."""
    queries = people_queries(catalog, sample_size, seed)
    if not queries:
        raise ValueError(f"no person has {MIN_CREDITS}+ credits in this catalogue")
    results = run_search(search, [q.text for q in queries], k)
    credits = CreditIndex(catalog)
    rows = []
    for query, found in zip(queries, results):
        relevant = query.mask(catalog, credits)
        hits, precision = capped_precision(found, relevant, k)
        rows.append({
            "query": query.text, "name": query.name, "role": query.role, "phrasing": query.phrasing,
            "precision": precision, "hits": hits, "relevant": int(relevant.sum()),
            "found": [int(p) for p in np.asarray(found)[:k]],
        })
    return Judged.from_rows(rows)
