import numpy as np
import pytest

from netflix_pyfunc.features import (
    BLOCKS, FeatureConfig, HybridFeatures, TitleAnalyzer, WordAnalyzer, genre_tokens, shingles,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Astronauts stranded", ["astronaut", "strand"]),
        ("The comedies and a comedy", ["comedi", "comedi"]),
        ("Rocky II", ["rocki", "ii"]),
        ("", []),
    ],
)
def test_word_analyzer_words(text, expected):
    assert WordAnalyzer().words(text) == expected


def test_word_analyzer_bigrams_and_numbers():
    assert WordAnalyzer(ngram_max=2)("young boxers fight") == ["young", "boxer", "fight", "young boxer", "boxer fight"]
    assert WordAnalyzer(drop_numbers=True)("Rocky IV 2") == ["rocki"]


def test_word_analyzer_survives_pickle():
    import pickle

    analyzer = pickle.loads(pickle.dumps(WordAnalyzer(ngram_max=2)))
    assert analyzer("space boxers") == ["space", "boxer", "space boxer"]


@pytest.mark.parametrize(
    "title, expected",
    [
        ("Rocky II", ["rocki"]),
        ("Narcos: Mexico", ["narco mexico", "narco", "narco mexico"]),
        ("Kung Fu Panda 2", ["kung fu panda", "kung fu", "fu panda"]),
        ("Baahubali: The Beginning (Hindi Version)", ["baahubali begin", "baahubali", "baahubali begin"]),
        ("The Strangers", ["stranger"]),
        ("3022", []),
    ],
)
def test_title_analyzer_keeps_series_names(title, expected):
    assert TitleAnalyzer()(title) == expected


def test_shingles():
    assert shingles("Tom Hanks in space", (2,)) == ["tom hanks", "hanks in", "in space"]


def test_genre_tokens_keep_label_and_topic_words():
    tokens = genre_tokens(["Horror Movies", "International TV Shows"], WordAnalyzer())
    assert tokens == ["horror movies", "horror", "international tv shows"]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"w_title": -1.0}, "w_title"),
        ({"w_genre": float("nan")}, "w_genre"),
        ({"w_description": 0, "w_title": 0, "w_genre": 0, "w_people": 0, "w_country": 0}, "at least one"),
        ({"desc_max_df": 0.0}, "desc_max_df"),
        ({"desc_ngram_max": 0}, ">= 1"),
    ],
)
def test_invalid_config(change, message):
    with pytest.raises(ValueError, match=message):
        FeatureConfig(**change).validate()


def test_blocks_are_unit_rows_and_stack_gives_weighted_cosine(catalog):
    config = FeatureConfig(desc_min_df=1, desc_max_df=1.0)
    features = HybridFeatures(config)
    blocks = features.fit_transform(catalog)
    for block in BLOCKS:
        norms = np.sqrt(np.asarray(blocks[block].multiply(blocks[block]).sum(axis=1)).ravel())
        assert np.allclose(norms[norms > 0], 1.0, atol=1e-5)
    stacked = features.stack(blocks)
    a, b = 0, 1  # Rocky, Rocky II
    expected = sum(config.weights()[blk] * blocks[blk][a].multiply(blocks[blk][b]).sum() for blk in BLOCKS)
    assert stacked[a].multiply(stacked[b]).sum() == pytest.approx(expected, rel=1e-5)


def test_text_blocks_reach_people_and_genres(catalog):
    features = HybridFeatures(FeatureConfig(desc_min_df=1, desc_max_df=1.0))
    features.fit_transform(catalog)
    text = features.text_blocks(["a horror film with Kate Siegel"])
    people = features.feature_names_["people"][text["people"].indices]
    genres = features.feature_names_["genre"][text["genre"].indices]
    assert list(people) == ["kate siegel"]
    assert "horror" in set(genres)


@pytest.mark.parametrize(
    "text, country",
    [("a korean romantic comedy", "south korea"), ("bollywood dance drama", "india"), ("british crime", "united kingdom")],
)
def test_demonyms_reach_the_country_block(catalog, text, country):
    features = HybridFeatures(FeatureConfig(desc_min_df=1, desc_max_df=1.0))
    features.fit_transform(catalog)
    tokens = features.text_tokens(text)["country"]
    assert country in tokens
