import pytest

from netflix_pyfunc.params import MAX_DESCRIPTION_CHARS, MAX_ROWS, InvalidRequest, Query, Request, parse_queries


def test_defaults():
    assert Request.from_params(None) == Request(k=10)
    assert Request.from_params({"k": 10, "type": "", "min_year": None}) == Request()


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"k": 3}, Request(k=3)),
        ({"type": "movie"}, Request(type="Movie")),
        ({"type": "TV SHOW"}, Request(type="TV Show")),
        ({"type": "tv"}, Request(type="TV Show")),          # the words a wish uses for a type
        ({"type": "series"}, Request(type="TV Show")),
        ({"type": "TV Shows"}, Request(type="TV Show")),
        ({"type": "films"}, Request(type="Movie")),
        ({"min_year": 2000, "max_year": 2000}, Request(min_year=2000, max_year=2000)),
        ({"genre": "Horror, Thrillers"}, Request(genres=("Horror", "Thrillers"))),
        ({"rating": "TV-MA"}, Request(ratings=("TV-MA",))),
        ({"country": "South Korea"}, Request(countries=("South Korea",))),
    ],
)
def test_valid_params(params, expected):
    assert Request.from_params(params) == expected


@pytest.mark.parametrize(
    "params, message",
    [
        ({"k": 0}, "between 1 and 100"),
        ({"k": 101}, "between 1 and 100"),
        ({"k": -5}, "between 1 and 100"),
        ({"k": True}, "must be an integer"),
        ({"k": "5"}, "must be an integer"),
        ({"type": "Documentary"}, "'type' must be one of"),
        ({"min_year": 2010, "max_year": 2000}, "greater than 'max_year'"),
        ({"genre": 5}, "must be a string"),
    ],
)
def test_invalid_params(params, message):
    with pytest.raises(InvalidRequest, match=message):
        Request.from_params(params)


def test_parse_queries_keeps_both_fields():
    assert parse_queries([{"title": " Rocky ", "description": "boxing"}]) == [Query("Rocky", "boxing")]


@pytest.mark.parametrize(
    "records, message",
    [
        ([], "no input rows"),
        ([{}], "row 0: give a non-empty"),
        ([{"title": "", "description": "  "}], "row 0: give a non-empty"),
        ([{"title": None, "description": float("nan")}], "row 0: give a non-empty"),
        ([{"title": "Rocky"}, {"title": 5}], "row 1: 'title' must be a string"),
        ([{"description": ["a"]}], "'description' must be a string"),
        ([{"description": "x" * (MAX_DESCRIPTION_CHARS + 1)}], "the limit is"),
        ([{"description": "x" * 1_000_000}], "1000000 characters"),
        ([{"title": "Rocky"}] * (MAX_ROWS + 1), f"at most {MAX_ROWS}"),
    ],
)
def test_invalid_queries(records, message):
    with pytest.raises(InvalidRequest, match=message):
        parse_queries(records)
