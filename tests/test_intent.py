"""Query understanding: people named in the text, genre/type/country intent, and what is left."""

from __future__ import annotations

import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from netflix_pyfunc import judged, judged_people
from netflix_pyfunc.intent import ParsedQuery, QueryParser
from netflix_pyfunc.intent_words import FIGURATIVE_PHRASES, GENRE_WORDS
from netflix_pyfunc.people_names import Person


@pytest.fixture(scope="module")
def parser(people_catalog) -> QueryParser:
    # Every lower-case description word counts as an everyday word in this tiny catalogue.
    return QueryParser(common_min_count=1).fit(people_catalog)


@pytest.mark.parametrize(
    ("text", "people", "rest"),
    [
        ("movies with Kate Siegel", [("Kate Siegel", "cast")], "movies"),
        ("starring kate siegel", [("Kate Siegel", "cast")], ""),
        ("directed by Mike Flanagan", [("Mike Flanagan", "director")], ""),
        ("a film by Mike Flanagan", [("Mike Flanagan", "director")], "a film"),
        ("a thriller from director mike flanagan", [("Mike Flanagan", "director")], "a thriller from"),
        ("written by Mike Flanagan", [("Mike Flanagan", "any")], "written by"),
        ("mike flanagan horror", [("Mike Flanagan", "any")], "horror"),
        ("a Sylvester Stallone boxing drama", [("Sylvester Stallone", "any")], "a boxing drama"),
        ("Mike Flanagan's ghost stories", [("Mike Flanagan", "any")], "ghost stories"),
        ("with Kate Siegel and Sylvester Stallone", [("Kate Siegel", "cast"), ("Sylvester Stallone", "cast")], ""),
        ("starring Kate Siegel directed by Mike Flanagan",
         [("Kate Siegel", "cast"), ("Mike Flanagan", "director")], ""),
        ("louis ck stand up", [("Louis C.K.", "any")], "stand up"),              # initials typed together
        ("b v nandini reddy comedies", [("B.V. Nandini Reddy", "any")], "comedies"),
        ("POKÉMON with MR. T", [("Mr. T", "cast")], "pokemon"),
        ("stallone movies", [("Sylvester Stallone", "any")], "movies"),       # a surname one person carries
        ("directed by flanagan", [("Mike Flanagan", "director")], ""),
        ("shire movies", [("Talia Shire", "any")], "movies"),   # 2 credits, but no one else is called Shire
        ("ruiz movies", [], "ruiz movies"),                 # Ana Ruiz: 2 credits and a short name
        ("mike movies", [], "mike movies"),                 # a first name is never a person
        ("with friends on a sandy beach", [], "with friends on a sandy beach"),  # everyday words, no role word
        ("with Sandy Beach", [("Sandy Beach", "cast")], ""),
        ("sandy beach shows", [], "sandy beach shows"),
    ],
)
def test_people_found_with_roles_and_removed_from_the_rest(parser, text, people, rest):
    parsed = parser.parse(text)
    assert [(p.name, p.role) for p in parsed.people] == people
    assert parsed.rest == rest
    assert parsed.text == text


def test_person_carries_the_catalogue_roles(parser):
    (person,) = parser.parse("sylvester stallone").people
    assert person == Person("Sylvester Stallone", "any", ("director", "cast"))


def test_a_name_said_twice_is_one_person(parser):
    parsed = parser.parse("kate siegel or maybe kate siegel")
    assert [p.name for p in parsed.people] == ["Kate Siegel"]
    assert parsed.rest == "or maybe"


