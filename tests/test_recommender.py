import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from netflix_pyfunc.params import InvalidRequest, Query, Request
from netflix_pyfunc.output import OUTPUT_COLUMNS
from netflix_pyfunc.recommender import HybridRecommender


def titles(frame):
    return frame["title"].tolist()


def test_init_only_stores_params():
    model = HybridRecommender(w_title=2.0)
    assert model.get_params()["w_title"] == 2.0
    assert not [name for name in vars(model) if name.endswith("_")]


def test_is_a_scikit_learn_estimator(model):
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "index_")
    assert copy.set_params(w_genre=0.0).w_genre == 0.0
    with pytest.raises(ValueError, match="Invalid parameter"):
        copy.set_params(search="blocked")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"w_title": -1.0}, "w_title"),
        ({"w_genre": float("nan")}, "w_genre"),
        ({"w_description": 0, "w_title": 0, "w_genre": 0, "w_people": 0, "w_country": 0}, "at least one"),
        ({"desc_max_df": 0.0}, "desc_max_df"),
        ({"desc_ngram_max": 0}, ">= 1"),
        ({"w_semantic": -0.5}, "w_semantic"),
        ({"w_person": float("inf")}, "w_person"),
        ({"ann_min_titles": 1}, "ann_min_titles"),
    ],
)
def test_fit_rejects_invalid_params(catalog, encoder, change, message):
    with pytest.raises(ValueError, match=message):
        HybridRecommender(**change).fit(catalog, encoder=encoder)


def test_fit_needs_an_encoder(catalog):
    with pytest.raises(ValueError, match="encoder=SentenceEncoder.load"):
        HybridRecommender().fit(catalog)


def test_recommend_before_fit_raises():
    with pytest.raises(NotFittedError):
        HybridRecommender().recommend([Query(title="Rocky")])


def test_fit_rejects_uncleaned_frame(raw_catalog, encoder):
    with pytest.raises(ValueError, match="clean_catalog"):
        HybridRecommender().fit(raw_catalog.drop(columns=["listed_in"]), encoder=encoder)


def test_output_columns_and_k_rows(model):
    out = model.recommend([Query(title="Rocky")], Request(k=4))
    assert list(out.columns) == list(OUTPUT_COLUMNS)
    assert len(out) == 4
    assert out["rank"].tolist() == [1, 2, 3, 4]
    assert set(out["query_title"]) == {"Rocky"}


def test_sequels_rank_first(model):
    out = model.recommend([Query(title="Rocky")], Request(k=2))
    assert set(titles(out)) == {"Rocky II", "Rocky III"}
    assert "similar title" in out["reason"].iloc[0]
    assert "Sylvester Stallone" in out["reason"].iloc[0]


@pytest.mark.parametrize("title", ["Rocky", "Midnight Mass", "DEATH NOTE", "Oh! Baby", "Space Rescue"])
def test_query_never_returns_itself(model, catalog, title):
    out = model.recommend([Query(title=title)], Request(k=13))
    assert title not in titles(out)


def test_identical_descriptions_are_excluded(model):
    out = model.recommend([Query(title="Oh! Baby")], Request(k=13))
    assert "Oh! Baby (Tamil)" not in titles(out)


def test_language_versions_appear_once(model):
    out = model.recommend([Query(description="grumpy grandmother young again")], Request(k=5))
    assert sum(t.startswith("Oh! Baby") for t in titles(out)) == 1


# A filtered request and what every row it returns must satisfy (test_hybrid_index reuses them).
FILTER_CASES = [
    (Request(type="TV Show"), lambda row: row["type"] == "TV Show"),
    (Request(min_year=2000, max_year=2018), lambda row: 2000 <= row["release_year"] <= 2018),
    (Request(countries=("south korea",)), lambda row: "South Korea" in row["country"]),
    (Request(genres=("horror",)), lambda row: "Horror" in row["listed_in"]),
    (Request(ratings=("tv-ma", "PG")), lambda row: row["rating"] in ("TV-MA", "PG")),
]


