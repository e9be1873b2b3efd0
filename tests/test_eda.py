"""EDA figures: written as PNGs, labelled, and plotting the catalogue's actual counts."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.container import BarContainer

from netflix_pyfunc import eda
from netflix_pyfunc.catalog import RAW_COLUMNS, clean_catalog, load_catalog

DATA = Path(__file__).resolve().parents[1] / "data" / "netflix_titles.csv"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# type, country, listed_in, release_year, date_added, rating
ROWS = [
    ("Movie", "United States", "Dramas, International Movies", "2019", "January 1, 2020", "TV-MA"),
    ("Movie", "United States, India", "Dramas", "2019", "March 5, 2020", "R"),
    ("Movie", "India", "Comedies, International Movies", "2018", "May 2, 2019", "TV-14"),
    ("TV Show", "United Kingdom", "British TV Shows, TV Dramas", "2020", "June 9, 2021", "TV-MA"),
    ("TV Show", "", "Kids' TV", "2015", "", "TV-Y"),
    ("Movie", "France, United States", "Dramas, Comedies", "1999", "July 4, 2018", "74 min"),
    ("TV Show", "Japan", "Anime Series", "2021", "August 1, 2021", "TV-14"),
]


@pytest.fixture(scope="module")
def catalog() -> pd.DataFrame:
    raw = {column: [""] * len(ROWS) for column in RAW_COLUMNS}
    raw["show_id"] = [f"s{i}" for i in range(len(ROWS))]
    raw["title"] = [f"Title {i}" for i in range(len(ROWS))]
    for column, values in zip(("type", "country", "listed_in", "release_year", "date_added", "rating"), zip(*ROWS)):
        raw[column] = list(values)
    return clean_catalog(pd.DataFrame(raw))


@pytest.fixture(scope="module")
def figures(catalog):
    return eda.eda_figures(catalog)


def _bars(figure) -> list:
    return [bar for container in figure.axes[0].containers if isinstance(container, BarContainer) for bar in container]


def _vertical(figure) -> dict[str, int]:
    """x tick label -> summed bar height at that tick."""
    ax = figure.axes[0]
    figure.canvas.draw()
    ticks = {round(t, 6): label.get_text() for t, label in zip(ax.get_xticks(), ax.get_xticklabels())}
    totals: dict[str, int] = {}
    for bar in _bars(figure):
        center = bar.get_x() + bar.get_width() / 2
        nearest = min(ticks, key=lambda t: abs(t - center))
        totals[ticks[nearest]] = totals.get(ticks[nearest], 0) + int(round(bar.get_height()))
    return totals


def _horizontal(figure) -> dict[str, int]:
    ax = figure.axes[0]
    labels = [label.get_text() for label in ax.get_yticklabels()]
    return {labels[round(bar.get_y() + bar.get_height() / 2)]: int(bar.get_width()) for bar in _bars(figure)}


def test_every_figure_is_built_and_labelled(figures):
    assert set(figures) == {
        "type_split.png", "titles_added_per_year.png", "release_year_distribution.png",
        "top_countries.png", "top_genres.png", "rating_distribution.png",
    }
    for name, figure in figures.items():
        (ax,) = figure.axes
        assert ax.get_title(), f"{name} has no title"
        assert ax.get_xlabel() and ax.get_ylabel(), f"{name} lacks axis labels"
        assert _bars(figure), f"{name} draws no bars"


def test_figures_do_not_touch_pyplot_state(catalog):
    before = plt.get_fignums()
    eda.eda_figures(catalog)
    assert plt.get_fignums() == before


def test_type_split_counts(figures, catalog):
    assert _vertical(figures["type_split.png"]) == {"Movie": 4, "TV Show": 3}
    assert sum(_vertical(figures["type_split.png"]).values()) == len(catalog)


def test_titles_added_per_year_counts(figures, catalog):
    heights = _vertical(figures["titles_added_per_year.png"])
    assert heights == {"2018": 1, "2019": 1, "2020": 2, "2021": 2}
    assert sum(heights.values()) == int(catalog["year_added"].notna().sum())
    assert "1 titles without a date" in figures["titles_added_per_year.png"].axes[0].get_title()


def test_release_year_counts(figures, catalog):
    bars = _bars(figures["release_year_distribution.png"])
    by_year: dict[int, int] = {}
    for bar in bars:
        year = round(bar.get_x() + bar.get_width() / 2)
        by_year[year] = by_year.get(year, 0) + int(round(bar.get_height()))
    expected = catalog["release_year"].value_counts().to_dict()
    assert {year: n for year, n in by_year.items() if n} == expected
    assert sum(by_year.values()) == len(catalog)


def test_top_countries_count_every_country_of_a_title(figures):
    assert _horizontal(figures["top_countries.png"]) == {
        "United States": 3, "India": 2, "United Kingdom": 1, "France": 1, "Japan": 1,
    }


def test_top_genres_counts(figures, catalog):
    widths = _horizontal(figures["top_genres.png"])
    assert widths == catalog["listed_in"].explode().value_counts().to_dict()
    assert widths["Dramas"] == 3


def test_top_n_limits_bars(catalog):
    assert len(_bars(eda.top_countries(catalog, n=2))) == 2
    assert list(_horizontal(eda.top_countries(catalog, n=2))) == ["India", "United States"]


def test_rating_counts_include_missing_and_are_age_ordered(figures, catalog):
    heights = _vertical(figures["rating_distribution.png"])
    # Row 5's "74 min" is a misplaced duration: clean_catalog empties it -> "(missing)".
    assert heights == {"TV-Y": 1, "TV-14": 2, "R": 1, "TV-MA": 2, eda.MISSING_RATING: 1}
    assert list(heights) == ["TV-Y", "TV-14", "R", "TV-MA", eda.MISSING_RATING]
    assert sum(heights.values()) == len(catalog)


def test_write_figures_writes_non_empty_pngs(catalog, tmp_path):
    paths = eda.write_figures(catalog, tmp_path / "reports")
    assert sorted(p.name for p in paths) == sorted(eda.FIGURES)
    for path in paths:
        data = path.read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 5_000, f"{path} is not a real PNG"


@pytest.mark.skipif(not DATA.exists(), reason="data/netflix_titles.csv not present")
def test_cli_on_real_catalogue(tmp_path, capsys):
    assert eda.main(["--data", str(DATA), "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.split()
    assert sorted(Path(p).name for p in printed) == sorted(eda.FIGURES)
    catalog = load_catalog(DATA)
    assert sum(_vertical(eda.type_split(catalog)).values()) == len(catalog) == 8807
    assert _horizontal(eda.top_countries(catalog))["United States"] == 3690
