"""Shared fixtures: a hand-made 14-row catalogue, models fitted on it and on the real data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from netflix_pyfunc.catalog import RAW_COLUMNS, clean_catalog, load_catalog
from netflix_pyfunc.recommender import HybridRecommender
from netflix_pyfunc.titles import TitleIndex

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "netflix_titles.csv"

_ROWS = [
    # show_id, type, title, director, cast, country, date_added, year, rating, duration, listed_in, description
    ("s1", "Movie", "Rocky", "John G. Avildsen", "Sylvester Stallone, Talia Shire", "United States",
     "August 1, 2019", "1976", "PG", "120 min", "Dramas, Sports Movies",
     "A small-time boxer from Philadelphia gets a shot at the world heavyweight title against Apollo Creed."),
    ("s2", "Movie", "Rocky II", "Sylvester Stallone", "Sylvester Stallone, Talia Shire", "United States",
     "August 1, 2019", "1979", "PG", "119 min", "Dramas, Sports Movies",
     "Boxer Rocky Balboa agrees to a rematch with heavyweight champion Apollo Creed."),
    ("s3", "Movie", "Rocky III", "Sylvester Stallone", "Sylvester Stallone, Mr. T", "United States",
     "August 1, 2019", "1982", "PG", "99 min", "Dramas, Sports Movies",
     "Heavyweight champion Rocky Balboa loses his title to a hungry young boxer and must fight back."),
    ("s4", "TV Show", "DEATH NOTE", "", "Mamoru Miyano", "Japan", "January 1, 2018", "2006", "TV-14",
     "1 Season", "Anime Series, International TV Shows",
     "A student finds a supernatural notebook that kills anyone whose name is written in it."),
    ("s5", "Movie", "Death Note", "Adam Wingard", "Nat Wolff", "United States", "August 25, 2017",
     "2017", "TV-MA", "101 min", "Horror Movies, Thrillers",
     "A high school student uses a mysterious notebook to kill criminals, and a detective hunts him."),
    ("s6", "TV Show", "Pokémon: Indigo League", "", "Ikue Otani, Veronica Taylor", "Japan",
     "July 1, 2019", "2000", "TV-Y7", "3 Seasons", "Anime Series, Kids' TV",
     "Ash and his partner Pikachu travel to become Pokemon masters, catching and training creatures."),
    ("s7", "Movie", "Oh! Baby", "B.V. Nandini Reddy", "Samantha Ruth Prabhu", "India", "October 1, 2019",
     "2019", "TV-14", "160 min", "Comedies, International Movies",
     "A grumpy grandmother magically becomes young again and gets a second chance at her dreams."),
    ("s8", "Movie", "Oh! Baby (Tamil)", "B.V. Nandini Reddy", "Samantha Ruth Prabhu", "India",
     "October 1, 2019", "2019", "TV-14", "160 min", "Comedies, International Movies",
     "A grumpy grandmother magically becomes young again and gets a second chance at her dreams."),
    ("s9", "TV Show", "Midnight Mass", "Mike Flanagan", "Kate Siegel, Hamish Linklater", "",
     "September 24, 2021", "2021", "TV-MA", "1 Season", "TV Dramas, TV Horror, TV Mysteries",
     "A charismatic priest arrives on an isolated island and miracles and dark omens follow."),
    ("s10", "TV Show", "The Haunting of Hill House", "Mike Flanagan", "Kate Siegel, Henry Thomas",
     "United States", "October 12, 2018", "2018", "TV-MA", "1 Season", "TV Dramas, TV Horror, TV Mysteries",
     "Siblings who grew up in a haunted house confront the ghosts of their past."),
    ("s11", "Movie", "Louis C.K. 2017", "Louis C.K.", "Louis C.K.", "United States", "April 4, 2017",
     "2017", "74 min", "", "Movies",
     "The comedian muses on religion, love and the absurdity of daily life in a stand-up special."),
    ("s12", "Movie", "Space Rescue", "Ana Ruiz", "Kim Park", "South Korea", "May 5, 2020", "2020", "PG-13",
     "110 min", "Sci-Fi & Fantasy, International Movies",
     "Astronauts stranded on a broken station far from Earth fight to survive until rescue arrives."),
    ("s13", "Movie", "Red Planet Diaries", "Ana Ruiz", "Kim Park", "South Korea", "June 6, 2020", "2019",
     "PG-13", "98 min", "Sci-Fi & Fantasy, Dramas",
     "An astronaut stranded on Mars grows food and signals Earth for a rescue."),
    ("s14", "TV Show", "Beach Wedding", "", "Lee Min", "South Korea", "July 7, 2021", "2021", "TV-14",
     "1 Season", "Romantic TV Shows, International TV Shows",
     "Two strangers fall in love on a sandy beach while planning a marriage by moonlight."),
]

# people_catalog only (the 14 rows above stay the `catalog` fixture): two more Mike Flanagan films,
# so a director and a second actor have 3+ credits, and a show with an everyday-words name.
_PEOPLE_ROWS = [
    ("s15", "Movie", "Hush", "Mike Flanagan", "Kate Siegel, John Gallagher Jr.", "United States",
     "April 8, 2016", "2016", "TV-MA", "82 min", "Horror Movies, Thrillers",
     "A deaf writer who retreated into the woods to live alone must fight for her life when a masked killer appears."),
    ("s16", "Movie", "Gerald's Game", "Mike Flanagan", "Carla Gugino, Bruce Greenwood", "United States",
     "September 29, 2017", "2017", "TV-MA", "103 min", "Horror Movies, Thrillers",
     "When her husband's sudden death leaves her handcuffed to a bed at a remote lake house, a woman faces her demons."),
    # A person whose name is two everyday words ("sandy", "beach" also appear in the descriptions).
    ("s17", "TV Show", "Beach Patrol", "", "Sandy Beach, Lee Min", "South Korea", "August 8, 2021", "2021",
     "TV-PG", "1 Season", "Reality TV, International TV Shows",
     "Lifeguards on a crowded beach keep swimmers safe through a long, hot summer."),
]


def raw_frame(rows=_ROWS) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(RAW_COLUMNS))


@pytest.fixture()
def raw_catalog() -> pd.DataFrame:
    return raw_frame()


@pytest.fixture(scope="session")
def catalog() -> pd.DataFrame:
    return clean_catalog(raw_frame())


@pytest.fixture(scope="session")
def people_catalog() -> pd.DataFrame:
    """The 14 rows of `catalog` plus two films that give Mike Flanagan 4 credits and Kate Siegel 3, and a show."""
    return clean_catalog(raw_frame(_ROWS + _PEOPLE_ROWS))


@pytest.fixture(scope="session")
def small_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "small.csv"
    raw_frame().to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def encoder_dir(tmp_path_factory) -> Path:
    """The int8 sentence encoder, built once per session from the verified weights (~3 s)."""
    from netflix_pyfunc.encoder_build import build_encoder

    return build_encoder(tmp_path_factory.mktemp("encoder"))


@pytest.fixture(scope="session")
def encoder(encoder_dir):
    from netflix_pyfunc.encoder import SentenceEncoder

    return SentenceEncoder.load(encoder_dir)


@pytest.fixture(scope="session")
def model(catalog, encoder) -> HybridRecommender:
    return HybridRecommender(desc_min_df=1, desc_max_df=1.0).fit(catalog, encoder=encoder)


@pytest.fixture(scope="session")
def full_catalog() -> pd.DataFrame:
    return load_catalog(DATA)


@pytest.fixture(scope="session")
def full_titles(full_catalog) -> TitleIndex:
    """The title index of the real catalogue, without the rest of the recommender."""
    return TitleIndex().fit(full_catalog["title"].tolist(), full_catalog["release_year"].tolist())


@pytest.fixture(scope="session")
def full_model(full_catalog, encoder) -> HybridRecommender:
    return HybridRecommender().fit(full_catalog, encoder=encoder)


@pytest.fixture(scope="session")
def position():
    """position(catalog, title) -> the row of the one title spelled exactly so."""

    def find(frame: pd.DataFrame, title: str) -> int:
        matches = frame.index[frame["title"] == title]
        assert len(matches) == 1, f"{title!r} appears {len(matches)} times"
        return int(matches[0])

    return find


@pytest.fixture()
def tracking_store(tmp_path, monkeypatch):
    """A private sqlite tracking store and experiment in tmp_path, set through the environment."""
    from mlflow import MlflowClient

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    name = "netflix-pyfunc-test"
    MlflowClient(tracking_uri=uri).create_experiment(name, artifact_location=(tmp_path / "artifacts").as_uri())
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", name)
    return uri