@pytest.mark.parametrize(
    ("text", "genres", "types"),
    [
        ("something scary", ("Horror Movies", "TV Horror"), ()),
        ("a scary movie", ("Horror Movies",), ("Movie",)),
        ("a creepy series", ("TV Horror",), ("TV Show",)),
        ("something hilarious", ("Comedies",), ()),                # only labels this catalogue has
        ("a love story", ("Romantic TV Shows",), ()),
        ("I love boxing", ("Sports Movies",), ()),                 # 'love' alone is not romance
        ("anime for kids", ("Anime Series", "Kids' TV"), ()),
        ("a sci-fi film", ("Sci-Fi & Fantasy",), ("Movie",)),
        ("a suspenseful thriller", ("Thrillers",), ()),
        ("a funny scary movie", ("Comedies", "Horror Movies"), ("Movie",)),
        ("a feel-good movie", ("Comedies",), ("Movie",)),
        ("feelgood", ("Comedies",), ()),
        ("a sad film that will make me cry", ("Dramas",), ("Movie",)),
        ("movies and shows", (), ()),                               # both types named: no hint
        ("astronauts stranded far from earth", ("Sci-Fi & Fantasy",), ()),
        ("a quiet evening", (), ()),
        ("something chill", ("Comedies", "Romantic TV Shows"), ()),
        ("a mind-bending movie", ("Sci-Fi & Fantasy", "Thrillers"), ("Movie",)),
        ("a thought-provoking series", ("TV Dramas",), ("TV Show",)),
        ("a movie with a twist ending", ("Thrillers",), ("Movie",)),
        ("show me horror", ("Horror Movies", "TV Horror"), ()),      # not asking for a show
        ("something for a rainy day", ("Comedies", "Romantic TV Shows"), ()),
    ],
)
def test_genre_and_type_intent(parser, text, genres, types):
    parsed = parser.parse(text)
    assert parsed.genres == genres
    assert parsed.types == types


@pytest.mark.parametrize(("text", "genres", "excluded", "rest"), [
    ("no horror please", (), (("genre", "Horror Movies"), ("genre", "TV Horror")), "please"),
    ("a comedy that is not romantic", ("Comedies",), (("genre", "Romantic TV Shows"),), "a comedy that is"),
    ("anything but anime", (), (("genre", "Anime Series"),), ""),
    ("a series, not korean", (), (("country", "South Korea"),), "a series"),
    ("not a movie", (), (("type", "Movie"),), ""),
    # what it asks for is not also left out ('gory' says horror too), but 'gory' is not matched
    ("something scary but not gory", ("Horror Movies", "TV Horror"), (), "something scary but"),
    ("a man with no memory", (), (), "a man with no memory"),   # not a genre, country or type: a premise
    # for grown-ups: no kids' titles, though 'cartoon' alone asks for them
    ("a cartoon not for kids", (), (("genre", "Kids' TV"),), "a cartoon"),
    ("an adult cartoon", (), (("genre", "Kids' TV"),), "an adult cartoon"),
    ("a cartoon", ("Kids' TV",), (), "a cartoon"),
])
def test_what_a_wish_leaves_out_is_neither_asked_for_nor_matched(parser, text, genres, excluded, rest):
    parsed = parser.parse(text)
    assert (parsed.genres, parsed.excluded, parsed.rest) == (genres, excluded, rest)


@pytest.mark.parametrize(("text", "genres"), [
    ("a movie", ("Dramas", "Horror Movies", "Thrillers")),   # TV Dramas, TV Horror, TV Mysteries as films
    ("a scary movie", ("Horror Movies",)),                   # a genre of its own: as it is
    ("a series", ()),                                        # the title's own type: nothing to carry
    ("from the 90s", ()),                                    # no type asked
])
def test_a_series_query_asking_for_films_carries_its_genres_as_films_spell_them(parser, text, genres):
    parsed = parser.for_title(parser.parse(text), ("TV Dramas", "TV Horror", "TV Mysteries"), "TV Show")
    assert parsed.genres == genres


@pytest.mark.parametrize(("text", "word", "genre"), [
    ("an edge of my seat thriller", "seat", "Thrillers"),
    ("an edge-of-my-seat movie", "edge", "Thrillers"),
    ("something for the whole family", "family", "Kids' TV"),   # 'whole' is a stop word
])
def test_a_phrase_with_a_stop_word_inside_names_its_genre_for_its_words(parser, text, word, genre):
    """The facets are read without stop words; before, 'edge' and 'seat' named nothing."""
    assert genre in dict(parser.parse(text).facets)[word]


@pytest.mark.parametrize(("text", "genres", "rest"), [
    ("a horor movie", ("Horror Movies",), "a horror movie"),
    ("an anmie", ("Anime Series",), "an anime"),
    ("about dreams", (), "about dreams"),        # a description word, not a misspelt 'dramas'
    ("a hill", (), "a hill"),                    # a title word, not a misspelt 'chill'
])
def test_a_misspelt_genre_word_asks_for_its_genre(parser, text, genres, rest):
    """Before, "a horor movie" named no genre and its last word matched nothing."""
    parsed = parser.parse(text)
    assert (parsed.genres, parsed.rest) == (genres, rest)


