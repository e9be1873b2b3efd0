import pytest

from netflix_pyfunc.titles import TitleIndex, UnknownTitle


@pytest.fixture(scope="module")
def index(catalog):
    return TitleIndex().fit(catalog["title"].tolist(), catalog["release_year"].tolist())


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("Rocky", "Rocky"),
        ("rocky ii", "Rocky II"),
        ("ROCKY III", "Rocky III"),
        ("pokemon indigo league", "Pokémon: Indigo League"),
        ("Pokemon - Indigo League!", "Pokémon: Indigo League"),
        ("midnight mas", "Midnight Mass"),
        ("the hauntng of hill house", "The Haunting of Hill House"),
        ("DEATH NOTE", "DEATH NOTE"),
        ("Death Note", "Death Note"),
        ("death note", "Death Note"),  # no exact spelling: the newer release
    ],
)
def test_resolve(index, catalog, typed, expected):
    assert catalog["title"].iloc[index.resolve(typed)] == expected


@pytest.mark.parametrize("typed", ["Zorro the Gay Blade", "xq", "   "])
def test_unknown_title_raises_with_suggestions(index, typed):
    with pytest.raises(UnknownTitle) as raised:
        index.resolve(typed)
    assert "unknown title" in str(raised.value)


def test_unknown_title_suggests_closest(index):
    with pytest.raises(UnknownTitle) as raised:
        index.resolve("Rocky Forever")
    assert raised.value.suggestions[0].startswith("Rocky")
    assert "Did you mean: Rocky" in str(raised.value)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("midnight mas", "Midnight Mass"),
        ("pokemon indigo league", "Pokémon: Indigo League"),
        ("strager things", "Stranger Things"),
        ("kung fu panda", "Kung Fu Panda"),
        ("the irishmen", "The Irishman"),
    ],
)
def test_resolve_on_real_catalogue(full_model, typed, expected):
    assert full_model.titles_.titles_[full_model.titles_.resolve(typed)] == expected
