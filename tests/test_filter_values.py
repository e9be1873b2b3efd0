"""Filter values as people say them: matchers built on hand-written label lists, then the
filters on the 14-title catalogue."""

import pytest

from netflix_pyfunc.filter_values import CountryNames, GenreNames
from netflix_pyfunc.params import InvalidRequest, Query, Request

COUNTRIES = ["India", "Japan", "South Korea", "United Kingdom", "United States", "West Germany", "Germany"]
GENRES = [
    "Anime Features", "Anime Series", "Comedies", "Docuseries", "Documentaries", "Dramas", "Horror Movies",
    "Kids' TV", "Children & Family Movies", "Romantic Movies", "Romantic TV Shows", "Sci-Fi & Fantasy",
    "Stand-Up Comedy", "Stand-Up Comedy & Talk Shows", "TV Comedies", "TV Dramas", "TV Horror",
    "TV Thrillers", "Thrillers",
]


@pytest.mark.parametrize(
    "said, label",
    [
        ("United States", "United States"), ("united states", "United States"), ("USA", "United States"),
        ("US", "United States"), ("u.s.", "United States"), ("America", "United States"),
        ("american", "United States"), ("UK", "United Kingdom"), ("Britain", "United Kingdom"),
        ("England", "United Kingdom"), ("british", "United Kingdom"), ("Korea", "South Korea"),
        ("korean", "South Korea"), ("japanese", "Japan"), ("Germany", "Germany"), ("bollywood", "India"),
    ],
)
def test_countries_by_name_code_and_demonym(said, label):
    assert CountryNames(COUNTRIES).match([said]) == [((label,),)]


@pytest.mark.parametrize(
    "said, labels",
    [
        ("nordic", ("Denmark", "Norway", "Sweden")), ("Scandinavian", ("Denmark", "Norway", "Sweden")),
        ("scandinavia", ("Denmark", "Norway", "Sweden")), ("Latin America", ("Brazil", "Mexico")),
        ("latin-american", ("Brazil", "Mexico")),
    ],
)
def test_a_region_is_any_of_its_countries_in_the_catalogue(said, labels):
    names = CountryNames(COUNTRIES + ["Brazil", "Denmark", "Mexico", "Norway", "Sweden"])
    assert [sorted(group) for group in names.match([said])[0]] == [sorted(labels)]


def test_a_region_with_none_of_its_countries_is_unknown():
    with pytest.raises(InvalidRequest, match="unknown country 'nordic'"):
        CountryNames(COUNTRIES).match(["nordic"])


@pytest.mark.parametrize(
    "said, closest",
    [("Amerca", "United States"), ("Untied Kingdom", "United Kingdom"), ("Japn", "Japan"), ("France", None)],
)
def test_unknown_country_lists_closest_valid_values(said, closest):
    with pytest.raises(InvalidRequest, match=f"unknown country {said!r}; closest valid values: ") as raised:
        CountryNames(COUNTRIES).match([said])
    listed = str(raised.value).split("closest valid values: ")[1].split(", ")
    assert set(listed) <= set(COUNTRIES) and listed
    if closest:
        assert listed[0] == closest


