"""Load and clean the Netflix catalogue: pure functions, column names as constants."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

SHOW_ID = "show_id"
TYPE = "type"
TITLE = "title"
DIRECTOR = "director"
CAST = "cast"
COUNTRY = "country"
DATE_ADDED = "date_added"
RELEASE_YEAR = "release_year"
RATING = "rating"
DURATION = "duration"
LISTED_IN = "listed_in"
DESCRIPTION = "description"

RAW_COLUMNS = (
    SHOW_ID, TYPE, TITLE, DIRECTOR, CAST, COUNTRY, DATE_ADDED,
    RELEASE_YEAR, RATING, DURATION, LISTED_IN, DESCRIPTION,
)
LIST_COLUMNS = (DIRECTOR, CAST, COUNTRY, LISTED_IN)
# Derived by clean_catalog.
YEAR_ADDED = "year_added"

MOVIE = "Movie"
TV_SHOW = "TV Show"
TYPES = (MOVIE, TV_SHOW)

# Genres that say where a title comes from, not what it is about.
NON_TOPICAL_GENRES = frozenset({"International Movies", "International TV Shows"})

_DURATION_IN_RATING = re.compile(r"^\d+\s*min$")
_NON_WORD = re.compile(r"[\W_]+")


def read_catalog(path: str | Path) -> pd.DataFrame:
    """Read the raw CSV as strings; empty cells become ''."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = set(RAW_COLUMNS) - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: missing columns {sorted(missing)}")
    return frame


def split_list(value: str) -> list[str]:
    """'A, B,, C ' -> ['A', 'B', 'C'], keeping first occurrences in order."""
    seen: dict[str, None] = {}
    for part in str(value).split(","):
        part = part.strip()
        if part:
            seen.setdefault(part, None)
    return list(seen)


def fix_duration_in_rating(frame: pd.DataFrame) -> pd.DataFrame:
    """Move durations that were published in the rating column ('74 min') back."""
    frame = frame.copy()
    misplaced = frame[RATING].str.match(_DURATION_IN_RATING) & (frame[DURATION] == "")
    frame.loc[misplaced, DURATION] = frame.loc[misplaced, RATING]
    frame.loc[misplaced, RATING] = ""
    return frame


def clean_catalog(raw: pd.DataFrame) -> pd.DataFrame:
    """Strip text, fix misplaced durations, split list columns, type the years.

    Titles are kept exactly as published: 'DEATH NOTE' (2006 series) and
    'Death Note' (2017 film) are different works and stay apart.
    """
    frame = raw.loc[:, list(RAW_COLUMNS)].copy()
    for column in RAW_COLUMNS:
        frame[column] = frame[column].fillna("").astype(str).str.strip()
    if (frame[SHOW_ID] == "").any():
        raise ValueError("catalogue has rows without show_id")
    duplicated = frame[SHOW_ID].duplicated()
    if duplicated.any():
        raise ValueError(f"duplicate show_id values: {frame.loc[duplicated, SHOW_ID].tolist()[:5]}")
    frame = fix_duration_in_rating(frame)
    for column in LIST_COLUMNS:
        frame[column] = frame[column].map(split_list)
    frame[RELEASE_YEAR] = pd.to_numeric(frame[RELEASE_YEAR], errors="raise").astype("int64")
    added = pd.to_datetime(frame[DATE_ADDED], format="%B %d, %Y", errors="coerce")
    frame[YEAR_ADDED] = added.dt.year.astype("Int64")
    return frame.reset_index(drop=True)


def load_catalog(path: str | Path) -> pd.DataFrame:
    """read_catalog + clean_catalog."""
    return clean_catalog(read_catalog(path))


def normalize_text(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form: 'Pokémon: Indigo League' -> 'pokemon indigo league'.

    Letters of every script are kept ('يوم الدين' stays itself); only punctuation,
    symbols and accents go."""
    text = str(text).replace("&", " and ")
    if text.isascii():   # NFKD leaves ASCII as it is, it has no accents, and its casefold is lower
        return _NON_WORD.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


def topical_genres(genres: list[str]) -> set[str]:
    """Genres minus the ones that only say 'international'."""
    return set(genres) - NON_TOPICAL_GENRES


def work_ids(catalog: pd.DataFrame) -> np.ndarray:
    """One id per distinct work: titles whose normalized descriptions are equal share an id.

    Language versions of one film ("Oh! Baby", "Oh! Baby (Tamil)") carry the same
    description; the model never recommends them for each other.
    """
    codes, _ = pd.factorize(catalog[DESCRIPTION].map(normalize_text))
    return codes.astype(np.int64)
