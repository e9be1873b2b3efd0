"""A catalogue title named in a wish ("something like Stranger Things") is answered as that title's query."""

import numpy as np
import pytest

from netflix_pyfunc.params import Query, Request
from netflix_pyfunc.references import title_reference
from netflix_pyfunc.titles import TitleIndex

TITLES = ["Stranger Things", "The Crown", "Friends", "Narcos", "Narcos: Mexico", "Humans", "Rocky II",
          "Crash Landing on You", "The Office (U.S.)", "Red", "Red Dot", "Inception",
          "Hannah Gadsby: Nanette", "Money", "Money Heist: The Phenomenon", "Money Heist: From Tokyo to Berlin",
          "DEATH NOTE", "Death Note"]
YEARS = [2016, 2016, 1994, 2015, 2018, 2015, 1979, 2019, 2005, 2010, 2021, 2010, 2018, 1991, 2020, 2021, 2006, 2017]
# Type, genres and countries of the two titles named Death Note: the anime series and the US film.
LABELS = {16: {"TV Show", "Anime Series", "Crime TV Shows", "Japan"},
          17: {"Movie", "Horror Movies", "Thrillers", "United States"},
          8: {"TV Show", "TV Comedies", "United States"},
          7: {"TV Show", "International TV Shows", "Korean TV Shows", "Romantic TV Shows", "South Korea"}}


@pytest.fixture(scope="module")
def titles() -> TitleIndex:
    return TitleIndex().fit(TITLES, YEARS)


@pytest.mark.parametrize("text, title, rest", [
    ("something like Stranger Things", "Stranger Things", ""),
    ("Shows similar to THE CROWN!", "The Crown", ""),
    ("like Humans", "Humans", ""),                                    # 'like' opening the wish
    ("a comedy like Friends", "Friends", ""),                          # kind words repeat what the title is
    ("a korean drama like Crash Landing on You", "Crash Landing on You", ""),
    ("a sci-fi movie like Inception", "Inception", ""),                # a kind phrase of two words
    ("dream heist sci-fi like inception", "Inception", "dream heist sci fi"),   # 'like' after such a phrase
    ("mind-bending sci-fi like inception", "Inception", ""),           # 'mind bending' says sci-fi too
    ("a stand-up special like Hannah Gadsby: Nanette", "Hannah Gadsby: Nanette", ""),
    ("if you liked the office", "The Office (U.S.)", ""),              # article and qualifier, as resolve
    ("movies like Rocky 2", "Rocky II", ""),                           # numbers, as resolve
    ("something like Narcos but in Mexico", "Narcos", "something but in mexico"),
    ("something like Narcos but funny", "Narcos", "something but funny"),   # a kind word after 'but' asks for it
    ("like Narcos but a movie", "Narcos", "but a movie"),
    ("something like Narcos Mexico", "Narcos: Mexico", ""),            # the longest run that spells a title
    ("fans of red dot who want a thriller in the snow", "Red Dot", "who want a thriller in the snow"),
    ("i liked stranger things, what else", "Stranger Things", ""),     # "i liked" listed the title itself
    ("i really enjoyed the crown, what now", "The Crown", ""),
])
def test_a_title_named_after_a_cue_is_found_with_the_words_that_still_ask_for_something(titles, text, title, rest):
    position, words = title_reference(text, titles)
    assert TITLES[position] == title
    assert words == rest   # kind and filler words alone leave no description; another word keeps them all


@pytest.mark.parametrize("text, title", [
    ("something like death note", "Death Note"),         # no kind words: the newest
    ("anime like death note", "DEATH NOTE"),
    ("a japanese series like death note", "DEATH NOTE"),
    ("a horror movie like death note", "Death Note"),
    ("something like death note but a series", "Death Note"),   # after 'but', a change is asked for
    ("a crime show like narcos", "Narcos"),               # one title of that name: it, whatever the kind
])
def test_kind_words_before_a_title_pick_among_titles_of_its_name(titles, text, title):
    position, _ = title_reference(text, titles, lambda p: LABELS.get(p, set()))
    assert TITLES[position] == title


