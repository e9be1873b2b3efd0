import pandas as pd
import pytest

from netflix_pyfunc.catalog import (
    DURATION, RATING, YEAR_ADDED, clean_catalog, normalize_text, split_list, topical_genres,
)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("", []),
        ("United States", ["United States"]),
        ("France, Belgium", ["France", "Belgium"]),
        (" A ,, B , A,", ["A", "B"]),
    ],
)
def test_split_list(value, expected):
    assert split_list(value) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Pokémon: Indigo League", "pokemon indigo league"),
        ("DEATH NOTE", "death note"),
        ("  Oh!  Baby (Tamil) ", "oh baby tamil"),
        ("Tom & Jerry", "tom and jerry"),
        ("Amélie", "amelie"),
        ("", ""),
    ],
)
def test_normalize_text(text, expected):
    assert normalize_text(text) == expected


def test_duration_published_in_rating_is_moved(catalog):
    louis = catalog[catalog["title"] == "Louis C.K. 2017"].iloc[0]
    assert louis[RATING] == ""
    assert louis[DURATION] == "74 min"
    assert (catalog[RATING].str.contains("min")).sum() == 0


def test_case_only_twins_stay_apart(catalog):
    twins = catalog[catalog["title"].str.lower() == "death note"]
    assert sorted(twins["title"]) == ["DEATH NOTE", "Death Note"]
    assert sorted(twins["type"]) == ["Movie", "TV Show"]


def test_list_columns_are_split(catalog):
    rocky = catalog[catalog["title"] == "Rocky"].iloc[0]
    assert rocky["cast"] == ["Sylvester Stallone", "Talia Shire"]
    assert rocky["listed_in"] == ["Dramas", "Sports Movies"]
    assert catalog.loc[catalog["title"] == "Midnight Mass", "country"].iloc[0] == []


def test_duplicate_show_id_is_rejected(raw_catalog):
    raw_catalog.loc[1, "show_id"] = "s1"
    with pytest.raises(ValueError, match="duplicate show_id"):
        clean_catalog(raw_catalog)


def test_topical_genres_drop_international():
    assert topical_genres(["International Movies", "Comedies"]) == {"Comedies"}


def test_real_catalogue_loads_clean(full_catalog):
    frame = full_catalog
    assert len(frame) == 8807
    assert frame["show_id"].is_unique
    assert not frame[RATING].str.endswith("min").any()
    assert set(frame.loc[frame["title"].str.startswith("Louis C.K."), DURATION]) >= {"74 min", "84 min", "66 min"}
    assert frame[YEAR_ADDED].isna().sum() == 10
    assert pd.api.types.is_integer_dtype(frame["release_year"])


@pytest.mark.parametrize("text, expected", [("يوم الدين", "يوم الدين"), ("Crash Landing on You!", "crash landing on you"), ("🎃!!", "")])
def test_normalize_text_keeps_every_script_and_drops_symbols(text, expected):
    assert normalize_text(text) == expected
