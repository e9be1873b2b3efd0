"""Judged free text: relevance rules, the public query set, and the precision arithmetic with fake searches."""

from __future__ import annotations

import math

import numpy as np
import pytest
from judged_fakes import fake_search, oracle

from netflix_pyfunc import judged
from netflix_pyfunc.baseline import DescriptionKNN
from netflix_pyfunc.judged import JudgedQuery, Rule


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (Rule(genres=(("Horror Movies", "TV Horror"),)), {4, 8, 9}),
        (Rule(genres=(("Dramas", "TV Dramas"), ("Sports Movies",))), {0, 1, 2}),
        (Rule(countries=("South Korea",)), {11, 12, 13}),
        (Rule(type="TV Show"), {3, 5, 8, 9, 13}),
        (Rule(years=(2019, 2020)), {6, 7, 11, 12}),
        (Rule(words=(("boxer",),)), {0, 1, 2}),
        (Rule(words=(("box",),)), set()),                        # word boundaries, no prefixes
        (Rule(words=(("astronaut",),)), {12}),                   # forms must be listed...
        (Rule(words=(("astronaut", "astronauts"),)), {11, 12}),  # ...to be accepted
        (Rule(words=(("pokemon",),)), {5}),                      # title, accents normalised
        (Rule(words=(("heavyweight title",),)), {0}),            # phrases are consecutive words
        (Rule(countries=("South Korea",), type="Movie", words=(("rescue",),)), {11, 12}),
        (Rule(genres=(("Comedies",),), words=(("grandmother",), ("dreams",)), years=(2019, 2019)), {6, 7}),
        (Rule(words=(("boxer",), ("mars",))), set()),            # every word group must match
    ],
)
def test_rule_mask(catalog, rule, expected):
    assert set(np.flatnonzero(rule.mask(catalog)).tolist()) == expected


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Rule(), "at least one of"),
        (lambda: Rule(type="Film"), "type must be one of"),
        (lambda: Rule(years=(2020, 2010)), "years must be"),
        (lambda: Rule(words=((),)), "must not be empty"),
        (lambda: Rule.from_dict({"genre": [["Dramas"]]}), "unknown rule keys"),
    ],
)
def test_rule_rejects_bad_definitions(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_rule_from_dict_normalises_words(catalog):
    rule = Rule.from_dict({"words": [["Pokémon!"]], "years": [1990, 2005]})
    assert rule.words == (("pokemon",),) and rule.years == (1990, 2005)
    assert np.flatnonzero(rule.mask(catalog)).tolist() == [5]


def test_public_query_set_is_split_into_two_balanced_halves():
    everything = judged.load_queries()
    dev, holdout = judged.load_queries("dev"), judged.load_queries("holdout")
    assert len(everything) >= 60
    assert abs(len(dev) - len(holdout)) <= 1
    assert {q.text for q in dev} | {q.text for q in holdout} == {q.text for q in everything}
    assert not {q.text for q in dev} & {q.text for q in holdout}
    assert [q.split for q in everything[:4]] == ["dev", "holdout", "dev", "holdout"]


def test_unknown_split_names_the_valid_ones():
    with pytest.raises(ValueError, match="dev"):
        judged.load_queries("test")


BOXING = JudgedQuery("boxing", Rule(words=(("boxer",),)), "dev")              # relevant: 0, 1, 2
KOREAN = JudgedQuery("korean", Rule(countries=("South Korea",)), "holdout")  # relevant: 11, 12, 13
NOTHING = JudgedQuery("nothing", Rule(words=(("zeppelin",),)), "dev")        # relevant: none


def test_text_precision_exact_fractions(catalog):
    search = fake_search({"boxing": [0, 5, 1], "korean": [13, 4, 6]})
    result = judged.text_precision_at_k(catalog, search, 3, queries=[BOXING, KOREAN])
    assert result.per_query["hits"].tolist() == [2, 1]
    assert result.per_query["precision"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert result.value == pytest.approx(0.5)
    assert result.per_query["base_rate"].tolist() == pytest.approx([3 / 14, 3 / 14])
    assert result.per_query["found"].tolist() == [[0, 5, 1], [13, 4, 6]]


def test_text_precision_caps_the_denominator_at_the_relevant_count(catalog):
    search = fake_search({"boxing": [0, 1, 2, 3, 4]})
    result = judged.text_precision_at_k(catalog, search, 5, queries=[BOXING])
    assert result.value == pytest.approx(1.0)
    short = judged.text_precision_at_k(catalog, fake_search({"boxing": [0]}), 5, queries=[BOXING])
    assert short.value == pytest.approx(1 / 3)


def test_query_without_relevant_titles_is_left_out_of_the_mean(catalog):
    search = fake_search({"boxing": [0, 1, 2], "nothing": [3, 4, 5]})
    result = judged.text_precision_at_k(catalog, search, 3, queries=[BOXING, NOTHING])
    assert math.isnan(result.per_query["precision"].iloc[1])
    assert result.value == pytest.approx(1.0)
    with pytest.raises(ValueError, match="no query has a relevant title"):
        judged.text_precision_at_k(catalog, search, 3, queries=[NOTHING])


def test_perfect_search_scores_one_and_reversed_search_lower_on_the_public_set(catalog):
    queries = judged.load_queries()
    rules = {q.text: q.rule for q in queries}

    def relevant_of(text):
        return rules[text].mask(catalog)

    best = judged.text_precision_at_k(catalog, oracle(catalog, relevant_of, True), 10)
    worst = judged.text_precision_at_k(catalog, oracle(catalog, relevant_of, False), 10)
    assert best.value == pytest.approx(1.0)
    assert worst.value < best.value
    assert len(best.per_query) == len(queries)


@pytest.mark.parametrize(
    ("answers", "k", "message"),
    [({"boxing": [0]}, 0, "k must be"), (None, 3, "result lists")],
)
def test_text_precision_rejects_bad_calls(catalog, answers, k, message):
    search = fake_search(answers) if answers else (lambda texts, k: [])
    with pytest.raises(ValueError, match=message):
        judged.text_precision_at_k(catalog, search, k, queries=[BOXING])


def test_text_precision_takes_a_split_or_queries_not_both(catalog):
    with pytest.raises(ValueError, match="not both"):
        judged.text_precision_at_k(catalog, fake_search({"boxing": [0]}), 3, split="dev", queries=[BOXING])
    with pytest.raises(ValueError, match="no judged queries"):
        judged.text_precision_at_k(catalog, fake_search({}), 3, queries=[])


def test_check_labels_names_the_closest_label(catalog):
    bad = JudgedQuery("funny", Rule(genres=(("Comedy",),)), "dev")
    with pytest.raises(ValueError, match=r"unknown genre 'Comedy'; closest: \['Comedies'"):
        judged.check_labels(catalog, [bad])
    judged.check_labels(catalog, [BOXING, KOREAN])


# ------------------------------------------------------------------ the full catalogue
@pytest.mark.slow
def test_public_rules_are_valid_and_selective_on_the_full_catalogue(full_catalog):
    judged.check_labels(full_catalog)
    rates = judged.base_rates(full_catalog)
    counts = rates * len(full_catalog)
    assert counts.min() >= 8, counts.nsmallest(3)
    assert rates.median() < 0.02
    assert rates.max() < 0.05


@pytest.mark.slow
@pytest.mark.parametrize("split", judged.SPLITS)
def test_hybrid_beats_the_original_on_both_halves(full_catalog, full_model, split):
    original = DescriptionKNN().fit(full_catalog)
    hybrid = judged.text_precision_at_k(full_catalog, full_model.neighbors_for_text, 10, split=split)
    assert hybrid.value > judged.text_precision_at_k(full_catalog, original.neighbors_for_text, 10, split=split).value
