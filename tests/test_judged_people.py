"""People named in a query: sampling, relevance by role, and the precision arithmetic with fake searches."""

from __future__ import annotations

import numpy as np
import pytest
from judged_fakes import fake_search, oracle

from netflix_pyfunc import judged_people
from netflix_pyfunc.baseline import DescriptionKNN
from netflix_pyfunc.judged_people import PeopleQuery


def test_people_queries_on_the_small_catalogue(people_catalog):
    queries = judged_people.people_queries(people_catalog, sample_size=5, seed=0)
    assert [(q.text, q.credit) for q in queries] == [
        ("with Kate Siegel", "any"),
        ("with Sylvester Stallone", "any"),
        ("Sylvester Stallone movies", "movie"),
        ("directed by Mike Flanagan", "director"),
    ]


def test_people_queries_depend_on_the_seed_only(people_catalog):
    runs = {seed: judged_people.people_queries(people_catalog, sample_size=1, seed=seed) for seed in range(12)}
    assert runs[3] == judged_people.people_queries(people_catalog, sample_size=1, seed=3)
    assert len({queries[0].name for queries in runs.values()}) == 2


@pytest.mark.parametrize(
    ("credit", "expected"),
    [("director", {1, 2}), ("any", {0, 1, 2}), ("movie", {0, 1, 2})],
)
def test_people_relevance_respects_the_role(people_catalog, credit, expected):
    query = PeopleQuery("q", "Sylvester Stallone", "cast", "with", credit)
    assert set(np.flatnonzero(query.mask(people_catalog)).tolist()) == expected


def test_people_precision_exact_fractions(people_catalog):
    search = fake_search({
        "with Kate Siegel": [8, 0, 9, 1],            # 2 of her 3 titles
        "with Sylvester Stallone": [0, 1, 2, 3],     # all 3
        "Sylvester Stallone movies": [4, 5, 6, 0],   # 1 of 3
        "directed by Mike Flanagan": [8, 9, 14, 0],  # 3 of the 4 he directed
    })
    result = judged_people.people_precision_at_k(people_catalog, search, 4, sample_size=5, seed=0)
    assert result.per_query["precision"].tolist() == pytest.approx([2 / 3, 1, 1 / 3, 3 / 4])
    assert result.value == pytest.approx((2 / 3 + 1 + 1 / 3 + 3 / 4) / 4)
    assert result.per_query["role"].tolist() == ["cast", "cast", "cast", "director"]


def test_people_precision_perfect_and_reversed(people_catalog):
    queries = {q.text: q for q in judged_people.people_queries(people_catalog, 5, 0)}

    def relevant_of(text):
        return queries[text].mask(people_catalog)

    best = judged_people.people_precision_at_k(people_catalog, oracle(people_catalog, relevant_of, True), 3, 5, 0)
    worst = judged_people.people_precision_at_k(people_catalog, oracle(people_catalog, relevant_of, False), 3, 5, 0)
    assert best.value == pytest.approx(1.0)
    assert worst.value == pytest.approx(0.0)


@pytest.mark.slow
def test_people_queries_on_the_full_catalogue(full_catalog):
    queries = judged_people.people_queries(full_catalog, sample_size=40, seed=1)
    assert queries == judged_people.people_queries(full_catalog, sample_size=40, seed=1)
    assert queries != judged_people.people_queries(full_catalog, sample_size=40, seed=2)
    assert sum(q.phrasing == "with" for q in queries) == 40
    assert sum(q.phrasing == "directed by" for q in queries) == 40
    assert 0 < sum(q.phrasing == "movies" for q in queries) <= 40
    assert all(len(q.name.split()) >= 2 for q in queries)




@pytest.mark.slow
def test_hybrid_beats_the_original_on_people(full_catalog, full_model):
    original = DescriptionKNN().fit(full_catalog)

    def score(search):
        return judged_people.people_precision_at_k(full_catalog, search, 10, sample_size=50, seed=0).value

    assert score(full_model.neighbors_for_text) > score(original.neighbors_for_text)
