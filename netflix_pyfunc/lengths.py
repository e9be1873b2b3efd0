"""How long a wish wants a title to be: a film's minutes, a series' seasons.

"a short movie", "under 90 minutes", "something under an hour", "a limited series", "one season"
were matched word by word ('about: 90, minute', 'about: limits'), and the encoder listed titles
with an hour or a season in them. parse_length reads them as a range of minutes (films) and of
seasons (series), both inclusive; the catalogue's `duration` column says which titles are in range
("90 min", "1 Season").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate

import numpy as np
import pandas as pd

from .catalog import DURATION

SHORT_MINUTES = 90        # "a short movie": a third of the catalogue's films (median 98 min)
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "half": 0.5}
_NUMBER = r"(\d+|a|an|one|two|three|four|half)"
_UNIT = r"(minutes?|mins?|hours?|hrs?|h)"
_AT_MOST = r"(?:under|less than|shorter than|at most|no more than|no longer than|max|maximum|within|below)"
_PATTERNS = (
    # (pattern on normalised words, minutes, seasons); a None range is filled from the match
    (re.compile(rf"\b{_AT_MOST} (?:an? )?{_NUMBER} {_UNIT}\b"), None, None),
    (re.compile(rf"\b{_NUMBER} {_UNIT} (?:or less|or shorter|or under|max|tops)\b"), None, None),
    (re.compile(r"\b(?:one|1|single) season\b|\blimited series\b|\bmini ?series\b"), None, (1, 1)),
    (re.compile(r"\bshort\b|\bshorter\b(?! than)"), (0, SHORT_MINUTES), (1, 1)),   # "shorter than": above
)
# Every pattern has one of these words: a text with none says no length (most wishes; read per word too).
_KEY_WORDS = frozenset({"short", "shorter", "season", "series", "miniseries", "minute", "minutes", "min", "mins",
                        "hour", "hours", "hr", "hrs", "h"})


@dataclass(frozen=True)
class Length:
    minutes: tuple[int, int] | None     # a film's running time asked for, inclusive
    seasons: tuple[int, int] | None     # a series' number of seasons asked for, inclusive
    said: tuple[str, ...]               # the words that say it


def parse_length(words: list[str]) -> tuple[Length | None, frozenset[int]]:
    """The length normalised words ask for ('under 2 hours' -> films up to 120 minutes), or None,
    and the positions of the words that say it."""
    if _KEY_WORDS.isdisjoint(words):
        return None, frozenset()
    text = " ".join(words)
    starts = list(accumulate((len(w) + 1 for w in words), initial=0))   # character offset of each word
    minutes = seasons = None
    said: set[int] = set()
    for pattern, fixed_minutes, fixed_seasons in _PATTERNS:
        for match in pattern.finditer(text):
            if fixed_minutes is None and fixed_seasons is None:
                number, unit = match.group(1), match.group(2)
                amount = float(number) if number.isdigit() else _NUMBERS[number]
                found_minutes, found_seasons = (0, int(amount * (60 if unit.startswith("h") else 1))), None
            else:
                found_minutes, found_seasons = fixed_minutes, fixed_seasons
            minutes = minutes or found_minutes
            seasons = seasons or found_seasons
            said.update(i for i, start in enumerate(starts[:-1]) if match.start() <= start < match.end())
    if not said:
        return None, frozenset()
    return Length(minutes, seasons, tuple(words[i] for i in sorted(said))), frozenset(said)


def durations(catalog: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(minutes, seasons) per title from `duration` ("90 min", "3 Seasons"); 0 where it says neither."""
    text = catalog[DURATION].astype(str)
    minutes = text.str.extract(r"^(\d+)\s*min", expand=False).fillna("0").astype(np.int64).to_numpy()
    seasons = text.str.extract(r"^(\d+)\s*Seasons?", expand=False).fillna("0").astype(np.int64).to_numpy()
    return minutes, seasons


def in_range(minutes: np.ndarray, seasons: np.ndarray, length: Length) -> np.ndarray:
    """Which titles are as long as asked: a film in the minutes range, a series in the seasons range."""
    ok = np.zeros(len(minutes), dtype=bool)
    if length.minutes:
        ok |= (minutes > 0) & (minutes >= length.minutes[0]) & (minutes <= length.minutes[1])
    if length.seasons:
        ok |= (seasons > 0) & (seasons >= length.seasons[0]) & (seasons <= length.seasons[1])
    return ok
