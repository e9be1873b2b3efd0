"""Near spellings: a typed word the catalogue never uses, read as the intent word it misspells.

"a horor movie" asked for nothing: 'horor' named no genre, and no description has it. Respeller
reads it as 'horror' when no catalogue word is spelled so (descriptions, titles, people's names)
and one intent word is near enough. The words people type for genres, types and countries are
few, so a misspelling of one is rarely near another.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import SequenceMatcher

# How alike (difflib ratio) a typed word and an intent word must be: 'thriler' and 'thriller' 0.93,
# 'horor' and 'horror' 0.91, 'koren' and 'korean' 0.91; not 'christmas' and 'christian' (0.78) nor
# 'war' and 'horror' (0.44). Two neighbouring letters swapped also count ('flim', 'moive': 0.75, 0.8).
SPELLING_CUTOFF = 0.8
MIN_LENGTH = 4   # shorter words have too many neighbours: 'doc', 'cop', 'mob'


class Respeller:
    """word -> the intent word (of targets) it misspells, or the word itself.

    Candidates are the targets one deleted letter away on either side (a letter left out, added,
    changed or two swapped), looked up by those deletions: a request reads a few dict keys per
    unknown word instead of comparing it with every target (difflib.get_close_matches took 1.5 ms)."""

    def __init__(self, targets: Iterable[str], known: Iterable[str]):
        self.targets = sorted({t for t in targets if len(t) >= MIN_LENGTH and t.isalpha()})
        # only words it could respell: the rest never are
        self.known = frozenset(w for w in known if len(w) >= MIN_LENGTH and w.isalpha()) | frozenset(self.targets)
        self.by_deletion: dict[str, tuple[str, ...]] = {}
        for target in self.targets:
            for key in {target, *_deletions(target)}:
                self.by_deletion[key] = (*self.by_deletion.get(key, ()), target)

    def __call__(self, word: str) -> str:
        if word in self.known or len(word) < MIN_LENGTH or not word.isalpha():
            return word
        candidates = {t for key in (word, *_deletions(word)) for t in self.by_deletion.get(key, ())}
        near = [(SequenceMatcher(None, word, t).ratio(), t) for t in sorted(candidates)]
        near = [(ratio, t) for ratio, t in near if ratio >= SPELLING_CUTOFF or _one_swap(word, t)]
        return max(near)[1] if near else word


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _one_swap(word: str, target: str) -> bool:
    """Whether target is word with two neighbouring letters swapped ('flim' -> 'film')."""
    if len(word) != len(target):
        return False
    diff = [i for i, (a, b) in enumerate(zip(word, target)) if a != b]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and word[diff[0]] == target[diff[1]] \
        and word[diff[1]] == target[diff[0]]
