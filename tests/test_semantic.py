"""The semantic block and query intent, on the real catalogue: people first in the asked role,
parsed genres and countries answered, reasons that say what matched."""

import numpy as np
import pytest

from netflix_pyfunc.explanations import NOTHING_SHARED, SIMILAR_PREMISE
from netflix_pyfunc.params import Query, Request

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("text, name, column", [
    ("movies with Tom Hanks", "Tom Hanks", "cast"),
    ("directed by Martin Campbell", "Martin Campbell", "director"),
    ("an Amitabh Bachchan drama", "Amitabh Bachchan", "cast"),
])
def test_a_named_persons_titles_come_first_in_the_asked_role(full_model, full_catalog, text, name, column):
    credited = full_catalog[column].map(lambda names: name in names).to_numpy()
    out = full_model.recommend([Query(description=text)], Request(k=10))
    first = min(10, int(credited.sum()))
    shown = full_catalog.set_index("show_id").loc[out["show_id"].iloc[:first], column]
    assert all(name in names for names in shown), out[["title", "reason"]]
    assert all(f"{column}: {name}" in reason for reason in out["reason"].iloc[:first])


def test_a_korean_thriller_is_korean_thrillers(full_model):
    out = full_model.recommend([Query(description="a korean thriller")], Request(k=10))
    assert all("South Korea" in c for c in out["country"]), out[["title", "country"]]
    assert all("Thriller" in g for g in out["listed_in"]), out[["title", "listed_in"]]
    assert all("genre: Thrillers" in r and "country: South Korea" in r for r in out["reason"])


@pytest.mark.parametrize("text, genre", [
    ("something funny", "Comed"), ("scary", "Horror"), ("a feel-good movie", "Comed"),
    ("a sad movie that will make me cry", "Drama"),
])
def test_mood_words_mean_genres(full_model, text, genre):
    out = full_model.recommend([Query(description=text)], Request(k=10))
    assert sum(genre in g for g in out["listed_in"]) >= 9, out[["title", "listed_in"]]


def test_intent_is_a_ranking_signal_while_request_filters_stay_hard(full_model):
    out = full_model.recommend([Query(description="a korean thriller")], Request(k=10, type="TV Show"))
    assert len(out) == 10 and (out["type"] == "TV Show").all()
    # Nothing is both a Korean thriller and from 1950: the list is still full.
    assert len(full_model.recommend([Query(description="a korean thriller from 1950")], Request(k=10))) == 10


@pytest.mark.parametrize("text, asked", [
    ("astronauts stranded far from earth", None), ("a ghost story that will keep me up at night", None),
    ("traveling back in time to fix a mistake", None),
    # 'feel-good' and 'movie' ask for a genre and a type: 'friendship' is the only word it matches
    ("a feel-good movie about friendship", "friendship"),
])
def test_reasons_never_name_a_lone_generic_word(full_model, text, asked):
    out = full_model.recommend([Query(description=text)], Request(k=10))
    explainer = full_model.explainer_
    rare = {term for term, ok in zip(explainer.names_["description"], explainer.rare_) if ok}
    for reason in out["reason"]:
        about = [p for p in reason.split("; ") if p.startswith("about: ")]
        if about and "," not in about[0]:
            # a word named alone is a rare one, or the one word the wish asks to match
            assert about[0].removeprefix("about: ") in rare | {asked}, reason
        assert "about: far" not in reason and "about: ii" not in reason
        assert "about: feel" not in reason and "about: good" not in reason
    assert NOTHING_SHARED not in out["reason"].iloc[:3].tolist()
    assert any(SIMILAR_PREMISE in r for r in out["reason"]) or all("about: " in r for r in out["reason"])


def test_title_queries_use_the_stored_embedding_and_are_deterministic(full_model, full_catalog, position):
    where = position(full_catalog, "Midnight Mass")
    first = full_model.recommend([Query(title="Midnight Mass")], Request(k=10))
    again = full_model.recommend([Query(title="Midnight Mass")], Request(k=10))
    assert first.equals(again)
    # The lookup of stored neighbours is what a search of the same query returns.
    queries, _ = full_model._queries(np.array([where]), [""])
    (hits, _), = full_model.index_.search(queries, 10, None, full_model._exclusions(np.array([where])))
    assert full_catalog["show_id"].iloc[hits].tolist() == first["show_id"].tolist()


def test_a_row_with_title_and_description_combines_them(full_model):
    both = full_model.recommend([Query(title="Stranger Things", description="a korean thriller")], Request(k=10))
    alone = full_model.recommend([Query(description="a korean thriller")], Request(k=10))
    assert both["title"].tolist() != alone["title"].tolist()
    assert (both["query_title"] == "Stranger Things").all()
    assert sum("South Korea" in c for c in both["country"]) >= 5


@pytest.mark.parametrize("text, repeat, kept", [
    ("a korean thriller", "korean", None),   # 'country: South Korea' says it
    ("a heist series", "series", "heist"),    # 'type: TV Show' says 'series'; 'heist' only hints at a genre
])
def test_reasons_do_not_repeat_as_description_words_what_the_intent_part_says(full_model, text, repeat, kept):
    reasons = full_model.recommend([Query(description=text)], Request(k=10))["reason"].tolist()
    about = [p.removeprefix("about: ").split(", ") for r in reasons for p in r.split("; ") if p.startswith("about: ")]
    assert not any(repeat in terms for terms in about), reasons
    assert kept is None or any(kept in terms for terms in about), reasons


def test_a_type_word_is_intent_not_a_word_to_match(full_model):
    """'series' picks the type; matched as a word it had put two anime series among the chess titles."""
    out = full_model.recommend([Query(description="a series about chess")], Request(k=5))
    assert all("chess" in r for r in out["reason"]), out[["title", "reason"]]


def test_a_title_with_a_genre_asked_for_gets_both_in_its_reasons(full_model):
    """'like Narcos but funny': the genre asked for, and the genres shared with Narcos (why it is like it)."""
    out = full_model.recommend([Query(description="something like Narcos but funny")], Request(k=5))
    assert (out["query_title"] == "Narcos").all()
    assert all("TV Comedies" in r and "Crime TV Shows" in r for r in out["reason"]), out[["title", "reason"]]
