"""Title resolution: unit rules on the hand-made catalogue, then the real catalogue's title
index (tests/data/typed_titles.csv and random single typos)."""

import csv
import random
from pathlib import Path

import pytest

from netflix_pyfunc.titles import (
    AmbiguousTitle, TitleIndex, UnknownTitle, UnresolvedTitle, canonical_key, edit_distance, title_key,
)

TYPED_TITLES = Path(__file__).parent / "data" / "typed_titles.csv"


@pytest.fixture(scope="module")
def index(catalog):
    return TitleIndex().fit(catalog["title"].tolist(), catalog["release_year"].tolist())


def resolved(index, typed):
    return index.titles_[index.resolve(typed)]


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("Rocky", "Rocky"),
        ("rocky ii", "Rocky II"),
        ("ROCKY III", "Rocky III"),
        ("rocky 2", "Rocky II"),
        ("Rocky 3", "Rocky III"),
        ("pokemon indigo league", "Pokémon: Indigo League"),
        ("Pokemon - Indigo League!", "Pokémon: Indigo League"),
        ("pokemon", "Pokémon: Indigo League"),             # the part before ':'
        ("midnight mas", "Midnight Mass"),
        ("the hauntng of hill house", "The Haunting of Hill House"),
        ("haunting of hill house", "The Haunting of Hill House"),  # no leading article
        ("DEATH NOTE", "DEATH NOTE"),
        ("Death Note", "Death Note"),
        ("death note", "Death Note"),  # no exact spelling: the newer release
        ("oh baby", "Oh! Baby"),       # the title itself before its language version
        ("louis c.k.", "Louis C.K. 2017"),  # the start of a title
        ("space res", "Space Rescue"),  # the start of a title
        ("midnight mass season 1", "Midnight Mass"),             # what people add after a title
        ("the haunting of hill house s01", "The Haunting of Hill House"),
        ("Midnight Mass 2", "Midnight Mass"),
        ("death note 2006", "DEATH NOTE"),                       # a year picks among same-named titles
        ("death note 2017", "Death Note"),
    ],
)
def test_resolve(index, typed, expected):
    assert resolved(index, typed) == expected


@pytest.mark.parametrize(
    "titles, typed, expected",
    [
        (["The Office (U.S.)", "Office Girls"], "the office", "The Office (U.S.)"),
        (["The Queen's Gambit", "Creating The Queen's Gambit"], "queens gambit", "The Queen's Gambit"),
        (["Making The Witcher", "The Witcher: Nightmare of the Wolf"], "the witcher", "The Witcher: Nightmare of the Wolf"),
        (["Bling Empire - The Afterparty", "Bling Empire"], "bling empire", "Bling Empire"),
        (["Cobra Kai - The Afterparty", "Cobra"], "cobra kai", "Cobra Kai - The Afterparty"),
        (["El Camino Christmas", "El Camino: A Breaking Bad Movie"], "el camino", "El Camino: A Breaking Bad Movie"),
        (["Thackeray (Hindi)", "Thackeray (Marathi)"], "thackeray", "Thackeray (Hindi)"),
        (["Ip Man 3", "Ip Man 4: The Finale"], "ip man 4", "Ip Man 4: The Finale"),
        (["Malcolm X", "Malcolm"], "malcolm 10", "Malcolm X"),
        # the last words of one title, ahead of a near spelling of another
        (["The Haunting of Hill House", "His House"], "hill house", "The Haunting of Hill House"),
        (["Avatar: The Last Airbender", "The Last Dance"], "last airbender", "Avatar: The Last Airbender"),
        (["Star Wars: Episode VIII: The Last Jedi", "The Last Kids"], "last jedi",
         "Star Wars: Episode VIII: The Last Jedi"),
    ],
)
def test_rules_people_type_by(titles, typed, expected):
    index = TitleIndex().fit(titles, [2020] * len(titles))
    assert resolved(index, typed) == expected


@pytest.mark.parametrize(
    "titles, typed",
    [
        (["Rocky", "Rocky II", "Rocky V"], "Rocky 2x"),
        (["Rocky", "Rocky II", "Rocky V"], "Rocky 6"),
        (["Ip Man", "Ip Man 3"], "ip man 4"),
        (["Kung Fu Panda 2"], "kung fu panda 3"),
        (["Twilight: Part 1", "Twilight: Part 2"], "twilight part 3"),
        (["Kung Fu Panda 2"], "kung fu panda season 3"),
        (["Brooklyn's Finest"], "brooklyn 99"),    # nor, dropped, on a title that only starts like the rest
    ],
)
def test_a_typed_number_never_lands_on_another_number(titles, typed):
    index = TitleIndex().fit(titles, [2020] * len(titles))
    with pytest.raises(UnknownTitle):
        index.resolve(typed)


def test_the_last_words_of_several_titles_are_not_a_title():
    index = TitleIndex().fit(["Top Gun: The Movie", "Rocky: The Movie", "The Moving Man"], [2020] * 3)
    with pytest.raises(UnknownTitle):
        index.resolve("the movie")


