"""Text analysers: how titles, descriptions, genre labels and free text become tokens."""

from __future__ import annotations

import re

import Stemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from .catalog import normalize_text
from .vocab import COUNTRY_WORDS

_ROMAN_OR_NUMBER = re.compile(r"^(?:\d+|[ivx]+)$")
_ARTICLES = frozenset({"the", "a", "an"})
# English stop words, and 'like', which in a wish is almost always "something like", "feel like"
# (as a description word it made reasons such as "about: like").
STOP_WORDS = ENGLISH_STOP_WORDS | {"like"}
# Words in genre labels that carry no topic: "International TV Shows" -> nothing.
GENRE_FILLER = frozenset({"movies", "movie", "tv", "shows", "show", "international", "features", "and"})


class WordAnalyzer:
    """normalise -> words -> drop stop words -> stem -> n-grams.

    A picklable callable for TfidfVectorizer(analyzer=...). Snowball stemmers cannot be
    pickled (nor called from two threads at once), so each call makes its own, without the
    stemmer's word cache: a fresh cache costs more to fill than it saves on one text.
    """

    def __init__(self, *, ngram_max: int = 1, drop_numbers: bool = False):
        self.ngram_max = ngram_max
        self.drop_numbers = drop_numbers

    def words(self, text: str) -> list[str]:
        """Normalised, stop-word-free, stemmed words of text."""
        return self.stems(normalize_text(text).split())

    def stems(self, words: list[str]) -> list[str]:
        """words(text) from the words of normalize_text(text)."""
        words = [
            w for w in words
            if w not in STOP_WORDS and not (self.drop_numbers and _ROMAN_OR_NUMBER.match(w))
            and (len(w) > 1 or w.isdigit())
        ]
        return Stemmer.Stemmer("english", 0).stemWords(words)

    def grams(self, words: list[str]) -> list[str]:
        """The words, then their n-grams up to ngram_max."""
        grams = list(words)
        for n in range(2, self.ngram_max + 1):
            grams.extend(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))
        return grams

    def __call__(self, text: str) -> list[str]:
        return self.grams(self.words(text))


_SEGMENT = re.compile(r":| - ")
# "(Hindi Version)", "(Tamil)": a language version of one work, not part of its name.
_VERSION_SUFFIX = re.compile(r"\s*\([^()]*\)\s*$")


class TitleAnalyzer(WordAnalyzer):
    """Title tokens that reward shared series names, not shared common words.

    'Narcos: Mexico' -> 'narco mexico' (the whole title), 'narco' (before the colon),
    'narco mexico' (bigram). Sequel numbers and roman numerals are dropped; single words
    are tokens only when the title (or its segment) is one word, so 'The Strangers'
    no longer looks like 'Stranger Things'. The whole title and the segment keep their stop
    words, all but articles ('we are your friend'): 'We Are Your Friends' is not named like
    'Friends', nor 'Call My Agent!' like 'Agent'. The bigrams leave stop words out.
    """

    def __init__(self):
        super().__init__(ngram_max=2, drop_numbers=True)

    def __call__(self, text: str) -> list[str]:
        return self.tokens(text)

    def tokens(self, text: str, normalized: list[str] | None = None) -> list[str]:
        """The tokens of text; normalized: the words of normalize_text(text), when the caller has them."""
        stripped = _VERSION_SUFFIX.sub("", text)
        if normalized is None or stripped != text:
            normalized = normalize_text(stripped).split()
        name = self.name_stems(normalized)
        tokens = [" ".join(name)] if name else []
        head = _SEGMENT.split(stripped, maxsplit=1)[0]
        if head != stripped:   # a series name before a colon or dash
            head_name = self.name_stems(normalize_text(head).split())
            if head_name and head_name != name:
                tokens.append(" ".join(head_name))
        words = self.stems(normalized)
        tokens.extend(" ".join(words[i:i + 2]) for i in range(len(words) - 1))
        return tokens

    @staticmethod
    def name_stems(words: list[str]) -> list[str]:
        """Stemmed words that name a title: all but articles, sequel numbers and single letters;
        none when only stop words are left ('5 to 7' -> 'to' would be named by any text with 'to')."""
        kept = [w for w in words if w not in _ARTICLES and not _ROMAN_OR_NUMBER.match(w) and len(w) > 1]
        if all(w in STOP_WORDS for w in kept):
            return []
        return Stemmer.Stemmer("english", 0).stemWords(kept)


def shingles(text: str, sizes: tuple[int, ...] = (1, 2, 3)) -> list[str]:
    """Runs of 1..3 normalised words: how free text meets name-like vocabularies."""
    return _runs(normalize_text(text).split(), sizes)


def _runs(words: list[str], sizes: tuple[int, ...]) -> list[str]:
    return [" ".join(words[i:i + n]) for n in sizes for i in range(len(words) - n + 1)]


def country_tokens(runs: list[str]) -> list[str]:
    """Runs of words plus the countries their demonyms name ('korean' -> 'south korea')."""
    return runs + [normalize_text(COUNTRY_WORDS[run]) for run in runs if run in COUNTRY_WORDS]


def topic_words(text: str, analyzer: WordAnalyzer) -> list[str]:
    """Stemmed words of text minus the genre filler ('movies', 'tv', 'international', ...)."""
    filler = set(analyzer.words(" ".join(GENRE_FILLER)))
    return [w for w in analyzer.words(text) if w not in filler]


def genre_tokens(genres: list[str], analyzer: WordAnalyzer) -> list[str]:
    """A genre label as itself plus its topical stemmed words ('Horror Movies' -> 'horror movies', 'horror')."""
    tokens = []
    for label in genres:
        tokens.append(normalize_text(label))
        tokens.extend(topic_words(label, analyzer))
    return tokens


class FreeTextAnalyzer:
    """Free text -> the tokens looked up in each block's vocabulary.

    description: stemmed words (and n-grams, as the description block was fitted);
    title: the title analyser; genre: topic words and runs of 2-3 words ("stand up comedy");
    people: runs of 2-3 words (names); country: runs of 1-3 words plus the countries their
    demonyms name ("from South Korea", "korean").
    """

    def __init__(self, *, ngram_max: int = 1):
        self.words = WordAnalyzer(ngram_max=ngram_max)
        self.title = TitleAnalyzer()
        self.filler = frozenset(self.words.words(" ".join(GENRE_FILLER)))

    def __call__(self, text: str) -> dict[str, list[str]]:
        words = normalize_text(text).split()
        stems = self.words.stems(words)
        two_three = _runs(words, (2, 3))
        return {
            "description": self.words.grams(stems),
            "title": self.title.tokens(text, words),
            "genre": [s for s in stems if s not in self.filler] + two_three,
            "people": two_three,
            "country": country_tokens(_runs(words, (1, 2, 3))),
        }
