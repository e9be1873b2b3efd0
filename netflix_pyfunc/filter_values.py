"""Filter values as people say them, mapped onto the catalogue's own labels.

Countries by name, common name, code or demonym ('USA', 'UK', 'Britain', 'Korea', 'korean'), and
regions by adjective or name ('nordic', 'latin america');
genres by their word in any form ('comedy', 'comedies', 'rom-com', 'docs', 'anime'), reaching
every label that carries it, for movies and TV alike. CountryNames and GenreNames are built
once from the catalogue's labels (the per-label work happens there); their `match` takes the
wanted values and returns, per wanted value, the groups of labels a title must touch (one
label of every group), or raises InvalidRequest naming the closest valid values: for a genre,
the labels a near spelling names ('thriler') or the genre a word asks for in a wish ('zombie':
the horror labels), and none when nothing is near ('war' is not like "Horror Movies").
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import Sequence

from .catalog import normalize_text
from .intent_words import GENRE_WORDS as WISH_GENRES, REGION_WORDS
from .params import InvalidRequest
from .spelling import SPELLING_CUTOFF
from .vocab import COUNTRY_WORDS

Groups = tuple[tuple[str, ...], ...]

# Common names and codes; demonyms come from vocab.COUNTRY_WORDS. Values are catalogue labels.
COUNTRY_NAMES = {
    "us": "United States", "usa": "United States", "u s": "United States", "u s a": "United States",
    "america": "United States", "united states of america": "United States", "states": "United States",
    "uk": "United Kingdom", "u k": "United Kingdom", "gb": "United Kingdom", "britain": "United Kingdom",
    "great britain": "United Kingdom", "england": "United Kingdom", "scotland": "United Kingdom",
    "wales": "United Kingdom", "northern ireland": "United Kingdom", "english": "United Kingdom",
    "korea": "South Korea", "republic of korea": "South Korea", "kr": "South Korea",
    "holland": "Netherlands", "the netherlands": "Netherlands", "uae": "United Arab Emirates",
    "emirates": "United Arab Emirates", "czechia": "Czech Republic", "hk": "Hong Kong",
    "ussr": "Soviet Union", "jp": "Japan", "de": "Germany", "fr": "France", "es": "Spain", "it": "Italy",
    "mx": "Mexico", "ca": "Canada", "au": "Australia", "br": "Brazil", "cn": "China", "nz": "New Zealand",
}

# Regions: the catalogue countries they stand for (any of them), by adjective or by name.
REGIONS = {
    **{word: countries for word, countries in REGION_WORDS.items() if len(countries) > 1},
    "scandinavia": REGION_WORDS["scandinavian"], "nordics": REGION_WORDS["nordic"],
    "latin america": REGION_WORDS["latin american"],
}

# Words people use for a genre -> the words catalogue labels use for it (any of them).
GENRE_WORDS = {
    "comedy": ("comedy",), "comedic": ("comedy",), "funny": ("comedy",), "humor": ("comedy",),
    "humour": ("comedy",), "sitcom": ("comedy",),
    "romance": ("romantic",), "romantic": ("romantic",), "love": ("romantic",),
    "thriller": ("thriller",), "suspense": ("thriller",), "scary": ("horror",), "horror": ("horror",),
    "documentary": ("documentary", "docuseries"), "doc": ("documentary", "docuseries"),
    "docu": ("documentary", "docuseries"), "docuseries": ("documentary", "docuseries"),
    "kid": ("kid", "children"), "child": ("kid", "children"), "children": ("kid", "children"),
    "family": ("family", "kid"),
    "music": ("music",), "musical": ("musical",), "lgbt": ("lgbtq",), "lgbtq": ("lgbtq",),
    "gay": ("lgbtq",), "queer": ("lgbtq",), "indie": ("independent",), "christian": ("faith",),
    "religious": ("faith",), "spiritual": ("spirituality",), "foreign": ("international",),
    "sport": ("sport",), "mystery": ("mystery",), "detective": ("mystery", "crime"),
}
# Phrases read as other words before splitting: normalize_text has already turned '-' into ' '.
GENRE_PHRASES = {
    "rom com": "romantic comedy", "romcom": "romantic comedy", "science fiction": "sci fi",
    "scifi": "sci fi", "standup": "stand up", "k drama": "korean", "kdrama": "korean",
    "korean drama": "korean", "korean dramas": "korean",
    "talk show": "talk", "documentaries": "documentary", "docs": "documentary",
}
_LISTED = 6


def _stem(word: str) -> str:
    """Singular of a label or query word: 'comedies' -> 'comedy', 'thrillers' -> 'thriller'."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us")):
        return word[:-1]
    return word


# Words that say movie or TV, not what a title is about (the `type` param filters those).
_KIND_WORDS = frozenset(_stem(w) for w in ("movies", "films", "tv", "shows", "series"))