@pytest.mark.parametrize(
    "titles, typed",
    [
        (["Money Heist: From Tokyo to Berlin", "Money Heist: The Phenomenon"], "money heist"),
        (["Hitch", "Bitch"], "itch"),
        (["Twilight: Part 1", "Twilight: Part 2"], "twilight part"),
    ],
)
def test_close_choices_are_listed_not_guessed(titles, typed):
    index = TitleIndex().fit(titles, [2020] * len(titles))
    with pytest.raises(AmbiguousTitle) as raised:
        index.resolve(typed)
    assert sorted(raised.value.suggestions) == sorted(titles)
    assert "fits several titles" in str(raised.value)


@pytest.mark.parametrize("typed", ["Zorro the Gay Blade", "xq", "   "])
def test_unknown_title_raises(index, typed):
    with pytest.raises(UnknownTitle) as raised:
        index.resolve(typed)
    assert "unknown title" in str(raised.value)


def test_unknown_title_suggests_closest_and_description(index):
    with pytest.raises(UnknownTitle) as raised:
        index.resolve("Rocky Forever")
    assert raised.value.suggestions[0].startswith("Rocky")
    assert "Did you mean: Rocky" in str(raised.value)
    assert "send them as 'description'" in str(raised.value)


def test_unknown_title_suggests_titles_with_the_typed_words_first():
    index = TitleIndex().fit(["Coin Heist", "Money Heist: The Phenomenon", "Heist", "Honey"], [2020] * 4)
    with pytest.raises(UnknownTitle) as raised:
        index.resolve("heist money")
    assert raised.value.suggestions[0] == "Money Heist: The Phenomenon"


def test_unresolved_titles_share_one_base_class():
    assert issubclass(UnknownTitle, UnresolvedTitle) and issubclass(AmbiguousTitle, UnresolvedTitle)


@pytest.mark.parametrize(
    "title, key",
    [("Rocky II", "rocky 2"), ("The Queen’s Gambit", "the queens gambit"), ("V for Vendetta", "v for vendetta"),
     ("Rocky V", "rocky 5"), ("Mission: Impossible XIV", "mission impossible 14"), ("Blood & Water", "blood water"),
     ("Louis C.K. 2017", "louis c k 2017")],
)
def test_canonical_key(title, key):
    assert canonical_key(title_key(title)) == key


@pytest.mark.parametrize(
    "a, b, distance",
    [("rocky", "rocky", 0), ("rocky", "rocy", 1), ("fierce", "fiecre", 1), ("milada", "mialda", 1), ("kitten", "sitting", 3), ("abc", "xyzabc", 3)],
)
def test_edit_distance_counts_transpositions_once(a, b, distance):
    assert edit_distance(a, b, limit=5) == distance
    assert edit_distance(a, b, limit=0) == min(distance, 1)


# ------------------------------------------------------------------ the real catalogue

@pytest.mark.parametrize(
    "typed, expected",
    [
        ("strager things", "Stranger Things"),
        ("kung fu panda", "Kung Fu Panda"),
        ("fiecre", "Fierce"),          # transposition in a short title
        ("mialda", "Milada"),
        ("blood water", "Blood & Water"),
        ("tom & jery the magic ring", "Tom and Jerry: The Magic Ring"),
    ],
)
def test_resolve_on_real_catalogue(full_titles, typed, expected):
    assert resolved(full_titles, typed) == expected


def typed_titles() -> list[dict]:
    with TYPED_TITLES.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def outcome(index, row: dict) -> bool:
    """Whether the index does what the row expects: resolve to `expected`, or list it."""
    try:
        got = index.titles_[index.resolve(row["typed"])]
    except UnresolvedTitle as error:
        return row["outcome"] == "lists" and row["expected"] in error.suggestions
    return row["outcome"] == "resolves" and got == row["expected"]


def test_public_typed_title_set_is_large_and_names_catalogue_titles(full_catalog):
    rows = typed_titles()
    assert len(rows) >= 80
    assert {row["expected"] for row in rows} <= set(full_catalog["title"])
    assert {row["outcome"] for row in rows} == {"resolves", "lists"}


def test_public_typed_title_accuracy(full_titles):
    rows = typed_titles()
    misses = [row for row in rows if not outcome(full_titles, row)]
    accuracy = 1 - len(misses) / len(rows)
    print(f"typed-title accuracy {accuracy:.3f} ({len(rows) - len(misses)}/{len(rows)})")
    assert accuracy >= 0.97, misses


def one_typo(title: str, rng: random.Random) -> str:
    """Delete, insert, substitute or swap one letter at a random place."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    i = rng.choice([n for n, ch in enumerate(title) if ch.isalpha()])
    kind = rng.choice(["delete", "insert", "substitute", "swap"])
    if kind == "delete":
        return title[:i] + title[i + 1:]
    if kind == "insert":
        return title[:i] + rng.choice(letters) + title[i:]
    if kind == "substitute":
        return title[:i] + rng.choice(letters.replace(title[i].lower(), "")) + title[i + 1:]
    j = i + 1 if i + 1 < len(title) else i - 1
    a, b = sorted((i, j))
    return title[:a] + title[b] + title[a] + title[b + 1:]


def test_random_single_typos_resolve(full_titles):
    rng = random.Random(0)
    titles = [t for t in full_titles.titles_.tolist() if any(ch.isalpha() for ch in t)]
    hits = 0
    for _ in range(1000):
        title = rng.choice(titles)
        try:
            hits += title_key(resolved(full_titles, one_typo(title, rng))) == title_key(title)
        except UnresolvedTitle:
            pass
    print(f"random single typos resolved: {hits}/1000")
    assert hits >= 990