@pytest.mark.parametrize("request_, check", FILTER_CASES)
def test_filters_hold(model, request_, check):
    out = model.recommend([Query(title="Rocky"), Query(description="astronaut")], request_)
    assert len(out) > 0
    assert all(check(row) for _, row in out.iterrows())


def test_filters_apply_before_ranking(model, catalog):
    out = model.recommend([Query(title="Rocky")], Request(k=10, type="TV Show"))
    n_tv = int((catalog["type"] == "TV Show").sum())
    assert len(out) == n_tv  # the query is a movie, so every TV show is eligible
    assert set(out["type"]) == {"TV Show"}


def test_fewer_matches_than_k_returns_all_matches(model):
    out = model.recommend([Query(title="Rocky")], Request(k=10, genres=("Sports",)))
    assert set(titles(out)) == {"Rocky II", "Rocky III"}


def test_filtered_title_queries_read_stored_neighbours_as_the_search_ranks(catalog, encoder):
    """A title-only query with filters is read from the title's stored neighbours when they hold
    the answer, else searched; both give what the filtered search gives. Oh! Baby (Tamil) is made
    a year newer: with min_year=2020 Oh! Baby fails the filter while its language version passes."""
    changed = catalog.copy()
    changed.loc[changed["title"] == "Oh! Baby (Tamil)", "release_year"] = 2020
    model = HybridRecommender(desc_min_df=1, desc_max_df=1.0).fit(changed, encoder=encoder)
    paths = set()
    for request_ in (Request(k=1, min_year=2020), Request(k=2, min_year=2020), Request(k=2, min_year=2018),
                     Request(k=2, type="Movie"), Request(k=3, genres=("drama",)), Request(k=1, countries=("India",)),
                     Request(k=4)):
        allowed = model.filters_.mask(request_)
        for position, title in enumerate(changed["title"]):
            served = model.recommend([Query(title=title)], request_)
            batch, _ = model._queries(np.array([position]), [""])
            ((hits, scores),) = model.index_.search(batch, request_.k, allowed, model._exclusions(np.array([position])))
            assert served["show_id"].tolist() == changed["show_id"].iloc[hits].tolist(), (title, request_)
            np.testing.assert_allclose(served["score"].to_numpy(dtype=float), scores, atol=1e-5)
            enough = allowed is None or np.count_nonzero(allowed[model.stored_hits_[position]]) >= request_.k
            paths.add((enough, model._stored(position, request_.k, allowed) is not None))
    assert paths == {(True, True), (True, False), (False, False)}   # read, shared work searched, too few searched


@pytest.mark.parametrize(
    "request_, message",
    [
        (Request(ratings=("XXX",)), "unknown rating"),
        (Request(genres=("Western",)), "unknown genre 'Western'; no genre is named like it"),
        (Request(countries=("Atlantis",)), "unknown country 'Atlantis'; closest valid values: "),
    ],
)
def test_unknown_filter_values_are_client_errors(model, request_, message):
    with pytest.raises(InvalidRequest, match=message):
        model.recommend([Query(title="Rocky")], request_)


def test_scores_do_not_increase(model):
    out = model.recommend([Query(title="Midnight Mass"), Query(description="astronauts far from earth")], Request(k=8))
    for _, group in out.groupby("row"):
        assert np.all(np.diff(group["score"].to_numpy()) <= 1e-9)
        assert np.isfinite(group["score"]).all()


def test_deterministic(model):
    queries = [Query(title="Rocky"), Query(description="a boxer and a champion"), Query(title="death note")]
    first = model.recommend(queries, Request(k=6))
    second = model.recommend(queries, Request(k=6))
    assert first.equals(second)


def test_free_text_finds_matching_descriptions(model):
    out = model.recommend([Query(description="astronauts stranded far from earth")], Request(k=2))
    assert set(titles(out)) == {"Space Rescue", "Red Planet Diaries"}
    about = [part for part in out["reason"].iloc[0].split("; ") if part.startswith("about: ")]
    terms = about[0].removeprefix("about: ").split(", ")
    assert len(terms) == 3 and set(terms) <= {"astronauts", "stranded", "far", "earth"}
    assert (out["query_title"] == "").all()


