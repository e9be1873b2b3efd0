"""Request filters as boolean masks over the catalogue, applied before ranking."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from sklearn.preprocessing import MultiLabelBinarizer

from .catalog import COUNTRY, LISTED_IN, RATING, RELEASE_YEAR, TYPE
from .filter_values import CountryNames, GenreNames, Groups
from .params import InvalidRequest, Request


class CatalogFilters:
    """Type, release year, rating, country and genre of every title, for request masks."""

    def fit(self, catalog: pd.DataFrame) -> CatalogFilters:
        self.type_codes_, types = pd.factorize(catalog[TYPE])
        self.type_index_ = {t: code for code, t in enumerate(types)}
        self.years_ = catalog[RELEASE_YEAR].to_numpy(dtype=np.int64)
        self.rating_codes_, ratings = pd.factorize(catalog[RATING])
        self.rating_index_ = {_rating_key(r): code for code, r in enumerate(ratings) if r}
        self.rating_values_ = sorted(r for r in ratings if r)
        self.names_, self.label_index_, self.label_titles_ = {}, {}, {}
        for name, column, names in (("country", COUNTRY, CountryNames), ("genre", LISTED_IN, GenreNames)):
            binarizer = MultiLabelBinarizer()
            # labels x titles booleans, a label's titles in one row (122 x 8,807 bytes for countries)
            self.label_titles_[name] = np.ascontiguousarray(binarizer.fit_transform(catalog[column]).T, dtype=bool)
            labels = binarizer.classes_.tolist()   # as published: 'South Korea'
            self.names_[name] = names(labels)
            self.label_index_[name] = {label: j for j, label in enumerate(labels)}
        return self

    def mask(self, request: Request) -> np.ndarray | None:
        """Titles that pass the request's filters; None when it has none."""
        masks = []
        if request.type:
            code = self.type_index_.get(request.type)
            masks.append(self.type_codes_ == code if code is not None else np.zeros(len(self.years_), dtype=bool))
        if request.min_year is not None:
            masks.append(self.years_ >= request.min_year)
        if request.max_year is not None:
            masks.append(self.years_ <= request.max_year)
        if request.ratings:
            wanted = np.zeros(self.rating_codes_.max() + 2, dtype=bool)   # by code; -1 (none) is the last, False
            wanted[self._rating_codes(request.ratings)] = True
            masks.append(wanted[self.rating_codes_])
        if request.countries:
            masks.append(self._label_mask("country", self.names_["country"].match(request.countries)))
        if request.genres:
            masks.append(self._label_mask("genre", self.names_["genre"].match(request.genres)))
        return np.logical_and.reduce(masks) if masks else None

    def _rating_codes(self, wanted: tuple[str, ...]) -> list[int]:
        unknown = [r for r in wanted if _rating_key(r) not in self.rating_index_]
        if unknown:
            raise InvalidRequest(f"unknown rating {unknown[0][:30]!r}; known ratings: {', '.join(self.rating_values_)}")
        return [self.rating_index_[_rating_key(r)] for r in wanted]

    def _label_mask(self, name: str, wanted: list[Groups]) -> np.ndarray:
        """Titles that, for some wanted value, carry a label of each of its groups (see filter_values)."""
        titles, index = self.label_titles_[name], self.label_index_[name]
        mask = np.zeros(titles.shape[1], dtype=bool)
        for groups in wanted:
            hit = np.logical_and.reduce([titles[[index[label] for label in group]].any(axis=0) for group in groups])
            mask |= hit
        return mask


def _rating_key(rating: str) -> str:
    """A rating without case, spaces or dashes: 'PG13', 'pg-13' and 'PG 13' are 'PG-13'."""
    return re.sub(r"[^0-9a-z]", "", rating.lower())
