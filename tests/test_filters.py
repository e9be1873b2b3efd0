import numpy as np
import pytest

from netflix_pyfunc.filters import CatalogFilters
from netflix_pyfunc.params import InvalidRequest, Request

def test_no_filter_is_no_mask(catalog):
    assert CatalogFilters().fit(catalog).mask(Request()) is None


def test_filters_combine(catalog):
    mask = CatalogFilters().fit(catalog).mask(Request(type="Movie", min_year=2017, countries=("india",)))
    assert catalog["title"][mask].tolist() == ["Oh! Baby", "Oh! Baby (Tamil)"]


def test_unknown_rating_names_the_known_ones(catalog):
    with pytest.raises(InvalidRequest, match="known ratings: PG, PG-13, TV-14, TV-MA, TV-Y7"):
        CatalogFilters().fit(catalog).mask(Request(ratings=("R",)))


@pytest.mark.parametrize("typed", [("tv-ma", "Pg"), ("TVMA", "pg"), ("tv ma", "PG")])
def test_rating_matches_any_case_spacing_and_dashes(catalog, typed):
    mask = CatalogFilters().fit(catalog).mask(Request(ratings=typed))
    assert np.array_equal(mask, catalog["rating"].isin(["TV-MA", "PG"]).to_numpy())


def test_pg13_is_not_pg(catalog):
    mask = CatalogFilters().fit(catalog).mask(Request(ratings=("pg13",)))
    assert np.array_equal(mask, (catalog["rating"] == "PG-13").to_numpy())


@pytest.mark.parametrize(
    "genre, expected",
    [
        ("horror", ["Death Note", "Midnight Mass", "The Haunting of Hill House"]),
        ("comedies", ["Oh! Baby", "Oh! Baby (Tamil)"]),
    ],
)
def test_genre_words_reach_every_label(catalog, genre, expected):
    mask = CatalogFilters().fit(catalog).mask(Request(genres=(genre,)))
    assert sorted(catalog["title"][mask]) == expected


def test_unknown_country_names_closest(catalog):
    with pytest.raises(InvalidRequest, match="closest valid values"):
        CatalogFilters().fit(catalog).mask(Request(countries=("Atlantis",)))
