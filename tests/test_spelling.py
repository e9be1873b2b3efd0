"""Near spellings of intent words in a wish ('horor' -> 'horror')."""

from __future__ import annotations

import pytest

from netflix_pyfunc.spelling import Respeller

TARGETS = ["horror", "comedy", "comedies", "thriller", "movie", "film", "korean", "anime", "documentary", "cop"]
KNOWN = ["scare", "copy", "haunt", "film"]


@pytest.fixture
def respell() -> Respeller:
    return Respeller(TARGETS, KNOWN)


@pytest.mark.parametrize(("word", "expected"), [
    ("horor", "horror"), ("hororr", "horror"), ("comdy", "comedy"), ("thriler", "thriller"),
    ("koren", "korean"), ("documentry", "documentary"),
    ("moive", "movie"), ("flim", "film"), ("anmie", "anime"),     # two neighbouring letters swapped
])
def test_a_misspelt_intent_word_reads_as_it(respell, word, expected):
    assert respell(word) == expected


@pytest.mark.parametrize("word", [
    "scare", "copy",          # catalogue words: near 'scary' or 'cop', but meant as typed
    "horror", "film",         # already an intent word
    "coop",                   # shorter than MIN_LENGTH counts only for the target: 'cop' is too short to aim at
    "war", "xyz",             # too short to respell
    "christmas",              # not near enough to anything
    "sci-fi", "90s",          # not a plain word
])
def test_other_words_stay_as_typed(respell, word):
    assert respell(word) == word


def test_short_targets_are_never_aimed_at(respell):
    assert "cop" not in respell.targets
