"""What a parsed query asks for, as scores added to the titles that answer it, and as reasons.

People named in a query come first: every title crediting the person in the asked role gets
`w_person` (shared between the people named). The genres, countries, type and years the query
names are facets: a title gets `w_intent` times the share of facets it matches. These are ranking
signals, not filters: a query whose facets nothing matches still gets its best words and premise.
The facet boost is scaled by how much of the query the facets are (`facet_share`): "a korean
thriller" is all facets, "a russian hacker seeking revenge" mostly words to match.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .analyzers import WordAnalyzer
from .catalog import CAST, COUNTRY, DIRECTOR, LISTED_IN, RELEASE_YEAR, TYPE, normalize_text
from .intent import ParsedQuery
from .intent_words import FIGURATIVE_PHRASES, TYPE_WORDS, WISH_WORDS
from .lengths import durations, in_range
from .people_names import Person
from .sorted_ids import lookup, union

_ROLE_COLUMNS = {"director": DIRECTOR, "cast": CAST}


class IntentScorer:
    """Credits, genre and country labels, type and year of every catalogue title."""

    def fit(self, catalog: pd.DataFrame) -> IntentScorer:
        self.n_items_ = len(catalog)
        self.credits_ = {role: _rows_by_label(catalog[column]) for role, column in _ROLE_COLUMNS.items()}
        self.labels_ = {"genre": _rows_by_label(catalog[LISTED_IN]), "country": _rows_by_label(catalog[COUNTRY]),
                        "type": _rows_by_label(catalog[TYPE].map(lambda kind: (kind,)))}
        self.types_ = catalog[TYPE].to_numpy(dtype=object)
        self.years_ = catalog[RELEASE_YEAR].to_numpy(dtype=np.int64)
        self.minutes_, self.seasons_ = durations(catalog)
        return self

    # ---------------------------------------------------------------- people
    def person_rows(self, person: Person) -> tuple[str, np.ndarray]:
        """The credit asked for ('director', 'cast' or 'any') and the titles with it. A role the person
        never had ("with Martin Scorsese" for a director only) falls back to any credit."""
        rows = {role: self.credits_[role].get(person.name, _NONE) for role in _ROLE_COLUMNS}
        if person.role in rows and len(rows[person.role]):
            return person.role, rows[person.role]
        return "any", union([rows["director"], rows["cast"]])

    # ---------------------------------------------------------------- facets
    def label_rows(self, parsed: ParsedQuery) -> dict[str, list[np.ndarray]]:
        """Per labelled facet the query names (genre, country, type), the sorted titles of each label."""
        return {facet: [self.labels_[facet].get(label, _NONE) for label in labels]
                for facet, labels in (("genre", parsed.genres), ("country", parsed.countries), ("type", parsed.types))
                if labels}

    def facet_titles(self, parsed: ParsedQuery) -> dict[str, np.ndarray]:
        """Per facet the query names (genre, country, type, years), the sorted titles that match it."""
        found = {facet: union(rows) for facet, rows in self.label_rows(parsed).items()}
        if parsed.years:
            first, last = parsed.years
            found["years"] = np.flatnonzero((self.years_ >= first) & (self.years_ <= last))
        if parsed.length:
            found["length"] = np.flatnonzero(in_range(self.minutes_, self.seasons_, parsed.length))
        return found

    def boosts(self, parsed: list[ParsedQuery | None], *, w_person: float, w_intent: float) -> sp.csr_matrix:
        """m x n scores: w_person / len(people) per person a title credits as asked, plus w_intent
        times the share of the named facets it matches times the square of the query's facet_share,
        minus w_intent for a title with a genre, country or type the query leaves out."""
        counts = np.zeros(len(parsed) + 1, dtype=np.int32)
        columns, data = [_NONE], [np.empty(0, dtype=np.float32)]
        for row, query in enumerate(parsed):
            found = None if query is None else self._score(query, w_person, w_intent)
            if found is not None:
                keep = found[1] != 0
                columns.append(found[0][keep])
                data.append(found[1][keep])
                counts[row + 1] = len(columns[-1])
        return sp.csr_matrix((np.concatenate(data), np.concatenate(columns).astype(np.int32), np.cumsum(counts, dtype=np.int32)),
                             shape=(len(parsed), self.n_items_))

    def _score(self, query: ParsedQuery, w_person: float, w_intent: float) -> tuple[np.ndarray, np.ndarray] | None:
        """One query's boosts as (sorted titles, float32 scores) over the titles it names, whose
        facets it names or leaves out (None: none of these). The same float32 sums as adding a row
        per person and the mean of the facet masks to a row of zeros."""
        people = [self.person_rows(person)[1] for person in query.people] if w_person else []
        facets = self.facet_titles(query) if w_intent else {}
        excluded = union([self.labels_[facet].get(label, _NONE) for facet, label in query.excluded]) \
            if w_intent and query.excluded else _NONE
        if not people and not facets and not len(excluded):
            return None
        titles = union([*people, *facets.values(), excluded])
        score = np.zeros(len(titles), dtype=np.float32)
        for rows in people:
            score[np.searchsorted(titles, rows)] += w_person / len(people)
        if facets:
            matched = np.zeros(len(titles), dtype=np.float64)
            for rows in facets.values():
                matched[np.searchsorted(titles, rows)] += 1
            weight = w_intent * facet_share(query) ** 2
            score += np.float32(weight) * (matched / len(facets)).astype(np.float32)
        # what the text leaves out ("no horror") goes below what it asks for, whatever the share
        score[np.searchsorted(titles, excluded)] -= np.float32(w_intent)
        return titles, score

    # ---------------------------------------------------------------- reasons
    def reasons(self, parsed: ParsedQuery, hits: np.ndarray, catalog_labels: dict[str, np.ndarray]) -> list[list[str]]:
        """Per hit, what of the query it answers: 'director: ...', 'cast: ...', 'genre: ...',
        'country: ...', the type and the release year. catalog_labels: 'genre' and 'country'
        label tuples per title, to show the matched labels as the catalogue spells them."""
        masks = {}
        for facet, rows in self.label_rows(parsed).items():
            mask = np.zeros(self.n_items_, dtype=bool)
            for titles in rows:
                mask[titles] = True
            masks[facet] = mask[hits].tolist()
        if parsed.years:
            first, last = parsed.years
            masks["years"] = ((self.years_[hits] >= first) & (self.years_[hits] <= last)).tolist()
        if parsed.length:
            masks["length"] = in_range(self.minutes_[hits], self.seasons_[hits], parsed.length).tolist()
        if not parsed.people and not masks:
            return [[] for _ in range(len(hits))]
        credits = []   # per person: its name and, per hit, the role it is credited in (None: not credited)
        for person in parsed.people:
            role, rows = self.person_rows(person)
            directed = lookup(self.credits_["director"].get(person.name, _NONE), hits)[0].tolist()
            credits.append((person.name, [
                (role if role != "any" else "director" if director else "cast") if has else None
                for has, director in zip(lookup(rows, hits)[0].tolist(), directed)]))
        wanted = {"genre": set(parsed.genres), "country": set(parsed.countries)}
        out = []
        for r, j in enumerate(hits.tolist()):
            by_role: dict[str, list[str]] = {}
            for name, roles in credits:
                if roles[r] is not None:
                    by_role.setdefault(roles[r], []).append(name)
            parts = [f"{role}: " + ", ".join(names) for role, names in by_role.items()]
            for facet in ("genre", "country"):
                if facet in masks and masks[facet][r]:
                    labels = [label for label in catalog_labels[facet][j] if label in wanted[facet]]
                    parts.append(f"{facet}: " + ", ".join(labels[:3]))
            if "type" in masks and masks["type"][r]:
                parts.append(f"type: {self.types_[j]}")
            if "years" in masks and masks["years"][r]:
                parts.append(f"year: {self.years_[j]}")
            if "length" in masks and masks["length"][r]:
                minutes, seasons = int(self.minutes_[j]), int(self.seasons_[j])
                parts.append(f"length: {minutes} min" if minutes else f"length: {seasons} season{'s' * (seasons > 1)}")
            out.append(parts)
        return out


_NONE = np.empty(0, dtype=np.int64)


_FIGURATIVE = re.compile(
    r"\b(?:" + "|".join(map(re.escape, sorted(FIGURATIVE_PHRASES, key=len, reverse=True))) + r")\b")


def words_to_match(text: str, parsed: ParsedQuery | None, *, intent: bool) -> str:
    """The words of a free text (normalised, as parsed.rest) to match as words: without the words
    that only say someone wants something to watch (WISH_WORDS: 'watch', 'binge', 'tonight') or
    that mean a genre only together (FIGURATIVE_PHRASES: 'feel good', 'edge of my seat'), and with
    intent on, without the words that say a type, country, genre or years in so many words
    ('movies', 'korean', 'thriller', '80s'; literal_facets), which the intent boosts answer.
    Matched as words too, they found descriptions that merely mention them ("making a movie", "a
    Korean-American chef") ahead of the wish's topic. Words that only hint at a genre ('heist',
    'zombie') stay."""
    if not text:
        return text
    said = WISH_WORDS | ({*literal_facets(parsed), *TYPE_WORDS} if intent else frozenset())
    return " ".join(word for word in _FIGURATIVE.sub(" ", text).split() if word not in said)


def literal_facets(parsed: ParsedQuery) -> list[str]:
    """The words that say a facet the query asks for in so many words: a country, type or years,
    or a genre label the word is part of ('thriller', not 'heist' or 'scary', which only hint at
    one)."""
    stems = WordAnalyzer().stems
    label_stems = [set(stems(normalize_text(label).split())) for label in parsed.genres]
    literal = {*parsed.countries, *parsed.types, *([parsed.years] if parsed.years else []),
               *([parsed.length] if parsed.length else [])}
    said = []
    for word, facets in parsed.facets:
        if not facets.isdisjoint(literal):
            said.append(word)
        elif not facets.isdisjoint(parsed.genres):   # a genre counts when the word is part of its label
            word_stems = set(stems([word]))
            if any(word_stems <= label for label in label_stems):
                said.append(word)
    return said


def facet_share(query: ParsedQuery) -> float:
    """The share of the rest's content words (not stop words) that name a genre, country, type or
    years: alone ("thriller"), or as a pair that means more than its words do alone ("stand up",
    "south korea"; in "detlev mystery" only "mystery" counts)."""
    if not query.facets:
        return 1.0
    return sum(bool(facets) for _, facets in query.facets) / len(query.facets)


def _rows_by_label(column: pd.Series) -> dict[str, np.ndarray]:
    """Label -> sorted distinct catalogue rows carrying it, for a column of label lists."""
    found: dict[str, list[int]] = {}
    for row, labels in enumerate(column):
        for label in labels:
            found.setdefault(label, []).append(row)
    return {label: np.unique(np.asarray(rows, dtype=np.int64)) for label, rows in found.items()}
