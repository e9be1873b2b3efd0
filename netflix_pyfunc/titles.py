"""Title resolution as people type titles into a search box.

Case, accents, punctuation, apostrophes ("queens" = "queen's"), a leading article and a trailing
qualifier ("(U.S.)", "(Hindi)") do not matter; arabic and roman numbers are the same number
("Rocky 2" = "Rocky II") and a typed number never lands on a title with another number. A typed
title may be the part before ":" or " - " ("tiger king"), a prefix, or carry a small typo.
When two titles fit equally well the index does not guess: AmbiguousTitle lists them.
"""

from __future__ import annotations

import bisect
import re
from difflib import SequenceMatcher

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from .catalog import normalize_text

# A fuzzy match is accepted when its edit similarity (difflib ratio) reaches this, or when
# it is within allowed_edits(key) insertions, deletions, substitutions or transpositions.
MIN_FUZZY_RATIO = 0.85
# Titles listed in an ambiguity or unknown-title message.
MAX_LISTED = 5
_CANDIDATES = 24
_KINDS = {"full": 0, "main": 1, "segment": 2}   # on equal spelling distance, the whole title wins
_APOSTROPHES = re.compile(r"['’‘`´]")
_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")
_SEGMENT = re.compile(r"\s*:\s*|\s+[-–—]\s+")
_ARTICLES = frozenset({"the", "a", "an"})
_ROMAN = re.compile(r"(x{0,3})(ix|iv|v?i{0,3})")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}
# Titles made about another title: "Making The Witcher", "Cobra Kai - The Afterparty".
_COMPANION = re.compile(
    r"^(?:making|creating|beyond|inside the real|the road to)\b|\b(?:afterparty|behind the scenes|a look inside)\b"
)


# What people add after a title that no catalogue title has: "season 2", "part 4", "s02", "2016", "2".
_SEASON_SUFFIX = re.compile(r"^(.*\S)\s+(?:season|series|part|volume|vol|chapter|s)\s*0*(?:\d+|[ivx]+)$")
_YEAR_SUFFIX = re.compile(r"^(.*\S)\s+((?:19|20)\d\d)$")
_NUMBER_SUFFIX = re.compile(r"^(.*\S)\s+\d{1,2}$")


def title_key(title: str) -> str:
    """normalize_text without apostrophes and without the word 'and', which '&' may or may not be typed as."""
    return " ".join(word for word in _with_and(title).split() if word != "and")


def _with_and(title: str) -> str:
    return normalize_text(_APOSTROPHES.sub("", title))


def _roman(word: str) -> int | None:
    if not word or _ROMAN.fullmatch(word) is None:
        return None
    values = [_ROMAN_VALUES[c] for c in word]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def canonical_key(key: str, *, single_letters: bool = True) -> str:
    """Roman numerals as arabic numbers ('rocky ii' -> 'rocky 2'). A one-letter numeral (i, v, x)
    counts only as the last word of a longer title ('Rocky V', not 'V for Vendetta'), and only
    with single_letters (a typo easily leaves a stray letter)."""
    words = key.split()
    last = len(words) - 1
    out = []
    for n, word in enumerate(words):
        value = _roman(word) if len(word) > 1 or (single_letters and n == last and n > 0) else None
        out.append(str(value) if value is not None else (str(int(word)) if word.isdigit() and word.isascii() else word))
    return " ".join(out)


def numbers(key: str) -> tuple[str, ...]:
    """The numbers in a canonical key, sorted."""
    return tuple(sorted(word for word in key.split() if word.isdigit()))


def strip_article(key: str) -> str:
    words = key.split()
    return " ".join(words[1:]) if len(words) > 1 and words[0] in _ARTICLES else key


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


class UnresolvedTitle(ValueError):
    """A typed title that does not name one catalogue title; `suggestions` are titles to try."""

    def __init__(self, query: str, suggestions: list[str], message: str):
        self.query = query
        self.suggestions = suggestions
        super().__init__(message)


class UnknownTitle(UnresolvedTitle):
    """No catalogue title is close enough; suggests titles with the typed words, then near spellings."""

    def __init__(self, query: str, suggestions: list[str]):
        hint = f" Did you mean: {'; '.join(suggestions)}?" if suggestions else ""
        super().__init__(query, suggestions, f"unknown title {query[:200]!r}.{hint} "
                         "To search by words instead, send them as 'description'.")


