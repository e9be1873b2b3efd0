"""Offline metrics on a hand-made 12-title catalogue, franchise grouping on real titles."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import skew

from netflix_pyfunc import evaluate as ev
from netflix_pyfunc import franchises as fr
from netflix_pyfunc import metrics
from netflix_pyfunc.catalog import (
    DESCRIPTION, RAW_COLUMNS, TITLE, clean_catalog, load_catalog, normalize_text, work_ids,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "netflix_titles.csv"

# position: title, listed_in, description
ROWS = [
    ("Rocky", "Dramas, Sports Movies", "A small-time Philadelphia boxer gets a rare shot at the heavyweight title."),
    ("Rocky II", "Dramas, Sports Movies", "The underdog fighter agrees to a rematch against the reigning champion."),
    ("Rocky III", "Dramas, Sports Movies", "After losing his belt the fighter trains with his former rival."),
    ("Kung Fu Panda", "Children & Family Movies, Comedies", "A clumsy panda who loves noodles becomes a kung fu warrior."),
    ("Kung Fu Panda 2", "Children & Family Movies, Comedies", "The dragon warrior faces a peacock armed with a deadly weapon."),
    ("Oh! Baby", "Comedies, International Movies", "A surly grandmother gets another chance at her twenties."),
    ("Oh! Baby (Tamil)", "Comedies, International Movies", "A surly grandmother gets another chance at her twenties."),
    ("Midnight Mass", "TV Horror, TV Mysteries", "A charismatic priest brings miracles and menace to an island town."),
    ("The Haunting of Hill House", "TV Horror, TV Dramas", "Siblings who grew up in a haunted house confront their past."),
    ("Our Planet", "Docuseries, Science & Nature TV", "Wildlife footage from every continent shows the effect of climate change."),
    ("Night on Earth", "Docuseries, Science & Nature TV", "Low light cameras reveal the secret lives of animals after dark."),
    ("Tokyo Story", "International Movies", "An elderly couple visit their busy grown children in the city."),
]
ROCKY, ROCKY_II, ROCKY_III, PANDA, PANDA_2, OH_BABY, OH_BABY_TAMIL, MIDNIGHT, HILL_HOUSE, PLANET, NIGHT, TOKYO = range(12)


@pytest.fixture(scope="module")
def catalog() -> pd.DataFrame:
    raw = {column: [""] * len(ROWS) for column in RAW_COLUMNS}
    raw["show_id"] = [f"s{i}" for i in range(len(ROWS))]
    raw["type"] = ["Movie"] * len(ROWS)
    raw["release_year"] = ["2000"] * len(ROWS)
    raw["title"] = [row[0] for row in ROWS]
    raw["listed_in"] = [row[1] for row in ROWS]
    raw["description"] = [row[2] for row in ROWS]
    return clean_catalog(pd.DataFrame(raw))


# ---------------------------------------------------------------- genre precision


def test_genre_precision_identity_is_one(catalog):
    lists = [[ROCKY_II, ROCKY_III], [PANDA_2, OH_BABY], [PLANET]]
    assert metrics.genre_precision_at_k(catalog, [ROCKY, PANDA, NIGHT], lists) == 1.0


def test_genre_precision_no_hit_is_zero(catalog):
    lists = [[PANDA, MIDNIGHT], [ROCKY, PLANET]]
    assert metrics.genre_precision_at_k(catalog, [ROCKY, PANDA], lists) == 0.0


def test_genre_precision_exact_value(catalog):
    # Rocky: Rocky II shares Dramas, Kung Fu Panda shares nothing -> 1/2.
    # Oh! Baby: Tokyo Story shares only "International Movies", which does not count -> 0.
    # Kung Fu Panda: both share Comedies -> 1.
    # Tokyo Story has no topical genre -> skipped.  Mean of (0.5, 0, 1) = 0.5.
    queries = [ROCKY, OH_BABY, PANDA, TOKYO]
    lists = [[ROCKY_II, PANDA], [TOKYO], [OH_BABY, OH_BABY_TAMIL], [OH_BABY]]
    assert metrics.genre_precision_at_k(catalog, queries, lists) == pytest.approx(0.5)


def test_genre_precision_empty_list_scores_zero_and_all_skipped_is_nan(catalog):
    assert metrics.genre_precision_at_k(catalog, [ROCKY, PANDA], [[], [PANDA_2]]) == pytest.approx(0.5)
    assert math.isnan(metrics.genre_precision_at_k(catalog, [TOKYO], [[ROCKY]]))


def test_genre_precision_rejects_mismatched_lengths_and_bad_positions(catalog):
    with pytest.raises(ValueError, match="2 query positions but 1"):
        metrics.genre_precision_at_k(catalog, [ROCKY, PANDA], [[ROCKY_II]])
    with pytest.raises(ValueError, match="outside"):
        metrics.genre_precision_at_k(catalog, [ROCKY], [[99]])


# ---------------------------------------------------------------- franchise grouping

REAL_TITLES = [
    "Rocky", "Rocky II", "Rocky III", "Rocky IV", "Rocky V", "Rocky Handsome",
    "Baahubali: The Beginning (Hindi Version)", "Baahubali: The Beginning (Tamil Version)",
    "Baahubali 2: The Conclusion (Hindi Version)",
    "Oh! Baby", "Oh! Baby (Tamil)", "Oh! Baby (Malayalam)",
    "Kung Fu Panda", "Kung Fu Panda 2", "Kung Fu Panda: Secrets of the Scroll",
    "DreamWorks Kung Fu Panda Awesome Secrets",
    "The Karate Kid", "The Karate Kid Part II", "The Karate Kid Part III",
    "Fear Street Part 1: 1994", "Fear Street Part 2: 1978",
    "Chhota Bheem", "Chhota Bheem - Dinosaur World",
    "Midnight Mass", "Midnight Run",
    "Life", "Life 2.0", "Life as We Know It", "Life of Crime", "Life Sentence",
    "Life Overtakes Me", "Life Plan A and B", "Life of An Outcast", "Life's Speed Bump",
    "Consequences", "Consequences",
]


@pytest.fixture(scope="module")
def real_groups() -> dict[str, list[str]]:
    return {key: [REAL_TITLES[p] for p in positions] for key, positions in fr.franchise_groups(REAL_TITLES).items()}


def _group_of(groups: dict[str, list[str]], title: str) -> str | None:
    return next((key for key, titles in groups.items() if title in titles), None)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Rocky", "Rocky II"),
        ("Rocky", "Rocky V"),
        ("Baahubali: The Beginning (Hindi Version)", "Baahubali: The Beginning (Tamil Version)"),
        ("Baahubali: The Beginning (Hindi Version)", "Baahubali 2: The Conclusion (Hindi Version)"),
        ("Oh! Baby (Tamil)", "Oh! Baby"),
        ("Kung Fu Panda", "Kung Fu Panda: Secrets of the Scroll"),
        ("Kung Fu Panda 2", "Kung Fu Panda"),
        ("The Karate Kid", "The Karate Kid Part III"),
        ("Fear Street Part 1: 1994", "Fear Street Part 2: 1978"),
        ("Chhota Bheem", "Chhota Bheem - Dinosaur World"),
    ],
)
def test_franchise_same_group(real_groups, first, second):
    key = _group_of(real_groups, first)
    assert key is not None, f"{first!r} is in no group: {real_groups}"
    assert second in real_groups[key]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Rocky", "Rocky Handsome"),
        ("Kung Fu Panda", "DreamWorks Kung Fu Panda Awesome Secrets"),
        ("Midnight Mass", "Midnight Run"),
        ("Oh! Baby", "Baahubali: The Beginning (Hindi Version)"),
    ],
)
def test_franchise_unrelated_titles_apart(real_groups, first, second):
    key = _group_of(real_groups, first)
    assert key is None or second not in real_groups[key]


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("Rocky IV", "rocky"),
        ("Baahubali 2: The Conclusion (Hindi Version)", "baahubali"),
        ("Oh! Baby (Tamil)", "oh baby"),
        ("The Karate Kid Part II", "the karate kid"),
        ("Surviving R. Kelly Part II: The Reckoning", "surviving r kelly"),
        ("Nymphomaniac: Volume II", "nymphomaniac"),
        ("Pokémon: Indigo League", "pokemon"),
        ("Rocky Handsome", "rocky handsome"),
    ],
)
def test_franchise_key(title, key):
    assert fr.franchise_key(title) == key


def test_franchise_common_word_and_duplicate_title_groups_dropped(real_groups):
    # "Life" / "Life 2.0" share the key "life", but 'life' starts 9 titles: a common word.
    assert "life" not in real_groups
    # Two different works that happen to share a title are no franchise.
    assert "consequences" not in real_groups
    # Singletons never form a group.
    assert _group_of(real_groups, "Midnight Mass") is None


def test_franchise_stop_word_and_short_keys_dropped():
    groups = fr.franchise_groups(["Them", "Them: Covenant", "K", "K 2", "Tremors", "Tremors 2: Aftershocks"])
    assert groups == {"tremors": [4, 5]}


def test_franchise_specific_single_word_kept_despite_other_titles_with_word():
    # 'rocky' is in 6 titles and the group has 5: specific enough.
    groups = fr.franchise_groups(REAL_TITLES)
    assert [REAL_TITLES[p] for p in groups["rocky"]] == ["Rocky", "Rocky II", "Rocky III", "Rocky IV", "Rocky V"]


@pytest.mark.skipif(not DATA.exists(), reason="data/netflix_titles.csv not present")
def test_franchise_groups_on_full_catalogue():
    titles = load_catalog(DATA)[TITLE].tolist()
    groups = fr.franchise_groups(titles)
    named = {key: sorted(titles[p] for p in positions) for key, positions in groups.items()}
    assert named["rocky"] == ["Rocky", "Rocky II", "Rocky III", "Rocky IV", "Rocky V"]
    assert {"Kung Fu Panda", "Kung Fu Panda 2"} <= set(named["kung fu panda"])
    assert len(named["baahubali"]) == 7
    assert not {"life", "love", "the", "home", "black", "special"} & set(named)
    # Junk does not dominate: the biggest groups are real series.
    biggest = sorted(named, key=lambda key: -len(named[key]))[:5]
    assert set(biggest) <= {"nova", "monster high", "true", "chhota bheem", "trailer park boys", "kevin hart"}


# ---------------------------------------------------------------- franchise recall

HAND_GROUPS = {"rocky": [ROCKY, ROCKY_II, ROCKY_III], "kung fu panda": [PANDA, PANDA_2]}


def test_franchise_recall_identity_is_one():
    lists = {
        ROCKY: [ROCKY_II, ROCKY_III], ROCKY_II: [ROCKY_III, ROCKY], ROCKY_III: [ROCKY, ROCKY_II],
        PANDA: [PANDA_2, MIDNIGHT], PANDA_2: [PANDA, MIDNIGHT],
    }
    assert fr.franchise_recall_at_k(HAND_GROUPS, lists) == 1.0


def test_franchise_recall_no_hit_is_zero():
    lists = {p: [MIDNIGHT, PLANET] for p in (ROCKY, ROCKY_II, ROCKY_III, PANDA, PANDA_2)}
    assert fr.franchise_recall_at_k(HAND_GROUPS, lists) == 0.0


def test_franchise_recall_exact_value():
    # Rocky: 1 of 2 others -> 0.5; Rocky II: 2 of 2 -> 1; Rocky III: 0;
    # Kung Fu Panda: 1 of 1 -> 1; Kung Fu Panda 2: 0.  Mean over 5 members = 2.5 / 5.
    lists = {
        ROCKY: [ROCKY_II, MIDNIGHT], ROCKY_II: [ROCKY, ROCKY_III], ROCKY_III: [MIDNIGHT, PLANET],
        PANDA: [PANDA_2, MIDNIGHT], PANDA_2: [MIDNIGHT, PLANET],
    }
    assert fr.franchise_recall_at_k(HAND_GROUPS, lists) == pytest.approx(0.5)


def test_franchise_recall_denominator_is_capped_at_k():
    groups = {"big": [0, 1, 2, 3]}
    lists = {0: [1, 2], 1: [0, 2], 2: [0, 1], 3: [0, 9]}
    # k=2: three members find 2 of min(3, 2) = 2 -> 1; member 3 finds 1 -> 0.5.
    assert fr.franchise_recall_at_k(groups, lists, k=2) == pytest.approx(3.5 / 4)
    # With k=3 the same lists can reach only 2 of 3.
    assert fr.franchise_recall_at_k(groups, lists, k=3) == pytest.approx((2 / 3 * 3 + 1 / 3) / 4)


def test_franchise_recall_language_versions_count_as_one_work(catalog):
    works = work_ids(catalog)
    assert works[OH_BABY] == works[OH_BABY_TAMIL] and works[ROCKY] != works[ROCKY_II]
    # Pure language versions of one work: nothing reachable, members skipped -> NaN.
    assert math.isnan(
        fr.franchise_recall_at_k({"oh baby": [OH_BABY, OH_BABY_TAMIL]}, {OH_BABY: [], OH_BABY_TAMIL: []}, work_ids=works, k=2)
    )
    # A sequel available in two language versions: showing either one is a full hit.
    groups = {"mixed": [ROCKY, OH_BABY, OH_BABY_TAMIL]}
    lists = {ROCKY: [OH_BABY_TAMIL, MIDNIGHT], OH_BABY: [ROCKY, MIDNIGHT], OH_BABY_TAMIL: [MIDNIGHT, PLANET]}
    assert fr.franchise_recall_at_k(groups, lists, work_ids=works, k=2) == pytest.approx(2 / 3)


def test_franchise_recall_missing_member_list_is_an_error():
    with pytest.raises(ValueError, match="without a recommendation list"):
        fr.franchise_recall_at_k(HAND_GROUPS, {ROCKY: [ROCKY_II]})


# ---------------------------------------------------------------- known item


def test_known_item_queries_take_a_quarter_of_the_words_in_order(catalog):
    queries = metrics.known_item_queries(catalog, [ROCKY, PANDA], seed=3)
    for position, query in zip([ROCKY, PANDA], queries):
        words = normalize_text(catalog[DESCRIPTION].iat[position]).split()
        chosen = query.split()
        assert len(chosen) == max(1, math.floor(len(words) / 4 + 0.5))
        remaining = iter(words)
        assert all(word in remaining for word in chosen), f"{chosen} is not a subsequence of {words}"


def test_known_item_queries_seeded_and_independent_of_sample(catalog):
    alone = metrics.known_item_queries(catalog, [PANDA], seed=1)
    together = metrics.known_item_queries(catalog, [ROCKY, PANDA], seed=1)
    assert alone == together[1:]
    variants = {metrics.known_item_queries(catalog, [PANDA], seed=seed)[0] for seed in range(10)}
    assert len(variants) > 1


def test_known_item_queries_at_least_one_word_and_empty_description_rejected(catalog):
    short = catalog.copy()
    short[DESCRIPTION] = short[DESCRIPTION].astype(object)
    short.loc[ROCKY, DESCRIPTION] = "Boxing."
    short.loc[PANDA, DESCRIPTION] = ""
    assert metrics.known_item_queries(short, [ROCKY]) == ["boxing"]
    with pytest.raises(ValueError, match=f"position {PANDA} has an empty description"):
        metrics.known_item_queries(short, [PANDA])


def test_known_item_success_values():
    assert metrics.known_item_success_at_k([0, 1, 2], [[0, 5], [1], [4, 2]]) == 1.0
    assert metrics.known_item_success_at_k([0, 1, 2], [[5], [], [4, 3]]) == 0.0
    assert metrics.known_item_success_at_k([0, 1, 2], [[0, 5], [3], [4, 2]]) == pytest.approx(2 / 3)
    assert math.isnan(metrics.known_item_success_at_k([], []))


# ---------------------------------------------------------------- coverage and hubness


def test_coverage_values():
    assert metrics.catalog_coverage_at_k([[0, 1], [2, 3]], 4) == 1.0
    assert metrics.catalog_coverage_at_k([[], []], 4) == 0.0
    assert metrics.catalog_coverage_at_k([[0, 1], [1, 2]], 4) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="outside"):
        metrics.catalog_coverage_at_k([[0, 4]], 4)


def test_hubness_exact_values():
    lists = [[0, 1], [0, 2], [0, 3]]
    hub_max, hub_skew = metrics.hubness(lists, 5)
    # N_k = [3, 1, 1, 1, 0]: item 0 is in all 3 lists.
    assert hub_max == 1.0
    assert hub_skew == pytest.approx(skew([3, 1, 1, 1, 0]))
    assert hub_skew == pytest.approx(0.816 / 0.96**1.5)


def test_hubness_of_flat_distribution():
    hub_max, hub_skew = metrics.hubness([[0, 1], [2, 3]], 4)
    assert hub_max == 0.5 and hub_skew == 0.0


def test_hubness_counts_an_item_once_per_list():
    assert metrics.hubness([[0, 0, 1]], 2) == (1.0, 0.0)


# ---------------------------------------------------------------- diversity


def test_intra_list_diversity_values(catalog):
    assert metrics.intra_list_diversity([[ROCKY, ROCKY_II, ROCKY_III]], catalog) == 0.0
    assert metrics.intra_list_diversity([[ROCKY, PANDA, MIDNIGHT]], catalog) == 1.0
    # [Rocky, Rocky II, Panda]: distances 0, 1, 1 -> 2/3.  [Panda, Oh! Baby]: {C&F, Comedies} vs
    # {Comedies} (International Movies ignored) -> 1 - 1/2.  Single-item list skipped.
    lists = [[ROCKY, ROCKY_II, PANDA], [PANDA, OH_BABY], [MIDNIGHT]]
    assert metrics.intra_list_diversity(lists, catalog) == pytest.approx((2 / 3 + 0.5) / 2)


def test_intra_list_diversity_genre_less_titles_are_identical(catalog):
    assert metrics.intra_list_diversity([[TOKYO, TOKYO]], catalog) == 0.0
    assert metrics.intra_list_diversity([[TOKYO, ROCKY]], catalog) == 1.0
    assert math.isnan(metrics.intra_list_diversity([[ROCKY]], catalog))


# ---------------------------------------------------------------- latency


def test_latency_is_the_median_and_warms_up():
    calls = []
    slow = {"slow": 0.05}

    def fn(query):
        calls.append(query)
        if query in slow:
            import time

            time.sleep(slow[query])

    median = metrics.latency_ms_p50(fn, ["a", "b", "slow"])
    assert median < 40.0  # the one 50 ms call is not the median
    assert calls == ["a", "a", "b", "slow"]
    with pytest.raises(ValueError, match="at least one query"):
        metrics.latency_ms_p50(fn, [])


def test_latency_measures_wall_time():
    import time

    assert metrics.latency_ms_p50(lambda _: time.sleep(0.01), ["x", "y", "z"]) >= 10.0


# ---------------------------------------------------------------- evaluate and objective


def _oracle(catalog):
    """Fake model: recommends franchise mates, then same-genre titles; text search by word overlap."""
    groups = fr.franchise_groups(catalog[TITLE].tolist())
    genres = metrics.topical_genre_matrix(catalog)
    works = work_ids(catalog)
    words = [set(normalize_text(text).split()) for text in catalog[DESCRIPTION]]
    calls = {"positions": []}

    def neighbors(positions, k):
        calls["positions"].extend(positions)
        out = []
        for p in positions:
            mates = [q for g in groups.values() if p in g for q in g]
            same_genre = [q for q in range(len(catalog)) if (genres[q] & genres[p]).any()]
            ranked = list(dict.fromkeys(mates + same_genre + list(range(len(catalog)))))
            out.append(np.array([q for q in ranked if works[q] != works[p]][:k]))
        return out

    def text_neighbors(texts, k):
        return [np.argsort([-len(set(t.split()) & w) for w in words], kind="stable")[:k] for t in texts]

    return neighbors, text_neighbors, calls


def test_evaluate_with_oracle_fakes(catalog):
    neighbors, text_neighbors, calls = _oracle(catalog)
    metrics = ev.evaluate(catalog, neighbors, text_neighbors, k=3, sample_size=100, seed=0)
    assert tuple(metrics) == ev.METRIC_NAMES
    assert sorted(calls["positions"]) == list(range(len(catalog)))
    assert metrics["franchise_recall_at_k"] == 1.0
    assert metrics["known_item_success_at_k"] == 1.0
    assert 0 < metrics["genre_precision_at_k"] <= 1
    assert 0 < metrics["catalog_coverage_at_k"] <= 1
    assert all(math.isfinite(value) for value in metrics.values())


def test_evaluate_with_useless_fakes(catalog):
    n = len(catalog)

    def neighbors(positions, k):
        return [np.array([TOKYO if p != TOKYO else MIDNIGHT]) for p in positions]

    def text_neighbors(texts, k):
        # Oh! Baby shares its description with Oh! Baby (Tamil), so it is never a known-item target.
        return [np.array([OH_BABY]) for _ in texts]

    metrics = ev.evaluate(catalog, neighbors, text_neighbors, k=1, sample_size=n, seed=0)
    assert metrics["franchise_recall_at_k"] == 0.0
    assert metrics["genre_precision_at_k"] == 0.0
    assert metrics["known_item_success_at_k"] == 0.0
    assert metrics["catalog_coverage_at_k"] == pytest.approx(2 / n)
    assert metrics["hubness_max"] == pytest.approx((n - 1) / n)


def test_evaluate_uses_predict_for_latency(catalog):
    neighbors, text_neighbors, _ = _oracle(catalog)
    seen = []
    ev.evaluate(catalog, neighbors, text_neighbors, k=2, sample_size=4, seed=1, predict=seen.append, latency_queries=3)
    assert len(seen) == 4 and set(seen) <= set(catalog[TITLE])  # 1 warm-up + 3 timed


def test_evaluate_rejects_wrong_number_of_lists(catalog):
    def neighbors(positions, k):
        return [np.array([0])]

    _, text_neighbors, _ = _oracle(catalog)
    with pytest.raises(ValueError, match="neighbors returned 1 lists for 12 positions"):
        ev.evaluate(catalog, neighbors, text_neighbors)


FULL_METRICS = {
    "genre_precision_at_k": 0.6,
    "genre_precision_at_k_blind": 0.4,
    "franchise_recall_at_k": 0.5,
    "known_item_success_at_k": 0.9,
    "catalog_coverage_at_k": 0.8,
    "text_precision_at_k": 0.7,
    "people_precision_at_k": 0.95,
    "hubness_max": 0.02,
}


def test_objective_exact_value_and_weights_sum_to_one():
    assert sum(ev.OBJECTIVE_WEIGHTS.values()) == pytest.approx(1.0)
    expected = 0.15 * 0.6 + 0.05 * 0.4 + 0.20 * 0.5 + 0.25 * 0.9 + 0.10 * 0.8 + 0.15 * 0.7 + 0.10 * 0.95
    assert ev.objective(FULL_METRICS) == pytest.approx(expected)
    perfect = {name: 1.0 for name in ev.OBJECTIVE_WEIGHTS}
    assert ev.objective(perfect) == pytest.approx(1.0)
    assert ev.objective({name: 0.0 for name in ev.OBJECTIVE_WEIGHTS}) == 0.0


def test_objective_names_missing_and_non_finite_metrics():
    partial = {k: v for k, v in FULL_METRICS.items() if k != "genre_precision_at_k_blind"}
    with pytest.raises(KeyError, match="genre_precision_at_k_blind"):
        ev.objective(partial)
    with pytest.raises(ValueError, match="franchise_recall_at_k"):
        ev.objective({**FULL_METRICS, "franchise_recall_at_k": math.nan})
    assert ev.objective(partial, weights={"known_item_success_at_k": 1.0}) == 0.9


# ---------------------------------------------------------------- report


def test_write_report(tmp_path):
    examples = {
        "Rocky": pd.DataFrame({
            "rank": [1, 2], "title": ["Rocky II", "Creed | Legacy"], "type": ["Movie", "Movie"],
            "release_year": [1979, 2015], "score": [np.float32(0.91234), 0.5], "reason": ["same franchise", "genre"],
        }),
        "nothing": pd.DataFrame(columns=["rank", "title"]),
    }
    metrics = {"genre_precision_at_k": np.float64(0.61), "hubness_skew": math.nan, "n_titles": 8807.0,
               "latency_ms_p50": 1.23456}
    json_path, md_path = ev.write_report(metrics, examples, tmp_path / "out")
    assert json_path.parent == md_path.parent == tmp_path / "out"

    payload = json.loads(json_path.read_text(encoding="utf-8"))
    assert payload["metrics"] == {"genre_precision_at_k": 0.61, "hubness_skew": None, "n_titles": 8807.0,
                                  "latency_ms_p50": 1.23456}
    assert payload["examples"]["Rocky"][0]["title"] == "Rocky II"
    assert payload["examples"]["Rocky"][0]["score"] == pytest.approx(0.91234, abs=1e-6)
    assert payload["examples"]["nothing"] == []

    md = md_path.read_text(encoding="utf-8")
    assert "| genre_precision_at_k | 0.610 |" in md
    assert "| hubness_skew | n/a |" in md
    assert "| n_titles | 8807 |" in md and "| latency_ms_p50 | 1.235 |" in md
    assert "### Rocky" in md and "### nothing" in md and "_no results_" in md
    assert "| rank | title | type | release_year | score | reason |" in md
    assert "| 1 | Rocky II | Movie | 1979 | 0.912 | same franchise |" in md
    assert "Creed \\| Legacy" in md
