"""A catalogue title named in a wish: "something like Stranger Things", "shows similar to The Crown".

Such a wish asks for titles like that one, not for titles whose descriptions share its words
(before this, "something like Stranger Things" listed a talk show about the series, then the
series itself). The row is answered as a query for that title, which is then left out of its own
results, with the wish's other words as its description when one of them asks for something
("something like Narcos but in Mexico"; after 'but', a kind word too: "... but funny", which
HybridRecommender._queries then reads as intent only). Only a title spelled out in full after a
cue counts (TitleIndex.named): a near spelling or a prefix would turn ordinary words into titles.
Words that spell several titles equally well name none: the wish is read as text. Among titles
of the same name, the kind words before the title pick the one meant ("anime like Death Note" is
the anime series, not the 2017 film of that name, which a bare "like Death Note" gets as the newest).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from .intent_words import GENRE_WORDS, REFERENCE_CUES, REFERENCE_FILLER, REFERENCE_LIKE_AFTER, REGION_WORDS, TYPE_WORDS
from .titles import AmbiguousTitle, TitleIndex, title_key
from .vocab import COUNTRY_WORDS

_CUE_STARTS = frozenset(cue[0] for cue in REFERENCE_CUES)
# Phrases that say what kind of title (genre, type, where from), as word tuples: after one, 'like'
# is a cue too ("a comedy like Friends", "a sci-fi movie like Inception"); around the title they
# repeat what it is, so they do not make a description.
_KIND_LABELS: dict[tuple[str, ...], frozenset[str]] = {
    tuple(phrase.split()): frozenset([labels] if isinstance(labels, str) else labels)
    for table in (GENRE_WORDS, TYPE_WORDS, COUNTRY_WORDS, REGION_WORDS) for phrase, labels in table.items()
}
_KIND_PHRASES = frozenset(_KIND_LABELS)
_LIKE_AFTER = frozenset((word,) for word in REFERENCE_LIKE_AFTER) | _KIND_PHRASES
_LONGEST = max(map(len, _LIKE_AFTER))


def title_reference(text: str, titles: TitleIndex,
                    labels_of: Callable[[int], Collection[str]] | None = None) -> tuple[int, str] | None:
    """(catalogue position of the title text names after a cue, the text's other words), or None.
    The other words are '' when they ask for nothing the title does not already say (fillers and
    kind words: "a korean drama like Crash Landing on You"). The first cue followed by a title
    wins, and after it the longest run of words that spells one; None as soon as a run spells
    several. labels_of: a catalogue position's type, genres and countries. With it, the kind words
    that describe the title (not those after 'but', which ask for a change) pick among the titles
    of its name, the one with most of their labels (ties: the one TitleIndex.named gives); and a
    kind the title is not asks for it ("a movie like The Office")."""
    words = title_key(text).split()
    if _CUE_STARTS.isdisjoint(words):
        return None
    for start in range(len(words)):
        after = start + _cue_length(words, start)
        if after == start:
            continue
        for stop in range(len(words), after, -1):
            try:
                position = titles.named(words[after:stop])
            except AmbiguousTitle:
                # The words name several titles ("like money heist": two documentaries about it).
                # A shorter run would take a title that only starts with them (the film "Money"):
                # the wish is read as text instead.
                return None
            if position is not None:
                rest = words[:start] + words[stop:]
                if labels_of is None:
                    return position, " ".join(rest) if _asks(rest) else ""
                position = _of_kind(titles.same_named(position), _described(rest), labels_of)
                return position, " ".join(rest) if _asks(rest, set(labels_of(position))) else ""
    return None


def _kind_phrases(words: list[str]) -> list[tuple[int, int]]:
    """(start, stop) of the kind phrases in words, each the longest one at its place ('korean drama',
    not 'korean' and 'drama' as well)."""
    found = [(start, start + length) for start in range(len(words))
             for length in range(1, min(_LONGEST, len(words) - start) + 1)
             if tuple(words[start:start + length]) in _KIND_PHRASES]
    return [(start, stop) for start, stop in found
            if not any(a <= start and stop <= b and (a, b) != (start, stop) for a, b in found)]


def _but_at(words: list[str]) -> int:
    """Where 'but' is in words (len(words) without one): the words after it ask for a change."""
    return words.index("but") if "but" in words else len(words)


def _described(words: list[str]) -> set[str]:
    """The labels (type, genres, countries) the kind phrases before any 'but' say."""
    return {label for start, stop in _kind_phrases(words[:_but_at(words)])
            for label in _KIND_LABELS[tuple(words[start:stop])]}


def _of_kind(positions: list[int], described: set[str], labels_of: Callable[[int], Collection[str]]) -> int:
    """Of same-named titles (the default first), the one with most of the described labels."""
    if len(positions) == 1 or not described:
        return positions[0]
    return max(positions, key=lambda position: len(described.intersection(labels_of(position))))


def _asks(words: list[str], labels: set[str] | None = None) -> bool:
    """Whether a word outside the fillers and the kind phrases is left, or a kind phrase asks for a
    change from what the title is: after 'but' ("like Narcos but funny", "... but a movie"), or,
    given the title's labels, one it has none of ("a movie like The Office")."""
    kind = [False] * len(words)
    after_but = _but_at(words)
    for start, stop in _kind_phrases(words):
        if start > after_but or (labels is not None and labels.isdisjoint(_KIND_LABELS[tuple(words[start:stop])])):
            return True
        kind[start:stop] = [True] * (stop - start)
    return any(not covered and word not in REFERENCE_FILLER for word, covered in zip(words, kind))


def _cue_length(words: list[str], start: int) -> int:
    """How many words the cue starting at words[start] has (0: none)."""
    for cue in REFERENCE_CUES:
        if tuple(words[start:start + len(cue)]) == cue:
            if cue == ("like",) and start > 0 and not _ends_like_after(words[:start]):
                return 0
            return len(cue)
    return 0


def _ends_like_after(words: list[str]) -> bool:
    """Whether words end with a word or kind phrase after which 'like' is a cue."""
    return any(tuple(words[-length:]) in _LIKE_AFTER for length in range(1, min(_LONGEST, len(words)) + 1))
