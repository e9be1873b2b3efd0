"""Title resolution: case-, accent- and punctuation-insensitive, tolerant of small typos."""

from __future__ import annotations

from difflib import SequenceMatcher

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from .catalog import normalize_text

# Edit similarity (difflib ratio) a fuzzy match needs to be accepted without asking.
MIN_FUZZY_RATIO = 0.85
_CANDIDATES = 8


class UnknownTitle(ValueError):
    """No catalogue title is close enough; carries the closest titles as suggestions."""

    def __init__(self, query: str, suggestions: list[str]):
        self.query = query
        self.suggestions = suggestions
        hint = f" Did you mean: {'; '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown title {query[:200]!r}.{hint}")


class TitleIndex:
    """Maps typed titles to catalogue positions.

    Exact normalised matches win; among several (case-only twins such as
    'DEATH NOTE' and 'Death Note') the exact spelling wins, then the newest release.
    Otherwise character trigrams find candidates and difflib's ratio accepts one.
    """

    def fit(self, titles: list[str], release_years: list[int]) -> TitleIndex:
        self.titles_ = np.asarray(titles, dtype=object)
        self.keys_ = np.asarray([normalize_text(t) for t in titles], dtype=object)
        order = sorted(range(len(titles)), key=lambda i: (-int(release_years[i]), i))
        self.exact_: dict[str, list[int]] = {}
        for i in order:
            self.exact_.setdefault(self.keys_[i], []).append(i)
        self.vectorizer_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), dtype=np.float32)
        self.matrix_ = self.vectorizer_.fit_transform(self.keys_).T.tocsr()
        return self

    def _candidates(self, key: str) -> list[int]:
        query = self.vectorizer_.transform([key])
        scores = (query @ self.matrix_).toarray().ravel()
        n = min(_CANDIDATES, scores.size)
        top = np.argpartition(-scores, n - 1)[:n]
        return [int(i) for i in top[np.lexsort((top, -scores[top]))] if scores[i] > 0]

    def resolve(self, title: str) -> int:
        """Catalogue position of the title the user meant, or UnknownTitle with suggestions."""
        key = normalize_text(title)
        if key in self.exact_:
            positions = self.exact_[key]
            for i in positions:
                if self.titles_[i] == title.strip():
                    return i
            return positions[0]
        candidates = self._candidates(key) if key else []
        ranked = sorted(
            candidates, key=lambda i: (-SequenceMatcher(None, key, self.keys_[i]).ratio(), i)
        )
        if ranked and SequenceMatcher(None, key, self.keys_[ranked[0]]).ratio() >= MIN_FUZZY_RATIO:
            return ranked[0]
        suggestions = list(dict.fromkeys(str(self.titles_[i]) for i in ranked[:3]))
        raise UnknownTitle(title, suggestions)
