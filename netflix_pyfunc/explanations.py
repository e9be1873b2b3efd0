"""Why a title was recommended: what the query asked for, and what the hit shares with it.

"cast: ...; genre: ...; country: ..." says which people, genres, countries, type or years the
query named that the hit has (intent_boosts.py). "similar title; genre: ...; director: ...;
cast: ...; about: ..." is built from the elementwise product of the hit's catalogue vector and the
query vector; description words are shown only when they carry a real part of the score, and a
single word only when it is a rare one or the only word the query matches ("friendship" in "a
feel-good movie about friendship", where the rest says a genre and a type). A word of a wish
that says a type, country, genre or years is not one ("korean" after "country: South Korea"):
with intent on, free text matches it as intent only (intent_boosts.words_to_match). "similar
premise" says the sentence embeddings drove it.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .catalog import CAST, DIRECTOR, LISTED_IN, normalize_text, topical_genres
from .features import row_entries
from .sorted_ids import lookup

NOTHING_SHARED = "little in common; shown to fill the list"
SIMILAR_PREMISE = "similar premise"
# A description word is named when it carries this much of the score (the score's scale: a
# weighted mean of block cosines); named words must carry ABOUT_TOTAL together.
ABOUT_MIN, ABOUT_TOTAL = 0.02, 0.06
# A word named alone must be rare (in at most this share of the descriptions) and carry ABOUT_TOTAL.
RARE_SHARE = 0.01
_ROMAN = re.compile(r"^[ivxlcdm]+$")


class Explainer:
    """Turns (query vector, hits) into one reason per hit."""

    def fit(self, catalog: pd.DataFrame, vectors: sp.csr_matrix, offsets: dict[str, tuple[int, int]],
            feature_names: dict[str, list[str]], title_weight: float) -> Explainer:
        """vectors: the catalogue's stacked rows (sorted indices); feature_names: the genre and people
        columns' names and the description columns' readable terms."""
        self.vectors_ = vectors
        self.offsets_ = offsets
        self.names_ = feature_names
        # Shared title features must carry a quarter of the title block's weight to say "similar title".
        self.title_bar_ = 0.25 * title_weight

        def normalized(values):
            return [tuple(normalize_text(v) for v in names) for names in values]

        self.genres_ = catalog[LISTED_IN].map(tuple).to_numpy(dtype=object)
        self.topical_ = [frozenset(topical_genres(genres)) for genres in self.genres_]
        self.people_ = {
            kind: (catalog[column].map(tuple).tolist(), normalized(catalog[column]))
            for kind, column in (("director", DIRECTOR), ("cast", CAST))
        }
        self.genres_normalized_ = normalized(catalog[LISTED_IN])
        d_start, d_stop = offsets["description"]
        df = np.bincount(vectors.indices, minlength=vectors.shape[1])[d_start:d_stop]
        self.rare_ = np.array([
            count <= RARE_SHARE * vectors.shape[0] and len(term) > 2 and not _ROMAN.match(term)
            for count, term in zip(df.tolist(), feature_names["description"])
        ], dtype=bool)
        return self

    def _shared(self, query: tuple[np.ndarray, np.ndarray], hits: np.ndarray):
        """For every hit, the columns it shares with the query and the products there:
        (owner, columns, values), sorted by owner (the hit's index in hits), then column."""
        owner, columns, values = row_entries(self.vectors_, hits)
        q_indices, q_data = query
        shared, at = lookup(q_indices, columns)
        values = values[shared] * q_data[at[shared]]
        owner, columns = owner[shared], columns[shared]
        nonzero = values != 0
        return owner[nonzero], columns[nonzero], values[nonzero]

    def reasons(self, query: tuple[np.ndarray, np.ndarray], position: int, hits: np.ndarray, *,
                premise: np.ndarray | None = None, intent: list[list[str]] | None = None) -> list[str]:
        """One reason per hit. query: one row of the CSR query batch as (sorted column indices,
        values); position: the catalogue title the query names (-1 for free text), whose genres
        then explain the genre match; premise: per hit, whether the sentence embeddings carried
        the match; intent: per hit, what of the query's parsed intent it answers."""
        n = len(hits)
        if n == 0:
            return []
        squared = float(np.dot(query[1], query[1])) or 1.0
        owner, columns, values = self._shared(query, hits)
        (d_start, d_stop), (t_start, t_stop) = self.offsets_["description"], self.offsets_["title"]
        (g_start, g_stop), (p_start, p_stop) = self.offsets_["genre"], self.offsets_["people"]
        title_share = np.bincount(owner, weights=values * ((columns >= t_start) & (columns < t_stop)), minlength=n)
        # Per hit, the shared genre and people columns and the description words that carry the match.
        genre = (columns >= g_start) & (columns < g_stop)
        genres_of = _by_hit(owner[genre], (columns[genre] - g_start).tolist(), n)
        person = (columns >= p_start) & (columns < p_stop)
        people_of = _by_hit(owner[person], (columns[person] - p_start).tolist(), n)
        carried = values.astype(np.float64) / squared
        word = (columns >= d_start) & (columns < d_stop) & (carried >= ABOUT_MIN)
        words_of = _by_hit(owner[word], list(zip((columns[word] - d_start).tolist(), carried[word].tolist())), n)
        query_genres = self.topical_[position] if position >= 0 else None
        one_word = np.count_nonzero((query[0] >= d_start) & (query[0] < d_stop)) == 1
        reasons = []
        for r, j in enumerate(hits.tolist()):
            asked = intent[r] if intent else []
            said = {part.split(":")[0] for part in asked}
            parts = list(asked)
            if title_share[r] > 0 and title_share[r] >= self.title_bar_:
                parts.append("similar title")
            genres = self._genres(j, query_genres, genres_of[r])
            if genres and "genre" not in said:
                parts.append("genre: " + ", ".join(genres[:3]))
            elif genres and query_genres is not None:
                # a title's query asking for a genre ("like Narcos but funny"): the genre asked for,
                # then the ones shared with the title, which say why the hit is like it
                at = next(i for i, part in enumerate(parts) if part.startswith("genre: "))
                named = parts[at].removeprefix("genre: ").split(", ")
                parts[at] = "genre: " + ", ".join(list(dict.fromkeys(named + genres))[:3])
            people = {self.names_["people"][c] for c in people_of[r]}
            for kind, limit in (("director", 2), ("cast", 3)) if people else ():
                names, normalized = self.people_[kind]
                if kind not in said and (matched := [name for name, m in zip(names[j], normalized[j]) if m in people]):
                    parts.append(f"{kind}: " + ", ".join(matched[:limit]))
            if about := self._about(words_of[r], asked_alone=one_word):
                parts.append("about: " + ", ".join(about))
            if premise is not None and premise[r]:
                parts.append(SIMILAR_PREMISE)
            reasons.append("; ".join(parts) if parts else NOTHING_SHARED)
        return reasons

    def _about(self, carried: list[tuple[int, float]], *, asked_alone: bool = False) -> list[str]:
        """The description words that carry the match (see ABOUT_MIN, ABOUT_TOTAL, RARE_SHARE), from
        the hit's (description column, share of the score) at least ABOUT_MIN, in column order.
        asked_alone: the word is the only one the query matches, so it is what was asked for."""
        carried = sorted(carried, key=lambda cv: -cv[1])   # stable: ties keep column order
        lone_generic = len(carried) == 1 and not (asked_alone or self.rare_[carried[0][0]])
        if sum(v for _, v in carried) < ABOUT_TOTAL or lone_generic:
            return []
        return _distinct_terms((self.names_["description"][c] for c, _ in carried), 3)

    def _genres(self, j: int, query_genres: set | None, genre_columns: list[int]) -> list[str]:
        """Hit j's genres the query shares: its title's topical genres, or the genres the free
        text's genre words are part of."""
        if query_genres is not None:
            return sorted(self.topical_[j] & query_genres)
        matched = {self.names_["genre"][c] for c in genre_columns}
        if not matched:
            return []
        return [g for g, n in zip(self.genres_[j], self.genres_normalized_[j])
                if n in matched or any(m in n for m in matched)]


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


def _by_hit(owner: np.ndarray, items: list, n: int) -> list[list]:
    """items (sorted by owner, the hit each belongs to) as one list per hit."""
    bounds = np.searchsorted(owner, np.arange(n + 1)).tolist()
    return [items[bounds[r]:bounds[r + 1]] for r in range(n)]