@pytest.mark.parametrize(("text", "rest", "minutes", "seasons"), [
    ("a movie under 90 minutes", "a movie", (0, 90), None),
    ("a limited series", "a series", None, (1, 1)),          # still a series
    ("a series with one season", "a series with", None, (1, 1)),
    ("a story about a long journey", "a story about a long journey", None, None),
])
def test_how_long_is_intent_only(parser, text, rest, minutes, seasons):
    """Before, "under 90 minutes" was 'about: 90, minute' and the encoder read it too."""
    parsed = parser.parse(text)
    assert (parsed.rest, parsed.length and parsed.length.minutes, parsed.length and parsed.length.seasons) == \
        (rest, minutes, seasons)


@pytest.mark.parametrize(("text", "rest", "words"), [
    ("a slow burn mystery", "a mystery", ("mystery",)),
    ("a slow-burning thriller from the 90s", "a thriller from the 90s", ("thriller", "90s")),
    ("a fast paced binge-worthy comedy", "a comedy", ("comedy",)),
])
def test_how_a_story_is_told_is_neither_matched_nor_embedded_nor_a_facet(parser, text, rest, words):
    """Before, "a slow burn mystery" listed films about fire: the words and the encoder read 'burn'.
    The rest is what both read; the facets' words are what facet_share counts."""
    parsed = parser.parse(text)
    assert (parsed.rest, tuple(word for word, _ in parsed.facets)) == (rest, words)


@pytest.mark.parametrize("phrase", sorted(FIGURATIVE_PHRASES))
def test_a_phrase_never_matched_word_by_word_still_names_a_genre(phrase):
    """The recommender drops these phrases from the words it matches: intent must read them."""
    assert GENRE_WORDS.get(phrase), phrase


@pytest.mark.parametrize(
    ("text", "countries"),
    [
        ("a korean romance", ("South Korea",)),
        ("a k-drama romance", ("South Korea",)),                  # as 'kdrama': not any romance
        ("something from south korea", ("South Korea",)),
        ("bollywood", ("India",)),
        ("a japanese cartoon", ("Japan",)),
        ("american boxing films", ("United States",)),
        ("a french film", ()),                                      # not in this catalogue
        ("a spooky story", ()),
    ],
)
def test_country_intent(parser, text, countries):
    assert parser.parse(text).countries == countries


@pytest.mark.parametrize(
    ("text", "years"),
    # The people catalogue's release years run from 1976 to 2021.
    [
        ("a 90s drama", (1990, 1999)),
        ("romcoms of the 90's", (1990, 1999)),
        ("an '80s action movie", (1980, 1989)),
        ("something from the nineties", (1990, 1999)),
        ("2010s anime", (2010, 2019)),
        ("80s and 90s boxing", (1980, 1999)),
        ("a boxing film from 1979", (1979, 1979)),
        ("before 1980", (1976, 1979)),
        ("since 2019", (2019, 2021)),
        ("after 2019", (2020, 2021)),
        ("recent horror", (2019, 2021)),
        ("new releases", (2019, 2021)),
        ("new movies", (2019, 2021)),
        ("a movie set in new york", None),
        ("the fifties", None),                                      # nothing that old here
        ("a 1900s period piece", None),                             # the century, not a decade
        ("a story about 1000 days", None),
        ("a scary movie", None),
    ],
)
def test_years_intent(parser, text, years):
    assert parser.parse(text).years == years


def _named(parsed: ParsedQuery) -> set:
    return {*parsed.genres, *parsed.countries, *parsed.types, *([parsed.years] if parsed.years else [])}


@pytest.mark.parametrize("text", [
    "since 2010 korean", "90 s comedies", "1990 2000 films", "south korea drama", "stand up special",
    "korean movie", "kate siegel horror", "a movie and a series", "recent anime", "scary movies after 2015",
    "astronauts stranded far from earth", "", "2019",
])
def test_word_facets_say_what_parsing_each_word_and_pair_says(parser, text):
    """word_facets parses only the words and pairs that can name something; parsing them all agrees.
    A pair that names more than its two words gives both words what it names, unless each names something."""
    words = parser.parse(text).rest.split()
    single = [_named(parser.parse(word)) for word in words]
    expected = [set(named) for named in single]
    for i in range(len(words) - 1):
        more = _named(parser.parse(f"{words[i]} {words[i + 1]}")) - single[i] - single[i + 1]
        if not (expected[i] and expected[i + 1]):
            expected[i] |= more
            expected[i + 1] |= more
    assert parser.word_facets(words) == expected


