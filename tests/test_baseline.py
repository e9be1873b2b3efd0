"""The hybrid model against the original project's TF-IDF(description) + NearestNeighbors."""

import pytest

from netflix_pyfunc.baseline import DescriptionKNN
from netflix_pyfunc.evaluate import evaluate, sample_positions
from netflix_pyfunc.metrics import genre_precision_at_k
from netflix_pyfunc.recommender import HybridRecommender

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scores(full_catalog, full_model, encoder):
    baseline = DescriptionKNN().fit(full_catalog)
    ours = evaluate(full_catalog, full_model.neighbors, full_model.neighbors_for_text, sample_size=500)
    theirs = evaluate(full_catalog, baseline.neighbors, baseline.neighbors_for_text, sample_size=500)
    blind = HybridRecommender(w_genre=0.0).fit(full_catalog, encoder=encoder)
    sample = sample_positions(len(full_catalog), 500, 0)
    ours["genre_precision_at_k_blind"] = genre_precision_at_k(full_catalog, sample, blind.neighbors(sample, 10))
    return ours, theirs


def test_franchises_and_genres_clearly_better(scores):
    ours, theirs = scores
    assert ours["franchise_recall_at_k"] > theirs["franchise_recall_at_k"] + 0.3
    assert ours["genre_precision_at_k"] > theirs["genre_precision_at_k"] + 0.4
    # Even without the genre block the hybrid shares more genres than description text alone.
    assert ours["genre_precision_at_k_blind"] > theirs["genre_precision_at_k"]


def test_known_item_and_coverage_stay_close_and_hubs_fewer(scores):
    ours, theirs = scores
    # Queries of 25% of a description's words favour plain description TF-IDF, and a random word
    # that names a genre or country ("mystery", "russian") now also counts as intent; measured
    # 0.956 against 0.988 at k=10 on 500 sampled titles (0.980 before the query intent).
    assert ours["known_item_success_at_k"] >= theirs["known_item_success_at_k"] - 0.04
    assert ours["catalog_coverage_at_k"] >= theirs["catalog_coverage_at_k"] - 0.02
    assert ours["hubness_skew"] < theirs["hubness_skew"]


def test_seed_failures_are_fixed(full_catalog, full_model, position):
    """'Midnight Mass' gave a Marathi comedy and 'Rocky' missed its sequels in the original."""
    baseline = DescriptionKNN().fit(full_catalog)
    titles = full_catalog["title"]
    rocky = position(full_catalog, "Rocky")
    sequels = {"Rocky II", "Rocky III", "Rocky IV", "Rocky V"}
    assert sequels <= set(titles.iloc[full_model.neighbors([rocky], 5)[0]])
    assert not sequels <= set(titles.iloc[baseline.neighbors([rocky], 5)[0]])
    mass = position(full_catalog, "Midnight Mass")
    assert "Poshter Girl" in set(titles.iloc[baseline.neighbors([mass], 10)[0]])  # as the seed reported
    assert "Poshter Girl" not in set(titles.iloc[full_model.neighbors([mass], 10)[0]])


@pytest.mark.parametrize("title, namesake", [("Friends", "We Are Your Friends"), ("Agent", "Call My Agent!"),
                                             ("Carrie", "You Carry Me")])
def test_a_one_word_title_is_not_a_franchise_with_a_longer_title_of_its_word(full_catalog, full_model, position,
                                                                              title, namesake):
    found = full_catalog["title"].iloc[full_model.neighbors([position(full_catalog, title)], 10)[0]]
    assert namesake not in set(found), found.tolist()