def test_title_and_description_together_use_both(model):
    def hill_house(out):
        return out[out["title"] == "The Haunting of Hill House"].iloc[0]

    alone = model.recommend([Query(title="Rocky")], Request(k=13))
    both = model.recommend([Query(title="Rocky", description="siblings in a haunted house")], Request(k=13))
    assert hill_house(both)["score"] > 2 * hill_house(alone)["score"]
    assert "haunted" not in hill_house(alone)["reason"]
    assert "haunted" in hill_house(both)["reason"]
    assert titles(both)[0] == "The Haunting of Hill House" and "Rocky II" in titles(both)[:5]
    assert both["query_title"].iloc[0] == "Rocky"


def test_batch_rows_are_independent(model):
    batch = model.recommend([Query(title="Rocky"), Query(title="Midnight Mass")], Request(k=3))
    single = model.recommend([Query(title="Midnight Mass")], Request(k=3))
    assert titles(batch[batch["row"] == 1]) == titles(single)


def test_unknown_words_only_is_a_client_error(model):
    with pytest.raises(InvalidRequest, match="names nothing to look for"):
        model.recommend([Query(description="qwzx plmk")])


def test_unknown_title_is_a_client_error_with_suggestion(model):
    with pytest.raises(InvalidRequest, match="row 0: unknown title .* Did you mean: Rocky"):
        model.recommend([Query(title="Rocky Forever")])


@pytest.mark.slow
@pytest.mark.parametrize(
    "query, expected_top5",
    [
        ("Rocky", {"Rocky II", "Rocky III", "Rocky IV"}),
        ("Kung Fu Panda", {"Kung Fu Panda 2", "Kung Fu Panda: Secrets of the Scroll"}),
        ("The Haunting of Hill House", {"The Haunting of Bly Manor"}),
    ],
)
def test_full_catalogue_franchises(full_model, query, expected_top5):
    out = full_model.recommend([Query(title=query)], Request(k=5))
    assert expected_top5 <= set(titles(out))


@pytest.mark.slow
def test_full_catalogue_midnight_mass_is_horror(full_model):
    out = full_model.recommend([Query(title="Midnight Mass")], Request(k=10))
    assert "Poshter Girl" not in titles(out)
    assert sum("Horror" in genres for genres in out["listed_in"]) >= 8


def test_fitting_twice_gives_the_same_model(catalog, encoder):
    first = HybridRecommender(desc_min_df=1).fit(catalog, encoder=encoder)
    second = HybridRecommender(desc_min_df=1).fit(catalog, encoder=encoder)
    assert (first.vectors_ != second.vectors_).nnz == 0
    queries = [Query(title="Rocky"), Query(description="a haunted house")]
    assert first.recommend(queries, Request(k=5)).equals(second.recommend(queries, Request(k=5)))


def test_evaluation_helpers_rank_as_recommend_does(model, catalog, position):
    """neighbors/neighbors_for_text (what the offline metrics use) and recommend share one path."""
    texts = ["astronauts stranded far from earth", "a boxer and a champion", "haunted house siblings"]
    for text, found in zip(texts, model.neighbors_for_text(texts, 5)):
        served = model.recommend([Query(description=text)], Request(k=5))
        assert catalog["show_id"].iloc[found].tolist() == served["show_id"].tolist()
    for title in ("Rocky", "Midnight Mass", "Oh! Baby"):
        found = model.neighbors([position(catalog, title)], 5)[0]
        served = model.recommend([Query(title=title)], Request(k=5))
        assert catalog["show_id"].iloc[found].tolist() == served["show_id"].tolist()


def test_output_frame_types(model):
    out = model.recommend([Query(title="Rocky")], Request(k=3))
    assert [str(t) for t in out.dtypes] == [
        "int64", "int64", "str", "str", "str", "int64", "str", "str", "str", "float64", "str", "str", "str"]
    empty = model.recommend([Query(title="Rocky")], Request(k=3, genres=("Anime",), type="Movie"))
    assert len(empty) == 0 and list(empty.columns) == list(out.columns)


