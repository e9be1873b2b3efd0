"""Franchises found from titles ("Rocky" ... "Rocky V", "Kung Fu Panda: ...") and how many
of a franchise's other works a recommendation list finds."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from netflix_pyfunc.catalog import normalize_text


_LANGUAGES = (
    "arabic|bengali|cantonese|english|french|german|gujarati|hindi|japanese|kannada|korean|"
    "malayalam|mandarin|marathi|portuguese|punjabi|spanish|tamil|telugu|urdu"
)
# "(Hindi Version)", "(Tamil)": a language version, dropped before grouping.
_VERSION_SUFFIX = re.compile(r"\s*\((?:[^()]*\bversion|%s)\)\s*$" % _LANGUAGES, re.IGNORECASE)
_SUBTITLE = re.compile(r":| - ")
_ROMAN = "ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii"
_NUMBER_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten"
_TRAILING_PART = re.compile(rf"\s+(?:part|chapter|vol|volume)\s+(?:\d{{1,2}}|{_ROMAN}|{_NUMBER_WORDS})$")
_TRAILING_NUMBER = re.compile(rf"\s+(?:\d{{1,2}}|{_ROMAN})$")
# A one-content-word key must cover at least this share of the titles containing that word.
MIN_KEY_SPECIFICITY = 0.25
MIN_KEY_CHARS = 3


def franchise_key(title: str) -> str:
    """Normalized franchise key of one title ('' if nothing is left).

    1. drop a trailing "(X Version)" or "(<language>)" suffix;
    2. keep the part before the first ":" or " - ";
    3. :func:`catalog.normalize_text`;
    4. repeatedly drop a trailing "part/chapter/vol(ume) N" (N = 1-2 digits, roman
       numeral ii-xii or one..ten) and a trailing 1-2 digit number or roman numeral ii-xii.

    'Rocky IV' -> 'rocky'; 'Baahubali 2: The Conclusion (Hindi Version)' -> 'baahubali';
    'The Karate Kid Part II' -> 'the karate kid'; 'Oh! Baby (Tamil)' -> 'oh baby'.
    """
    text = _VERSION_SUFFIX.sub("", str(title))
    text = normalize_text(_SUBTITLE.split(text, maxsplit=1)[0])
    previous = None
    while previous != text:
        previous = text
        text = _TRAILING_NUMBER.sub("", _TRAILING_PART.sub("", text))
    return text


def franchise_groups(titles: Sequence[str]) -> dict[str, list[int]]:
    """Franchise key -> positions of its titles, for keys that pass these rules.

    Titles are keyed with :func:`franchise_key`. A group is kept when
    * it has at least 2 members with at least 2 distinct normalized full titles
      (two different films both called "Consequences" are not a franchise);
    * the key has at least ``MIN_KEY_CHARS`` characters and at least one word
      that is not an English stop word (scikit-learn's list), so 'the', 'you'
      or 'we' never form a group;
    * a key with exactly one non-stop-word w is specific: the group holds at least
      ``MIN_KEY_SPECIFICITY`` of all titles having w as a word. 'rocky' (5 of 6
      titles) and 'barbie' (5 of 17) stay; 'life' (2 of 79), 'home' (2 of 23) and
      'black' (2 of 53) go.
    """
    normalized = [normalize_text(title) for title in titles]
    by_key: dict[str, list[int]] = defaultdict(list)
    for position, title in enumerate(titles):
        key = franchise_key(title)
        if key:
            by_key[key].append(position)
    word_counts: dict[str, int] = defaultdict(int)
    for text in normalized:
        for word in set(text.split()):
            word_counts[word] += 1
    groups = {}
    for key, positions in by_key.items():
        if len(positions) < 2 or len({normalized[p] for p in positions}) < 2:
            continue
        if len(key) < MIN_KEY_CHARS:
            continue
        content = [word for word in key.split() if word not in ENGLISH_STOP_WORDS]
        if not content:
            continue
        if len(content) == 1 and len(positions) < MIN_KEY_SPECIFICITY * word_counts[content[0]]:
            continue
        groups[key] = positions
    return groups


def franchise_recall_at_k(
    groups: Mapping[str, Sequence[int]],
    rec_lists_by_position: Mapping[int, Sequence[int]],
    *,
    work_ids: Sequence[int] | None = None,
    k: int | None = None,
) -> float:
    """Mean over franchise members of the share of reachable other works found in the member's list.

    ``work_ids[p]`` says which work position p is (see :func:`work_ids`: equal
    descriptions = one work); by default every position is its own work. For a member
    m with list L, the targets T are the works of the other members, minus m's own
    work (language versions of m are never recommended for m). A target work is hit
    when any of its positions is in L, so a model that shows one language version of
    a sequel is not punished for leaving out the others. Recall of m is
    ``hits / min(|T|, k)``, which makes 1.0 reachable for groups larger than k
    (k defaults to the longest list). Members with empty T (groups that are only
    language versions of one work) are skipped; the mean is over all remaining
    members of all groups, so big franchises weigh more. NaN if nothing is left.
    Every member must have a list in ``rec_lists_by_position``.
    """
    missing = [p for positions in groups.values() for p in positions if p not in rec_lists_by_position]
    if missing:
        raise ValueError(f"franchise members without a recommendation list: {missing[:10]}")
    lists = {
        int(p): np.asarray(rec, dtype=np.int64).reshape(-1) for p, rec in rec_lists_by_position.items()
    }
    if k is None:
        k = max((rec.size for rec in lists.values()), default=0)
    if k <= 0:
        raise ValueError(f"k must be positive, got {k}")

    def work(position: int) -> int:
        return int(work_ids[position]) if work_ids is not None else int(position)

    scores = []
    for positions in groups.values():
        positions = [int(p) for p in positions]
        for member in positions:
            targets = {work(p) for p in positions} - {work(member)}
            if not targets:
                continue
            found = {work(int(p)) for p in lists[member]} & targets
            scores.append(len(found) / min(len(targets), k))
    return float(np.mean(scores)) if scores else math.nan
