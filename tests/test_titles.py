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


@pytest.mark.parametrize(
    "a, b, distance",
    [("rocky", "rocky", 0), ("rocky", "rocy", 1), ("fierce", "fiecre", 1), ("milada", "mialda", 1), ("kitten", "sitting", 3), ("abc", "xyzabc", 3)],
)
def test_edit_distance_counts_transpositions_once(a, b, distance):
    from netflix_pyfunc.titles import edit_distance

    assert edit_distance(a, b, limit=5) == distance
    assert edit_distance(a, b, limit=0) == min(distance, 1)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("fiecre", "Fierce"),          # transposition in a short title
        ("mialda", "Milada"),
        ("blood water", "Blood & Water"),
        ("tom & jery the magic ring", "Tom and Jerry: The Magic Ring"),
    ],
)
def test_short_and_ampersand_typos_on_real_catalogue(full_model, typed, expected):
    assert full_model.titles_.titles_[full_model.titles_.resolve(typed)] == expected