def _words(text: str) -> list[str]:
    text = normalize_text(text)
    for phrase, replacement in GENRE_PHRASES.items():
        text = f" {text} ".replace(f" {phrase} ", f" {replacement} ").strip()
    return [_stem(w) for w in text.split() if w != "and"]


def _unknown(kind: str, value: str, closest: Sequence[str], hint: str = "") -> InvalidRequest:
    """InvalidRequest naming the closest valid values, or saying there are none, then hint."""
    said = f"closest valid values: {', '.join(closest)}" if closest else f"no {kind} is named like it"
    return InvalidRequest(f"unknown {kind} {value[:50]!r}; {said}{hint}")


class CountryNames:
    """The catalogue's country labels by every name people use for them; fitted once, so a
    request only looks its values up."""

    def __init__(self, labels: Sequence[str]):
        self.labels = list(labels)
        self.by_key = {normalize_text(label): label for label in self.labels}
        names = {**COUNTRY_WORDS, **COUNTRY_NAMES}
        self.by_name = {key: self.by_key[normalize_text(label)] for key, label in names.items()
                        if normalize_text(label) in self.by_key}
        self.regions = {key: found for key, countries in REGIONS.items()
                        if (found := tuple(self.by_key[c] for c in map(normalize_text, countries) if c in self.by_key))}

    def match(self, wanted: Sequence[str]) -> list[Groups]:
        """Per wanted country, the one catalogue label it names, ((label,),), or for a region
        ('nordic', 'latin america') its countries in the catalogue, any of them: ((label, ...),)."""
        found = []
        for value in wanted:
            key = normalize_text(value)
            label = self.by_key.get(key) or self.by_name.get(key)
            if label is not None:
                found.append(((label,),))
            elif key in self.regions:
                found.append((self.regions[key],))
            else:
                raise _unknown("country", value, self._closest(key))
        return found

    def _closest(self, key: str) -> list[str]:
        """The labels whose names are spelled most like key, or the shortest labels."""
        names = {**self.by_key, **self.by_name}
        close = get_close_matches(key, list(names), n=_LISTED, cutoff=0.5)
        return list(dict.fromkeys(names[c] for c in close)) or sorted(self.labels, key=len)[:_LISTED]


class GenreNames:
    """The catalogue's genre labels by the words people use for them; each label's words are
    worked out once, so a request only reads its own values."""

    def __init__(self, labels: Sequence[str]):
        self.labels = list(labels)
        self.label_words = {label: frozenset(_words(label)) for label in self.labels}
        # Every word a value may be a near spelling of: the labels' own words and the aliases.
        words = {w for found in self.label_words.values() for w in found} | set(GENRE_WORDS)
        self.spellings = {word: held for word in sorted(words) if (held := self.holding(word))}

    def holding(self, word: str) -> tuple[str, ...]:
        """The labels with word, or a word GENRE_WORDS gives for it, among their words."""
        options = {_stem(w) for w in GENRE_WORDS.get(word, ())} | {word}
        return tuple(label for label, words in self.label_words.items() if words & options)

    def match(self, wanted: Sequence[str]) -> list[Groups]:
        """Per wanted genre, the labels a title must touch.

        Labels holding every typed word form one group ('tv comedies' -> TV Comedies; 'comedy' ->
        Comedies, TV Comedies, Stand-Up Comedy, ...). Otherwise each word is its own group and a
        title needs all of them ('rom-com' -> a romantic label and a comedy label).
        """
        found = []
        for value in wanted:
            words = _words(value)
            if not words:
                raise _unknown("genre", value, [])
            groups = [self.holding(word) for word in words]
            together = set.intersection(*(set(g) for g in groups))
            if together:
                found.append((tuple(label for label in self.labels if label in together),))
                continue
            topical = [g for word, g in zip(words, groups) if word not in _KIND_WORDS] or groups
            if not all(topical):
                asked, spelled = self._closest(value)
                # a misspelt genre ('horor') is not something to find titles about
                about = f". To find titles about {value[:50]!r}, send it as 'description'"
                hint = "" if spelled and not asked else about
                raise _unknown("genre", value, list(dict.fromkeys(asked + spelled))[:_LISTED], hint=hint)
            found.append(tuple(topical))
        return found

    def _closest(self, value: str) -> tuple[list[str], list[str]]:
        """(the labels of the genre a wish with this value asks for: 'zombie', 'feel good'; the
        labels of the genre words it is a near spelling of: 'horor', 'thriler')."""
        key = normalize_text(value)
        asked = [label for label in WISH_GENRES.get(key, ()) if label in self.label_words]
        near = get_close_matches(key, list(self.spellings), n=_LISTED, cutoff=SPELLING_CUTOFF)
        return asked, list(dict.fromkeys(label for word in near for label in self.spellings[word]))
