"""A catalogue title named in a wish: "something like Stranger Things", "shows similar to The Crown".

Such a wish asks for titles like that one, not for titles whose descriptions share its words
(before this, "something like Stranger Things" listed a talk show about the series, then the
series itself). The row is answered as a query for that title, which is then left out of its own
results, with the wish's other words as its description when one of them asks for something
("something like Narcos but in Mexico"; after 'but', a kind word too: "... but funny", which
HybridRecommender._queries then reads as intent only). Only a title spelled out in full after a
cue counts (TitleIndex.named): a near spelling or a prefix would turn ordinary words into titles.
Words that spell several titles equally well name none: the wish is read as text.
"""

from __future__ import annotations

from .intent_words import GENRE_WORDS, REFERENCE_CUES, REFERENCE_FILLER, REFERENCE_LIKE_AFTER, REGION_WORDS, TYPE_WORDS
from .titles import AmbiguousTitle, TitleIndex, title_key
from .vocab import COUNTRY_WORDS

_CUE_STARTS = frozenset(cue[0] for cue in REFERENCE_CUES)
# Phrases that say what kind of title (genre, type, where from), as word tuples: after one, 'like'
# is a cue too ("a comedy like Friends", "a sci-fi movie like Inception"); around the title they
# repeat what it is, so they do not make a description.
_KIND_PHRASES = frozenset(tuple(phrase.split())
                          for phrase in (*GENRE_WORDS, *TYPE_WORDS, *COUNTRY_WORDS, *REGION_WORDS))
_LIKE_AFTER = frozenset((word,) for word in REFERENCE_LIKE_AFTER) | _KIND_PHRASES
_LONGEST = max(map(len, _LIKE_AFTER))


def title_reference(text: str, titles: TitleIndex) -> tuple[int, str] | None:
    """(catalogue position of the title text names after a cue, the text's other words), or None.
    The other words are '' when they ask for nothing the title does not already say (fillers and
    kind words: "a korean drama like Crash Landing on You"). The first cue followed by a title
    wins, and after it the longest run of words that spells one; None as soon as a run spells
    several."""
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
                return position, " ".join(rest) if _asks(rest) else ""
    return None


def _asks(words: list[str]) -> bool:
    """Whether a word outside the fillers and the kind phrases is left, or a kind phrase follows
    'but' ("like Narcos but funny", "... but a movie": a change from what the title is)."""
    kind = [False] * len(words)
    for start in range(len(words)):
        for length in range(1, min(_LONGEST, len(words) - start) + 1):
            if tuple(words[start:start + length]) in _KIND_PHRASES:
                kind[start:start + length] = [True] * length
    after_but = words.index("but") if "but" in words else len(words)
    return any((covered and i > after_but) or (not covered and word not in REFERENCE_FILLER)
               for i, (word, covered) in enumerate(zip(words, kind)))


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
