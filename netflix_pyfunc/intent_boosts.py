"""What a parsed query asks for, as scores added to the titles that answer it, and as reasons.

People named in a query come first: every title crediting the person in the asked role gets
`w_person` (shared between the people named). The genres, countries, type and years the query
names are facets: a title gets `w_intent` times the share of facets it matches. These are ranking
signals, not filters: a query whose facets nothing matches still gets its best words and premise.
The facet boost is scaled by how much of the query the facets are (`facet_share`): "a korean
thriller" is all facets, "a russian hacker seeking revenge" mostly words to match.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from .catalog import CAST, COUNTRY, DIRECTOR, LISTED_IN, RELEASE_YEAR, TYPE
from .intent import ParsedQuery, Person, QueryParser

_ROLE_COLUMNS = {"director": DIRECTOR, "cast": CAST}


class IntentScorer:
    """Credits, genre and country labels, type and year of every catalogue title."""

    def fit(self, catalog: pd.DataFrame) -> IntentScorer:
        self.n_items_ = len(catalog)
        self.credits_ = {role: _rows_by_label(catalog[column]) for role, column in _ROLE_COLUMNS.items()}
        self.labels_ = {"genre": _rows_by_label(catalog[LISTED_IN]), "country": _rows_by_label(catalog[COUNTRY])}
        self.types_ = catalog[TYPE].to_numpy(dtype=object)
        self.years_ = catalog[RELEASE_YEAR].to_numpy(dtype=np.int64)
        return self

    # ---------------------------------------------------------------- people
    def person_rows(self, person: Person) -> tuple[str, np.ndarray]:
        """The credit asked for ('director', 'cast' or 'any') and the titles with it. A role the person
        never had ("with Martin Scorsese" for a director only) falls back to any credit."""
        rows = {role: self.credits_[role].get(person.name, _NONE) for role in _ROLE_COLUMNS}
        if person.role in rows and len(rows[person.role]):
            return person.role, rows[person.role]
        return "any", np.union1d(rows["director"], rows["cast"])

    # ---------------------------------------------------------------- facets
    def facet_masks(self, parsed: ParsedQuery) -> dict[str, np.ndarray]:
        """A boolean mask per facet the query names: genre, country, type, years."""
        masks = {}
        for facet, labels in (("genre", parsed.genres), ("country", parsed.countries)):
            if labels:
                mask = np.zeros(self.n_items_, dtype=bool)
                for label in labels:
                    mask[self.labels_[facet].get(label, _NONE)] = True
                masks[facet] = mask
        if parsed.types:
            masks["type"] = np.isin(self.types_, parsed.types)
        if parsed.years:
            first, last = parsed.years
            masks["years"] = (self.years_ >= first) & (self.years_ <= last)
        return masks

    def boosts(self, parsed: list[ParsedQuery | None], parser: QueryParser, *, w_person: float,
               w_intent: float) -> sp.csr_matrix:
        """m x n scores: w_person / len(people) per person a title credits as asked, plus w_intent
        times the share of the named facets it matches times the square of the query's facet_share."""
        rows, columns, data = [], [], []
        for row, query in enumerate(parsed):
            if query is None:
                continue
            score = np.zeros(self.n_items_, dtype=np.float32)
            if query.people and w_person:
                for person in query.people:
                    score[self.person_rows(person)[1]] += w_person / len(query.people)
            masks = self.facet_masks(query)
            if masks and w_intent:
                weight = w_intent * facet_share(query, parser) ** 2
                score += np.float32(weight) * np.mean(list(masks.values()), axis=0, dtype=np.float32)
            hit = np.flatnonzero(score)
            rows.append(np.full(len(hit), row))
            columns.append(hit)
            data.append(score[hit])
        if not rows:
            return sp.csr_matrix((len(parsed), self.n_items_), dtype=np.float32)
        return sp.csr_matrix(
            (np.concatenate(data), (np.concatenate(rows), np.concatenate(columns))),
            shape=(len(parsed), self.n_items_), dtype=np.float32,
        )

    # ---------------------------------------------------------------- reasons
    def reasons(self, parsed: ParsedQuery, hits: np.ndarray, catalog_labels: dict[str, np.ndarray]) -> list[list[str]]:
        """Per hit, what of the query it answers: 'director: ...', 'cast: ...', 'genre: ...',
        'country: ...', the type and the release year. catalog_labels: 'genre' and 'country'
        label tuples per title, to show the matched labels as the catalogue spells them."""
        people = [(person, *self.person_rows(person)) for person in parsed.people]
        masks = self.facet_masks(parsed)
        wanted = {"genre": set(parsed.genres), "country": set(parsed.countries)}
        out = []
        for j in hits.tolist():
            parts = []
            by_role: dict[str, list[str]] = {}
            for person, role, rows in people:
                if _contains(rows, j):
                    credited = role if role != "any" else (
                        "director" if _contains(self.credits_["director"].get(person.name, _NONE), j) else "cast")
                    by_role.setdefault(credited, []).append(person.name)
            parts += [f"{role}: " + ", ".join(names) for role, names in by_role.items()]
            for facet in ("genre", "country"):
                if facet in masks and masks[facet][j]:
                    labels = [label for label in catalog_labels[facet][j] if label in wanted[facet]]
                    parts.append(f"{facet}: " + ", ".join(labels[:3]))
            if "type" in masks and masks["type"][j]:
                parts.append(f"type: {self.types_[j]}")
            if "years" in masks and masks["years"][j]:
                parts.append(f"year: {self.years_[j]}")
            out.append(parts)
        return out


_NONE = np.empty(0, dtype=np.int64)


def facet_share(query: ParsedQuery, parser: QueryParser) -> float:
    """The share of the rest's content words (not stop words) that name a genre, country, type or
    years: alone ("thriller"), or as a pair that means more than its words do alone ("stand up",
    "south korea"; in "detlev mystery" only "mystery" counts)."""
    words = [w for w in query.rest.split() if w not in ENGLISH_STOP_WORDS]
    if not words:
        return 1.0
    single = [_facets(parser.parse(word)) for word in words]
    facet = [bool(found) for found in single]
    for i in range(len(words) - 1):
        if _facets(parser.parse(f"{words[i]} {words[i + 1]}")) - single[i] - single[i + 1]:
            facet[i] = facet[i + 1] = True
    return sum(facet) / len(words)


def _facets(parsed: ParsedQuery) -> set:
    return {*parsed.genres, *parsed.countries, *parsed.types, *([parsed.years] if parsed.years else [])}



def _rows_by_label(column: pd.Series) -> dict[str, np.ndarray]:
    """Label -> sorted catalogue rows carrying it, for a column of label lists."""
    found: dict[str, list[int]] = {}
    for row, labels in enumerate(column):
        for label in labels:
            found.setdefault(label, []).append(row)
    return {label: np.asarray(rows, dtype=np.int64) for label, rows in found.items()}


def _contains(sorted_rows: np.ndarray, j: int) -> bool:
    at = np.searchsorted(sorted_rows, j)
    return bool(at < len(sorted_rows) and sorted_rows[at] == j)
