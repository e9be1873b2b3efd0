"""Query understanding: who, what kind, where from, which years, how long, and what is left to
match as words.

QueryParser().fit(catalog).parse("an Amitabh Bachchan drama") ->
ParsedQuery(people=(Person("Amitabh Bachchan", role="any", ...),), genres=("Dramas", "TV Dramas"), rest="an drama").

People come first (people_names.PeopleNames: the longest runs of words that spell a catalogue
director or cast name of 2+ words, or a surname one person has). The other words are respelled
where they misspell an intent word (spelling.Respeller: 'horor'), then genre, type, country, year
and length words (lengths.py) are looked for in them, so a name's words never also count as intent
or description words. The word lists are in intent_words.py; only labels and countries the fitted
catalogue has are returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .analyzers import STOP_WORDS
from .catalog import CAST, COUNTRY, DESCRIPTION, DIRECTOR, LISTED_IN, RELEASE_YEAR, TITLE, TYPE, normalize_text
from .intent_words import (
    ADULT_EXCLUDES, ADULT_WORDS, AFTER_WORDS, AMBIGUOUS_COUNTRY_NAMES, ASKING_PHRASES, BEFORE_WORDS, DECADE_WORDS,
    FIGURATIVE_PHRASES, FILM_SERIES_GENRES, GENRE_WORDS, NEGATION_CUES, NEGATION_FILLERS, NEW_THINGS, RECENT_WORDS,
    RECENT_YEARS, REGION_WORDS, SINCE_WORDS, TABLE_WORDS, TELLING_PHRASES, TYPE_WORDS,
)
from .lengths import Length, parse_length
from .people_names import Person, PeopleNames
from .spelling import Respeller
from .vocab import COUNTRY_WORDS

_YEAR_CUES = BEFORE_WORDS | SINCE_WORDS | AFTER_WORDS
_CUE_STARTS = frozenset(cue[0] for cue in NEGATION_CUES)


@dataclass(frozen=True)
class ParsedQuery:
    text: str                      # as typed
    people: tuple[Person, ...]
    genres: tuple[str, ...]        # catalogue genre labels, sorted
    countries: tuple[str, ...]     # catalogue country names, sorted
    types: tuple[str, ...]         # ('Movie',) or ('TV Show',) when the text names one kind, else ()
    years: tuple[int, int] | None  # release years asked for ("90s", "before 1970", "recent"), inclusive
    rest: str                      # normalised text without the people, their role words, what it leaves
                                   # out, how it is told ("slow burn": intent_words.TELLING_PHRASES) and
                                   # how long ("under 90 minutes": `length`)
    # (word, what it names) for each of the rest's words that is not a stop word: the genres,
    # countries, type and years it names, alone or in a pair (QueryParser.word_facets; parse only);
    # and for each word that says the length, the length
    facets: tuple[tuple[str, frozenset], ...] = ()
    # ('genre' | 'country' | 'type', label) the text says it does not want ("no horror"), minus what it asks for
    excluded: tuple[tuple[str, str], ...] = ()
    length: Length | None = None   # a film's minutes, a series' seasons ("a short movie", "one season")


class QueryParser(BaseEstimator):
    """Finds catalogue people, genre labels, countries and types named in free text."""

    def __init__(self, *, common_min_count: int = 5):
        # A name whose every word is used this often in lower case in the descriptions ("Mark
        # Strong", "Big Boy", "King & Prince") is a person only after a role word ("with Mark Strong").
        self.common_min_count = common_min_count

    def fit(self, catalog: pd.DataFrame) -> QueryParser:
        missing = {DIRECTOR, CAST, LISTED_IN, COUNTRY, TYPE, TITLE, DESCRIPTION, RELEASE_YEAR} - set(catalog.columns)
        if missing:
            raise ValueError(f"catalog lacks columns {sorted(missing)}; pass it through catalog.clean_catalog")
        if not isinstance(self.common_min_count, int) or self.common_min_count < 1:
            raise ValueError(f"common_min_count must be an int >= 1, got {self.common_min_count!r}")
        self.year_range_ = (int(catalog[RELEASE_YEAR].min()), int(catalog[RELEASE_YEAR].max()))
        self.names_ = PeopleNames().fit(catalog, common_min_count=self.common_min_count)
        label_types: dict[str, set[str]] = {}
        for labels, kind in zip(catalog[LISTED_IN], catalog[TYPE]):
            for label in labels:
                label_types.setdefault(label, set()).add(kind)
        self.genre_types_ = {label: tuple(sorted(kinds)) for label, kinds in label_types.items()}
        self.genre_phrases_ = {
            tuple(phrase.split()): tuple(sorted(set(labels) & set(label_types)))
            for phrase, labels in GENRE_WORDS.items() if set(labels) & set(label_types)
        }
        self.country_phrases_ = self._country_phrases({c for names in catalog[COUNTRY] for c in names})
        figurative = (tuple(phrase.split()) for phrase in FIGURATIVE_PHRASES)
        self.figurative_ = {phrase: self.genre_phrases_[phrase] for phrase in figurative
                            if phrase in self.genre_phrases_}
        # how a story is told, and what only asks: dropped from the rest
        self.unread_ = {tuple(phrase.split()): () for phrase in TELLING_PHRASES | ASKING_PHRASES}
        self.unread_starts_ = frozenset(p[0] for p in self.unread_)
        self.adult_ = {tuple(phrase.split()): () for phrase in ADULT_WORDS}
        self.adult_starts_ = frozenset(p[0] for p in self.adult_)
        # 'horor' -> 'horror': a word no title, description or name has, near a one-word intent word
        self.respell_ = Respeller(
            targets=[p[0] for p in (*self.genre_phrases_, *self.country_phrases_) if len(p) == 1] + list(TYPE_WORDS),
            known={w for column in (DESCRIPTION, TITLE) for text in catalog[column]
                   for w in normalize_text(text).split()}
            | {w for name in self.names_.people_ for w in name} | STOP_WORDS | TABLE_WORDS,
        )
        self.adult_excludes_ = frozenset(("genre", label) for label in ADULT_EXCLUDES if label in label_types)
        self.max_phrase_words_ = max(len(p) for p in (*self.genre_phrases_, *self.country_phrases_, *self.unread_,
                                                      *self.adult_))
        self.phrase_starts_ = frozenset(p[0] for p in (*self.genre_phrases_, *self.country_phrases_))
        return self

    @staticmethod
    def _country_phrases(countries: set[str]) -> dict[tuple[str, ...], tuple[str, ...]]:
        """Country names, demonyms (vocab.COUNTRY_WORDS) and regions -> the catalogue countries they mean."""
        phrases: dict[tuple[str, ...], set[str]] = {}
        named = [(c, (c,)) for c in countries if normalize_text(c) not in AMBIGUOUS_COUNTRY_NAMES]
        for word, names in (*named, *((w, (c,)) for w, c in COUNTRY_WORDS.items()), *REGION_WORDS.items()):
            phrases.setdefault(tuple(normalize_text(word).split()), set()).update(names)
        return {phrase: tuple(sorted(names & countries)) for phrase, names in phrases.items() if names & countries}

    # ---------------------------------------------------------------- parsing
    def parse(self, text: str) -> ParsedQuery:
        """People, genres, countries and types named in text, and the rest of its words."""
        check_is_fitted(self, "names_")
        parsed = self._parse_words(text, normalize_text(text).split())
        rest = parsed.rest.split()
        kept = [i for i, word in enumerate(rest) if word not in STOP_WORDS]
        words = [rest[i] for i in kept]
        figurative = self._figurative(rest)
        # a year after its cue names the cue's span ('after 2015': 2016 on); the cue is a stop word,
        # so word_facets saw the year alone and 'about: 2015' was matched as a word
        cued = [self._facets(rest[i - 1:i + 1]) if i and rest[i - 1] in _YEAR_CUES else set() for i in kept]
        facets = [frozenset(found | figurative[i] | more)
                  for found, i, more in zip(self.word_facets(words), kept, cued)]
        # the words that say a length are out of the rest, but name it ("under 90 minutes")
        length = [(w, frozenset({parsed.length})) for w in parsed.length.said
                  if w not in STOP_WORDS and w not in TYPE_WORDS] if parsed.length else []
        return replace(parsed, facets=(*zip(words, facets), *length))

    def for_title(self, parsed: ParsedQuery, title_genres: Sequence[str], title_type: str) -> ParsedQuery:
        """parsed, the words with a title's query, with the title's genres as the other type spells
        them when the words ask for that type and name no genre ("a movie like Stranger Things":
        TV Horror, TV Mysteries, TV Sci-Fi & Fantasy -> Horror Movies, Thrillers, Sci-Fi & Fantasy).
        No film carries a series' genre labels, so without them the list of films followed nothing
        of what the series is."""
        if parsed.genres or not parsed.types or parsed.types == (title_type,):
            return parsed
        carried = {other for film, series in FILM_SERIES_GENRES for label, other in ((film, series), (series, film))
                   if label in title_genres and parsed.types[0] in self.genre_types_.get(other, ())}
        return replace(parsed, genres=tuple(sorted(carried))) if carried else parsed

    def _figurative(self, words: list[str]) -> list[set]:
        """Per word, the genres of a figurative phrase it is part of ("edge of my seat", "feel good";
        intent_words.FIGURATIVE_PHRASES): its words name that genre and nothing else. word_facets
        reads the words without stop words and missed those with one inside ('seat', and 'family'
        in "for the whole family", named nothing)."""
        found: list[set] = [set() for _ in words]
        for start, stop, labels in self._spans(words, self.figurative_):
            for j in range(start, stop):
                found[j].update(labels)
        return found

    def _parse_words(self, text: str, words: list[str]) -> ParsedQuery:
        people, used = self.names_.find(words)
        rest, excluded = self._negated([self.respell_(w) for i, w in enumerate(words) if i not in used])
        unread = {j for start, stop, _ in self._spans(rest, self.unread_, self.unread_starts_)
                  for j in range(start, stop)}
        rest = [w for j, w in enumerate(rest) if j not in unread]
        length, said = parse_length(rest)     # an intent only: neither matched as words nor embedded
        # but "a limited series" still asks for a series ("one season" says so by its length)
        rest = [w for j, w in enumerate(rest) if j not in said or (w in TYPE_WORDS and not w.startswith("season"))]
        genres = self._phrases(rest, self.genre_phrases_)
        if self._for_grown_ups(rest, excluded):
            # "an adult cartoon", "a cartoon not for kids": no kids' titles, whatever 'cartoon' hints at
            genres = [g for g in genres if ("genre", g) not in self.adult_excludes_]
            excluded += self.adult_excludes_
        types = tuple(sorted({TYPE_WORDS[w] for w in rest if w in TYPE_WORDS}))
        if len(types) == 1:
            typed = [g for g in genres if types[0] in self.genre_types_[g]]
            genres = typed or genres
        countries = self._phrases(rest, self.country_phrases_)
        asked = {("genre", g) for g in genres} | {("country", c) for c in countries} | {("type", t) for t in types}
        return ParsedQuery(
            text=text, people=tuple(people), genres=tuple(sorted(set(genres))), countries=tuple(sorted(set(countries))),
            types=types if len(types) == 1 else (), years=self._years(rest), rest=" ".join(rest),
            excluded=tuple(sorted(set(excluded) - asked)), length=length,
        )

    def _for_grown_ups(self, rest: list[str], excluded: list[tuple[str, str]]) -> bool:
        """Whether the words say the wish is for grown-ups ('adult', 'grown ups': ADULT_WORDS) or
        leave the kids' genres out ("not for kids")."""
        said = next(self._spans(rest, self.adult_, self.adult_starts_), None) is not None
        return said or not self.adult_excludes_.isdisjoint(excluded)

    def _negated(self, words: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
        """(words without each negation cue and what it leaves out, the (facet, label) pairs left out).
        A cue ('no', 'not', 'without', 'anything but') leaves out the genre, country or type phrase
        that follows it, past a few fillers ("not too scary"): it is neither asked for nor matched.
        Other words after a cue stay, with the cue: they tell a premise ("a man with no memory")."""
        kept: list[str] = []
        excluded: list[tuple[str, str]] = []
        i = 0
        while i < len(words):
            cue = (next((len(c) for c in NEGATION_CUES if tuple(words[i:i + len(c)]) == c), 0)
                   if words[i] in _CUE_STARTS else 0)
            if not cue:
                kept.append(words[i])
                i += 1
                continue
            j = i + cue
            while j < len(words) and j < i + cue + 3 and words[j] in NEGATION_FILLERS:
                j += 1
            length, labels = self._facet_at(words, j)
            if not length:
                kept.append(words[i])
                i += 1
                continue
            excluded += labels
            i = j + length
        return kept, excluded

    def _facet_at(self, words: list[str], start: int) -> tuple[int, list[tuple[str, str]]]:
        """(length, (facet, label) pairs) of the longest genre, country or type phrase at words[start]
        (a genre's labels when a phrase names a genre and a country: 'anime'); (0, []) when none."""
        for n in range(min(self.max_phrase_words_, len(words) - start), 0, -1):
            phrase = tuple(words[start:start + n])
            if phrase in self.genre_phrases_:
                return n, [("genre", label) for label in self.genre_phrases_[phrase]]
            if phrase in self.country_phrases_:
                return n, [("country", label) for label in self.country_phrases_[phrase]]
            if n == 1 and phrase[0] in TYPE_WORDS:
                return 1, [("type", TYPE_WORDS[phrase[0]])]
        return 0, []

    def word_facets(self, words: list[str]) -> list[set]:
        """Per normalised word, the genres, countries, type and years it names: alone ("thriller"),
        or with its neighbour as a pair that names more than the two words do alone ("stand up",
        "south korea", "90 s"; both words then name the pair's too, unless each already names
        something). What parse() of each word and each pair says; only the words and pairs that
        can name something are parsed."""
        check_is_fitted(self, "names_")
        single = [self._facets([word]) if self._may_name(word) else set() for word in words]
        named = [set(found) for found in single]
        for i, pair in enumerate(zip(words, words[1:])):
            if not (named[i] and named[i + 1]) and self._may_name_more(pair):
                more = self._facets(list(pair)) - single[i] - single[i + 1]
                if more:
                    named[i] |= more
                    named[i + 1] |= more
        return named

    def _facets(self, words: list[str]) -> set:
        parsed = self._parse_words(" ".join(words), words)
        return {*parsed.genres, *parsed.countries, *parsed.types, *([parsed.years] if parsed.years else [])}

    def _may_name(self, word: str) -> bool:
        """Whether parse([word]) can find anything: a one-word phrase, a type word or a year word."""
        return ((word,) in self.genre_phrases_ or (word,) in self.country_phrases_ or word in TYPE_WORDS
                or word in DECADE_WORDS or word in RECENT_WORDS or (len(word) == 4 and word.isdigit()))

    def _may_name_more(self, pair: tuple[str, str]) -> bool:
        """Whether a pair with a word that names nothing alone can name more than its words: as a
        two-word phrase, a decade ("90 s"), a year after a cue ("since 2010") or "new releases".
        Otherwise its genres, countries, type and years are its other word's (or fewer, if the pair
        is a name)."""
        a, b = pair
        return (pair in self.genre_phrases_ or pair in self.country_phrases_ or b == "s"
                or (a in _YEAR_CUES and b.isdigit()) or (a == "new" and b in NEW_THINGS))

    def _years(self, words: list[str]) -> tuple[int, int] | None:
        """The span of every decade, year or 'recent' in words, within the catalogue's years."""
        first, last = self.year_range_
        tokens = f" {' '.join(words)} ".replace(" s ", "s ").split()    # "90's" -> "90 s" -> "90s"
        spans = []
        for i, word in enumerate(tokens):
            before = tokens[i - 1] if i else ""
            if word in DECADE_WORDS:
                spans.append((DECADE_WORDS[word], DECADE_WORDS[word] + 9))
            elif word in RECENT_WORDS or (word == "new" and tokens[i + 1:i + 2] and tokens[i + 1] in NEW_THINGS):
                spans.append((last - RECENT_YEARS + 1, last))
            elif len(word) == 4 and word.isdigit() and 1900 <= int(word) <= 2099:
                year = int(word)
                spans.append(
                    (first, year - 1) if before in BEFORE_WORDS else (year, last) if before in SINCE_WORDS
                    else (year + 1, last) if before in AFTER_WORDS else (year, year)
                )
        spans = [(max(a, first), min(b, last)) for a, b in spans if max(a, first) <= min(b, last)]
        return (min(a for a, _ in spans), max(b for _, b in spans)) if spans else None

    def _phrases(self, words: list[str], table: dict[tuple[str, ...], tuple[str, ...]]) -> list[str]:
        """Labels of the longest known phrases in words, left to right."""
        return [label for _, _, labels in self._spans(words, table) for label in labels]

    def _spans(self, words: list[str], table: dict[tuple[str, ...], tuple[str, ...]], starts: frozenset | None = None):
        """(start, stop, labels) of the longest phrases of table in words, left to right, none
        overlapping; table's phrases start with one of starts (by default phrase_starts_, the
        genre and country phrases')."""
        starts = self.phrase_starts_ if starts is None else starts
        i = 0
        while i < len(words):
            if words[i] not in starts:
                i += 1
                continue
            for n in range(min(self.max_phrase_words_, len(words) - i), 0, -1):
                labels = table.get(tuple(words[i:i + n]))
                if labels is not None:
                    yield i, i + n, labels
                    i += n
                    break
            else:
                i += 1