@pytest.mark.parametrize("text, rest", [
    ("a movie like the office", "a movie"),                       # The Office is a series: a movie is asked for
    ("an american comedy series like the office", ""),            # what it is
    ("a korean drama like crash landing on you", ""),             # 'korean drama', not 'drama' (a label it lacks)
    ("anime like death note", ""),
    ("a horror movie like death note", ""),                       # the film
    ("a scary movie like death note", ""),
])
def test_kind_words_the_title_is_not_ask_for_that_kind(titles, text, rest):
    assert title_reference(text, titles, lambda p: LABELS.get(p, set()))[1] == rest


@pytest.mark.parametrize("text", [
    "dogs that act like humans",        # 'like' after a verb is not a cue
    "stranger things",                  # a title without a cue is a description (the title box is for titles)
    "something like strnger things",    # no near spellings inside free text
    "something like stranger",          # nor prefixes
    "something like a ghost story",
    "a spanish series like money heist",   # the words spell two titles; 'money' alone is another one
    "",
])
def test_no_reference_without_a_cue_and_a_title_spelled_in_full(titles, text):
    assert title_reference(text, titles) is None


def test_a_wish_naming_a_title_gets_that_titles_own_list(model, catalog, position):
    rocky = position(catalog, "Rocky")
    wished = model.recommend_records([Query(description="something like Rocky")], Request(k=5))
    titled = model.recommend_records([Query(title="Rocky")], Request(k=5))
    assert [r["title"] for r in wished] == [r["title"] for r in titled]
    assert all(r["query_title"] == "Rocky" and r["title"] != "Rocky" for r in wished)
    assert np.array_equal(model.neighbors_for_text(["something like Rocky"], 5)[0], model.neighbors([rocky], 5)[0])


def test_a_wish_with_more_to_say_combines_the_title_and_its_words(model):
    both = model.recommend_records([Query(title="Rocky", description="a boxer from philadelphia")], Request(k=5))
    wished = model.recommend_records([Query(description="like Rocky, a boxer from philadelphia")], Request(k=5))
    assert [(r["title"], r["score"]) for r in wished] == [(r["title"], r["score"]) for r in both]


def test_words_that_only_say_what_kind_ask_for_titles_like_it_of_that_kind(model):
    """'like Midnight Mass but korean': the title's own ranking, that kind first (intent, not text to match)."""
    wished = model.recommend_records([Query(description="something like Midnight Mass but korean")], Request(k=3))
    both = model.recommend_records([Query(title="Midnight Mass", description="korean")], Request(k=3))
    of_kind = model.recommend_records([Query(title="Midnight Mass")], Request.from_params({"k": 3, "country": "korea"}))
    assert [r["title"] for r in wished] == [r["title"] for r in both] == [r["title"] for r in of_kind]


def test_a_series_wished_as_a_film_lists_the_films_of_its_genres_first(model):
    """'like Midnight Mass but a movie': its TV Horror, TV Mysteries and TV Dramas read as Horror
    Movies, Thrillers and Dramas. Before, the first film had little in common with it (Space Rescue)."""
    wished = model.recommend_records([Query(description="something like Midnight Mass but a movie")], Request(k=3))
    both = model.recommend_records([Query(title="Midnight Mass", description="a movie")], Request(k=3))
    assert [r["title"] for r in wished] == [r["title"] for r in both]
    assert all(r["type"] == "Movie" and r["reason"].startswith("genre: ") for r in wished)
    assert wished[0]["title"] == "Death Note" and wished[0]["reason"].startswith("genre: Horror Movies, Thrillers")


@pytest.mark.parametrize("wish, title", [
    ("anime like death note", "DEATH NOTE"), ("a movie like Death Note", "Death Note"),
    ("something like death note", "Death Note"),
])
def test_a_wish_gets_the_list_of_the_title_of_the_kind_it_names(model, wish, title):
    records = model.recommend_records([Query(description=wish)], Request(k=3))
    assert {r["query_title"] for r in records} == {title}
    assert title not in {r["title"] for r in records}
