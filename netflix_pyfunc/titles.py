"""Title resolution: case-, accent- and punctuation-insensitive, tolerant of small typos."""

from __future__ import annotations

from difflib import SequenceMatcher

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from .catalog import normalize_text

# A fuzzy match is accepted when its edit similarity (difflib ratio) reaches this, or when
# it is within allowed_edits(key) insertions, deletions, substitutions or transpositions.
MIN_FUZZY_RATIO = 0.85
_CANDIDATES = 8


def title_key(title: str) -> str:
    """normalize_text without the word 'and', which '&' may or may not be typed as."""
    return " ".join(word for word in normalize_text(title).split() if word != "and")


def allowed_edits(key: str) -> int:
    """Typos tolerated in a typed title: 1 up to 9 characters, then one more per 7."""
    return 1 + max(0, len(key) - 3) // 7


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a transposition costs 1), capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2, previous = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


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
        self.keys_ = np.asarray([title_key(t) for t in titles], dtype=object)
        order = sorted(range(len(titles)), key=lambda i: (-int(release_years[i]), i))
        self.exact_: dict[str, list[int]] = {}
        for i in order:
            self.exact_.setdefault(self.keys_[i], []).append(i)
        # Trigrams find long titles; bigrams find short ones with a swapped or missing letter.
        self.vectorizers_ = [
            TfidfVectorizer(analyzer="char_wb", ngram_range=(n, n), dtype=np.float32) for n in (3, 2)
        ]
        self.matrices_ = [v.fit_transform(self.keys_).T.tocsr() for v in self.vectorizers_]
        return self

    def _candidates(self, key: str) -> list[int]:
        found: dict[int, None] = {}
        for vectorizer, matrix in zip(self.vectorizers_, self.matrices_):
            scores = (vectorizer.transform([key]) @ matrix).toarray().ravel()
            n = min(_CANDIDATES, scores.size)
            top = np.argpartition(-scores, n - 1)[:n]
            found.update((int(i), None) for i in top[np.lexsort((top, -scores[top]))] if scores[i] > 0)
        return list(found)

    def resolve(self, title: str) -> int:
        """Catalogue position of the title the user meant, or UnknownTitle with suggestions."""
        key = title_key(title)
        if not key:
            raise UnknownTitle(title, [])
        if key in self.exact_:
            positions = self.exact_[key]
            for i in positions:
                if self.titles_[i] == title.strip():
                    return i
            return positions[0]
        candidates = self._candidates(key)
        limit = allowed_edits(key)
        scored = sorted(
            (edit_distance(key, self.keys_[i], limit), -SequenceMatcher(None, key, self.keys_[i]).ratio(), i)
            for i in candidates
        )
        by_ratio = sorted(scored, key=lambda s: (s[1], s[2]))
        if scored and scored[0][0] <= limit:
            return scored[0][2]
        if by_ratio and -by_ratio[0][1] >= MIN_FUZZY_RATIO:
            return by_ratio[0][2]
        suggestions = list(dict.fromkeys(str(self.titles_[i]) for _, _, i in by_ratio[:3]))
        raise UnknownTitle(title, suggestions)