class AmbiguousTitle(UnresolvedTitle):
    """Several catalogue titles fit the typed one equally well."""

    def __init__(self, query: str, suggestions: list[str]):
        super().__init__(query, suggestions, f"title {query[:200]!r} fits several titles: "
                         f"{'; '.join(suggestions)}. Send the one you mean as 'title'.")


class TitleIndex:
    """Maps typed titles to catalogue positions, trying in order:

    1. the whole title ('DEATH NOTE' and 'Death Note' share a key: the exact spelling
       wins, then the newest release);
    2. the title without a leading article or a trailing qualifier ('office' -> 'The Office (U.S.)');
    3. the part before ':' or ' - ' ('tiger king');
    4. the last two or more words of one title ('hill house', 'bly manor');
    5. near spellings (character n-gram candidates checked by edit distance);
    6. the start of a title ('narcos mex');
    7. when none of these fits, the same without what people add after a title: a season or
       part ('the witcher season 2', 'narcos s02'), a release year ('the crown 2016', which also
       picks that year's title among same-named ones) or a number ('stranger things 2'); a
       season, part or number only for a title no numbered title continues ('rocky 6' stays unknown).
    Within a step, titles made about another title ('Making The Witcher') give way to it;
    two or more equally good titles raise AmbiguousTitle.
    """

    def fit(self, titles: list[str], release_years: list[int]) -> TitleIndex:
        self.titles_ = np.asarray(titles, dtype=object)
        self.years_ = np.asarray(release_years, dtype=np.int64)
        self.keys_ = np.asarray([title_key(t) for t in titles], dtype=object)
        self.max_words_ = max((len(key.split()) for key in self.keys_), default=0)
        bases = [_QUALIFIER.sub("", t) or t for t in titles]
        self.base_keys_ = [canonical_key(title_key(b)) for b in bases]
        self.companion_ = np.array([bool(_COMPANION.search(k)) for k in self.keys_])
        order = sorted(range(len(titles)), key=lambda i: (-int(release_years[i]), i))
        self.full_, self.main_, self.segment_, self.ends_ = {}, {}, {}, {}
        entries: dict[tuple[str, int], str] = {}   # (plain key, position) -> kind, for spelling matches
        for i in order:
            full = canonical_key(self.keys_[i])
            self.full_.setdefault(full, []).append(i)
            for key in {strip_article(full), self.base_keys_[i], strip_article(self.base_keys_[i])} - {full}:
                self.main_.setdefault(key, []).append(i)
            words = self.base_keys_[i].split()
            for start in range(1, len(words) - 1):   # the last two or more words, not the whole title
                self.ends_.setdefault(" ".join(words[start:]), []).append(i)
            entries[(self.keys_[i], i)] = "full"
            entries.setdefault((_with_and(titles[i]), i), "full")   # a typo in 'and' ('adn') keeps it a word
            entries.setdefault((strip_article(title_key(bases[i])), i), "main")
            parts = _SEGMENT.split(bases[i], maxsplit=1)
            if len(parts) == 2 and title_key(parts[0]):
                segment = canonical_key(title_key(parts[0]))
                for key in {segment, strip_article(segment)}:
                    self.segment_.setdefault(key, []).append(i)
                entries.setdefault((strip_article(title_key(parts[0])), i), "segment")
        self.prefix_keys_ = sorted((key, i) for table in (self.full_, self.main_) for key, ps in table.items() for i in ps)
        self.entries_ = [(key, i, _KINDS[kind]) for (key, i), kind in entries.items()]
        self.entry_numbers_ = [numbers(canonical_key(key)) for key, _, _ in self.entries_]
        entry_keys = [key for key, _, _ in self.entries_]
        # Trigrams find long titles; bigrams find short ones with a swapped or missing letter.
        self.vectorizers_ = [
            TfidfVectorizer(analyzer="char_wb", ngram_range=(n, n), dtype=np.float32) for n in (3, 2)
        ]
        self.matrices_ = [v.fit_transform(entry_keys).T.tocsr() for v in self.vectorizers_]
        self.words_: dict[str, set[int]] = {}
        for i, key in enumerate(self.keys_):
            for word in canonical_key(key).split():
                self.words_.setdefault(word, set()).add(i)
        return self

    def resolve(self, title: str) -> int:
        """Catalogue position of the title the user meant; UnknownTitle or AmbiguousTitle otherwise."""
        plain = title_key(title)
        if not plain:
            raise UnknownTitle(title, [])
        try:
            return self._resolve(title, plain)
        except UnknownTitle:
            for shorter, year in _without_suffix(plain):
                # 'rocky 6' is not Rocky: a typed number never lands on a series of numbered titles
                if year is None and self._numbered(canonical_key(shorter)):
                    continue
                try:
                    return self._in_year(self._resolve(shorter, shorter, prefixes=False), year)
                except UnknownTitle:
                    continue
            raise

    def _numbered(self, key: str) -> bool:
        """Whether a title whose words start with key's words carries a number ('rocky' -> Rocky II)."""
        return any((found == key or found.startswith(key + " ")) and numbers(canonical_key(self.keys_[position]))
                   for found, position in self._starting_with(key))

    def same_named(self, position: int) -> list[int]:
        """The titles whose whole name is the one at position ('DEATH NOTE', 'Death Note'): position
        first, then the others newest first."""
        same = self.full_.get(canonical_key(self.keys_[position]), [])
        return [position, *(i for i in same if i != position)]

    def _in_year(self, position: int, year: int | None) -> int:
        """The title named like the one at position that was released in year, else position."""
        return next((i for i in self.same_named(position) if self.years_[i] == year), position)

    def _resolve(self, title: str, plain: str, *, prefixes: bool = True) -> int:
        """resolve's steps 1-6; without the prefixes step for a key a suffix was taken from
        ('brooklyn 99' is not "Brooklyn's Finest")."""
        key = canonical_key(plain)
        spelled_out = self._spelled_out(title, key)
        if spelled_out is not None:
            return spelled_out
        ending = self._ending(key)
        if ending is not None:
            return ending
        spelled = self._spelling(plain)
        if spelled is not None:
            return self._one(title, spelled, key)
        started = self._prefixed(key) if prefixes else None
        if started:
            return self._one(title, started, key)
        raise UnknownTitle(title, self._suggestions(plain, key))

    def named(self, words: list[str]) -> int | None:
        """Position of the title these words (as title_key leaves them) spell in full: the whole
        title, or it without its article or qualifier, or the part before ':' (resolve's first three
        steps). None when they spell none; AmbiguousTitle when they spell several equally well. For
        a title named inside free text, where resolve's near spellings and prefixes would turn
        ordinary words into titles."""
        if not 0 < len(words) <= self.max_words_:
            return None
        typed = " ".join(words)
        return self._spelled_out(typed, canonical_key(typed))

    def _spelled_out(self, title: str, key: str) -> int | None:
        """resolve's first three steps for the typed title and its canonical key: the whole title
        (its exact spelling first, then the newest), the title without article or qualifier, the part
        before ':'. None when none fits; AmbiguousTitle when several fit equally well."""
        if key in self.full_:
            positions = self.full_[key]
            return next((i for i in positions if self.titles_[i] == title.strip()), positions[0])
        for table in (self.main_, self.segment_):
            found = table.get(key) or table.get(strip_article(key))
            if found:
                return self._one(title, found, key)
        return None

    def _ending(self, key: str) -> int | None:
        """The one title whose last words the typed words are ('hill house' is The Haunting of Hill
        House, not the near spelling "His House"); None when no title or several end so."""
        return self._single(self.ends_.get(key) or self.ends_.get(strip_article(key)) or [])

    def _main(self, positions: list[int]) -> list[int]:
        """positions without the titles made about another title, unless that is all of them."""
        return [i for i in positions if not self.companion_[i]] or positions

    def _single(self, positions: list[int]) -> int | None:
        """The title positions stand for when they are one title (in several language versions),
        titles made about it set aside; None when they are several, or none."""
        main = self._main(positions)
        return main[0] if main and len({self.base_keys_[i] for i in main}) == 1 else None

    def _one(self, title: str, positions: list[int], key: str) -> int:
        """The one position the user meant among equally good ones, or AmbiguousTitle
        listing them (shortest first), then other titles starting with the typed key."""
        single = self._single(positions)
        if single is not None:
            return single
        listed = sorted(dict.fromkeys(self._main(positions)), key=lambda i: (len(self.keys_[i]), i))
        listed += sorted(self._prefixed(key), key=lambda i: (bool(self.companion_[i]), len(self.keys_[i]), i))
        raise AmbiguousTitle(title, list(dict.fromkeys(str(self.titles_[i]) for i in listed))[:MAX_LISTED])

    def _candidates(self, plain: str) -> list[int]:
        """Indices into entries_ whose character n-grams are closest to plain."""
        found: dict[int, None] = {}
        for vectorizer, matrix in zip(self.vectorizers_, self.matrices_):
            scores = (vectorizer.transform([plain]) @ matrix).toarray().ravel()
            n = min(_CANDIDATES, scores.size)
            top = np.argpartition(-scores, n - 1)[:n]
            found.update((int(e), None) for e in top[np.lexsort((top, -scores[top]))] if scores[e] > 0)
        return list(found)

    def _scored(self, plain: str) -> list[tuple[int, int, int, float, int]]:
        """(edit distance, number mismatch, kind, -ratio, position) of spelling candidates, best
        first. A candidate whose numbers differ from the typed numbers is left out."""
        typed = numbers(canonical_key(plain, single_letters=False))
        limit = allowed_edits(plain)
        best: dict[int, tuple[int, int, int, float, int]] = {}
        for e in self._candidates(plain):
            entry, position, kind = self.entries_[e]
            if typed and self.entry_numbers_[e] != typed:
                continue
            score = (edit_distance(plain, entry, limit), int(self.entry_numbers_[e] != typed), kind,
                     -SequenceMatcher(None, plain, entry).ratio(), position)
            best[position] = min(best.get(position, score), score)
        return sorted(best.values())

    def _spelling(self, plain: str) -> list[int] | None:
        """Positions of the nearest spelling, with any equally near ones; None when none is near."""
        scored = self._scored(plain)
        near = [s for s in scored if s[0] <= allowed_edits(plain)]
        if near:
            return [s[-1] for s in near if s[:-1] == near[0][:-1]]
        by_ratio = sorted(scored, key=lambda s: (s[1], s[3], s[2], s[4]))
        if by_ratio and -by_ratio[0][3] >= MIN_FUZZY_RATIO:
            return [s[-1] for s in by_ratio if s[1:4] == by_ratio[0][1:4]]
        return None

    def _prefixed(self, key: str) -> list[int]:
        """Positions of titles that start with the typed key (or with it without its article)."""
        found: dict[int, None] = {}
        for start in dict.fromkeys((key, strip_article(key))):
            found.update((position, None) for _, position in self._starting_with(start))
        return list(found)

    def _starting_with(self, start: str):
        """(key, position) of the full and main keys that start with the string start, in key order."""
        at = bisect.bisect_left(self.prefix_keys_, (start, -1))
        while at < len(self.prefix_keys_) and self.prefix_keys_[at][0].startswith(start):
            yield self.prefix_keys_[at]
            at += 1

    def _suggestions(self, plain: str, key: str) -> list[str]:
        """Titles holding every typed word (shortest first), then the nearest spellings."""
        words = [w for w in key.split() if w not in _ARTICLES] or key.split()
        holding = set.intersection(*(self.words_.get(w, set()) for w in words))
        listed = sorted(holding, key=lambda i: (len(self.keys_[i]), i))
        listed += [s[-1] for s in sorted(self._scored(plain), key=lambda s: (s[3], s[-1]))]
        return list(dict.fromkeys(str(self.titles_[i]) for i in listed))[:MAX_LISTED]


def _without_suffix(plain: str) -> list[tuple[str, int | None]]:
    """The typed key without a trailing season or part, year, or number, each with the year it
    names (None for the others): what resolve tries when the whole key fits no title."""
    found = []
    for pattern in (_SEASON_SUFFIX, _YEAR_SUFFIX, _NUMBER_SUFFIX):
        match = pattern.match(plain)
        if match:
            found.append((match.group(1), int(match.group(2)) if pattern is _YEAR_SUFFIX else None))
    return found
