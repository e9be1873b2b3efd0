"""How long a wish wants a title to be: parse_length, durations, in_range."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from netflix_pyfunc.catalog import DURATION
from netflix_pyfunc.lengths import SHORT_MINUTES, Length, durations, in_range, parse_length


@pytest.mark.parametrize(("text", "minutes", "seasons", "said"), [
    ("a short movie", (0, SHORT_MINUTES), (1, 1), ("short",)),
    ("a movie under 90 minutes", (0, 90), None, ("under", "90", "minutes")),
    ("something under an hour", (0, 60), None, ("under", "an", "hour")),
    ("less than 2 hours", (0, 120), None, ("less", "than", "2", "hours")),
    ("100 mins or less", (0, 100), None, ("100", "mins", "or", "less")),
    ("a limited series", None, (1, 1), ("limited", "series")),
    ("a series with one season", None, (1, 1), ("one", "season")),
    ("a mini series", None, (1, 1), ("mini", "series")),
    ("a short comedy under 2 hours", (0, 120), (1, 1), ("short", "under", "2", "hours")),   # the number wins
    ("shorter than 90 minutes", (0, 90), None, ("shorter", "than", "90", "minutes")),    # says nothing of series
])
def test_a_length_is_read_with_the_words_that_say_it(text, minutes, seasons, said):
    words = text.split()
    length, positions = parse_length(words)
    assert (length.minutes, length.seasons, length.said) == (minutes, seasons, said)
    assert tuple(words[i] for i in sorted(positions)) == said


@pytest.mark.parametrize("text", ["a 90 minute movie", "a story about a long journey", "quick witted", "seasoned chef"])
def test_other_words_say_no_length(text):
    assert parse_length(text.split()) == (None, frozenset())


def test_durations_read_minutes_and_seasons():
    frame = pd.DataFrame({DURATION: ["90 min", "1 Season", "3 Seasons", ""]})
    minutes, seasons = durations(frame)
    assert minutes.tolist() == [90, 0, 0, 0]
    assert seasons.tolist() == [0, 1, 3, 0]


@pytest.mark.parametrize(("length", "expected"), [
    (Length((0, 90), (1, 1), ("short",)), [True, False, True, False, False]),
    (Length((0, 120), None, ()), [True, True, False, False, False]),     # minutes say nothing of series
    (Length(None, (1, 1), ()), [False, False, True, False, False]),
])
def test_in_range_reads_films_by_minutes_and_series_by_seasons(length, expected):
    minutes = np.array([85, 110, 0, 0, 0])
    seasons = np.array([0, 0, 1, 3, 0])       # the last title says neither
    assert in_range(minutes, seasons, length).tolist() == expected
