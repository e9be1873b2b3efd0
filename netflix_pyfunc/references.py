"""A catalogue title named in a wish: "something like Stranger Things", "shows similar to The Crown".

Such a wish asks for titles like that one, not for titles whose descriptions share its words
(before this, "something like Stranger Things" listed a talk show about the series, then the
series itself). The row is answered as a query for that title, which is then left out of its own
results, with the wish's other words as its description when one of them asks for something
("something like Narcos but in Mexico"). Only a title spelled out in full after a cue counts
(TitleIndex.named): a near spelling or a prefix would turn ordinary words into titles.
"""

from __future__ import annotations

from .intent_words import GENRE_WORDS, REFERENCE_CUES, REFERENCE_FILLER, REFERENCE_LIKE_AFTER, REGION_WORDS, TYPE_WORDS
from .titles import TitleIndex, title_key
from .vocab import COUNTRY_WORDS

_CUE_STARTS = frozenset(cue[0] for cue in REFERENCE_CUES)
# Words that say what kind of title (genre, type, where from): after one, 'like' is a cue too ("a
# comedy like Friends"); around the title they repeat what it is, so they do not make a description.
_KIND_WORDS = frozenset(w for w in (*GENRE_WORDS, *TYPE_WORDS, *COUNTRY_WORDS, *REGION_WORDS) if " " not in w)
_LIKE_AFTER = REFERENCE_LIKE_AFTER | _KIND_WORDS


def title_reference(text: str, titles: TitleIndex) -> tuple[int, str] | None:
    """(catalogue position of the title text names after a cue, the text's other words), or None.
    The other words are '' when they ask for nothing the title does not already say (fillers and
    kind words: "a korean drama like Crash Landing on You"). The first cue followed by a title
    wins, and after it the longest run of words that spells one."""
    words = title_key(text).split()
    if _CUE_STARTS.isdisjoint(words):
        return None
    for start in range(len(words)):
        after = start + _cue_length(words, start)
        if after == start:
            continue
        for stop in range(len(words), after, -1):
            position = titles.named(words[after:stop])
            if position is not None:
                rest = words[:start] + words[stop:]
                asks = any(w not in REFERENCE_FILLER and w not in _KIND_WORDS for w in rest)
                return position, " ".join(rest) if asks else ""
    return None


def _cue_length(words: list[str], start: int) -> int:
    """How many words the cue starting at words[start] has (0: none)."""
    for cue in REFERENCE_CUES:
        if tuple(words[start:start + len(cue)]) == cue:
            if cue == ("like",) and start > 0 and words[start - 1] not in _LIKE_AFTER:
                return 0
            return len(cue)
    return 0