def test_a_name_does_not_also_count_as_intent_words(people_catalog):
    parser = QueryParser().fit(people_catalog)
    parsed = parser.parse("with Ana Ruiz")                          # 'Ruiz' is not Spanish intent...
    assert parsed.people == (Person("Ana Ruiz", "cast", ("director",)),)
    assert parsed.countries == () and parsed.rest == ""


def test_parsed_query_is_frozen(parser):
    parsed = parser.parse("a scary movie")
    assert isinstance(parsed, ParsedQuery)
    with pytest.raises(AttributeError):
        parsed.rest = "x"


def test_estimator_contract(people_catalog):
    parser = QueryParser(common_min_count=3)
    with pytest.raises(NotFittedError):
        parser.parse("anything")
    assert clone(parser).get_params() == {"common_min_count": 3}
    assert parser.fit(people_catalog) is parser
    with pytest.raises(ValueError, match="common_min_count"):
        QueryParser(common_min_count=0).fit(people_catalog)
    with pytest.raises(ValueError, match="lacks columns"):
        QueryParser().fit(people_catalog.drop(columns=["cast"]))


# ------------------------------------------------------------------ the full catalogue
@pytest.fixture(scope="module")
def full_parser(full_catalog) -> QueryParser:
    return QueryParser().fit(full_catalog)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "people", "genres", "countries", "rest"),
    [
        ("movies with Tom Hanks", [("Tom Hanks", "cast")], (), (), "movies"),
        ("tom hanks movies", [("Tom Hanks", "any")], (), (), "movies"),
        ("directed by Martin Campbell", [("Martin Campbell", "director")], (), (), ""),
        ("an Amitabh Bachchan drama", [("Amitabh Bachchan", "any")], ("Dramas", "TV Dramas"), (), "an drama"),
        ("Steven Spielberg's war films", [("Steven Spielberg", "any")], (), (), "war films"),
        ("a romance with Shah Rukh Khan", [("Shah Rukh Khan", "cast")], ("Romantic Movies", "Romantic TV Shows"),
         (), "a romance"),
        ("a korean thriller", [], ("TV Thrillers", "Thrillers"), ("South Korea",), "a korean thriller"),
        ("a scandinavian crime series", [], ("Crime TV Shows",), ("Denmark", "Norway", "Sweden"),
         "a scandinavian crime series"),
        ("mark strong movies", [], (), (), "mark strong movies"),            # everyday words need a role word
        ("with Mark Strong", [("Mark Strong", "cast")], (), (), ""),
        ("a story about a king and prince", [], (), (), "a story about a king and prince"),
        # a surname one person carries far more than anyone, and no description uses for anything else
        ("a scorsese film", [("Martin Scorsese", "any")], (), (), "a film"),
        ("directed by spielberg", [("Steven Spielberg", "director")], (), (), ""),
        ("a bachchan drama", [("Amitabh Bachchan", "any")], ("Dramas", "TV Dramas"), (), "a drama"),
        ("a khan romance", [], ("Romantic Movies", "Romantic TV Shows"), (), "a khan romance"),   # Shah Rukh 35, Salman 20
        ("a kubrick film", [("Stanley Kubrick", "any")], (), (), "a film"),   # a long surname no one else has
        ("nolan", [("Christopher Nolan", "any")], (), (), ""),
        ("a friday night movie", [], (), (), "a friday night movie"),   # not Monica Friday: a wish's own word
        ("a movie about a cage fighter", [], (), (), "a movie about a cage fighter"),   # 'cage' needs a role word
        ("with cage", [("Nicolas Cage", "cast")], (), (), ""),
        ("sherlock holmes", [], (), (), "sherlock holmes"),   # the descriptions' Holmes is not Jonathan Holmes
    ],
)
def test_real_names_on_the_full_catalogue(full_parser, text, people, genres, countries, rest):
    parsed = full_parser.parse(text)
    assert [(p.name, p.role) for p in parsed.people] == people
    assert parsed.genres == genres
    assert parsed.countries == countries
    assert parsed.rest == rest


@pytest.mark.slow
def test_no_person_found_in_the_judged_wishes(full_parser):
    found = {q.text: full_parser.parse(q.text).people for q in judged.load_queries()}
    assert {text: people for text, people in found.items() if people} == {}


@pytest.mark.slow
def test_sampled_people_queries_find_their_person(full_catalog, full_parser):
    queries = judged_people.people_queries(full_catalog, sample_size=60, seed=0)
    missed = [q.text for q in queries if q.name not in {p.name for p in full_parser.parse(q.text).people}]
    assert len(missed) <= len(queries) // 20, missed