@pytest.mark.parametrize(
    "said, groups",
    [
        ("comedy", [["Comedies", "Stand-Up Comedy", "Stand-Up Comedy & Talk Shows", "TV Comedies"]]),
        ("Comedies", [["Comedies", "Stand-Up Comedy", "Stand-Up Comedy & Talk Shows", "TV Comedies"]]),
        ("funny", [["Comedies", "Stand-Up Comedy", "Stand-Up Comedy & Talk Shows", "TV Comedies"]]),
        ("TV comedies", [["TV Comedies"]]),
        ("stand-up", [["Stand-Up Comedy", "Stand-Up Comedy & Talk Shows"]]),
        ("rom-com", [["Romantic Movies", "Romantic TV Shows"],
                     ["Comedies", "Stand-Up Comedy", "Stand-Up Comedy & Talk Shows", "TV Comedies"]]),
        ("romantic comedy", [["Romantic Movies", "Romantic TV Shows"],
                             ["Comedies", "Stand-Up Comedy", "Stand-Up Comedy & Talk Shows", "TV Comedies"]]),
        ("thriller", [["TV Thrillers", "Thrillers"]]),
        ("thrillers", [["TV Thrillers", "Thrillers"]]),
        ("docs", [["Docuseries", "Documentaries"]]),
        ("documentary", [["Docuseries", "Documentaries"]]),
        ("anime", [["Anime Features", "Anime Series"]]),
        ("horror", [["Horror Movies", "TV Horror"]]),
        ("Horror Movies", [["Horror Movies"]]),
        ("scary movies", [["Horror Movies"]]),
        ("sci-fi", [["Sci-Fi & Fantasy"]]),
        ("science fiction", [["Sci-Fi & Fantasy"]]),
        ("kids", [["Kids' TV", "Children & Family Movies"]]),
        ("drama", [["Dramas", "TV Dramas"]]),
        ("k-drama", [["Korean TV Shows"]]),
        ("korean drama", [["Korean TV Shows"]]),    # every Korean series, as 'k-drama' (not only TV Dramas)
        ("Korean dramas", [["Korean TV Shows"]]),
    ],
)
def test_genres_by_their_word_reach_every_label(said, groups):
    (found,) = GenreNames(GENRES + ["Korean TV Shows"]).match([said])
    assert [sorted(group) for group in found] == [sorted(group) for group in groups]


@pytest.mark.parametrize("said, closest", [
    ("comdy", ["Comedies", "Stand-Up Comedy", "Stand-Up Comedy & Talk Shows", "TV Comedies"]),
    ("thriler", ["TV Thrillers", "Thrillers"]), ("horor", ["Horror Movies", "TV Horror"]),
])
def test_a_misspelt_genre_lists_the_labels_of_the_word_it_misspells(said, closest):
    with pytest.raises(InvalidRequest) as raised:
        GenreNames(GENRES).match([said])
    assert str(raised.value) == f"unknown genre {said!r}; closest valid values: {', '.join(closest)}"


@pytest.mark.parametrize("said, closest", [
    ("zombie", "Horror Movies, TV Horror"), ("feel good", "Comedies, TV Comedies"),
    ("war", None), ("western", None), ("christmas", None),   # not "Horror Movies", "Faith & Spirituality"
])
def test_an_unknown_genre_lists_the_genre_a_wish_with_it_asks_for_and_says_to_search_for_it(said, closest):
    with pytest.raises(InvalidRequest) as raised:
        GenreNames(GENRES + ["Faith & Spirituality"]).match([said])
    listed = f"closest valid values: {closest}" if closest else "no genre is named like it"
    assert str(raised.value) == (f"unknown genre {said!r}; {listed}. "
                                 f"To find titles about {said!r}, send it as 'description'")


def test_several_values_one_result_each():
    assert CountryNames(COUNTRIES).match(["USA", "Korea"]) == [(("United States",),), (("South Korea",),)]
    assert len(GenreNames(GENRES).match(["comedy", "anime"])) == 2


# ------------------------------------------------------------------ on the 14-title catalogue

@pytest.mark.parametrize("said", ["USA", "US", "America", "american"])
def test_country_filter_as_said(model, said):
    out = model.recommend([Query(title="Midnight Mass")], Request(k=20, countries=(said,)))
    assert len(out) > 0 and all("United States" in country for country in out["country"])


def test_comedy_filter_is_comedies_not_only_stand_up(model):
    out = model.recommend([Query(description="a grandmother becomes young")], Request(k=20, genres=("comedy",)))
    assert "Oh! Baby" in set(out["title"]) or "Oh! Baby (Tamil)" in set(out["title"])
    assert all("Comed" in genres for genres in out["listed_in"])


def test_rom_com_needs_both_romance_and_comedy(model):
    out = model.recommend([Query(description="love")], Request(k=20, genres=("rom-com",)))
    assert len(out) == 0   # the 14 titles have romance (Beach Wedding) and comedy (Oh! Baby), never both


def test_unknown_country_is_a_client_error_with_suggestions(model):
    with pytest.raises(InvalidRequest, match="unknown country 'Souht Korea'; closest valid values: South Korea"):
        model.recommend([Query(title="Rocky")], Request(countries=("Souht Korea",)))
