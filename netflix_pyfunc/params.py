"""Request parameters and input limits: one definition for validation, the MLflow
ParamSchema and the API documentation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from .catalog import TYPES, normalize_text
from .intent_words import TYPE_WORDS


class InvalidRequest(ValueError):
    """A client sent something the recommender cannot answer; the message says what."""


MAX_K = 100
MAX_ROWS = 1000
MAX_TITLE_CHARS = 300
MAX_DESCRIPTION_CHARS = 5000


@dataclass(frozen=True)
class ParamDoc:
    name: str
    dtype: str  # MLflow DataType name: "long" or "string"
    default: Any
    help: str


PARAMS = (
    ParamDoc("k", "long", 10, f"number of recommendations per input row, 1..{MAX_K}"),
    ParamDoc("type", "string", "", "'Movie' or 'TV Show' (also 'film', 'series', 'tv', ...), or '' for both"),
    ParamDoc("min_year", "long", None, "earliest release year (inclusive)"),
    ParamDoc("max_year", "long", None, "latest release year (inclusive)"),
    ParamDoc("country", "string", "", "production country as people say it, e.g. 'South Korea', 'Korea', 'USA', 'UK', "
             "or a region ('nordic', 'latin america'); several separated by commas match any"),
    ParamDoc("genre", "string", "", "genre by its word in any form, e.g. 'comedy', 'rom-com', 'docs', 'anime', "
             "'Stand-Up'; several separated by commas match any"),
    ParamDoc("rating", "string", "", "maturity rating, e.g. 'TV-MA' or 'pg13' (case, spaces and dashes do not "
             "matter); several separated by commas match any"),
)


# What a type filter may be called: the two types in any case, and the words a wish uses for them.
_TYPE_NAMES = {**{t.lower(): t for t in TYPES}, "tv shows": TYPES[1], **TYPE_WORDS}


def _split(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.split(",") if p.strip())


@dataclass(frozen=True)
class Request:
    """Validated parameters of one /invocations call."""

    k: int = 10
    type: str = ""
    min_year: int | None = None
    max_year: int | None = None
    countries: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()
    ratings: tuple[str, ...] = ()

    @classmethod
    def from_params(cls, params: Mapping[str, Any] | None) -> Request:
        """Validate params as they arrive from MLflow (defaults filled in, unknown keys dropped)."""
        params = dict(params or {})
        values = {p.name: params.get(p.name, p.default) for p in PARAMS}
        for p in PARAMS:
            value = values[p.name]
            if value is None:
                if p.dtype == "string":
                    values[p.name] = ""
                elif p.name == "k":
                    values[p.name] = p.default
                continue
            expected = str if p.dtype == "string" else int
            if isinstance(value, bool) or not isinstance(value, expected):
                raise InvalidRequest(f"param {p.name!r} must be {'a string' if expected is str else 'an integer'}, got {value!r}")
        k = values["k"]
        if not 1 <= k <= MAX_K:
            raise InvalidRequest(f"param 'k' must be between 1 and {MAX_K}, got {k}")
        kind = values["type"].strip()
        if kind and normalize_text(kind) not in _TYPE_NAMES:
            raise InvalidRequest(f"param 'type' must be one of {list(TYPES)} (or a word for one: 'film', "
                                 f"'series', 'tv', ...) or empty, got {kind[:50]!r}")
        min_year, max_year = values["min_year"], values["max_year"]
        if min_year is not None and max_year is not None and min_year > max_year:
            raise InvalidRequest(f"param 'min_year' ({min_year}) is greater than 'max_year' ({max_year})")
        return cls(
            k=k,
            type=_TYPE_NAMES.get(normalize_text(kind), ""),
            min_year=min_year,
            max_year=max_year,
            countries=_split(values["country"]),
            genres=_split(values["genre"]),
            ratings=_split(values["rating"]),
        )


@dataclass(frozen=True)
class Query:
    """One input row: a catalogue title, free text, or both."""

    title: str = ""
    description: str = ""


def _cell(value: Any, column: str, row: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN: a missing cell after pandas
        return ""
    if not isinstance(value, str):
        raise InvalidRequest(f"row {row}: {column!r} must be a string, got {type(value).__name__} {str(value)[:50]!r}")
    return value.strip()


def parse_queries(records: list[Mapping[str, Any]]) -> list[Query]:
    """Validate input rows (dicts with optional 'title'/'description')."""
    if not records:
        raise InvalidRequest("no input rows: send at least one row with 'title' or 'description'")
    if len(records) > MAX_ROWS:
        raise InvalidRequest(f"{len(records)} input rows; at most {MAX_ROWS} per request")
    queries = []
    for row, record in enumerate(records):
        title = _cell(record.get("title"), "title", row)
        description = _cell(record.get("description"), "description", row)
        if not title and not description:
            raise InvalidRequest(f"row {row}: give a non-empty 'title' or 'description'")
        if len(title) > MAX_TITLE_CHARS:
            raise InvalidRequest(f"row {row}: 'title' has {len(title)} characters; the limit is {MAX_TITLE_CHARS}")
        if len(description) > MAX_DESCRIPTION_CHARS:
            raise InvalidRequest(
                f"row {row}: 'description' has {len(description)} characters; the limit is {MAX_DESCRIPTION_CHARS}"
            )
        queries.append(Query(title=title, description=description))
    return queries
