import numpy as np
import pytest

from netflix_pyfunc.intent import QueryParser
from netflix_pyfunc.intent_boosts import IntentScorer, facet_share, literal_facets, words_to_match

QUERIES = [
    "a Mike Flanagan horror movie from the 2010s",
    "korean sci-fi dramas",
    "with Kate Siegel and Sylvester Stallone",
    "a horror tv show",
    "anime series from japan before 2010",
    "a boxer fights for the title",   # names no one and nothing: no boosts
    "a horror tv show, not korean",   # leaves a country out
    "a comedy that is not romantic",
]


@pytest.fixture(scope="module")
def fitted(people_catalog):
    return QueryParser().fit(people_catalog), IntentScorer().fit(people_catalog)


def masks_definition(scorer, parsed, catalog):
    """The boosts as the docstring defines them: catalogue-long rows of zeros, w_person per person
    shared, plus w_intent * facet_share^2 * the mean of one boolean mask per named facet."""
    score = np.zeros(len(catalog), dtype=np.float32)
    for person in parsed.people:
        score[scorer.person_rows(person)[1]] += 2.0 / len(parsed.people)
    masks = []
    for labels, column in ((parsed.genres, "listed_in"), (parsed.countries, "country"), (parsed.types, "type")):
        if labels:
            values = catalog[column] if column != "type" else catalog[column].map(lambda kind: (kind,))
            masks.append(values.map(lambda have: bool(set(have) & set(labels))).to_numpy())
    if parsed.years:
        masks.append(catalog["release_year"].between(*parsed.years).to_numpy())
    return score, masks


@pytest.mark.parametrize("text", QUERIES)
def test_boosts_equal_the_catalogue_long_definition_bit_for_bit(fitted, people_catalog, text):
    parser, scorer = fitted
    parsed = parser.parse(text)
    score, masks = masks_definition(scorer, parsed, people_catalog)
    if masks:
        weight = np.float32(facet_share(parsed) ** 2)
        score += weight * np.mean(masks, axis=0, dtype=np.float32)
    columns = {"genre": people_catalog["listed_in"], "country": people_catalog["country"],
               "type": people_catalog["type"].map(lambda kind: (kind,))}
    left_out = np.zeros(len(people_catalog), dtype=bool)
    for facet, label in parsed.excluded:
        left_out |= columns[facet].map(lambda have: label in have).to_numpy()
    score[left_out] -= np.float32(1.0)   # w_intent below, for a title with what the text leaves out
    boosts = scorer.boosts([None, parsed], w_person=2.0, w_intent=1.0)
    assert boosts.shape == (2, len(people_catalog)) and boosts.indptr[1] == 0
    np.testing.assert_array_equal(boosts.toarray()[1], score)


@pytest.mark.parametrize("text", QUERIES)
def test_reasons_name_the_facets_each_hit_matches(fitted, people_catalog, text):
    parser, scorer = fitted
    parsed = parser.parse(text)
    _, masks = masks_definition(scorer, parsed, people_catalog)
    hits = np.array([16, 0, 9, 3, 12, 15])
    labels = {"genre": people_catalog["listed_in"].map(tuple).to_numpy(dtype=object),
              "country": people_catalog["country"].map(tuple).to_numpy(dtype=object)}
    reasons = scorer.reasons(parsed, hits, labels)
    matched = np.mean(masks, axis=0)[hits] if masks else np.zeros(len(hits))
    for hit, parts, share in zip(hits, reasons, matched):
        facets = [part for part in parts if part.split(":")[0] in ("genre", "country", "type", "year")]
        assert (len(facets) > 0) == (share > 0), (hit, parts)
        assert len(facets) == round(share * len(masks)) if masks else not facets


@pytest.mark.parametrize("text, literal", [
    ("a scary korean movie about astronauts", ["korean", "movie"]),   # 'scary', 'astronauts' only hint at a genre
    ("korean dramas", ["korean", "dramas"]),
    ("horror from the 2010s", ["horror", "2010s"]),
    ("a comedy special", ["comedy"]),
    ("a heist thriller", ["thriller"]),
    ("astronauts stranded far from earth", []),
])
def test_literal_facets_are_the_words_that_say_a_facet_in_so_many_words(fitted, text, literal):
    parser, _ = fitted
    assert literal_facets(parser.parse(text)) == literal


@pytest.mark.parametrize("text, intent, words", [
    ("a heist thriller", True, "a heist"),                          # the genre said in so many words is intent
    ("a heist thriller", False, "a heist thriller"),                # without intent, every word is matched
    ("a horror movie to watch tonight", True, "a to"),   # 'watch', 'tonight' ask for nothing; stop words go later
    ("a comedy from before 2015", True, "a from before"),    # the year after its cue is intent ('about: 2015' before)
    ("movies since 2018 about astronauts", True, "since about astronauts"),
    ("i'm in the mood for the best horror", True, "i m the"),       # no 'mood', no 'best' ("best friend")
    ("new releases about astronauts", True, "about astronauts"),
    ("movies for a rainy sunday", True, "for a"),                    # 'about: sunday, rainy' before
    ("an edge of my seat thriller about a heist", True, "an about a heist"),
    ("an edge of my seat thriller about a heist", False, "an thriller about a heist"),   # never word by word
    ("", True, ""),
])
def test_words_to_match_leave_out_what_intent_answers_and_what_asks_for_nothing(fitted, text, intent, words):
    parser, _ = fitted
    parsed = parser.parse(text) if text else None
    assert words_to_match(parsed.rest if parsed else "", parsed, intent=intent) == words