@pytest.mark.slow
@pytest.mark.parametrize(
    "text, field, expected",
    [
        ("a korean romantic comedy", "country", "South Korea"),
        ("stand-up comedy special", "listed_in", "Stand-Up Comedy"),
        ("nature documentary about oceans", "listed_in", "Docu"),
    ],
)
def test_full_catalogue_free_text_matches_metadata(full_model, text, field, expected):
    out = full_model.recommend([Query(description=text)], Request(k=5))
    assert sum(expected in value for value in out[field]) >= 3, out[["title", field]]


@pytest.mark.slow
@pytest.mark.parametrize("text", ["something to watch with my kids this weekend", "a family movie to watch tonight"])
def test_full_catalogue_words_that_ask_to_watch_are_not_matched(full_model, text):
    """'watch', 'tonight', 'this weekend' say someone wants something, not what: before, these
    wishes listed Yo-Kai Watch ('about: watch') and a documentary 'about: tonight'."""
    out = full_model.recommend([Query(description=text)], Request(k=5))
    assert not [reason for reason in out["reason"] if any(w in reason for w in ("watch", "tonight", "weekend"))]
    assert all("Children & Family Movies" in genres or "Kids' TV" in genres for genres in out["listed_in"]), \
        out[["title", "listed_in"]]


@pytest.mark.slow
@pytest.mark.parametrize("text, words", [
    ("a feel good movie", ("feel", "good")), ("an edge-of-my-seat thriller", ("edge", "seat")),
    ("a light hearted comedy", ("light", "heart")),
])
def test_full_catalogue_phrases_that_only_mean_a_genre_together_are_not_matched_word_by_word(full_model, text, words):
    """Before, "a feel good movie" was 'about: feelings' and 'about: good', "an edge-of-my-seat
    thriller" listed Brooklyn's Finest 'about: seat, edge'. The phrase still asks for its genre."""
    out = full_model.recommend([Query(description=text)], Request(k=10))
    abouts = [part for reason in out["reason"] for part in reason.split("; ") if part.startswith("about: ")]
    assert not [about for about in abouts if any(word in about for word in words)], abouts
    assert out["reason"].str.startswith("genre: ").all(), out[["title", "reason"]]


@pytest.mark.slow
@pytest.mark.parametrize("text", ["a cozy show", "something cozy"])
def test_full_catalogue_a_cozy_wish_gets_light_titles_not_a_cozy_flat(full_model, text):
    """Before, 'a cozy show' listed 1BR, a horror film set in a cozy apartment, 'about: cozy'."""
    out = full_model.recommend([Query(description=text)], Request(k=5))
    assert not out["listed_in"].str.contains("Horror|Thriller").any(), out[["title", "listed_in"]]
    assert not out["reason"].str.contains("about: cozy").any()


@pytest.mark.slow
@pytest.mark.parametrize("text", ["something chill", "a chill movie", "something laid back"])
def test_full_catalogue_a_chill_wish_asks_for_light_titles_not_chilling_ones(full_model, text):
    """Before, 'something chill' listed horror films, each 'about: chilling'."""
    out = full_model.recommend([Query(description=text)], Request(k=10))
    assert not out["reason"].str.contains("about: chill").any(), out[["title", "reason"]]
    assert out["listed_in"].str.contains("Comedies|Romantic").all(), out[["title", "listed_in"]]


@pytest.mark.slow
@pytest.mark.parametrize("text", ["a slow burn mystery", "a slow-burning thriller"])
def test_full_catalogue_a_slow_burn_wish_gets_its_genre_not_fire(full_model, text):
    """Before, 'a slow burn mystery' listed Sicilian Ghost Story 'about: slow', then films 'about:
    burns', Ken Burns' The Vietnam War among them."""
    out = full_model.recommend([Query(description=text)], Request(k=10))
    assert out["listed_in"].str.contains("Thrillers|TV Mysteries").all(), out[["title", "listed_in"]]
    assert not out["reason"].str.contains("slow|burn").any(), out[["title", "reason"]]


