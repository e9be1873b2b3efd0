"""Exploratory charts of the cleaned catalogue as matplotlib Figures.

Figures are built with ``matplotlib.figure.Figure`` (not pyplot), so nothing is
registered in pyplot's global state and nothing needs closing; saving to PNG
uses the Agg renderer. ``python -m netflix_pyfunc.eda --data data/netflix_titles.csv --out reports``
writes every chart as a PNG.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import StrMethodFormatter

from netflix_pyfunc.catalog import (
    COUNTRY, LISTED_IN, MOVIE, NON_TOPICAL_GENRES, RATING, RELEASE_YEAR, TV_SHOW, TYPE, TYPES,
    YEAR_ADDED, load_catalog,
)

TYPE_COLORS = {MOVIE: "#b20710", TV_SHOW: "#221f1f"}
BAR_COLOR = "#b20710"
MUTED_COLOR = "#9e9e9e"
MISSING_RATING = "(missing)"
# Rating labels from youngest to oldest audience; unknown labels go last.
RATING_ORDER = (
    "TV-Y", "TV-Y7", "TV-Y7-FV", "G", "TV-G", "PG", "TV-PG", "PG-13", "TV-14", "R", "TV-MA", "NC-17",
    "NR", "UR",
)
DPI = 120


def _figure(width: float, height: float, count_axis: str = "y") -> tuple[Figure, object]:
    """A constrained-layout Figure (not in pyplot) and its axes; the count axis gets thousands separators."""
    figure = Figure(figsize=(width, height), layout="constrained")
    ax = figure.subplots()
    getattr(ax, f"{count_axis}axis").set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    return figure, ax


def _thousands(values: Sequence[float]) -> list[str]:
    return [f"{int(value):,}" for value in values]


def type_split(catalog: pd.DataFrame) -> Figure:
    """Bar per type (Movie, TV Show) with count and share."""
    counts = catalog[TYPE].value_counts().reindex(TYPES, fill_value=0)
    figure, ax = _figure(6, 4.5)
    bars = ax.bar(counts.index, counts.to_numpy(), color=[TYPE_COLORS[t] for t in counts.index], width=0.6)
    total = int(counts.sum())
    ax.bar_label(bars, labels=[f"{n:,} ({n / total:.0%})" for n in counts], padding=3)
    ax.margins(y=0.12)
    ax.set_title(f"Movies vs TV shows ({total:,} titles)")
    ax.set_xlabel("Type")
    ax.set_ylabel("Number of titles")
    return figure


def titles_added_per_year(catalog: pd.DataFrame) -> Figure:
    """Grouped bars: titles added to Netflix per year (from date_added), by type."""
    known = catalog[catalog[YEAR_ADDED].notna()]
    table = (
        known.groupby([known[YEAR_ADDED].astype("int64"), TYPE]).size().unstack(TYPE)
        .reindex(columns=list(TYPES)).fillna(0).astype("int64").sort_index()
    )
    if len(table):
        table = table.reindex(range(int(table.index.min()), int(table.index.max()) + 1), fill_value=0)
    figure, ax = _figure(11, 5.5)
    x = np.arange(len(table))
    width = 0.4
    for offset, kind in zip((-width / 2, width / 2), TYPES):
        bars = ax.bar(x + offset, table[kind].to_numpy(), width=width, label=kind, color=TYPE_COLORS[kind])
        ax.bar_label(bars, labels=_thousands(table[kind]), padding=2, fontsize=7, rotation=90)
    ax.set_xticks(x, [str(year) for year in table.index])
    ax.margins(y=0.15)
    missing = int(catalog[YEAR_ADDED].isna().sum())
    note = f" ({missing} titles without a date not shown)" if missing else ""
    ax.set_title(f"Titles added per year, by type{note}")
    ax.set_xlabel("Year added to Netflix")
    ax.set_ylabel("Number of titles added")
    ax.legend(title="Type", loc="upper left")
    return figure


def release_year_distribution(catalog: pd.DataFrame) -> Figure:
    """Stacked bars: number of titles per release year, by type."""
    table = (
        catalog.groupby([RELEASE_YEAR, TYPE]).size().unstack(TYPE).reindex(columns=list(TYPES)).fillna(0)
    )
    if len(table):
        table = table.reindex(range(int(table.index.min()), int(table.index.max()) + 1), fill_value=0)
    table = table.astype("int64")
    figure, ax = _figure(11, 5.5)
    bottom = np.zeros(len(table))
    for kind in TYPES:
        ax.bar(
            table.index, table[kind].to_numpy(), bottom=bottom, width=0.9, label=kind, color=TYPE_COLORS[kind]
        )
        bottom += table[kind].to_numpy()
    median = int(np.median(catalog[RELEASE_YEAR])) if len(catalog) else 0
    ax.axvline(median, color=MUTED_COLOR, linestyle="--", linewidth=1, label=f"Median release year: {median}")
    ax.set_title(f"Release years ({catalog[RELEASE_YEAR].min()}-{catalog[RELEASE_YEAR].max()}), by type")
    ax.set_xlabel("Release year")
    ax.set_ylabel("Number of titles")
    ax.legend(loc="upper left")
    return figure


def _horizontal_counts(
    counts: pd.Series, title: str, xlabel: str, ylabel: str, colors: Sequence[str]
) -> Figure:
    figure, ax = _figure(9, 0.42 * len(counts) + 1.6, count_axis="x")
    bars = ax.barh(counts.index[::-1], counts.to_numpy()[::-1], color=list(colors)[::-1])
    ax.bar_label(bars, labels=_thousands(counts.to_numpy()[::-1]), padding=3)
    ax.margins(x=0.1)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return figure


def top_countries(catalog: pd.DataFrame, n: int = 10) -> Figure:
    """Horizontal bars of the n countries with most titles; a co-production counts for each country."""
    counts = catalog[COUNTRY].explode().dropna().value_counts().head(n)
    no_country = int((catalog[COUNTRY].map(len) == 0).sum())
    return _horizontal_counts(
        counts,
        f"Top {n} production countries\n(a title with several countries counts for each; "
        f"{no_country:,} titles without a country)",
        "Number of titles",
        "Country",
        [BAR_COLOR] * len(counts),
    )


def top_genres(catalog: pd.DataFrame, n: int = 15) -> Figure:
    """Horizontal bars of the n most frequent listed_in genres; origin-only genres greyed out."""
    counts = catalog[LISTED_IN].explode().dropna().value_counts().head(n)
    colors = [MUTED_COLOR if genre in NON_TOPICAL_GENRES else BAR_COLOR for genre in counts.index]
    figure = _horizontal_counts(
        counts,
        f"Top {n} genres (a title listed in several genres counts for each)",
        "Number of titles",
        "Genre (listed_in)",
        colors,
    )
    if any(genre in NON_TOPICAL_GENRES for genre in counts.index):
        ax = figure.axes[0]
        ax.legend(
            handles=[
                Patch(color=BAR_COLOR, label="Topical genre"),
                Patch(color=MUTED_COLOR, label="Origin label (not used as a shared genre)"),
            ],
            loc="lower right",
        )
    return figure


def rating_distribution(catalog: pd.DataFrame) -> Figure:
    """Bars of titles per content rating, youngest to oldest audience; empty ratings as '(missing)'."""
    ratings = catalog[RATING].replace("", MISSING_RATING)
    counts = ratings.value_counts()
    order = [r for r in RATING_ORDER if r in counts.index]
    order += sorted(r for r in counts.index if r not in RATING_ORDER and r != MISSING_RATING)
    order += [MISSING_RATING] if MISSING_RATING in counts.index else []
    counts = counts.reindex(order)
    figure, ax = _figure(10, 5)
    bars = ax.bar(counts.index, counts.to_numpy(), color=BAR_COLOR)
    ax.bar_label(bars, labels=_thousands(counts), padding=2, fontsize=8)
    ax.margins(y=0.1)
    for label in ax.get_xticklabels():
        label.set(rotation=45, horizontalalignment="right", rotation_mode="anchor")
    ax.set_title("Content ratings (youngest to oldest audience)")
    ax.set_xlabel("Rating")
    ax.set_ylabel("Number of titles")
    return figure


FIGURES: dict[str, Callable[[pd.DataFrame], Figure]] = {
    "type_split.png": type_split,
    "titles_added_per_year.png": titles_added_per_year,
    "release_year_distribution.png": release_year_distribution,
    "top_countries.png": top_countries,
    "top_genres.png": top_genres,
    "rating_distribution.png": rating_distribution,
}


def eda_figures(catalog: pd.DataFrame) -> dict[str, Figure]:
    """File name -> Figure for every chart (e.g. for ``mlflow.log_figure(figure, name)``)."""
    return {name: build(catalog) for name, build in FIGURES.items()}


def write_figures(catalog: pd.DataFrame, out_dir: str | Path) -> list[Path]:
    """Write every chart as a PNG into out_dir (created); return the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, figure in eda_figures(catalog).items():
        path = out / name
        figure.savefig(path, dpi=DPI)
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the catalogue EDA charts as PNG files.")
    parser.add_argument("--data", default="data/netflix_titles.csv", help="catalogue CSV")
    parser.add_argument("--out", default="reports", help="output directory")
    args = parser.parse_args(argv)
    for path in write_figures(load_catalog(args.data), args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
