import pytest

from netflix_pyfunc.analyzers import FreeTextAnalyzer, TitleAnalyzer, WordAnalyzer, genre_tokens, shingles


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Astronauts stranded", ["astronaut", "strand"]),
        ("The comedies and a comedy", ["comedi", "comedi"]),
        ("Rocky II", ["rocki", "ii"]),
        ("something I feel like watching: ghosts", ["feel", "watch", "ghost"]),   # 'like' is a stop word
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
        ("We Are Your Friends", ["we are your friend"]),   # not named like 'Friends' (['friend'])
        ("Call My Agent!", ["call my agent"]),                # "call" is a stop word too
        ("3022", []),
        ("5 to 7", []),          # a name of stop words alone: any text with 'to' would name it
        ("Us", []),
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
    "text, country",
    [("a korean romantic comedy", "south korea"), ("bollywood dance drama", "india"), ("british crime", "united kingdom")],
)
def test_demonyms_reach_the_country_block(text, country):
    assert country in FreeTextAnalyzer()(text)["country"]


def test_free_text_tokens_per_block():
    tokens = FreeTextAnalyzer(ngram_max=2)("Horror movies with Kate Siegel")
    assert tokens["description"] == ["horror", "movi", "kate", "siegel", "horror movi", "movi kate", "kate siegel"]
    assert tokens["genre"][:3] == ["horror", "kate", "siegel"]   # 'movies' is genre filler
    assert "kate siegel" in tokens["people"] and "horror movies with" in tokens["people"]
    assert tokens["title"] == TitleAnalyzer()("Horror movies with Kate Siegel")