@pytest.mark.slow
@pytest.mark.parametrize("text, genres", [
    ("a horor movie", "Horror Movies"), ("a romantic comdy", "Comedies"), ("a korean thriler", "Thrillers"),
])
def test_full_catalogue_a_misspelt_genre_word_still_asks_for_its_genre(full_model, text, genres):
    """Before, "a horor movie" listed Home (a children's film) and Don among a few horror films."""
    out = full_model.recommend([Query(description=text)], Request(k=10))
    assert out["listed_in"].str.contains(genres, regex=False).all(), out[["title", "listed_in"]]


@pytest.mark.slow
@pytest.mark.parametrize("text, kind, most", [
    ("a short movie", "min", 90), ("a comedy under 2 hours", "min", 120), ("a limited series", "season", 1),
])
def test_full_catalogue_a_length_asked_for_is_the_length_given(full_model, text, kind, most):
    """Before, "under 2 hours" and "a limited series" were matched as words ('about: limits')."""
    out = full_model.recommend([Query(description=text)], Request(k=10))
    lengths = out["reason"].str.extract(rf"length: (\d+) {kind}", expand=False)
    assert lengths.notna().all(), out[["title", "reason"]]
    assert (lengths.astype(int) <= most).all(), out[["title", "reason"]]


@pytest.mark.slow
@pytest.mark.parametrize("text", ["an adult cartoon", "a funny cartoon for adults", "a cartoon not for kids"])
def test_full_catalogue_a_wish_for_grown_ups_gets_no_kids_titles(full_model, text):
    """Before, 'an adult cartoon' listed kids' series only, 'genre: Kids' TV'."""
    out = full_model.recommend([Query(description=text)], Request(k=10))
    assert not out["listed_in"].str.contains("Kids' TV|Children & Family").any(), out[["title", "listed_in"]]


@pytest.mark.slow
@pytest.mark.parametrize("text, left_out", [
    ("a thriller, no horror", "Horror"), ("a comedy that is not romantic", "Romantic"),
    ("korean shows but not romance", "Romantic"), ("a series that is not anime", "Anime"),
])
def test_full_catalogue_what_a_wish_leaves_out_stays_out(full_model, text, left_out):
    """Before, "no horror", "not romantic" and "anything but anime" asked for what they leave out:
    "a comedy that is not romantic" listed romantic comedies first."""
    out = full_model.recommend([Query(description=text)], Request(k=10))
    assert not out["listed_in"].str.contains(left_out).any(), out[["title", "listed_in"]]


@pytest.mark.parametrize("text", ["no horror please", "anything but anime"])
def test_a_wish_that_only_says_what_to_leave_out_is_a_client_error(model, text):
    with pytest.raises(InvalidRequest, match="only says what to leave out; say what you would like too"):
        model.recommend([Query(description=text)])


def test_a_wish_that_only_asks_for_something_to_watch_is_a_client_error(model):
    with pytest.raises(InvalidRequest, match="names nothing to look for; try a title, a genre, a mood or a topic"):
        model.recommend([Query(description="something to watch tonight")])


@pytest.mark.slow
def test_full_catalogue_space_query_finds_astronauts(full_model, full_catalog):
    out = full_model.recommend([Query(description="astronauts stranded far from earth")], Request(k=5))
    descriptions = full_catalog.set_index("show_id").loc[out["show_id"], "description"].str.lower()
    assert sum("astronaut" in d for d in descriptions) >= 3, out["title"].tolist()


def test_a_title_of_unknown_country_is_not_scored_as_one_from_elsewhere(model, catalog, encoder):
    """Midnight Mass has no country in the hand-made catalogue. For a US title it scores more than
    it would as a Japanese title (before, the same: 0 in the country block either way), and its
    reason does not claim a country."""
    elsewhere = catalog.copy()
    elsewhere["country"] = [["Japan"] if title == "Midnight Mass" else countries
                            for title, countries in zip(elsewhere["title"], elsewhere["country"])]
    japanese = HybridRecommender().fit(elsewhere, encoder=encoder)

    def midnight_mass(fitted):
        out = fitted.recommend([Query(title="The Haunting of Hill House")], Request(k=13))
        return out[out["title"] == "Midnight Mass"].iloc[0]

    unknown, foreign = midnight_mass(model), midnight_mass(japanese)
    assert unknown["score"] > foreign["score"] + 0.01
    assert "country" not in unknown["reason"]
