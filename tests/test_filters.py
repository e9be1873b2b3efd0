import numpy as np
import pytest

from netflix_pyfunc.filters import CatalogFilters, label_columns
from netflix_pyfunc.params import InvalidRequest, Request

LABELS = ["south korea", "united states", "tv horror", "horror movies", "stand up comedy"]


@pytest.mark.parametrize(
    "wanted, exact, expected",
    [
        (("South Korea",), True, [0]),
        (("korea",), True, []),
        (("korea",), False, [0]),
        (("Horror",), False, [2, 3]),
        (("Stand-Up",), False, [4]),
        (("united states", "SOUTH KOREA"), True, [0, 1]),
        (("",), False, []),
    ],
)
def test_label_columns(wanted, exact, expected):
    assert label_columns(LABELS, wanted, exact=exact) == expected


def test_no_filter_is_no_mask(catalog):
    assert CatalogFilters().fit(catalog).mask(Request()) is None


def test_filters_combine(catalog):
    mask = CatalogFilters().fit(catalog).mask(Request(type="Movie", min_year=2017, countries=("india",)))
    assert catalog["title"][mask].tolist() == ["Oh! Baby", "Oh! Baby (Tamil)"]


def test_unknown_rating_names_the_known_ones(catalog):
    with pytest.raises(InvalidRequest, match="known ratings: PG, PG-13, TV-14, TV-MA, TV-Y7"):
        CatalogFilters().fit(catalog).mask(Request(ratings=("R",)))


def test_rating_matches_any_case(catalog):
    mask = CatalogFilters().fit(catalog).mask(Request(ratings=("tv-ma", "Pg")))
    assert np.array_equal(mask, catalog["rating"].isin(["TV-MA", "PG"]).to_numpy())
